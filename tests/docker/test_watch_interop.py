"""`watch` against the reference on one engine: the same edits to the same project
give the same messages, the same files in the container, a restart, a command run,
a rebuilt image; Ctrl-C leaves the services running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.reference import clean_env, reference_binary

pytestmark = AGAINST_THE_REFERENCE

FILE = f"""
services:
  app:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
          ignore: ["*.tmp", "sub/skip"]
          initial_sync: true
        - action: sync+exec
          path: ./exec.txt
          target: /exec.txt
          exec:
            command: ["sh", "-c", "echo executed; cat /exec.txt"]
        - action: sync+restart
          path: ./restart.txt
          target: /restart.txt
  built:
    build: ./ctx
    command: ["sleep", "600"]
    init: true
    develop:
      watch:
        - action: rebuild
          path: ./ctx
"""


class Watching:
    """A `watch` of either program, its stdout in a file read as it grows."""

    def __init__(self, tool: str, project: Project) -> None:
        self.project = project
        self.out = project.root / f"{tool}.out"
        if tool == "composer":
            argv = [sys.executable, "-m", "composer", "-p", project.name, "watch"]
            env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
            env["COMPOSER_RUNTIME"] = "docker"
        else:
            argv = [str(reference_binary()), "-p", project.name, "watch"]
            env = clean_env(None)
        with self.out.open("wb") as out:
            self.process = subprocess.Popen(
                argv, cwd=project.root, env=env, stdout=out, stderr=subprocess.PIPE
            )

    def lines(self) -> list[str]:
        """What it said on stdout, without the reference's build steps."""
        text = self.out.read_text(errors="replace")
        return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]

    def await_line(self, wanted: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.lines().count(wanted) < count:
            assert self.process.poll() is None, self.process.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, (wanted, self.lines())
            time.sleep(0.1)

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def _in_container(name: str, *command: str) -> str:
    done = subprocess.run(["docker", "exec", name, *command], capture_output=True, text=True)
    return done.stdout


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("tool", ["reference", "composer"])
def test_watch_as_the_reference(project: Project, tool: str) -> None:
    root = project.root
    project.write(FILE)
    _write(root / "src" / "a.txt", "one\n")
    (root / "src" / "sub").mkdir()  # (a folder made later would be a change of its own)
    _write(root / "ctx" / "Dockerfile", f"FROM {BUSYBOX}\nCOPY f.txt /f.txt\n")
    _write(root / "ctx" / "f.txt", "first\n")
    _write(root / "exec.txt", "e1\n")
    _write(root / "restart.txt", "r1\n")
    app, built = f"{project.name}-app-1", f"{project.name}-built-1"
    client = engine_client()
    watching = Watching(tool, project)
    try:
        watching.await_line("Watch enabled")
        assert _in_container(app, "cat", "/app/a.txt") == "one\n"  # initial_sync
        _write(root / "src" / "c.tmp", "ignored\n")
        _write(root / "src" / "sub" / "skip" / "z", "ignored\n")
        _write(root / "src" / "sub" / "b.txt", "two\n")
        syncing = 'Syncing service "app" after 1 changes were detected'
        watching.await_line(syncing)
        found = _in_container(app, "find", "/app").split()
        assert sorted(found) == ["/app", "/app/a.txt", "/app/sub", "/app/sub/b.txt"]

        _write(root / "exec.txt", "e2\n")
        watching.await_line("e2")
        started = client.inspect_container(app)["State"]["StartedAt"]
        _write(root / "restart.txt", "r2\n")
        watching.await_line('service(s) ["app"] restarted')
        assert client.inspect_container(app)["State"]["StartedAt"] != started
        assert _in_container(app, "cat", "/restart.txt") == "r2\n"

        (root / "src" / "sub" / "b.txt").unlink()
        watching.await_line(syncing, count=4)
        assert "/app/sub/b.txt" not in _in_container(app, "find", "/app").split()

        replaced = client.inspect_container(built)["Image"]
        _write(root / "ctx" / "f.txt", "second\n")
        watching.await_line('service(s) ["built"] successfully built', timeout=120)
        deadline = time.monotonic() + 30  # (the reference recreates after saying so)
        while _in_container(built, "cat", "/f.txt") != "second\n":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        if tool == "composer":  # --prune (the default): the replaced image is gone
            assert replaced not in client.images(quiet=True, all=True)  # (the reference's
            # stays dangling here: its prune did not take it by the time this looks)
        assert watching.interrupt() == 130
        assert watching.lines() == [
            "Watch enabled",
            syncing,
            syncing,
            "executed",
            "e2",
            syncing,
            'service(s) ["app"] restarted',
            syncing,
            'Rebuilding service(s) ["built"] after changes were detected...',
            'service(s) ["built"] successfully built',
        ]
        assert client.inspect_container(app)["State"]["Running"]  # left running
    finally:
        if watching.process.poll() is None:
            watching.process.kill()
            watching.process.wait()
        images = client.images(name=f"{project.name}-built", quiet=True)
        client.close()
    for image in images:
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True)


