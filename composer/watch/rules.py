"""The `develop.watch` rules of a project and the paths each one ignores.

A rule's `ignore` patterns are relative to its `path`; a service that is built also
ignores what its build context's `.dockerignore` excludes (relative to the context),
and every rule ignores what editors and VCS leave around, as the reference does.
Patterns follow `.dockerignore` (moby's patternmatcher: `*`, `?`, `**`, `!` to
re-include, a matched folder taking its contents along), through the docker SDK's
own matcher.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from composer.record import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

SYNC, REBUILD, RESTART, SYNC_RESTART, SYNC_EXEC = (
    "sync",
    "rebuild",
    "restart",
    "sync+restart",
    "sync+exec",
)
SYNCING = (SYNC, SYNC_RESTART, SYNC_EXEC)
# what editors and VCS write next to the files (compose's watch ignores them too)
ALWAYS_IGNORED = (
    ".git",
    ".git/**",
    "**/*~",
    "**/.*.swp",
    "**/.*.swx",
    "**/4913",
    "**/.#*",
    "**/#*#",
)


class WatchRule(NamedTuple):
    """One `develop.watch` entry of one service (paths absolute, as loaded)."""

    service: str
    action: str
    path: str
    target: str | None
    ignore: tuple[str, ...]
    include: tuple[str, ...]
    initial_sync: bool
    command: tuple[str, ...]  # sync+exec's `exec.command`
    exec_options: Mapping[str, Any]  # sync+exec's user, privileged, workdir, environment


def watch_rules(project: Mapping[str, Any], services: list[str] | None = None) -> list[WatchRule]:
    """The rules of the named services (all when none), in file order."""
    found = []
    for name, service in (project.get("services") or {}).items():
        if services and name not in services:
            continue
        for entry in ((service or {}).get("develop") or {}).get("watch") or []:
            exec_config = dict(entry.get("exec") or {})
            command = exec_config.pop("command", None) or []
            if isinstance(command, str):
                command = ["/bin/sh", "-c", command]
            found.append(
                WatchRule(
                    service=name,
                    action=str(entry.get("action")),
                    path=str(entry.get("path")),
                    target=str(entry["target"]) if entry.get("target") else None,
                    ignore=tuple(str(p) for p in entry.get("ignore") or ()),
                    include=tuple(str(p) for p in entry.get("include") or ()),
                    initial_sync=bool(entry.get("initial_sync")),
                    command=tuple(str(c) for c in command),
                    exec_options=exec_config,
                )
            )
    return found


def dockerignore_patterns(context: str) -> list[str]:
    """The patterns of `<context>/.dockerignore` (read as the docker SDK's build reads
    them: blank lines and `#` comments left out)."""
    try:
        with open(os.path.join(context, ".dockerignore"), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


class PathFilter:
    """Whether a changed path is one a rule follows."""

    def __init__(self, rule: WatchRule, build_context: str | None = None) -> None:
        from docker.utils.build import PatternMatcher  # moby's patternmatcher, in Python

        self.root = rule.path
        self._ignore = PatternMatcher([*ALWAYS_IGNORED, *rule.ignore])
        self._context = build_context
        context_patterns = dockerignore_patterns(build_context) if build_context else []
        self._context_ignore = PatternMatcher(context_patterns) if build_context else None
        self._include = PatternMatcher(list(rule.include)) if rule.include else None
        self._reincludes = any(p.startswith("!") for p in [*rule.ignore, *context_patterns])

    def follows(self, path: str) -> bool:
        """`path` (absolute) is under the rule's path and not ignored."""
        relative = os.path.relpath(path, self.root)
        if relative.startswith(".."):
            return False
        if relative != "." and self._ignore.matches(relative):
            return False
        if self._include is not None and relative != "." and not self._include.matches(relative):
            return False
        if self._context_ignore is not None and self._context is not None:
            inside = os.path.relpath(path, self._context)
            if (
                not inside.startswith("..")
                and inside != "."
                and self._context_ignore.matches(inside)
            ):
                return False
        return True

    def prunes(self, directory: str) -> bool:
        """A folder whose whole tree is ignored (not walked at all): not when a `!`
        pattern may take something inside it back, or `include` may want some."""
        return not self._reincludes and self._include is None and not self.follows(directory)
