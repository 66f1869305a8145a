"""One problem at one place, independent of how it is printed.

A Diagnostic is a flat, frozen record (severity, stable code, message, file, 1-based
line and column, key path, hint), so every output format reads the same fields and the
fixtures can compare them exactly. `from_error` turns any ComposerError into one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from composer.errors import ComposerError
from composer.source import Location

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem: `file` as loaded (usually absolute), `line`/`column` 1-based."""

    severity: str
    code: str
    message: str
    file: str
    line: int
    column: int
    path: str = ""
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)

    def with_severity(self, severity: str) -> Diagnostic:
        return replace(self, severity=severity)

    def relative_to(self, root: str | None) -> Diagnostic:
        """The same diagnostic with `file` relative to `root` (see relative_path), and
        paths below `root` in the message shortened the same way."""
        message = self.message
        if root:
            prefix = os.path.join(root, "")
            message = message.replace(prefix, "")
        return replace(self, file=relative_path(self.file, root), message=message)


def at(
    location: Location | None,
    *,
    severity: str,
    code: str,
    message: str,
    path: str = "",
    hint: str | None = None,
    default_file: str = "",
) -> Diagnostic:
    """A diagnostic at `location`; an unknown line or column becomes 1 (the formats all
    need a position, and the start of the file is the honest fallback)."""
    file = location.file if location is not None else default_file
    line = location.line if location is not None and location.line > 0 else 1
    column = location.column if location is not None and location.column > 0 else 1
    return Diagnostic(severity, code, message, file, line, column, path, hint)


def from_error(
    error: ComposerError, *, severity: str | None = None, default_file: str = ""
) -> Diagnostic:
    """The diagnostic for a ComposerError (errors are errors unless told otherwise)."""
    return at(
        error.location,
        severity=severity or getattr(error, "severity", ERROR) or ERROR,
        code=error.code,
        message=error.message,
        path=error.path,
        hint=error.hint,
        default_file=default_file,
    )


def relative_path(file: str, root: str | None) -> str:
    """`file` relative to `root` when it lies inside it (forward slashes, as SARIF and
    GitHub want); files elsewhere, `-` and `(stdin)` stay as they are."""
    if not file or root is None or not os.path.isabs(file):
        return file
    try:
        rel = os.path.relpath(file, root)
    except ValueError:  # another drive on Windows
        return file
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return file
    return rel.replace(os.sep, "/")


def line_reader() -> Callable[[str], list[str] | None]:
    """A cached `path -> lines` reader for code frames and SARIF regions (None when the
    file cannot be read)."""
    cache: dict[str, list[str] | None] = {}

    def read(path: str) -> list[str] | None:
        if path not in cache:
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    cache[path] = handle.read().splitlines()
            except OSError:
                cache[path] = None
        return cache[path]

    return read


def is_valid(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    """No errors (and, with `strict`, no warnings either)."""
    return not any(d.is_error or strict for d in diagnostics)


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file and position, exact duplicates dropped (a value reached twice, e.g.
    through extends, would otherwise be reported twice)."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
