"""`composer validate`: the fixtures' exact diagnostics, exit codes, variables, the
corpus verdicts, config --sources, robustness (hypothesis) and speed."""

from __future__ import annotations

import json
import os
import re
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.cli.app import main as typer_main
from composer.cli.entry import main as entry_main
from composer.errors import UsageError
from composer.loader.options import LoadOptions
from composer.semantic import RULES
from composer.validation import Validation, validate
from tests.corpus import case_process, cases
from tests.helpers import clean_env

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "invalid"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _meta(folder: Path) -> dict[str, Any]:
    path = folder / "case.json"
    return json.loads(path.read_text()) if path.exists() else {}


def run_case(folder: Path, **changes: Any) -> tuple[Validation, dict[str, Any]]:
    meta = _meta(folder)
    options = LoadOptions(
        files=meta.get("files", ["compose.yaml"]),
        project_name="fixture",
        environ=clean_env(meta.get("env", {})),
        cwd=str(folder),
    )
    for key, value in changes.items():
        setattr(options, key, value)
    strict = bool(meta.get("strict"))
    result = validate(options, strict=strict, root=str(folder))
    shown = [d.relative_to(str(folder)) for d in result.diagnostics]
    report = {
        "valid": result.valid(strict=strict),
        "diagnostics": [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "severity": d.severity,
            }
            for d in shown
        ],
    }
    return result, report


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_fixture_diagnostics_exactly(folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text())
    _, report = run_case(folder)
    assert report == expected


def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    fired: set[str] = set()
    passed: set[str] = set()
    for folder in CASES:
        expected = json.loads((folder / "expected.json").read_text())
        codes = {d["code"] for d in expected["diagnostics"]}
        fired |= codes
        for code in _meta(folder).get("passes", []):
            assert code not in codes, f"{folder.name} should not report {code}"
            passed.add(code)
    assert set(RULES) - fired == set()
    assert set(RULES) - passed == set()


def test_a_key_added_by_the_override_is_reported_in_the_override() -> None:
    result, _ = run_case(FIXTURES / "prod-override-bad-key")
    (only,) = result.diagnostics
    assert only.file.endswith("compose.prod.yaml")
    assert (only.line, only.column, only.path) == (4, 5, "services.web")
    assert "imgae" in only.message and only.hint and "image" in only.hint


def test_every_missing_required_variable_is_reported() -> None:
    result, _ = run_case(FIXTURES / "required-variables-all")
    assert [(d.code, d.line) for d in result.diagnostics] == [
        ("required-variable", 3),
        ("required-variable", 5),
        ("required-variable", 7),
    ]
    assert "DB_PASSWORD" in result.diagnostics[1].message


def test_interpolated_values_name_the_variable_and_its_source() -> None:
    result, _ = run_case(FIXTURES / "variable-provenance")
    (conflict,) = result.diagnostics
    assert conflict.code == "port-conflict"
    assert '[WEB_PORT="8080" from .env:2]' in conflict.message
    # the shell wins over .env, and says so
    shell, _ = run_case(FIXTURES / "variable-provenance")
    meta_env = {"PATH": os.environ.get("PATH", ""), "HOME": "/tmp", "WEB_PORT": "8080"}
    options = LoadOptions(
        files=["compose.yaml"],
        project_name="fixture",
        environ=meta_env,
        cwd=str(FIXTURES / "variable-provenance"),
    )
    from_shell = validate(options, root=str(FIXTURES / "variable-provenance"))
    assert '[WEB_PORT="8080" from the shell environment]' in from_shell.diagnostics[0].message


def test_unset_variables_say_where_they_were_looked_up() -> None:
    result, _ = run_case(FIXTURES / "variable-unset")
    messages = [d.message for d in result.diagnostics]
    assert all("looked up in the shell environment or .env" in m for m in messages)
    assert [m.split('"')[1] for m in messages] == ["TAG", "MODE"]


