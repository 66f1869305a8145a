"""`exec`, `run` and `attach` with their streams on the process runtime: the
command reads our stdin (unless `-i=false`), at a terminal it has ours, a detached
one-off holds no stdin of ours, and `attach` follows an instance to its exit code."""

from __future__ import annotations

import os
import subprocess
import time

from tests.runtime.test_cli_process import Project
from tests.terminal import at_terminal

FILE = """
    services:
      web:
        image: busybox
        command: sleep 300
      talk:
        image: busybox
        command: sh -c 'sleep 1; for i in 1 2 3; do echo tick $$i; done; exit 5'
"""


def _with_input(project: Project, data: str, *args: str) -> subprocess.CompletedProcess[str]:
    return project.run(*args, input=data)


def test_exec_and_run_read_our_stdin_unless_told_not_to(project: Project) -> None:
    project.write(FILE)
    assert project.run("up", "-d", "web").returncode == 0
    given = _with_input(project, "hello\n", "exec", "web", "cat")
    assert (given.stdout, given.returncode) == ("hello\n", 0), given.stderr
    withheld = _with_input(project, "hello\n", "exec", "-i=false", "web", "cat")
    assert (withheld.stdout, withheld.returncode) == ("", 0), withheld.stderr
    ran = _with_input(project, "one-off\n", "run", "--rm", "web", "sh", "-c", "cat; exit 3")
    assert (ran.stdout, ran.returncode) == ("one-off\n", 3), ran.stderr
    closed = _with_input(project, "one-off\n", "run", "--rm", "-i=false", "web", "cat")
    assert (closed.stdout, closed.returncode) == ("", 0), closed.stderr


def test_exec_at_a_terminal_gets_the_terminal_and_our_keys(project: Project) -> None:
    project.write(FILE)
    assert project.run("up", "-d", "web").returncode == 0
    output, code = at_terminal(
        project.args("exec", "web", "sh", "-i"),
        project.directory,
        project.env,
        ready=b"",  # (the terminal keeps what is typed until sh reads it)
        typed=b"tty; echo $((6*7)); exit 3\n",
    )
    text = output.decode(errors="replace")
    assert code == 3, text
    assert "/dev/pts/" in text and "42\r\n" in text


def test_a_detached_one_off_holds_none_of_our_stdin(project: Project) -> None:
    project.write(FILE)
    reader, writer = os.pipe()
    try:
        done = subprocess.run(
            project.args("run", "-d", "web", "sleep", "30"),
            cwd=project.directory,
            env=project.env,
            stdin=reader,
            capture_output=True,
            text=True,
            timeout=60,
        )
        project.remember()
        assert done.returncode == 0, done.stderr
        oneoff = next(r for r in project.records() if r.get("oneoff"))
        assert os.readlink(f"/proc/{oneoff['pid']}/fd/0") == "/dev/null"
    finally:
        os.close(reader)
        os.close(writer)


def test_attach_follows_the_instance_to_its_exit_code(project: Project) -> None:
    project.write(FILE)
    assert project.run("up", "-d", "talk").returncode == 0
    started = time.monotonic()
    done = _with_input(project, "", "attach", "--no-stdin", "talk")
    assert done.returncode == 5, done.stderr
    assert done.stdout.endswith("tick 3\n")
    assert time.monotonic() - started < 30
    missing = _with_input(project, "", "attach", "--index", "2", "talk")
    assert missing.returncode == 1
    assert 'service "talk" is not running container #2' in missing.stderr


def test_a_detached_exec_is_refused(project: Project) -> None:
    """It would be no part of the instance (another session's process group), so
    `stop` and `down` would leave it running: refused, nothing started."""
    project.write(FILE)
    assert project.run("up", "-d", "web").returncode == 0
    done = project.run("exec", "-d", "web", "sh", "-c", "sleep 60")
    assert done.returncode == 1
    assert done.stderr.startswith("error: the process runtime cannot run a detached exec")
