"""The `${...}` engine: explicit expectations, then the reference binary as the judge."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.errors import InterpolationError
from composer.golang import go_quote
from composer.loader.template import (
    RequiredVariableError,
    TemplateSyntaxError,
    Variable,
    extract_variables,
    substitute,
    unset_warning,
)
from tests.reference import reference_binary, run_reference

needs_reference = pytest.mark.skipif(reference_binary() is None, reason="no reference binary")

ENV = {"SET": "value", "EMPTY": "", "DOLLAR": "a$b", "NUM": "42", "BRACE": "}{"}

# (template, expected result, names reported missing)
CASES: list[tuple[str, str, list[str]]] = [
    ("plain text", "plain text", []),
    ("$SET", "value", []),
    ("${SET}", "value", []),
    ("$SET_tail", "", ["SET_tail"]),
    ("${SET}_tail", "value_tail", []),
    ("$SET.x", "value.x", []),
    ("$$SET", "$SET", []),
    ("$$${SET}", "$value", []),
    ("$$$$", "$$", []),
    ("cost: 5$ and $1 and $-x and $ ", "cost: 5$ and $1 and $-x and $ ", []),
    ("a$", "a$", []),
    ("$UNSET", "", ["UNSET"]),
    ("${UNSET}${UNSET}", "", ["UNSET", "UNSET"]),
    ("${UNSET:-dflt}", "dflt", []),
    ("${EMPTY:-dflt}", "dflt", []),
    ("${EMPTY-dflt}", "", []),
    ("${UNSET-dflt}", "dflt", []),
    ("${SET:-dflt}", "value", []),
    ("${SET:+alt}", "alt", []),
    ("${EMPTY:+alt}", "", []),
    ("${EMPTY+alt}", "alt", []),
    ("${UNSET+alt}", "", []),
    ("${UNSET:+alt}", "", []),
    ("${SET:?boom}", "value", []),
    ("${EMPTY?boom}", "", []),
    ("${UNSET:-${SET}}", "value", []),
    ("${UNSET:-${OTHER:-deep default}}", "deep default", []),
    ("${UNSET:-a-b:-c}", "a-b:-c", []),
    # defaults, alternates and error texts are evaluated eagerly: they warn
    ("${SET:-$UNSET}", "value", ["UNSET"]),
    ("${SET?$UNSET}", "value", ["UNSET"]),
    ("${EMPTY:+$UNSET}", "", ["UNSET"]),
    # greedy match to the last brace, cut at the first balanced one
    ("${SET:-x} and ${SET:-y}", "value and value", []),
    ("${UNSET-}x}", "x}", []),
    ("${UNSET:-{}", "{", []),
    ("${UNSET:-{}}", "{}", []),
    ("${UNSET:-a}b}", "ab}", []),
    ("${DOLLAR}", "a$b", []),
    ("${BRACE}", "}{", []),
    ("${NUM}${NUM}_$NUM.suffix", "4242_42.suffix", []),
    # Go's (?i) folds the long s and the Kelvin sign onto ASCII letters, nothing else
    ("x$\u017f", "x", ["\u017f"]),
    ("x$\u0130", "x$\u0130", []),
    ("line1\n$SET\n", "line1\nvalue\n", []),
]


@pytest.mark.parametrize(("template", "expected", "missing"), CASES)
def test_substitute(template: str, expected: str, missing: list[str]) -> None:
    found: list[str] = []
    assert substitute(template, ENV.get, found) == expected
    assert found == missing


# (template, error class, message)
ERRORS: list[tuple[str, type[InterpolationError], str]] = [
    ("${", TemplateSyntaxError, 'Invalid template: "${"'),
    ("${SET", TemplateSyntaxError, 'Invalid template: "${SET"'),
    ("x ${SET:x} y", TemplateSyntaxError, 'Invalid template: "x ${SET:x} y"'),
    ("${A B}", TemplateSyntaxError, 'Invalid template: "${A B}"'),
    ("${}", TemplateSyntaxError, 'Invalid template: "${}"'),
    ("${1}", TemplateSyntaxError, 'Invalid template: "${1}"'),
    ("${SET:-x\n}", TemplateSyntaxError, 'Invalid template: "${SET:-x\\n}"'),
    # the inner template is the one reported
    ("${UNSET:-${B}", TemplateSyntaxError, 'Invalid template: "${B"'),
    ("${SET:-x}${}", TemplateSyntaxError, 'Invalid template: "${}"'),
    ("${SET:-${}", TemplateSyntaxError, 'Invalid template: "${"'),
    ("${UNSET:?boom}", RequiredVariableError, "required variable UNSET is missing a value: boom"),
    ("${EMPTY:?}", RequiredVariableError, "required variable EMPTY is missing a value"),
    ("${UNSET?}", RequiredVariableError, "required variable UNSET is missing a value"),
    (
        "${UNSET?need $SET}",
        RequiredVariableError,
        "required variable UNSET is missing a value: need value",
    ),
]


@pytest.mark.parametrize(("template", "kind", "message"), ERRORS)
def test_substitute_errors(template: str, kind: type[InterpolationError], message: str) -> None:
    with pytest.raises(kind) as caught:
        substitute(template, ENV.get)
    assert caught.value.message == message


def test_processing_goes_on_after_an_error() -> None:
    found: list[str] = []
    with pytest.raises(TemplateSyntaxError):
        substitute("${ ${LATER}", ENV.get, found)
    assert found == ["LATER"]


def test_required_error_details() -> None:
    with pytest.raises(RequiredVariableError) as caught:
        substitute("${NEED:?set it}", ENV.get)
    assert (caught.value.variable, caught.value.reason) == ("NEED", "set it")


def test_text_without_dollar_is_returned_as_is() -> None:
    text = "no references here"
    assert substitute(text, ENV.get) is text


def test_go_quote() -> None:
    assert go_quote("plain") == '"plain"'
    assert go_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert go_quote("\n\t\x01\x7f") == '"\\n\\t\\x01\\x7f"'
    assert go_quote("\u00a0é") == '"\\u00a0é"'
    assert unset_warning("X") == 'The "X" variable is not set. Defaulting to a blank string.'


# (template, variables as `config --variables` sees them)
EXTRACT: list[tuple[str, list[Variable]]] = [
    ("none", []),
    ("$$ESCAPED", []),
    ("$A ${B}", [Variable("A"), Variable("B")]),
    ("${A:-x} ${B:-y}", [Variable("B", default="y"), Variable("A", default="x")]),
    ("${C:?err ${D}}", [Variable("C", required=True)]),
    ("${C?err}", [Variable("C", required=True)]),
    ("${A1-x}", [Variable("A1", default="x")]),
    ("${B2C:+z} ${B2D+w}", [Variable("B2D", alternate="w"), Variable("B2C", alternate="z")]),
    (
        "${L:-${M:-${N:-deep}}}",
        [
            Variable("L", default="${M:-${N:-deep}}"),
            Variable("M", default="${N:-deep}"),
            Variable("N", default="deep"),
        ],
    ),
    (
        "${E1B:-1} ${F:-{} $G-h ${H:+${I}}",
        [
            Variable("F", default="{} $G-h ${H:+${I}"),
            Variable("G"),
            Variable("H", alternate="${I"),
            Variable(""),
            Variable("E1B", default="1"),
        ],
    ),
    ("${", [Variable("")]),
    ("${O:-}", [Variable("O", default="")]),
    ("${\u017f:-d}", [Variable("\u017f:-d")]),
]


@pytest.mark.parametrize(("template", "expected"), EXTRACT)
def test_extract_variables(template: str, expected: list[Variable]) -> None:
    assert extract_variables(template) == expected


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("${}:-+?aZ_1 \n\\x\u017f")) | st.characters(),
        max_size=40,
    )
)
def test_substitute_only_raises_interpolation_errors(text: str) -> None:
    found: list[str] = []
    try:
        result = substitute(text, ENV.get, found)
    except InterpolationError as error:
        assert error.message
    else:
        assert isinstance(result, str)
        assert all(name not in ENV for name in found)
    if "$" not in text:
        assert substitute(text, ENV.get) == text
    extract_variables(text)  # never raises


# --- the reference as judge ---------------------------------------------------------

_MSG = re.compile(r'level=warning msg="((?:[^"\\]|\\.)*)"')


def reference_values(
    tmp_path: Path, templates: list[str], env: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Each template as environment value K<i> of one service, rendered by the reference."""
    lines = ["services:", "  a:", "    image: busybox", "    environment:"]
    lines += [f"      K{i}: {json.dumps(t)}" for i, t in enumerate(templates)]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    done = run_reference(
        ["-p", "p", "-f", "compose.yaml", "config", "--format", "json"], tmp_path, env
    )
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)["services"]["a"].get("environment") or {}
    return [values[f"K{i}"] for i in range(len(templates))], warnings_of(done.stderr)


