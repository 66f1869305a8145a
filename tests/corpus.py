"""Run Composer on the shared conformance corpus (../shared/corpus) and compare.

Each case folder holds the inputs, `case.json` (files, args, env) and the
reference's output. Composer runs in-process with the same clean environment the
reference had (PATH, HOME=/tmp and the case's variables) from inside the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import Outcome, call, clean_process

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CASE_DIR_TOKEN = "${CASE_DIR}"


@dataclass
class Case:
    name: str
    folder: Path
    meta: dict[str, Any]

    @property
    def invalid(self) -> bool:
        return bool(self.meta.get("expect_error"))

    def expected(self, suffix: str) -> str | None:
        path = self.folder / suffix
        if not path.exists():
            return None
        return path.read_text().replace(CASE_DIR_TOKEN, str(self.folder))


@dataclass
class Verdict:
    case: Case
    data_ok: bool = False
    text_ok: bool = False
    rejected_ok: bool = False
    details: list[str] = field(default_factory=list)


def corpus_dir() -> Path | None:
    override = os.environ.get("COMPOSER_CORPUS")
    folder = Path(override) if override else CORPUS
    # resolved: the reference's outputs name the case folder with symlinks resolved,
    # and so does the working directory Composer sees after chdir
    return folder.resolve() if folder.is_dir() else None


def cases() -> list[Case]:
    folder = corpus_dir()
    if folder is None:
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        meta_file = entry / "case.json"
        if meta_file.is_file():
            found.append(Case(entry.name, entry, json.loads(meta_file.read_text())))
    return found


def case_process(case: Case) -> contextlib.AbstractContextManager[None]:
    """The process as the reference had it: the case folder, a clean environment."""
    return clean_process(case.folder, case.meta.get("env") or {})


def run_composer(case: Case, extra: list[str]) -> Outcome:
    """`composer -p corpus <args> -f ... config <config_args> <extra>` in-process."""
    from composer.cli.app import main

    argv = ["-p", "corpus", *(case.meta.get("args") or [])]
    for f in case.meta["files"]:
        argv += ["-f", f]
    argv += ["config", *(case.meta.get("config_args") or []), *extra]
    with case_process(case):
        return call(main, argv)


def _unordered(data: Any, paths: list[str]) -> Any:
    """Sort the lists at `paths` (dotted, `*` matches any key) so order does not count."""

    def visit(node: Any, parts: list[str]) -> None:
        if not parts or not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        keys = list(node) if head == "*" else [head]
        for key in keys:
            if key not in node:
                continue
            if not rest:
                if isinstance(node[key], list):
                    node[key] = sorted(node[key], key=json.dumps)
            else:
                visit(node[key], rest)

    for dotted in paths:
        visit(data, dotted.split("."))
    return data


def judge(case: Case) -> Verdict:
    verdict = Verdict(case)
    if case.invalid:
        outcome = run_composer(case, [])
        verdict.rejected_ok = outcome.code != 0 and "Traceback" not in outcome.stderr
        if not verdict.rejected_ok:
            verdict.details.append(f"accepted an invalid case (exit {outcome.code})")
        return verdict
    expected_yaml = case.expected("expected.yaml")
    expected_json = case.expected("expected.json")
    yaml_out = run_composer(case, [])
    if yaml_out.code != 0:
        verdict.details.append(f"rejected a valid case: {yaml_out.stderr.strip()[:400]}")
        return verdict
    verdict.text_ok = yaml_out.stdout == expected_yaml
    if not verdict.text_ok:
        verdict.details.append("YAML text differs")
    paths = list(case.meta.get("unordered_paths") or [])
    if case.meta.get("nondeterministic_output"):
        # build.ssh is a map inside the reference: its order varies in every service
        paths.append("services.*.build.ssh")
    if expected_json is None:  # only the YAML rendering exists (JSON fails there)
        from ruamel.yaml import YAML

        reader = YAML(typ="safe", pure=True)
        ours_yaml = reader.load(yaml_out.stdout)
        theirs_yaml = reader.load(expected_yaml or "")
        verdict.data_ok = _unordered(ours_yaml, paths) == _unordered(theirs_yaml, paths)
        return verdict
    json_out = run_composer(case, ["--format", "json"])
    try:
        ours = json.loads(json_out.stdout)
    except ValueError:
        verdict.details.append(f"JSON output unreadable: {json_out.stderr.strip()[:300]}")
        return verdict
    theirs = json.loads(expected_json)
    verdict.data_ok = _unordered(ours, paths) == _unordered(theirs, paths)
    if not verdict.data_ok:
        verdict.details.append("JSON data differs")
    if json_out.stdout != expected_json:
        verdict.text_ok = False
        verdict.details.append("JSON text differs")
    return verdict
