"""The only place that writes to the terminal: results to stdout, the rest to stderr."""

from __future__ import annotations

import sys

from composer.errors import ComposerError


def out(text: str, *, flush: bool = False) -> None:
    sys.stdout.write(text)
    if flush:  # a line someone may be waiting for (`wait` reports exits as they happen)
        sys.stdout.flush()


def confirm(question: str) -> bool:
    """Ask `question` on the terminal (y/N, as the reference asks). False without one:
    a pipeline or CI job is never left waiting for an answer."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def error(err: ComposerError) -> None:
    sys.stderr.write(f"error: {err}\n")


def internal_error(exc: BaseException) -> None:
    sys.stderr.write(
        f"internal error: {type(exc).__name__}: {exc}\n"
        "  this is a bug in Composer; rerun with COMPOSER_DEBUG=1 for the traceback and report it\n"
    )
