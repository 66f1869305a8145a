"""`ls`, `top` and `images` end to end on the process runtime: real `composer`
processes, a real detached supervisor and real service processes, checked against
the state records and /proc."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runtime.test_cli_process import PY, Project, process_exists

TOP_TITLES = ["SERVICE", "#", "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
LS_HEADER = "NAME                STATUS              CONFIG FILES\n"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Project]:
    directory = tmp_path / "app"
    directory.mkdir()
    item = Project(directory, tmp_path / "state", f"ls-{uuid.uuid4().hex[:8]}")
    item.write(
        """
        services:
          a:
            image: alpine
            command: sleep 300
          b:
            image: alpine
            command: sh -c 'sleep 301 & sleep 302; wait'
          job:
            image: alpine
            command: "true"
        """
    )
    try:
        yield item
    finally:
        item.remember()
        subprocess.run(
            item.args("down", "-t", "1"), cwd=directory, env=item.env, capture_output=True
        )
        for pid in item.seen_pids:  # whatever survived a failing test, by its id
            if process_exists(pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


def ls(app: Project, *args: str) -> subprocess.CompletedProcess[str]:
    """`composer ls` from another folder, without project options."""
    elsewhere = app.state.parent
    return subprocess.run(
        [PY, "-m", "composer", "ls", *args],
        cwd=elsewhere,
        env=app.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settled(app: Project) -> list[str]:
    """`top`'s lines once every process of `b` runs its own program."""
    deadline = time.monotonic() + 20
    while True:
        done = app.run("top")
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        states = {r["Service"]: r["State"] for r in app.ps("-a")}
        if len(lines) == 5 and "sleep 302" in lines[-1] and states.get("job") == "exited":
            return lines
        assert time.monotonic() < deadline, (done.stdout, states)
        time.sleep(0.1)


def test_ls_lists_the_project_from_anywhere(app: Project) -> None:
    """Running projects only unless -a, states counted as the reference counts
    them, the config file the project was started from; JSON, -q and the name
    filter; nothing once the project is down."""
    assert ls(app).stdout == LS_HEADER  # nothing yet: the header alone, as the reference
    assert app.run("up", "-d").returncode == 0
    settled(app)
    files = str(app.directory / "compose.yaml")
    done = ls(app)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == LS_HEADER + f"{app.name:<20}running(2)          {files}\n"
    assert ls(app, "-a").stdout == (
        "NAME                STATUS                  CONFIG FILES\n"
        f"{app.name:<20}exited(1), running(2)   {files}\n"
    )
    assert json.loads(ls(app, "-a", "--format", "json").stdout) == [
        {"Name": app.name, "Status": "exited(1), running(2)", "ConfigFiles": files}
    ]
    assert ls(app, "-q").stdout == f"{app.name}\n"
    assert ls(app, "-q", "--filter", f"name={app.name[3:]}$").stdout == f"{app.name}\n"
    assert ls(app, "--filter", "name=^nomatch").stdout == LS_HEADER
    refused = ls(app, "--filter", "status=running")
    assert refused.returncode == 2 and "invalid filter 'status'" in refused.stderr
    assert app.run("stop", "a", "b").returncode == 0
    assert ls(app).stdout == LS_HEADER
    assert f"{app.name:<20}exited(3)" in ls(app, "-a").stdout
    assert app.run("down").returncode == 0
    assert ls(app, "-a").stdout == LS_HEADER


def test_top_shows_every_process_of_each_instance(app: Project) -> None:
    """One line per process of each instance's process group, as `ps -ef` shows it,
    instances in name order with their service and number; `top b` only b's;
    nothing when nothing runs. `images` is refused: there are no images here."""
    assert app.run("up", "-d").returncode == 0
    lines = settled(app)
    assert lines[0].split() == TOP_TITLES
    rows = [line.split(None, 9) for line in lines[1:]]
    pids = {r["service"]: r["pid"] for r in app.records()}
    assert [row[:2] for row in rows] == [["a", "1"], ["b", "1"], ["b", "1"], ["b", "1"]]
    assert rows[0][3] == str(pids["a"]) and rows[0][9] == "sleep 300"
    assert rows[1][3] == str(pids["b"]) and rows[1][9] == "sh -c sleep 301 & sleep 302; wait"
    assert [row[4] for row in rows[2:]] == [str(pids["b"])] * 2  # the shell's children
    assert sorted(row[9] for row in rows[2:]) == ["sleep 301", "sleep 302"]
    for row in rows:
        assert row[5].isdigit() and row[7] == "?" and row[8].count(":") == 2
    only_b = app.run("top", "b").stdout.splitlines()
    assert only_b[0].split() == TOP_TITLES
    without_c = [row[:5] + row[6:] for row in rows[1:]]  # C: CPU over the life so far
    assert [line.split(None, 9)[:5] + line.split(None, 9)[6:] for line in only_b[1:]] == without_c
    assert app.run("top", "nosuch").stdout == ""

    images = app.run("images")
    assert images.returncode == 1
    assert "images needs a Docker engine" in images.stderr

    assert app.run("stop").returncode == 0
    done = app.run("top")
    assert (done.returncode, done.stdout) == (0, "")
