"""The pure parts of `watch`: rules read from the project, which paths a rule
follows, what a batch copies and removes, what a poll sees (composer/watch/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer.watch.rules import PathFilter, WatchRule, watch_rules
from composer.watch.scanner import changes, snapshot
from composer.watch.sync import plan_sync, target_path
from tests.helpers import clean_env
from tests.reference import reference_binary, run_reference


def _rule(path: Path, **fields: object) -> WatchRule:
    values: dict[str, object] = {
        "service": "app",
        "action": "sync",
        "path": str(path),
        "target": "/app",
        "ignore": (),
        "include": (),
        "initial_sync": False,
        "command": (),
        "exec_options": {},
    }
    values.update(fields)
    return WatchRule(**values)  # type: ignore[arg-type]


def test_rules_are_read_in_file_order_with_their_exec_command() -> None:
    project = {
        "services": {
            "app": {"develop": {"watch": [
                {"action": "sync+exec", "path": "/p/src", "target": "/app",
                 "exec": {"command": "make", "user": "root"}},
                {"action": "rebuild", "path": "/p"},
            ]}},
            "db": {"image": "x"},
        }
    }  # fmt: skip
    found = watch_rules(project)
    assert [(r.service, r.action, r.target) for r in found] == [
        ("app", "sync+exec", "/app"),
        ("app", "rebuild", None),
    ]
    assert found[0].command == ("/bin/sh", "-c", "make")
    assert found[0].exec_options == {"user": "root"}
    assert watch_rules(project, ["db"]) == []


def test_a_rule_follows_what_its_patterns_and_the_dockerignore_leave(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("# comment\nnode_modules\n*.log\n!keep.log\n")
    rule = _rule(tmp_path, ignore=("*.tmp", "build/**"))
    follows = PathFilter(rule, str(tmp_path)).follows
    assert follows(str(tmp_path / "a.py")) and follows(str(tmp_path / "keep.log"))
    assert not follows(str(tmp_path / "x.tmp"))
    assert not follows(str(tmp_path / "build" / "out" / "a.o"))
    assert not follows(str(tmp_path / "node_modules" / "m.js"))  # the folder's contents too
    assert follows(str(tmp_path / "src" / "node_modules" / "m.js"))  # (root-relative)
    assert not follows(str(tmp_path / "debug.log"))
    assert not follows(str(tmp_path / ".git" / "HEAD"))
    assert not follows(str(tmp_path / "a.py~")) and not follows(str(tmp_path / ".a.py.swp"))
    assert not follows(str(tmp_path.parent / "elsewhere.py"))  # outside the rule's path
    assert not PathFilter(rule, str(tmp_path)).prunes(str(tmp_path / "node_modules"))  # a `!`
    plain = PathFilter(_rule(tmp_path, ignore=("build",)))
    assert plain.prunes(str(tmp_path / "build")) and not plain.prunes(str(tmp_path / "src"))


def test_a_batch_copies_what_exists_and_removes_what_is_gone(tmp_path: Path) -> None:
    rule = _rule(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    copies, removals = plan_sync(
        rule, [str(tmp_path / "sub" / "b.txt"), str(tmp_path / "sub"), str(tmp_path / "gone")]
    )
    assert copies == [
        (str(tmp_path / "sub"), "/app/sub"),
        (str(tmp_path / "sub" / "b.txt"), "/app/sub/b.txt"),
    ]
    assert removals == ["/app/gone"]
    single = _rule(tmp_path / "one.txt", target="/etc/one.txt")
    assert target_path(single, str(tmp_path / "one.txt")) == "/etc/one.txt"


def test_a_poll_sees_files_and_new_folders_but_not_folder_times(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("1")
    before = snapshot(str(tmp_path), lambda _: False)
    (tmp_path / "a").write_text("22")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "b").write_text("b")
    after = snapshot(str(tmp_path), lambda _: False)
    assert changes(before, after) == {str(tmp_path / p) for p in ("a", "new", "new/b")}
    (tmp_path / "new" / "c").write_text("c")  # the folder's time changes, not the folder
    later = snapshot(str(tmp_path), lambda _: False)
    assert changes(after, later) == {str(tmp_path / "new" / "c")}
    os.remove(tmp_path / "a")
    assert changes(later, snapshot(str(tmp_path), lambda _: False)) == {str(tmp_path / "a")}
    pruned = snapshot(str(tmp_path), lambda path: path.endswith("new"))
    assert str(tmp_path / "new" / "b") not in pruned


WITHOUT_TARGET = """services:
  app:
    image: busybox
    develop:
      watch:
        - action: rebuild
          path: ./src
        - action: restart
          path: ./restart.txt
        - action: sync+restart
          path: ./x
"""


@pytest.mark.skipif(reference_binary() is None, reason="reference docker-compose not installed")
def test_a_copying_rule_without_target_is_refused_as_the_reference_refuses_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "compose.yaml").write_text(WITHOUT_TARGET)
    theirs = run_reference(["config"], cwd=tmp_path)
    ours = subprocess.run(
        [sys.executable, "-m", "composer", "config"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    words = "services.app.develop.watch: target is required for non-rebuild actions"
    assert theirs.returncode == ours.returncode == 1
    assert words in theirs.stderr
    # (the rule's own place: the reference names none)
    assert ours.stderr.startswith(f"error: {tmp_path / 'compose.yaml'}:10:11: {words}")
    fine = WITHOUT_TARGET.replace("path: ./x", "path: ./x\n          target: /x")
    (tmp_path / "compose.yaml").write_text(fine)
    assert run_reference(["config", "-q"], cwd=tmp_path).returncode == 0
    assert (
        subprocess.run(
            [sys.executable, "-m", "composer", "config", "-q"], cwd=tmp_path, env=clean_env()
        ).returncode
        == 0
    )
