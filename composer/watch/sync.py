"""A batch of changed files to an instance, as the reference's watch syncs them: the
files that exist go in one tar whose member names are their paths in the instance,
put at `/` through the archive API (any runtime's `files`; extraction makes missing
parent folders); the ones that are gone are removed in the instance with `rm -rf`."""

from __future__ import annotations

import os
import posixpath
import tarfile
import tempfile
from collections.abc import Iterable

from composer.watch.rules import WatchRule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.copying import InstanceFiles


def target_path(rule: WatchRule, path: str) -> str:
    """Where host `path` (under the rule's path) lands in the instance."""
    assert rule.target is not None
    relative = os.path.relpath(path, rule.path)
    if relative == ".":
        return rule.target
    return posixpath.join(rule.target, *relative.split(os.sep))


def plan_sync(rule: WatchRule, paths: Iterable[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(host path, instance path) of the files and new folders to copy, and the
    instance paths to remove (those gone from the host), both sorted."""
    copies, removals = [], []
    for path in sorted(set(paths)):  # (a folder before what it holds)
        if os.path.lexists(path):
            copies.append((path, target_path(rule, path)))
        else:
            removals.append(target_path(rule, path))
    return copies, removals


def put_files(files: InstanceFiles, copies: list[tuple[str, str]]) -> None:
    """The files, with their folders, into the instance in one archive at `/`."""
    if not copies:
        return
    with tempfile.TemporaryFile() as content:
        with tarfile.open(fileobj=content, mode="w", format=tarfile.PAX_FORMAT) as archive:
            # (no entries for the parents: extraction makes missing ones, and an entry
            # would reset the mode of one that exists, /tmp's included; a folder that
            # changed on the host comes with its own mode, as the reference's)
            for host, inside in copies:
                archive.add(host, arcname=inside.lstrip("/"), recursive=False)
        content.seek(0)
        files.put("/", content, copy_uid_gid=False)
