"""The lean Docker client's percent-encoding equals urllib.parse's (quote for path
parts, urlencode for queries), which the SDK's requests send; no engine needed."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from composer.runtimes.docker.wire import _quote, _urlencode

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(TEXT)
def test_path_parts_are_quoted_as_urllib_quotes_them(text: str) -> None:
    assert _quote(text, safe="/:") == quote(text, safe="/:")


@given(st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.booleans()), max_size=5))
def test_queries_are_encoded_as_urlencode_encodes_them(query: dict[str, object]) -> None:
    assert _urlencode(query) == urlencode(query)