def test_validate_stops_nothing_at_the_first_file(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: x\n    bad: 1\n")
    (tmp_path / "two.yaml").write_text("services: [\n")
    (tmp_path / "three.yaml").write_text("services:\n  b:\n    image: y\n    worse: 2\n")
    options = LoadOptions(
        files=["compose.yaml", "two.yaml", "three.yaml"],
        project_name="p",
        environ={},
        cwd=str(tmp_path),
    )
    found = validate(options, root=str(tmp_path)).diagnostics
    assert [(Path(d.file).name, d.code) for d in found] == [
        ("compose.yaml", "schema.additional"),
        ("three.yaml", "schema.additional"),
        ("two.yaml", "yaml-syntax"),
    ]


# ---------------------------------------------------------------- the command


def _cli(
    args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], fast: bool = True
) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = (entry_main if fast else typer_main)(args)
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "typer"])
def test_exit_codes(capsys: pytest.CaptureFixture[str], fast: bool) -> None:
    ok = FIXTURES / "port-conflict-ok"
    assert _cli(["validate"], ok, capsys, fast)[0] == 0
    assert (
        _cli(["validate", "-f", "compose.yaml"], FIXTURES / "port-conflict", capsys, fast)[0] == 1
    )
    warnings_only = FIXTURES / "unused-resources"
    code, out, _ = _cli(["validate"], warnings_only, capsys, fast)
    assert code == 0 and "warning unused-volume" in out
    assert _cli(["validate", "--strict"], warnings_only, capsys, fast)[0] == 1
    assert _cli(["validate", "--format", "xml"], ok, capsys, fast)[0] == 2
    assert _cli(["validate", "--no-such-option"], ok, capsys, fast)[0] == 2
    assert _cli(["validate"], ROOT / "docs", capsys, fast)[0] == 2  # no compose file here


def test_project_options_before_and_after_the_subcommand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = FIXTURES / "prod-override-bad-key"
    for args in (
        ["-f", "compose.yaml", "-f", "compose.prod.yaml", "validate", "--format", "json"],
        ["validate", "-f", "compose.yaml", "--file=compose.prod.yaml", "--format=json"],
    ):
        code, out, _ = _cli(args, folder, capsys)
        data = json.loads(out)
        assert code == 1 and data["valid"] is False
        assert [d["file"] for d in data["diagnostics"]] == ["compose.prod.yaml"]


def test_json_output_has_exactly_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(["validate", "--format", "json"], FIXTURES / "files-missing", capsys)
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"valid", "diagnostics"}
    for d in data["diagnostics"]:
        assert set(d) == {"severity", "code", "message", "file", "line", "column", "path"}
        assert d["severity"] in ("error", "warning") and d["line"] >= 1 and d["column"] >= 1
        assert not d["file"].startswith("/")


def test_text_output_is_plain_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _cli(["validate"], FIXTURES / "healthy-without-healthcheck", capsys)
    assert "\033[" not in out
    assert out.splitlines()[0].startswith(
        'compose.yaml:6:20: error healthy-without-healthcheck: service "web" waits for "db"'
    )
    assert out.rstrip().endswith("2 errors, 0 warnings")


# ---------------------------------------------------------------- the corpus

# Problems the reference's `config` does not look for, found in cases it accepts. Each is
# a real problem for `docker compose up` (checked by reading the files).
CORPUS_SEMANTIC = {
    # web and important_web both publish 8000 (the docs' extends example)
    "docker-docs__extends-file-then-same-file": {"port-conflict"},
    # echo, echo1 and env1 all publish 1234 (a test file never meant to run)
    "podman-compose__extends-same-file-merge": {"port-conflict"},
    # mem_limit: 10000 (bytes) is below the engine's 6MB minimum
    "kompose__v2-mem-limit-units-port-ranges": {"invalid-size"},
}
# The corpus does not ship build contexts (see its README), so their absence says nothing.
NOT_IN_CORPUS = {"build-context-missing"}


