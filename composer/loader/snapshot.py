"""Saved loads for the run commands: `down`, `ps`, `up` on an unchanged project skip
the loader.

Why: a run command spends ~30 ms importing and running the loader (YAML parser,
schema, every stage) before its first engine call, as long as the engine work of a
small `down`. The result of a load depends only on the load options, the environment,
the working directory, Composer's own code and what the loader read or tested on disk;
`fs` notes the last part, so a saved load is reused exactly when all of it is the same
again: same options and environment (compared whole), every file read has the same
bytes, every path tested answers the same.

Saved under $COMPOSER_CACHE_DIR, else $XDG_CACHE_HOME/composer, else ~/.cache/composer
(`loads/`, at most MAX_SAVED files). COMPOSER_NO_CACHE=1 turns it off. A cache that
cannot be read or written is skipped silently: it only ever saves time.
"""

from __future__ import annotations

# pickle's C half: the `pickle` module adds struct, re's parser for its helpers and a
# probe for Jython (~1 ms of every run command) to the same load and dump functions
import _pickle
import contextlib
import os
import sys
import zlib
from collections.abc import Mapping

from composer.loader import fs

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.loader.options import LoadOptions
    from composer.loader.pipeline import LoadedProject

# Bumped when what is saved changes shape.
FORMAT = 1
MAX_SAVED = 64
PICKLE_PROTOCOL = 5

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SavedLoad:
    """What a run command takes from a load (a subset of pipeline.LoadedProject)."""

    __slots__ = (
        "project",
        "name",
        "working_dir",
        "files",
        "environment",
        "warnings",
        "disabled_services",
    )

    def __init__(
        self,
        project: dict[str, Any],
        name: str,
        working_dir: str,
        files: list[str],
        environment: dict[str, str],
        warnings: list[str],
        disabled_services: dict[str, Any],
    ) -> None:
        self.project = project
        self.name = name
        self.working_dir = working_dir
        self.files = files
        self.environment = environment
        self.warnings = warnings
        self.disabled_services = disabled_services

    @classmethod
    def of(cls, loaded: LoadedProject) -> SavedLoad:
        return cls(
            loaded.project,
            loaded.name,
            loaded.working_dir,
            list(loaded.files),
            dict(loaded.environment),
            list(loaded.warnings),
            dict(loaded.disabled_services),
        )


def load(options: LoadOptions) -> SavedLoad:
    """The project for `options`: the saved load when nothing it depends on changed,
    else a fresh one (saved for the next call)."""
    folder = cache_folder(options.environ if options.environ is not None else os.environ)
    key = _key(options) if folder is not None else None
    if folder is None or key is None:
        return SavedLoad.of(_load(options))
    path = os.path.join(folder, f"{zlib.crc32(repr(key).encode()):08x}.pickle")
    saved = _read(path, key)
    if saved is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: the last to be trimmed
        return saved
    with fs.recording() as journal:
        loaded = SavedLoad.of(_load(options))
    if not _mentions_underscore(journal):
        _write(path, {"key": key, "journal": journal, "load": loaded})
    return loaded


def cache_folder(environ: Mapping[str, str]) -> str | None:
    """Where saved loads live; None when turned off."""
    if environ.get("COMPOSER_NO_CACHE", "").lower() in ("1", "true", "yes"):
        return None
    base = environ.get("COMPOSER_CACHE_DIR")
    if not base:
        xdg = environ.get("XDG_CACHE_HOME")
        home = environ.get("HOME")
        if xdg:
            base = os.path.join(xdg, "composer")
        elif home:
            base = os.path.join(home, ".cache", "composer")
        else:
            return None
    return os.path.join(base, "loads")


def _load(options: LoadOptions) -> LoadedProject:
    from composer.loader.pipeline import load_project

    return load_project(options)


def _key(options: LoadOptions) -> tuple[Any, ...] | None:
    """Everything besides the files that decides the result; None: do not save.

    Loads that read standard input or report each variable are never saved, nor
    those with a pipeline stage switched off (`config` flags, not run commands)."""
    if options.stdin_text is not None or options.variable_hook is not None:
        return None
    switches = (
        options.interpolate,
        options.normalize,
        options.resolve_paths,
        options.consistency,
        options.resolve_environment,
    )
    if not all(switches) or options.keep_env_files:
        return None
    environ = options.environ if options.environ is not None else dict(os.environ)
    # `_` is the shell's note of the program it started (`python -m composer` and
    # `composer` differ): left out, or no two ways of calling share a load. A file
    # that could read it as a variable is never saved (_mentions_underscore).
    environ = {name: value for name, value in environ.items() if name != "_"}
    return (
        FORMAT,
        _code_stamp(),
        tuple(options.files),
        options.project_name,
        options.project_directory,
        tuple(options.env_files),
        tuple(options.profiles),
        options.keep_label_files,
        options.cwd or os.getcwd(),
        tuple(sorted(environ.items())),
    )


def _mentions_underscore(journal: list[fs.Entry]) -> bool:
    """Whether a file the load read could interpolate the variable `_` (`$_`, `${_}`,
    `${_:-x}`...), which the key leaves out."""
    return any(
        operation == "read_text" and isinstance(text, str) and ("$_" in text or "${_" in text)
        for operation, _, text in journal
    )


def _code_stamp() -> tuple[Any, ...]:
    """Composer's loader code, its schema, the YAML library and the interpreter, by
    file size and modification time: a changed installation never reuses old loads."""
    stamp: list[Any] = [sys.version]
    for folder in (_PACKAGE, os.path.join(_PACKAGE, "loader"), os.path.join(_PACKAGE, "schemas")):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".json")):
                info = entry.stat()
                stamp.append((entry.name, info.st_size, info.st_mtime_ns))
    for folder in sys.path:
        marker = os.path.join(folder, "ruamel", "yaml", "__init__.py")
        try:
            info = os.stat(marker)
        except OSError:
            continue
        stamp.append((marker, info.st_size, info.st_mtime_ns))
        break
    return tuple(stamp)


def _read(path: str, key: tuple[Any, ...]) -> SavedLoad | None:
    try:
        with open(path, "rb") as handle:
            if not _trusted(os.fstat(handle.fileno())):
                return None
            entry = _pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing, partial or stale file is a miss
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    loaded = entry.get("load")
    if not isinstance(loaded, SavedLoad) or not fs.unchanged(entry.get("journal") or []):
        return None
    return loaded


def _trusted(info: os.stat_result) -> bool:
    """Only a file this user wrote and nobody else can change is unpickled (unpickling
    runs code): COMPOSER_CACHE_DIR may point into a shared folder."""
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _write(path: str, entry: dict[str, Any]) -> None:
    folder = os.path.dirname(path)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        # owner-only: a load holds the environment, which may carry secrets
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            _pickle.dump(entry, handle, protocol=PICKLE_PROTOCOL)
        os.replace(temporary, path)
        _trim(folder)
    except Exception:  # noqa: BLE001 - read-only home, full disk, unpicklable value
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _trim(folder: str) -> None:
    """Keep the MAX_SAVED most recently used loads."""
    saved = [e for e in os.scandir(folder) if e.name.endswith(".pickle")]
    if len(saved) <= MAX_SAVED:
        return
    saved.sort(key=lambda e: e.stat().st_mtime_ns)
    for entry in saved[: len(saved) - MAX_SAVED]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass
