"""Running Composer in-process the way the reference is run: from a folder, with a clean
environment (PATH, HOME=/tmp and the case's variables), output captured."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Main = Callable[[list[str]], int]


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def clean_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the reference runs with: PATH, HOME=/tmp, then `env`."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", **(env or {})}


@contextlib.contextmanager
def clean_process(
    cwd: Path | str, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> Iterator[None]:
    """os.environ (clean_env(env)), the current directory and, given `stdin`, sys.stdin
    swapped as for a subprocess started there; all restored afterwards."""
    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    environment = clean_env(env)
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        yield
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def call(main: Main, argv: list[str], cwd: Path | str | None = None) -> Outcome:
    """`main(argv)` with stdout and stderr captured (run from `cwd` when given)."""
    out, err = io.StringIO(), io.StringIO()
    saved_cwd = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(saved_cwd)
    return Outcome(code, out.getvalue(), err.getvalue())


def run_in_process(
    argv: list[str],
    cwd: Path | str,
    env: Mapping[str, str],
    stdin: str | None = None,
    main: Main | None = None,
) -> Outcome:
    """`composer ARGV` in-process inside clean_process(cwd, env, stdin or "").
    `main` defaults to the Typer application's (composer.cli.app.main)."""
    if main is None:
        from composer.cli.app import main as app_main

        main = app_main
    with clean_process(cwd, env, stdin or ""):
        return call(main, argv)


def wait_for(predicate: Callable[[], Any], timeout: float, step: float) -> Any:
    """Poll until `predicate()` is truthy; its value, or AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(step)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