def _corpus_options(case: Any) -> LoadOptions:
    args = list(case.meta.get("args") or [])
    options = LoadOptions(
        files=list(case.meta["files"]),
        project_name="corpus",
        environ=dict(os.environ),
        cwd=os.getcwd(),
    )
    while args:
        flag, value = args.pop(0), args.pop(0)
        if flag == "--profile":
            options.profiles.append(value)
        elif flag == "--env-file":
            options.env_files.append(value)
        elif flag == "--project-directory":
            options.project_directory = value
        else:
            raise AssertionError(f"unknown corpus argument {flag}")
    return options


CORPUS = cases()


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is not here")
@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_corpus_verdicts(case: Any) -> None:
    """Rejected by the reference -> at least one error; accepted -> no error, except the
    semantic problems listed above (the reference's `config` does not look for them)."""
    if case.meta.get("config_args"):
        pytest.skip("needs a `config` switch (--no-consistency) that validate does not have")
    with case_process(case):
        result = validate(_corpus_options(case))
    errors = {d.code for d in result.diagnostics if d.is_error} - NOT_IN_CORPUS
    if case.invalid:
        assert errors, "the reference rejects this case"
    else:
        assert errors == CORPUS_SEMANTIC.get(case.name, set())


# ---------------------------------------------------------------- config --sources

_COMMENT = re.compile(r"  # [^\n]*$", re.MULTILINE)


def test_config_sources_names_file_line_and_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  web:\n"
        "    image: nginx:${TAG}\n"
        "    env_file: app.env\n"
        "    environment:\n"
        "      MODE: ${MODE:-dev}\n"
        "      HOME_DIR: $HOME\n"
    )
    (tmp_path / "compose.prod.yaml").write_text(
        'services:\n  web:\n    ports:\n      - "${PORT}:80"\n'
    )
    (tmp_path / ".env").write_text("# tags\nTAG=1.27\n")
    (tmp_path / "ci.env").write_text("PORT=8080\nTAG=1.27\n")
    (tmp_path / "app.env").write_text("A=1\nB=2\n")
    monkeypatch.setenv("HOME", "/home/x")
    args = ["-f", "compose.yaml", "-f", "compose.prod.yaml", "config"]
    code, plain, _ = _cli(args, tmp_path, capsys)
    assert code == 0
    code, annotated, _ = _cli([*args, "--sources"], tmp_path, capsys)
    assert code == 0
    assert _COMMENT.sub("", annotated) == plain
    lines = annotated.splitlines()

    def comment(prefix: str) -> str:
        (line,) = [x for x in lines if x.strip().startswith(prefix)]
        return line.split("  # ", 1)[1]

    assert comment("image:") == "compose.yaml:3 (TAG from .env:2)"
    assert comment("target:") == "compose.prod.yaml:4 (PORT unset)"
    assert comment("A:") == "app.env:1"
    assert comment("B:") == "app.env:2"
    # environment keys keep only the block's position after normalisation (defaults.py)
    assert comment("MODE:").startswith("compose.yaml:")
    assert comment("HOME_DIR:").startswith("compose.yaml:")
    # --env-file replaces .env and is named as such; the shell is named too
    code, annotated, _ = _cli([*args, "--sources", "--env-file", "ci.env"], tmp_path, capsys)
    assert code == 0
    lines = annotated.splitlines()
    assert comment("published:") == "compose.prod.yaml:4 (PORT from --env-file ci.env:1)"
    assert comment("image:") == "compose.yaml:3 (TAG from --env-file ci.env:2)"
    assert "(default)" in comment("default: null")
    # JSON has no comments
    code, _, err = _cli([*args, "--sources", "--format", "json"], tmp_path, capsys)
    assert code == 2 and "--sources" in err


def test_sources_reports_a_bad_interpolation_like_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "compose.yaml").write_text('services:\n  s:\n    image: "x${"\n')
    plain = _cli(["config"], tmp_path, capsys)
    assert plain[0] == 1 and "invalid interpolation format for services.s.image" in plain[2]
    assert _cli(["config", "--sources"], tmp_path, capsys) == plain


