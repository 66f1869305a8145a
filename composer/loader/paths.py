"""Relative paths -> absolute paths (compose-go paths/ ResolveRelativePaths).

RESOLVERS maps each path-valued attribute to the rule the reference applies to it:

* `_abs`: `~` expands to the home directory, relative paths join the working
  directory (and come out cleaned, as Go's filepath.Join does); absolute paths stay
  as written.
* `_maybe_unix`: like `_abs`, but a Windows absolute path (`C:\\x`, `\\\\host\\share`)
  is left alone; used for bind mounts, secret/config files, local volume devices
  and ssh key files.
* `_context`: build contexts that are URLs or references (`https://`, `git@...`,
  `docker-image://x`, `service:x`) are left alone.
* watched paths additionally resolve symbolic links.

Values that are not strings (or are empty) pass through untouched. The input is
modified in place and returned.
"""

from __future__ import annotations

import posixpath
from typing import Any

from composer.errors import ComposerError
from composer.loader import fs
from composer.loader.canonical import Path, PatternTable, Walk
from composer.loader.units import is_windows_abs

_REMOTE_PREFIXES = ("https://", "http://", "git://", "ssh://", "github.com/", "git@")


class _Resolver(Walk):
    __slots__ = ("working_dir", "home")

    def __init__(self, table: PatternTable, working_dir: str, home: str) -> None:
        super().__init__(table)
        self.working_dir = working_dir
        self.home = home

    def expand_user(self, path: str) -> str:
        if path.startswith("~"):
            return posixpath.normpath(f"{self.home}/{path[1:]}")
        return path

    def absolute(self, path: str) -> str:
        path = self.expand_user(path)
        if posixpath.isabs(path) or not path:
            return path
        return posixpath.normpath(posixpath.join(self.working_dir, path))

    def maybe_unix(self, path: str) -> str:
        path = self.expand_user(path)
        if posixpath.isabs(path) or is_windows_abs(path):
            return path
        return posixpath.normpath(posixpath.join(self.working_dir, path))


def _abs(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return walk.absolute(value)
    if isinstance(value, list):
        return [walk.absolute(v) if isinstance(v, str) else v for v in value]
    return value


def _maybe_unix(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    if isinstance(value, str) and value:
        return walk.maybe_unix(value)
    return value


def _context(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    if "://" in value or value.startswith("service:") or value.startswith(_REMOTE_PREFIXES):
        return value
    return walk.absolute(value)


def _extends_file(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    if isinstance(value, str) and "://" in value:
        return value
    return _abs(value, path, walk, node)


def _watch_path(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    value = _abs(value, path, walk, node)
    if isinstance(value, str) and fs.islink(value):
        return fs.realpath(value)
    return value


def _volume_mount(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    if isinstance(value, dict) and value.get("type") == "bind":
        source = value.get("source")
        if source is None:
            raise ComposerError(
                'invalid mount config for type "bind": field Source must not be empty',
                code="volume",
                path=path,
            )
        if isinstance(source, str):
            value["source"] = walk.maybe_unix(source)
    return value


def _local_bind_device(value: Any, path: Path, walk: _Resolver, node: dict[str, Any]) -> Any:
    """A `local` volume with `o: bind` is a bind mount in disguise: its device is a path."""
    if not isinstance(value, dict) or value.get("driver") != "local":
        return value
    opts = value.get("driver_opts")
    if isinstance(opts, dict) and opts.get("o") == "bind" and isinstance(opts.get("device"), str):
        opts["device"] = walk.maybe_unix(opts["device"])
    return value


RESOLVERS = {
    "services.*.build.context": _context,
    "services.*.build.additional_contexts.*": _context,
    "services.*.build.ssh.*": _maybe_unix,
    "services.*.env_file.*.path": _abs,
    "services.*.label_file.*": _abs,
    "services.*.extends.file": _extends_file,
    "services.*.develop.watch.*.path": _watch_path,
    "services.*.volumes.*": _volume_mount,
    "configs.*.file": _maybe_unix,
    "secrets.*.file": _maybe_unix,
    "include.*.path": _abs,
    "include.*.project_directory": _abs,
    "include.*.env_file": _abs,
    "volumes.*": _local_bind_device,
}
_TABLE = PatternTable(RESOLVERS)


def resolve_paths(project: dict[str, Any], working_dir: str, *, home: str) -> dict[str, Any]:
    """Make every relative path in `project` absolute against `working_dir`."""
    result: dict[str, Any] = _Resolver(_TABLE, working_dir, home).run(project)
    return result
