"""`include:`: import whole Compose projects (their services, networks, volumes,
secrets and configs) into the including file.

Each entry is loaded as a project of its own: its first path sets its project
directory (unless `project_directory` says otherwise), its `.env` (or `env_file`)
adds variables the parent does not set, and its relative paths resolve against its
own project directory. A resource defined on both sides must be identical.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from composer.errors import IncludeError
from composer.loader import fs
from composer.loader.context import LoadContext
from composer.loader.dotenv import read_env_files
from composer.source import loc_of

RESOURCES = ("services", "volumes", "networks", "secrets", "configs")
# loads a list of files as one project in a context; returns the merged dict
ProjectReader = Callable[[list[str], LoadContext], dict[str, Any]]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _env_for(entry: dict[str, Any], project_dir: str, ctx: LoadContext, at: Any) -> dict[str, str]:
    files = _as_list(entry.get("env_file"))
    if files:
        paths = []
        for f in files:
            path = f if os.path.isabs(f) else os.path.join(ctx.working_dir, f)
            if not fs.exists(path):
                raise IncludeError(
                    f"env file {path} not found",
                    code="include-env-file",
                    location=at,
                    hint="fix the include's env_file path (relative to the including project)",
                )
            if fs.isdir(path):
                raise IncludeError(f"{path} is not a file", code="include-env-file", location=at)
            paths.append(path)
    else:
        default = os.path.join(project_dir, ".env")
        paths = [default] if fs.isfile(default) else []
    environment = dict(ctx.environment)
    for key, value in read_env_files(paths, ctx.environment).items():
        environment.setdefault(key, value)
    return environment


def apply_include(
    cfg: dict[str, Any], file: str, ctx: LoadContext, read_project: ProjectReader
) -> None:
    """Replace cfg's `include:` by the resources it imports (in place)."""
    entries = cfg.pop("include", None)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise IncludeError(
            f"`include` must be a list, got {entries}", code="include-invalid", location=loc_of(cfg)
        )
    for index, raw in enumerate(entries):
        at = loc_of(entries, index)
        entry = {"path": raw} if isinstance(raw, str) else dict(raw)
        paths = [
            p if os.path.isabs(p) else os.path.join(ctx.resource_dir, p)
            for p in (os.path.expanduser(x) for x in _as_list(entry.get("path")))
        ]
        if not paths:
            raise IncludeError("include entry has no path", code="include-invalid", location=at)
        paths = [os.path.normpath(p) for p in paths]
        main = paths[0]
        project_dir = entry.get("project_directory")
        if not project_dir:
            project_dir = os.path.dirname(main)
        elif not os.path.isabs(project_dir):
            project_dir = os.path.normpath(os.path.join(ctx.working_dir, project_dir))
        if main in ctx.included:
            chain = [*ctx.included, main]
            raise IncludeError(
                "include cycle detected:\n"
                + chain[0]
                + "\n include "
                + "\n include ".join(chain[1:]),
                code="include-cycle",
                location=at,
            )
        for path in paths:
            if not fs.isfile(path):
                raise IncludeError(
                    f"include: file not found: {path}",
                    code="include-not-found",
                    location=at,
                    hint="paths in include are relative to the including project's directory",
                )
        child = ctx.child(
            working_dir=project_dir,
            resource_dir=project_dir,
            environment=_env_for(entry, project_dir, ctx, at),
            included=[*ctx.included],
        )
        imported = read_project(paths, child)
        for key in RESOURCES:
            source = imported.get(key)
            if not source:
                continue
            target = cfg.get(key)
            if target is None:
                target = cfg[key] = {}
            for name, value in source.items():
                if name in target:
                    if target[name] == value:
                        continue
                    raise IncludeError(
                        f"{key}.{name} conflicts with imported resource",
                        code="include-conflict",
                        location=loc_of(target, name),
                        path=(key, name),
                        hint=f"rename one of them, or remove it from {file} or from {main}",
                    )
                target[name] = value