@pytest.mark.parametrize("tool", ["reference", "composer"])
def test_watch_without_rules_is_refused(project: Project, tool: str) -> None:
    project.write(f"services:\n  app:\n    image: {BUSYBOX}\n")
    if tool == "composer":
        env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
        argv = [
            sys.executable,
            "-m",
            "composer",
            "-p",
            project.name,
            "watch",
            "--runtime",
            "docker",
        ]
    else:
        env, argv = clean_env(None), [str(reference_binary()), "-p", project.name, "watch"]
    done = subprocess.run(argv, cwd=project.root, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "none of the selected services is configured for watch" in done.stderr


UP_FILE = f"""
services:
  app:
    image: {BUSYBOX}
    command: ["sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 1; done"]
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
        - action: restart
          path: ./restart.txt
"""


def test_up_watch_follows_the_files_among_the_logs(project: Project) -> None:
    """`up --watch`: the watch's lines among the logs (the reference's mark), the log
    followed again after a restart (the reference's own `up --watch` says `Watch
    disabled` there and stops following); Ctrl-C stops the services as `up` does."""
    project.write(UP_FILE)
    _write(project.root / "src" / "a.txt", "one\n")
    _write(project.root / "restart.txt", "1\n")
    out = project.root / "up.out"
    env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
    env["COMPOSER_RUNTIME"] = "docker"
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "composer", "-p", project.name, "up", "--watch"],
            cwd=project.root,
            env=env,
            stdout=sink,
            stderr=subprocess.PIPE,
        )

    def await_line(wanted: str, count: int = 1) -> None:
        deadline = time.monotonic() + 60
        while out.read_text().splitlines().count(wanted) < count:
            assert process.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)

    app = f"{project.name}-app-1"
    try:
        await_line("app-1  | started")
        _write(project.root / "src" / "b.txt", "two\n")
        await_line('        ⦿ Syncing service "app" after 1 changes were detected')
        assert _in_container(app, "cat", "/app/b.txt") == "two\n"
        _write(project.root / "restart.txt", "2\n")
        await_line('        ⦿ service(s) ["app"] restarted')
        await_line("app-1  | started", count=2)  # the restarted run's log
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = out.read_text().splitlines()
    assert lines[:3] == ["        ⦿ Watch enabled", "Attaching to app-1", "app-1  | started"]
    client = engine_client()
    try:
        assert not client.inspect_container(app)["State"]["Running"]
    finally:
        client.close()


@pytest.mark.parametrize("tool", ["reference", "composer"])
def test_up_watch_refuses_detach_and_a_project_without_rules(project: Project, tool: str) -> None:
    project.write(UP_FILE)
    if tool == "composer":
        env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
        argv = [sys.executable, "-m", "composer", "-p", project.name, "up", "--runtime", "docker"]
    else:
        env, argv = clean_env(None), [str(reference_binary()), "-p", project.name, "up"]
    done = subprocess.run(
        [*argv, "-d", "--watch"], cwd=project.root, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert (
        "--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure,"
        " --attach, --attach-dependencies or --watch"
    ) in done.stderr
    project.write(f"services:\n  app:\n    image: {BUSYBOX}\n")
    done = subprocess.run(
        [*argv, "--watch"], cwd=project.root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert (
        "none of the selected services is configured for watch, see https://docs.docker.com/compose/how-tos/file-watch/"
        in done.stderr
    )