def reference_error(tmp_path: Path, template: str, env: dict[str, str]) -> str:
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  a:\n    image: busybox\n    environment:\n      K0: {json.dumps(template)}\n"
    )
    done = run_reference(["-p", "p", "-f", "compose.yaml", "config"], tmp_path, env)
    assert done.returncode != 0, f"reference accepted {template!r}"
    return "\n".join(line for line in done.stderr.splitlines() if "level=" not in line)


def warnings_of(stderr: str) -> list[str]:
    return [json.loads(f'"{raw}"') for raw in _MSG.findall(stderr)]


def escaped(value: str) -> str:
    """How the reference prints an interpolated value."""
    return value.replace("$", "$$")


def expected_error(error: InterpolationError, path: str) -> str:
    if isinstance(error, TemplateSyntaxError):
        return (
            f"invalid interpolation format for {path}.\n"
            f"You may need to escape any $ with another $.\n{error.template}"
        )
    return f"error while interpolating {path}: {error.message}"


def ours(template: str, env: dict[str, str]) -> tuple[str | None, list[str], Any]:
    found: list[str] = []
    try:
        return substitute(template, env.get, found), found, None
    except InterpolationError as error:
        return None, found, error


@pytest.mark.reference
@needs_reference
def test_table_against_reference(tmp_path: Path) -> None:
    templates = [t for t, _, _ in CASES if "\n" not in t]
    theirs, their_warnings = reference_values(tmp_path, templates, ENV)
    mine_warnings: list[str] = []
    for template, value in zip(templates, theirs, strict=True):
        result, found, _ = ours(template, ENV)
        assert result is not None and escaped(result) == value, template
        mine_warnings += [unset_warning(name) for name in found]
    assert sorted(mine_warnings) == sorted(their_warnings)


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(("template", "kind", "message"), ERRORS)
def test_errors_against_reference(
    tmp_path: Path, template: str, kind: type[InterpolationError], message: str
) -> None:
    _, _, error = ours(template, ENV)
    assert isinstance(error, kind)
    assert reference_error(tmp_path, template, ENV) == expected_error(
        error, "services.a.environment.K0"
    )