def test_annotating_renderer_changes_nothing_but_comments() -> None:
    from composer.render import render_yaml

    for name in ("every_attribute.yaml", "zero_values.yaml"):
        folder = ROOT / "tests" / "render_fixtures"
        options = LoadOptions(
            files=[name], project_name="r", environ={"HOME": "/tmp"}, cwd=str(folder)
        )
        from composer.loader.pipeline import load_project

        project = load_project(options).project
        plain = render_yaml(project)
        assert render_yaml(project, annotate=lambda path: None) == plain
        tagged = render_yaml(project, annotate=lambda path: ".".join(map(str, path)))
        assert _COMMENT.sub("", tagged) == plain
        assert "  # services." in tagged


# ---------------------------------------------------------------- robustness

_SAMPLES = [p for folder in CASES for p in sorted(folder.glob("*.y*ml"))]
# COMPOSER_FUZZ_EXAMPLES=2000 for a longer run
_FUZZ = settings(
    max_examples=int(os.environ.get("COMPOSER_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _validate_text(tmp: Path, text: str) -> Validation:
    (tmp / "compose.yaml").write_text(text, encoding="utf-8", errors="surrogateescape")
    options = LoadOptions(files=["compose.yaml"], project_name="prop", environ={}, cwd=str(tmp))
    return validate(options, root=str(tmp))


def _mutate(text: str, data: st.DataObject) -> str:
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "indent", "dedent", "cut", "noise", "swap"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:]
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            noise = data.draw(
                st.sampled_from(
                    [
                        "${",
                        "$",
                        ":",
                        "- ",
                        "&a",
                        "*a",
                        "!!int x",
                        "{",
                        "[",
                        "\t",
                        "'",
                        '"',
                        "~",
                        "<<: *a",
                        "!reset",
                        "!override",
                        "${X:?}",
                        "0x1F",
                        "-1",
                    ]
                )
            )
            at = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + noise + lines[i][at:]
    return "\n".join(lines) + "\n"


_yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["${A}", "$$", "8080:80", "1g", "-5s", "service_healthy", "NONE"]),
)
_keys = st.sampled_from(
    [
        "services",
        "web",
        "image",
        "ports",
        "volumes",
        "networks",
        "depends_on",
        "condition",
        "healthcheck",
        "build",
        "secrets",
        "configs",
        "env_file",
        "deploy",
        "replicas",
        "x-a",
        "environment",
        "cpus",
        "mem_limit",
        "published",
        "target",
        "extends",
        "include",
    ]
) | st.text(min_size=1, max_size=8)
_documents = st.recursive(
    _yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=25,
)


@_FUZZ
@given(data=st.data())
def test_mutated_fixture_files_never_crash(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(_SAMPLES))
    text = _mutate(source.read_text(), data)
    result = _validate_text(tmp_path, text)
    assert isinstance(result, Validation)
    assert all(d.line >= 1 and d.column >= 1 for d in result.diagnostics)


@_FUZZ
@given(document=_documents)
def test_random_yaml_never_crashes(tmp_path: Path, document: Any) -> None:
    import io

    from ruamel.yaml import YAML

    stream = io.StringIO()
    writer = YAML()
    writer.allow_unicode = True
    try:
        writer.dump({"services": document} if isinstance(document, dict) else document, stream)
    except Exception:  # noqa: BLE001 - a document ruamel cannot write is not our input
        return
    result = _validate_text(tmp_path, stream.getvalue())
    assert isinstance(result, Validation)


@_FUZZ
@given(text=st.text(max_size=200))
def test_random_text_never_crashes(tmp_path: Path, text: str) -> None:
    result = _validate_text(tmp_path, text)
    assert isinstance(result, Validation)


