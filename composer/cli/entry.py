"""The `composer` executable: the fast parser for the usual calls, Typer for the rest."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-v"]):  # as `docker compose --version`
        args = ["version"]
    from composer.cli.fastpath import parse_call
    from composer.cli.guard import run_guarded
    from composer.errors import ComposerError

    try:
        call = parse_call(args)
    except ComposerError as refused:  # a value no reading takes (`--flag=maybe`)
        return run_guarded(_raising(refused))
    if call is not None:
        return run_guarded(call.run)
    from composer.cli.app import main as full_main

    return full_main(args)


def _raising(error: Exception) -> Callable[[], None]:
    """A call that raises `error` (so that run_guarded renders it as any other)."""

    def fail() -> None:
        raise error

    return fail


def leave(code: int) -> None:
    """End the process without the interpreter's teardown.

    Freeing every module and object one by one takes 0.1-0.2 s after a Docker `up`
    or `down` (more than the rest of our start-up); the OS reclaims all of it at
    once. Everything a normal exit does that can be seen from outside still happens
    first: non-daemon threads finish, atexit handlers run, buffered output is written.
    """
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or the reader went away (EPIPE)
            pass
    os._exit(code)


def run() -> None:
    leave(main())
