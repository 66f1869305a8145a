"""dotenv / env_file parsing: explicit expectations, the reference binary, the corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from composer.errors import InterpolationError
from composer.loader.dotenv import DotenvError, parse_dotenv, parse_raw, read_env_file
from composer.source import Location
from tests.reference import reference_binary, run_reference

needs_reference = pytest.mark.skipif(reference_binary() is None, reason="no reference binary")

F = "/p/e.env"
NO_ENV: dict[str, str] = {}

# (file text, lookup environment, parsed result)
PARSED: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("A=1\nB = 2\n  C= 3  \nD =\n", {}, {"A": "1", "B": "2", "C": "3", "D": ""}),
    ("# comment\n\n  # indented comment\nA=1 # inline\nB=1# kept\nC=a #b #c\n", {},
     {"A": "1", "B": "1# kept", "C": "a"}),
    ("E=#nc\nF= #c\nG=a\t#tab\n", {}, {"E": "#nc", "F": "#c", "G": "a\t#tab"}),
    ("export A=1\nexport\tB=2\nexportC=3\nexport=4\nexport\nD=5\n", {},
     {"A": "1", "B": "2", "exportC": "3", "export": "4", "D": "5"}),
    ("A: 1\nB :2\nC:b=1\n", {}, {"A": "1", "B": "2", "C": "b=1"}),
    ("A==1\nB=a=b\n=1\n", {}, {"A": "=1", "B": "a=b", "": "1"}),
    ("VAR.WITH.DOTS=1\nVAR-WITH-DASHES=2\nA[0]=3\n456=4\nAé=5\n", {},
     {"VAR.WITH.DOTS": "1", "VAR-WITH-DASHES": "2", "A[0]": "3", "456": "4", "Aé": "5"}),
    ("A\tB=1\n", {}, {"A\tB": "1"}),
    # single quotes: literal, \' is a quote
    ("A='a\\nb'\nB='Let\\'s go'\nC='a\\\\'\nD='${X}'\nE='x\"y'\n", {"X": "no"},
     {"A": "a\\nb", "B": "Let's go", "C": "a\\\\", "D": "${X}", "E": 'x"y'}),
    # double quotes: escapes, then expansion
    ('A="a\\tb\\$c \\"q\\" \\0101 \\x41"\nB="\\\\"\nC="\\a\\b\\f\\v\\r"\n', {},
     {"A": 'a\tb$c "q" A \\x41', "B": "\\", "C": "\a\b\f\v\r"}),
    ('A="\\00\\012\\0777\\0"\nB="\\u0041\\\'"\nC="x\'y"\nD="a #b"\n', {},
     {"A": "\\0\\12\\777\\", "B": "\\u0041\\'", "C": "x'y", "D": "a #b"}),
    ('A="multi\nline"\nB=\'one\ntwo\'\n', {}, {"A": "multi\nline", "B": "one\ntwo"}),
    # what follows a closing quote is new statements
    ("A='x' # c\nB=\"y\"  trailing\nC=\"a\"b\n", {}, {"A": "x", "B": "y", "C": "a"}),
    ("A=\"a\"b\n", {"b": "found"}, {"A": "a", "b": "found"}),
    # expansion: lookup first, then earlier keys; defaults and friends
    ("A=file\nB=${A}\nC=$A\nD=\"${A}\"\nE=${UNSETX:-dflt}\nF=${A:+alt}\n", {"A": "os"},
     {"A": "file", "B": "os", "C": "os", "D": "os", "E": "dflt", "F": "alt"}),
    ("A=file\nB=${A}\nC=${A}_${B}\n", {}, {"A": "file", "B": "file", "C": "file_file"}),
    ("A=${B:-x}\nB=\"${A}y\"\nC=${B}${A}\n", {}, {"A": "x", "B": "xy", "C": "xyx"}),
    ("A=$$x\nB=\"$$y\"\nC=\\$z\nD=\"\\$w\"\n", {}, {"A": "$x", "B": "$y", "C": "\\", "D": "$w"}),
    ("A=$\nC=a$\n", {}, {"A": "$", "C": "a$"}),
    # bare keys come from lookup, or are left out
    ("FOO\nBAR\n", {"FOO": "os"}, {"FOO": "os"}),
    ("FOO", {"FOO": "os"}, {"": "FOO"}),
    ("X=1\nFOO", {}, {"X": "1", "": "FOO"}),
    ("A=a\r\nB=b\r\n", {}, {"A": "a", "B": "b"}),
    ("\ufeffA=1\n", {}, {"A": "1"}),
    ("  \n\t\n", {}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "env", "expected"), PARSED)
def test_parse(text: str, env: dict[str, str], expected: dict[str, str]) -> None:
    assert parse_dotenv(text, filename=F, lookup=env.get) == expected


def test_unset_references_are_reported() -> None:
    missing: list[str] = []
    parsed = parse_dotenv(
        'A="${UNSETV}"\nB=$UNSETW\nC=${Q:-x}\n', filename=F, lookup=NO_ENV.get, missing=missing
    )
    assert parsed == {"A": "", "B": "", "C": "x"}
    assert missing == ["UNSETV", "UNSETW"]


def test_keeps_file_order() -> None:
    assert list(parse_dotenv("Z=1\nA=2\nM=3\n", filename=F, lookup=NO_ENV.get)) == ["Z", "A", "M"]


# (file text, message after "failed to read /p/e.env: ", real line, column)
INVALID: list[tuple[str, str, int, int]] = [
    ("A\nB C=1\n", "line 2: key cannot contain a space", 2, 1),
    ('A=1\nB="x\ny"\nC D=1\n', "line 4: key cannot contain a space", 4, 1),
    ("KEY WITH SPACE\n", "line 1: key cannot contain a space", 1, 1),
    ("# c\n\n  A=1\nB$=1\n", 'line 4: unexpected character "$" in variable name "B$=1"', 4, 2),
    ("export A$=1\n", 'line 1: unexpected character "$" in variable name "A$=1"', 1, 9),
    ('A="a" "b"\n', 'line 1: unexpected character "\\"" in variable name "\\"b\\""', 1, 7),
    ('A="unterminated\nB=2\n', 'line 3: unterminated quoted value "unterminated', 1, 3),
    ("A='unterminated\n", "line 2: unterminated quoted value 'unterminated", 1, 3),
    ("A=${B:?boom}\n", "required variable B is missing a value: boom", 1, 1),
    ("X=1\nA=${\n", 'Invalid template: "${"', 2, 1),
    ("export ", "zero length string", 1, 1),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), INVALID)
def test_invalid(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(DotenvError) as caught:
        parse_dotenv(text, filename=F, lookup=NO_ENV.get)
    assert caught.value.message == f"failed to read {F}: {message}"
    assert caught.value.location == Location(F, line, column)
    assert isinstance(caught.value, InterpolationError)


RAW: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("A='q'\nB=\"d\"\nC=${X}\n  D=lead\nE=trail  \n# c\n  # c2\n\nF\nG\n", {"F": "fromos"},
     {"A": "'q'", "B": '"d"', "C": "${X}", "D": "lead", "E": "trail  ", "F": "fromos"}),
    ("\ufeffA=1\r\nB=2\r\n", {}, {"A": "1", "B": "2"}),
    ("A=1", {}, {"A": "1"}),
    ("A=$$x # not a comment\n", {}, {"A": "$$x # not a comment"}),
    ("A\tB=1\n", {}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "env", "expected"), RAW[:4])
def test_raw(text: str, env: dict[str, str], expected: dict[str, str]) -> None:
    assert parse_raw(text.encode(), filename=F, lookup=env.get) == expected


RAW_INVALID = [
    ("A B=1\n", "variable 'A B' contains whitespaces"),
    ("=1\n", "no variable name on line '=1'"),
    ("A\t=1\n", "variable 'A\t' contains whitespaces"),
    ("A=1 # x\nexport B=2\n", "variable 'export B' contains whitespaces"),
    ("A\tB=1\n", "variable 'A\tB' contains whitespaces"),
]


@pytest.mark.parametrize(("text", "message"), RAW_INVALID)
def test_raw_invalid(text: str, message: str) -> None:
    with pytest.raises(DotenvError) as caught:
        parse_raw(text.encode(), filename=F, lookup=NO_ENV.get)
    assert caught.value.message == f"failed to parse env_file {F}: {message}"


def test_raw_invalid_utf8() -> None:
    with pytest.raises(DotenvError) as caught:
        parse_raw(b"A=1\nB=\xff\n", filename=F, lookup=NO_ENV.get)
    assert (
        caught.value.message
        == f"failed to parse env_file {F}: invalid utf8 bytes at line 2: [66 61 255]"
    )


def test_read_env_file(tmp_path: Path) -> None:
    path = tmp_path / "x.env"
    path.write_bytes(b"A='q'\nB=${C}\n")
    assert read_env_file(path, lookup={"C": "c"}.get) == {"A": "q", "B": "c"}
    assert read_env_file(path, lookup={"C": "c"}.get, raw=True) == {"A": "'q'", "B": "${C}"}
    with pytest.raises(OSError):
        read_env_file(tmp_path / "missing.env", lookup=NO_ENV.get)


# --- the reference as judge ---------------------------------------------------------


def reference_env_files(
    tmp_path: Path, texts: list[str], env: dict[str, str], raw: bool = False
) -> list[dict[str, str]]:
    """One service per text, loading it with env_file; the environment the reference gives."""
    services = {}
    for i, text in enumerate(texts):
        (tmp_path / f"{i}.env").write_bytes(text.encode())
        entry: object = {"path": f"{i}.env", "format": "raw"} if raw else f"{i}.env"
        services[f"s{i}"] = {"image": "busybox", "env_file": [entry]}
    (tmp_path / "compose.yaml").write_text(json.dumps({"services": services}))
    done = run_reference(
        ["-p", "p", "-f", "compose.yaml", "config", "--format", "json"], tmp_path, env
    )
    assert done.returncode == 0, done.stderr
    rendered = json.loads(done.stdout)["services"]
    return [rendered[f"s{i}"].get("environment") or {} for i in range(len(texts))]


def reference_error(tmp_path: Path, text: str, raw: bool = False) -> str:
    (tmp_path / "e.env").write_bytes(text.encode())
    entry: object = {"path": "e.env", "format": "raw"} if raw else "e.env"
    (tmp_path / "compose.yaml").write_text(
        json.dumps({"services": {"a": {"image": "busybox", "env_file": [entry]}}})
    )
    done = run_reference(["-p", "p", "-f", "compose.yaml", "config"], tmp_path, {})
    assert done.returncode != 0
    return done.stderr.strip()


def _escaped(values: dict[str, str | None]) -> dict[str, str]:
    return {k: (v or "").replace("$", "$$") for k, v in values.items()}


@pytest.mark.reference
@needs_reference
def test_against_reference(tmp_path: Path) -> None:
    # one lookup environment for the whole batch: the reference gets it as process env
    env = {"A": "os", "FOO": "os", "b": "found", "X": "no", "VAR": "v"}
    texts = [text for text, _, _ in PARSED]
    theirs = reference_env_files(tmp_path, texts, env)
    for text, got in zip(texts, theirs, strict=True):
        assert _escaped(parse_dotenv(text, filename=F, lookup=env.get)) == got, text


@pytest.mark.reference
@needs_reference
def test_raw_against_reference(tmp_path: Path) -> None:
    env = {"F": "fromos"}
    texts = [text for text, _, _ in RAW[:4]]
    theirs = reference_env_files(tmp_path, texts, env, raw=True)
    for text, got in zip(texts, theirs, strict=True):
        assert _escaped(parse_raw(text.encode(), filename=F, lookup=env.get)) == got, text


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(("text", "message", "line", "column"), INVALID)
def test_invalid_against_reference(
    tmp_path: Path, text: str, message: str, line: int, column: int
) -> None:
    path = str(tmp_path / "e.env")
    with pytest.raises(DotenvError) as caught:
        parse_dotenv(text, filename=path, lookup=NO_ENV.get)
    assert reference_error(tmp_path, text) == caught.value.message


@pytest.mark.reference
@needs_reference
@pytest.mark.parametrize(("text", "message"), RAW_INVALID)
def test_raw_invalid_against_reference(tmp_path: Path, text: str, message: str) -> None:
    path = str(tmp_path / "e.env")
    with pytest.raises(DotenvError) as caught:
        parse_raw(text.encode(), filename=path, lookup=NO_ENV.get)
    assert reference_error(tmp_path, text, raw=True) == caught.value.message


# --- the shared corpus ----------------------------------------------------------------


def corpus_case(name: str) -> Path:
    root = Path(
        os.environ.get("COMPOSER_CORPUS")
        or Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    folder = root / name
    if not folder.is_dir():
        pytest.skip("shared corpus not available")
    return folder


def test_corpus_dotenv_fixtures() -> None:
    """Each compose-go dotenv fixture, loaded with env_file, gives the reference's environment."""
    folder = corpus_case("compose-go__dotenv-fixtures-env-file")
    env = json.loads((folder / "case.json").read_text()).get("env") or {}
    expected = json.loads((folder / "expected.json").read_text())["services"]
    assert len(expected) == 12
    for service, rendered in expected.items():
        parsed = read_env_file(folder / f"{service}.env", lookup=env.get)
        assert _escaped(parsed) == (rendered.get("environment") or {}), service


