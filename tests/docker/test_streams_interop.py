"""`exec`, `run` and `attach` with their streams, against the reference on one
engine: our stdin reaches the command (unless `-i=false`), stdout and stderr stay
apart, exit codes come back, a terminal gets a pseudo-terminal of its size and the
keys typed at it, and a one-off is made with the reference's stream settings.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.docker.test_interop import _run_as
from tests.reference import clean_env, reference_binary
from tests.terminal import at_terminal

pytestmark = AGAINST_THE_REFERENCE

FILE = f"""
services:
  web:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
  talk:
    image: {BUSYBOX}
    command: ["sh", "-c", "sleep 1; for i in 1 2 3; do echo tick $$i; done; echo bye >&2; exit 5"]
  cat:
    image: {BUSYBOX}
    command: ["cat"]
    stdin_open: true
"""

TOOLS = ("reference", "composer")


def _with_input(
    tool: str, project: Project, data: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """One command of `tool` on the project with `data` piped to its stdin."""
    return _run_as(tool, project, *args, input=data)


def _argv(tool: str, project: Project, *args: str) -> tuple[list[str], dict[str, str]]:
    if tool == "composer":
        env = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
        env["COMPOSER_RUNTIME"] = "docker"
        return [sys.executable, "-m", "composer", "-p", project.name, *args], env
    return [str(reference_binary()), "-p", project.name, *args], clean_env(None)


@pytest.fixture
def running(project: Project) -> Project:
    project.write(FILE)
    done = _run_as("reference", project, "up", "-d", "web", "cat")
    assert done.returncode == 0, done.stderr
    return project


@pytest.mark.parametrize("tool", TOOLS)
def test_exec_reads_our_stdin_unless_told_not_to(running: Project, tool: str) -> None:
    given = _with_input(tool, running, "hello\nworld\n", "exec", "web", "cat")
    assert (given.stdout, given.returncode) == ("hello\nworld\n", 0), given.stderr
    withheld = _with_input(tool, running, "hello\n", "exec", "-i=false", "web", "cat")
    assert (withheld.stdout, withheld.returncode) == ("", 0), withheld.stderr


@pytest.mark.parametrize("tool", TOOLS)
def test_exec_keeps_stdout_and_stderr_apart_and_returns_the_exit_code(
    running: Project, tool: str
) -> None:
    done = _with_input(
        tool, running, "", "exec", "-T", "web", "sh", "-c", "echo out; echo err >&2; exit 4"
    )
    assert (done.stdout, done.returncode) == ("out\n", 4)
    assert done.stderr.endswith("err\n")


@pytest.mark.parametrize("tool", TOOLS)
def test_run_reads_our_stdin(running: Project, tool: str) -> None:
    done = _with_input(tool, running, "one-off input\n", "run", "--rm", "web", "cat")
    assert (done.stdout, done.returncode) == ("one-off input\n", 0), done.stderr
    failed = _with_input(tool, running, "x\n", "run", "--rm", "web", "sh", "-c", "cat; exit 3")
    assert (failed.stdout, failed.returncode) == ("x\n", 3), failed.stderr


def test_a_one_off_has_the_reference_s_stream_settings(running: Project) -> None:
    client = engine_client()
    keys = ("AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce")
    settings = {}
    try:
        for tool in TOOLS:
            name = f"{running.name}-{tool}"
            for interactive in ("true", "false"):
                done = _run_as(
                    tool, running, "run", "-d", f"-i={interactive}", "--name", name, "web"
                )
                assert done.returncode == 0, done.stderr
                config = client.inspect_container(name)["Config"]
                settings[tool, interactive] = {key: config[key] for key in keys}
                client.remove_container(name, force=True)
    finally:
        client.close()
    for interactive in ("true", "false"):
        assert settings["composer", interactive] == settings["reference", interactive]
    assert settings["composer", "true"]["OpenStdin"] is True


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("command", ["exec", "run"])
def test_at_a_terminal_the_command_gets_a_tty_of_its_size_and_our_keys(
    running: Project, tool: str, command: str
) -> None:
    extra = ["--rm"] if command == "run" else []
    argv, env = _argv(tool, running, command, *extra, "web", "sh")
    output, code = at_terminal(
        argv,
        running.root,
        env,
        ready=b"# ",
        typed=b"tty; stty size; echo $((6*7)); exit 3\n",
        rows=33,
        columns=101,
    )
    text = output.decode(errors="replace")
    assert code == 3, text
    assert "/dev/pts/" in text and "33 101\r\n" in text and "42\r\n" in text


@pytest.mark.parametrize("tool", TOOLS)
def test_attach_follows_the_instance_and_returns_its_exit_code(running: Project, tool: str) -> None:
    started = _run_as(tool, running, "up", "-d", "talk")
    assert started.returncode == 0, started.stderr
    done = _with_input(tool, running, "", "attach", "--no-stdin", "talk")
    assert done.returncode == 5, done.stderr
    assert done.stdout.endswith("tick 3\n")  # said after the attach (it waits 1 s first)
    assert "bye\n" in done.stderr  # (the reference adds an empty line after it)


def test_attach_passes_our_stdin_to_an_instance_that_keeps_it_open(running: Project) -> None:
    # (the reference forwards nothing here, and stays attached after our input ends)
    argv, env = _argv("composer", running, "attach", "cat")
    process = subprocess.Popen(
        argv,
        cwd=running.root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"through attach\n")
        process.stdin.flush()
        assert process.stdout.readline() == b"through attach\n"
        process.stdin.close()  # our input ends: the engine ends the attach (as `docker
        assert process.wait(timeout=30) == 0  # attach`'s), the instance keeps running
    finally:
        process.kill()
        process.wait()
    done = _run_as("composer", running, "ps", "--format", "{{.Service}} {{.State}}", "cat")
    assert done.stdout == "cat running\n"


@pytest.mark.parametrize("tool", TOOLS)
def test_attach_to_an_instance_that_is_not_running_fails(running: Project, tool: str) -> None:
    done = _with_input(tool, running, "", "attach", "--index", "2", "web")
    assert done.returncode == 1
    assert 'service "web" is not running container #2' in done.stderr


@pytest.mark.parametrize("tool", TOOLS)
def test_exec_detached_returns_at_once_and_the_command_runs_on(running: Project, tool: str) -> None:
    done = _with_input(
        tool, running, "", "exec", "-d", "web", "sh", "-c", f"sleep 1; echo {tool} > /tmp/{tool}"
    )
    assert (done.stdout, done.returncode) == ("", 0), done.stderr
    written = subprocess.run(
        ["docker", "exec", f"{running.name}-web-1", "sh", "-c", f"sleep 2; cat /tmp/{tool}"],
        capture_output=True,
        text=True,
    )
    assert written.stdout == f"{tool}\n"
