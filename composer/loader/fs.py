"""The loader's window on the file system.

Every file the loader reads and every path it tests goes through these functions, so
a load can list what its result depends on: inside `recording()`, each call is noted
with its outcome, and `unchanged()` later asks the same questions again. The run
commands use that to reuse a saved load (composer/loader/snapshot.py) instead of
parsing the same files on every call.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    # (operation, arguments, outcome): the outcome is the return value, or the name of
    # the exception class the operation raised
    Entry = tuple[str, tuple[Any, ...], Any]

_recording: list[Entry] | None = None


def _read_text(path: str, errors: str) -> str:
    with open(path, encoding="utf-8", errors=errors) as handle:
        return handle.read()


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


_OPERATIONS: dict[str, Callable[..., Any]] = {
    "exists": os.path.exists,
    "isfile": os.path.isfile,
    "isdir": os.path.isdir,
    "islink": os.path.islink,
    "realpath": os.path.realpath,
    "read_text": _read_text,
    "read_bytes": _read_bytes,
}


def _outcome(operation: str, args: tuple[Any, ...]) -> tuple[Any, BaseException | None]:
    try:
        return _OPERATIONS[operation](*args), None
    except (OSError, UnicodeError) as error:
        return type(error).__name__, error


def _call(operation: str, *args: Any) -> Any:
    outcome, error = _outcome(operation, args)
    if _recording is not None:
        _recording.append((operation, args, outcome))
    if error is not None:
        raise error
    return outcome


def exists(path: str) -> bool:
    return bool(_call("exists", path))


def isfile(path: str) -> bool:
    return bool(_call("isfile", path))


def isdir(path: str) -> bool:
    return bool(_call("isdir", path))


def islink(path: str) -> bool:
    return bool(_call("islink", path))


def realpath(path: str) -> str:
    return str(_call("realpath", path))


def read_text(path: str, errors: str = "strict") -> str:
    """The file as UTF-8 text (universal newlines); OSError/UnicodeDecodeError as open raises them."""
    return str(_call("read_text", path, errors))


def read_bytes(path: str) -> bytes:
    return bytes(_call("read_bytes", path))


@contextlib.contextmanager
def recording() -> Iterator[list[Entry]]:
    """Note every call made inside the block (loads do not nest across threads)."""
    global _recording
    outer = _recording
    entries: list[Entry] = []
    _recording = entries
    try:
        yield entries
    finally:
        _recording = outer
        if outer is not None:
            outer.extend(entries)


def unchanged(entries: list[Entry]) -> bool:
    """True when every recorded call gives the same outcome now."""
    for operation, args, outcome in entries:
        if operation not in _OPERATIONS:
            return False
        if _outcome(operation, args)[0] != outcome:
            return False
    return True
