"""The only place that writes to the terminal: results to stdout, the rest to stderr."""

from __future__ import annotations

import sys

from composer.errors import ComposerError


def out(text: str) -> None:
    sys.stdout.write(text)


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def error(err: ComposerError) -> None:
    sys.stderr.write(f"error: {err}\n")
