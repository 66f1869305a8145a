"""Differential tests on the project's own feature fixtures (fixtures/features/<feature>/).

Each folder holds the inputs of one feature and a `case.json`:

    {"files": ["compose.yaml"],        # -f list, in order; [] = let discovery find them
     "args": ["--profile", "x"],       # global flags, before the -f flags (-p only here)
     "config_args": ["--no-normalize"],# flags after `config`
     "env": {"VAR": "value"},          # process environment (on top of PATH, HOME=/tmp)
     "cwd": "sub/dir",                 # optional: run from this subfolder
     "stdin": "piped.yaml",            # optional: this file's content is piped in (-f -)
     "expect_error": false,            # the reference rejects the input
     "unordered_paths": ["a.*.b"],     # optional: lists whose order the reference varies
     "notes": "what the case exercises"}

The reference and Composer run with the same arguments, the same clean environment,
from the same folder. Compared: the outcome (exit 0 or not); for successes the YAML
text and the JSON data, exactly (lists named in `unordered_paths` as sets).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import _unordered
from tests.helpers import Outcome, clean_env, run_in_process
from tests.reference import reference_binary, run_reference

FEATURES = Path(__file__).resolve().parents[1] / "fixtures" / "features"


@dataclass
class Fixture:
    name: str
    folder: Path
    meta: dict[str, Any]

    @property
    def cwd(self) -> Path:
        return self.folder / self.meta.get("cwd", ".")

    def argv(self, extra: list[str]) -> list[str]:
        argv = list(self.meta.get("args") or [])
        for f in self.meta.get("files") or []:
            argv += ["-f", f]
        return [*argv, "config", *(self.meta.get("config_args") or []), *extra]

    @property
    def env(self) -> dict[str, str]:
        return dict(self.meta.get("env") or {})

    @property
    def stdin(self) -> str | None:
        name = self.meta.get("stdin")
        return (self.folder / name).read_text() if name else None


def fixtures() -> list[Fixture]:
    if not FEATURES.is_dir():
        return []
    return [
        Fixture(d.name, d, json.loads((d / "case.json").read_text()))
        for d in sorted(FEATURES.iterdir())
        if (d / "case.json").is_file()
    ]


def run_ours(fixture: Fixture, extra: list[str]) -> Outcome:
    return run_in_process(fixture.argv(extra), fixture.cwd, fixture.env, fixture.stdin)


def run_theirs(fixture: Fixture, extra: list[str]) -> Outcome:
    if fixture.stdin is None:
        done = run_reference(fixture.argv(extra), fixture.cwd, fixture.env)
        return Outcome(done.returncode, done.stdout, done.stderr)
    import subprocess

    done = subprocess.run(
        [str(reference_binary()), *fixture.argv(extra)],
        cwd=fixture.cwd,
        env=clean_env(fixture.env),
        input=fixture.stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def compare(fixture: Fixture) -> list[str]:
    """Differences between the reference and Composer on one fixture ([] = equal)."""
    problems: list[str] = []
    theirs, ours = run_theirs(fixture, []), run_ours(fixture, [])
    if "Traceback" in ours.stderr:
        return [f"traceback:\n{ours.stderr[-2000:]}"]
    if (theirs.code == 0) != (ours.code == 0):
        return [
            f"outcome differs: reference exit {theirs.code} ({theirs.stderr.strip()[-300:]}), "
            f"composer exit {ours.code} ({ours.stderr.strip()[-300:]})"
        ]
    if bool(fixture.meta.get("expect_error")) != (theirs.code != 0):
        problems.append(f"case.json expect_error is stale: reference exit {theirs.code}")
    if theirs.code != 0:
        if not ours.stderr.startswith("error: "):
            problems.append(f"error not reported as 'error: ...': {ours.stderr[:300]!r}")
        return problems
    paths = list(fixture.meta.get("unordered_paths") or [])
    if paths:
        from ruamel.yaml import YAML

        reader = YAML(typ="safe", pure=True)
        if _unordered(reader.load(ours.stdout), paths) != _unordered(
            reader.load(theirs.stdout), paths
        ):
            problems.append(
                f"YAML data differs:\n--- reference\n{theirs.stdout}\n--- composer\n{ours.stdout}"
            )
    elif ours.stdout != theirs.stdout:
        problems.append(
            f"YAML text differs:\n--- reference\n{theirs.stdout}\n--- composer\n{ours.stdout}"
        )
    theirs_json, ours_json = (
        run_theirs(fixture, ["--format", "json"]),
        run_ours(fixture, ["--format", "json"]),
    )
    if (theirs_json.code == 0) != (ours_json.code == 0):
        problems.append(
            f"JSON outcome differs: reference exit {theirs_json.code}, composer exit "
            f"{ours_json.code} ({ours_json.stderr.strip()[-300:]})"
        )
    elif theirs_json.code == 0:
        try:
            mine = json.loads(ours_json.stdout)
        except ValueError:
            return [*problems, f"composer JSON unreadable: {ours_json.stdout[:300]!r}"]
        if _unordered(mine, paths) != _unordered(json.loads(theirs_json.stdout), paths):
            problems.append(
                f"JSON data differs:\n--- reference\n{theirs_json.stdout}\n--- composer\n{ours_json.stdout}"
            )
    return problems


ALL = fixtures()


def test_enough_feature_fixtures() -> None:
    assert len(ALL) >= 30, [f.name for f in ALL]
    for fixture in ALL:
        assert fixture.meta.get("notes"), f"{fixture.name}: case.json needs notes"
        assert isinstance(fixture.meta.get("files", []), list), fixture.name


@pytest.mark.reference
@pytest.mark.skipif(reference_binary() is None, reason="reference docker-compose not installed")
@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_fixture_matches_reference(fixture: Fixture) -> None:
    problems = compare(fixture)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_fixture_outcome_as_declared(fixture: Fixture) -> None:
    """Without the reference: Composer accepts or rejects as case.json says, cleanly."""
    ours = run_ours(fixture, [])
    assert "Traceback" not in ours.stderr
    if fixture.meta.get("expect_error"):
        assert ours.code in (1, 2), ours.stdout[:300]  # 2: a bad command-line value (-p)
        assert ours.stderr.startswith("error: "), ours.stderr
    else:
        assert ours.code == 0, ours.stderr


if __name__ == "__main__":  # ad-hoc: python -m tests.test_fixtures_differential [NAME ...]
    wanted = sys.argv[1:]
    for fx in ALL:
        if wanted and fx.name not in wanted:
            continue
        found = compare(fx)
        print(f"{'OK  ' if not found else 'FAIL'} {fx.name}")
        for problem in found:
            print("    " + problem.replace("\n", "\n    "))