def test_corpus_dotenv_invalid_line() -> None:
    folder = corpus_case("compose-go__dotenv-invalid-line")
    path = str(folder / "invalid1.env")
    with pytest.raises(DotenvError) as caught:
        read_env_file(path, lookup=NO_ENV.get)
    expected = (folder / "expected_error.txt").read_text().replace("${CASE_DIR}", str(folder))
    assert caught.value.message == expected.strip()
    assert caught.value.location == Location(path, 7, 1)


def test_corpus_env_file_format_raw() -> None:
    folder = corpus_case("compose__env-file-format-raw")
    expected = json.loads((folder / "expected.json").read_text())["services"]["test"]["environment"]
    assert _escaped(read_env_file(folder / ".env.raw", lookup=NO_ENV.get, raw=True)) == expected


def test_corpus_quoted_env_file_interpolated() -> None:
    """quoted.env given as --env-file feeds ${...} in compose.yaml labels."""
    from composer.loader.template import substitute

    folder = corpus_case("compose-go__dotenv-quoted-interpolation")
    env = read_env_file(folder / "quoted.env", lookup=NO_ENV.get)
    compose = YAML(typ="safe", pure=True).load((folder / "compose.yaml").read_text())
    labels = compose["services"]["quoted"]["labels"]
    expected = json.loads((folder / "expected.json").read_text())["services"]["quoted"]["labels"]
    assert {k: substitute(v, env.get) for k, v in labels.items()} == expected