def test_alias_bomb_is_rejected_quickly_with_bounded_memory() -> None:
    folder = FIXTURES / "yaml-alias-bomb"
    tracemalloc.start()
    try:
        result, _ = run_case(folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (bomb,) = result.diagnostics
    assert bomb.code == "yaml-alias-bomb" and "alias" in bomb.message
    assert peak < 64 * 1024 * 1024  # refused before expansion (speed: benchmarks/)


def test_usage_errors_are_raised_not_reported(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        validate(LoadOptions(files=[], environ={}, cwd=str(tmp_path)))


# ---------------------------------------------------------------- big projects


def test_thousand_service_benchmark_project_is_valid(tmp_path: Path) -> None:
    """The benchmark's 1,000-service project validates clean (its speed against
    `config` is measured by benchmarks/config_bench.py --validate, not here)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "config_bench", ROOT / "benchmarks" / "config_bench.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["config_bench"] = bench  # dataclasses look their module up
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules["config_bench"]
    folder = bench.write_project(tmp_path, 1000)
    options = LoadOptions(
        files=["base.yml", "override.yml"],
        project_name="bench",
        environ={"HOME": "/tmp"},
        cwd=str(folder),
    )
    result = validate(options, root=str(folder))
    assert result.valid(), [d.message for d in result.diagnostics][:5]


# ---------------------------------------------------------------- the loader hooks


def test_interpolation_collects_every_failure_and_keeps_the_values() -> None:
    from composer.errors import ComposerError
    from composer.loader.interpolation import interpolate
    from composer.loader.yaml import parse_documents

    (doc,) = parse_documents(
        "services:\n"
        "  a:\n"
        "    image: ${A:?need A}\n"
        "    privileged: maybe\n"
        "    command: ${\n"
        "  b:\n"
        "    image: ${B:?need B}\n",
        "/p/compose.yaml",
    )
    errors: list[ComposerError] = []
    out = interpolate(doc, {}.get, errors=errors)
    assert [(e.code, e.location.line if e.location else 0, e.path) for e in errors] == [
        ("required-variable", 3, "services.a.image"),
        ("interpolation-cast", 4, "services.a.privileged"),
        ("interpolation", 5, "services.a.command"),
        ("required-variable", 7, "services.b.image"),
    ]
    assert out["services"]["a"]["image"] == "${A:?need A}"
    # without a list the first failure raises, as `config` needs
    with pytest.raises(ComposerError, match="required variable A"):
        interpolate(doc, {}.get)


def test_interpolation_reports_variable_uses() -> None:
    from composer.loader.interpolation import interpolate
    from composer.loader.yaml import parse_documents

    (doc,) = parse_documents(
        "services:\n  a:\n    image: ${REG:-docker.io}/app:$TAG\n    ports: ['${P}:80']\n",
        "/p/compose.yaml",
    )
    seen: list[tuple[Any, ...]] = []

    def hook(location: Any, path: Any, used: Any, missing: Any) -> None:
        seen.append((location.line, location.column, path, dict(used), list(missing)))

    warnings: list[str] = []
    out = interpolate(doc, {"TAG": "1.0"}.get, warnings=warnings, sources=hook)
    assert seen == [
        (3, 12, ("services", "a", "image"), {"REG": None, "TAG": "1.0"}, []),
        (4, 13, ("services", "a", "ports", 0), {"P": None}, ["P"]),
    ]
    # same result and warnings as the plain walk
    plain_warnings: list[str] = []
    assert out == interpolate(doc, {"TAG": "1.0"}.get, warnings=plain_warnings)
    assert warnings == plain_warnings


def test_tracing_walk_matches_the_plain_walk_on_every_fixture() -> None:
    from composer.errors import ComposerError
    from composer.loader.interpolation import interpolate
    from composer.loader.yaml import parse_documents

    env = {"TAG": "1", "WEB_PORT": "8080", "FROM_DOTENV": "x"}
    for path in _SAMPLES:
        try:
            docs = parse_documents(path.read_text(), str(path))
        except ComposerError:
            continue
        for doc in docs:
            try:
                plain = interpolate(doc, env.get, warnings=[])
            except ComposerError:
                continue
            assert interpolate(doc, env.get, warnings=[], sources=lambda *a: None) == plain