_PIECES = [
    "$", "$$", "${", "}", "{", ":", "-", ":-", "+", ":+", "?", ":?", " ", "x", "_",
    "1", "SET", "EMPTY", "UNSET", "DOLLAR", "$SET", "${SET}", "${UNSET:-", "${EMPTY+",
]  # fmt: skip


def _random_templates(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 9))) for _ in range(count)]


@pytest.mark.reference
@needs_reference
def test_random_templates_against_reference(tmp_path: Path) -> None:
    """Seeded fuzz: every value and warning the same; the same verdict and message on errors."""
    templates = list(dict.fromkeys(_random_templates(2024, 400)))
    good = [t for t in templates if ours(t, ENV)[2] is None]
    bad = [t for t in templates if ours(t, ENV)[2] is not None]
    assert len(good) > 100 and len(bad) > 20
    theirs, their_warnings = reference_values(tmp_path, good, ENV)
    mine_warnings: list[str] = []
    for template, value in zip(good, theirs, strict=True):
        result, found, _ = ours(template, ENV)
        assert result is not None and escaped(result) == value, template
        mine_warnings += [unset_warning(name) for name in found]
    assert sorted(mine_warnings) == sorted(their_warnings)
    for template in bad[:25]:
        error = ours(template, ENV)[2]
        assert reference_error(tmp_path, template, ENV) == expected_error(
            error, "services.a.environment.K0"
        ), template
