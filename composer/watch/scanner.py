"""Seeing changes: each watched path is walked and its files' stat compared with the
previous walk's (a folder counts when it appears or goes, as the reference's
file-system events count it, not when its contents change). Polling needs nothing of the kernel or of PyPI and behaves the same
on any file system (bind mounts, network shares); ignored folders are not walked."""

from __future__ import annotations

import os
from collections.abc import Callable

Snapshot = dict[str, tuple[int, int, int, int]]  # path -> (mtime_ns, size, mode, inode)


def snapshot(root: str, prunes: Callable[[str], bool]) -> Snapshot:
    """Every file and folder under `root` (or `root` itself when it is a file) with
    its stat."""
    found: Snapshot = {}
    try:
        info = os.stat(root)
    except OSError:
        return found
    if not os.path.isdir(root):
        found[root] = (info.st_mtime_ns, info.st_size, info.st_mode, info.st_ino)
        return found
    for directory, folders, files in os.walk(root):
        folders[:] = [f for f in folders if not prunes(os.path.join(directory, f))]
        for name in folders:  # a folder made or removed is a change, its times are not
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            found[path] = (0, 0, info.st_mode, info.st_ino)
        for name in files:
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue  # gone between the listing and the stat
            found[path] = (info.st_mtime_ns, info.st_size, info.st_mode, info.st_ino)
    return found


def changes(before: Snapshot, after: Snapshot) -> set[str]:
    """Paths added, changed or removed between two snapshots."""
    changed = {path for path, stat in after.items() if before.get(path) != stat}
    return changed | (before.keys() - after.keys())
