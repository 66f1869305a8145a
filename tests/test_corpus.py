"""Differential tests on the shared corpus: Composer's `config` against the reference's.

Every valid case must give the same data (YAML and JSON); the text must be equal
too, except where the reference's own output is not deterministic. Every invalid
case must be rejected with an error message, never a traceback.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.corpus import cases, corpus_dir, judge, run_composer

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(corpus_dir() is None, reason="../shared/corpus not present"),
]

ALL = cases()
VALID = [c for c in ALL if not c.invalid]
INVALID = [c for c in ALL if c.invalid]


@pytest.mark.parametrize("case", VALID, ids=[c.name for c in VALID])
def test_valid_case_same_data_and_text(case) -> None:  # type: ignore[no-untyped-def]
    verdict = judge(case)
    assert verdict.data_ok, verdict.details
    if case.meta.get("nondeterministic_output"):
        return  # list order varies run to run in the reference itself
    assert verdict.text_ok, verdict.details


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_invalid_case_rejected(case) -> None:  # type: ignore[no-untyped-def]
    outcome = run_composer(case, [])
    assert outcome.code == 1, outcome.stdout[:300]
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr.startswith("error: ")
    if not case.meta.get("nondeterministic_error"):
        expected = (case.expected("expected_error.txt") or "").strip().splitlines()[-1]
        # the reference's final line, minus its "failed to parse FILE:" style prefixes,
        # must appear in ours (ours adds position, key path and a hint)
        essential = (
            expected.split(": ", 1)[-1]
            if expected.startswith(("validating ", "failed to parse "))
            else expected
        )
        essential = essential.removesuffix(": invalid compose project")
        essential = re.sub(r"^yaml: (line \d+: )?", "", essential)  # ours carries line:column
        if essential.startswith("invalid map key"):
            essential = "invalid map key"
        assert essential.split("\n")[0][:60] in outcome.stderr, (expected, outcome.stderr)


def test_json_renders_only_where_reference_does() -> None:
    for case in VALID:
        if case.expected("expected_json_error.txt") is not None:
            outcome = run_composer(case, ["--format", "json"])
            assert outcome.code != 0 or json.loads(outcome.stdout)
