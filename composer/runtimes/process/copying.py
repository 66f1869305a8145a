"""`cp` on the process runtime: the engine's side of the archive API, played on the
host (moby's daemon/archive.go), so that composer/runtimes/copying.py copies with
the same rules on both runtimes.

An instance sees this host's files, so its paths are host paths. One difference
with the engine, on purpose: the engine reads a relative path in a container
against `/`; here it is read against the instance's working directory, where the
instance itself resolves it (`cp data.json app:conf/` must not write /conf on the
host).

Owners: files put into an instance belong to the user running Composer (the user
the instances run as), unless `copy_uid_gid` (`cp -a`) asks to keep the uid/gid
the archive names, which needs the right to chown. The engine, which runs as root,
always keeps them, and with `-a` gives them to the container's user instead.
"""

from __future__ import annotations

import os
import stat

from composer.runtimes import archive
from composer.runtimes.archive import ArchiveError
from composer.runtimes.copying import CopyError, PathStat, go_file_mode

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import BinaryIO


class HostFiles:
    """One process instance's files: host paths, relative ones against its working
    directory."""

    def __init__(self, name: str, workdir: str) -> None:
        self.ident = name  # the name messages give the instance (the engine's: its id)
        self.workdir = workdir

    def _absolute(self, path: str) -> str:
        """The path as the instance reads it, its trailing `/` or `/.` kept."""
        return archive.preserve_trailing(archive.go_abs(path, self.workdir), path)

    def _resolved(self, path: str) -> tuple[str, str]:
        """ResolvePath: links in the folder part resolved, the last element kept;
        and the absolute path asked for."""
        absolute = self._absolute(path)
        folder, base = archive.go_split(absolute)
        return os.path.realpath(folder or "/").rstrip("/") + "/" + base, absolute

    def _missing(self, path: str) -> CopyError:
        return CopyError(f"Could not find the file {path} in instance {self.ident}")

    def _lstat(self, path: str) -> tuple[os.stat_result, str, str]:
        resolved, absolute = self._resolved(path)
        try:
            return os.lstat(resolved), resolved, absolute
        except FileNotFoundError:
            raise self._missing(path) from None
        except OSError as exc:
            raise CopyError(f"lstat {resolved}: {archive.go_errno(exc)}") from None

    def _stat_of(self, found: os.stat_result, absolute: str) -> PathStat:
        link = ""
        if stat.S_ISLNK(found.st_mode):
            link = os.path.realpath(absolute)  # fully resolved, as the engine reports it
        return PathStat(
            archive.go_base(absolute), found.st_size, go_file_mode(found.st_mode), "", link
        )

    def stat(self, path: str) -> PathStat | None:
        try:
            found, _, absolute = self._lstat(path)
        except CopyError:
            return None
        return self._stat_of(found, absolute)

    def get(self, path: str, out: BinaryIO) -> PathStat:
        """containerArchivePath: a tar of the path, its top entry named as asked."""
        found, resolved, absolute = self._lstat(path)
        resolved = archive.go_clean(resolved)
        if archive.go_base(resolved) == ".":
            resolved += "/."
        source = archive.CopyInfo(resolved, True, stat.S_ISDIR(found.st_mode))
        top = archive.go_base(absolute)
        if top != archive.go_base(resolved):
            source = source._replace(rebase=top)
        try:
            archive.write_tar(source, out)
        except ArchiveError as exc:
            raise CopyError(str(exc)) from None
        except OSError as exc:
            raise CopyError(f"{exc.filename}: {archive.go_errno(exc)}") from None
        return self._stat_of(found, absolute)

    def put(self, directory: str, content: BinaryIO, *, copy_uid_gid: bool) -> None:
        """containerExtractToDir: into an existing folder (a link to one is followed)."""
        resolved = os.path.realpath(self._absolute(directory))
        try:
            found = os.lstat(resolved)
        except FileNotFoundError:
            raise self._missing(directory) from None
        if not stat.S_ISDIR(found.st_mode):
            raise CopyError("extraction point is not a directory")
        owner = archive.KEEP_OWNER if copy_uid_gid else None
        try:
            archive.extract(content, resolved, owner=owner)
        except ArchiveError as exc:
            raise CopyError(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise CopyError(f"{where}{archive.go_errno(exc)}") from None
