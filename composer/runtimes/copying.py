"""`cp` between the host and an instance, as the Docker CLI does it (cli/command/
container/cp.go, which Docker Compose's cp.go repeats), over any runtime's side of
the engine's archive API.

An instance's files are reached through three calls (`InstanceFiles`): `stat` (HEAD
/containers/{id}/archive), `get` (GET: a tar of a path and its stat) and `put` (PUT:
a tar extracted into a folder). The Docker runtime sends them to the engine
(docker/copying.py); the process runtime answers them on the host as the engine
would (process/copying.py). What this module adds is the client's part: which path
is asked for, how the tar is renamed so that a trailing `/` or `/.`, an existing or
missing destination mean what they mean to `docker cp` (archive.py), `-` for a tar
on stdin or stdout, and the client's refusals, worded as the reference words them.
"""

from __future__ import annotations

import os
import stat as stats

from composer.errors import ComposerError
from composer.record import NamedTuple
from composer.runtimes import archive
from composer.runtimes.archive import ArchiveError, CopyInfo

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import BinaryIO, Protocol

    class InstanceFiles(Protocol):
        """One instance's side of the archive API."""

        @property
        def ident(self) -> str:
            """How the reference names the instance in its messages (a container id)."""
            ...

        def stat(self, path: str) -> PathStat | None:
            """The path's stat (a link not followed), None when it cannot be read."""
            ...

        def get(self, path: str, out: BinaryIO) -> PathStat:
            """Write a tar of `path` to `out` (entries named from its last element);
            its stat. CopyError when it cannot."""
            ...

        def put(self, directory: str, content: BinaryIO, *, copy_uid_gid: bool) -> None:
            """Extract the tar `content` into the existing folder `directory`."""
            ...


# Go's os.FileMode type bits, as the engine's X-Docker-Container-Path-Stat carries them.
MODE_DIR = 1 << 31
MODE_SYMLINK = 1 << 27
MODE_DEVICE = 1 << 26
MODE_NAMED_PIPE = 1 << 25
MODE_SOCKET = 1 << 24
MODE_SETUID = 1 << 23
MODE_SETGID = 1 << 22
MODE_CHAR_DEVICE = 1 << 21
MODE_STICKY = 1 << 20
MODE_IRREGULAR = 1 << 19


class CopyError(ComposerError):
    """A copy that failed, in the reference's words (`cp-path` unless said)."""

    def __init__(self, message: str, *, code: str = "cp-path", hint: str | None = None) -> None:
        super().__init__(message, code=code, hint=hint)


class PathStat(NamedTuple):
    """The engine's ContainerPathStat: `mode` is a Go os.FileMode."""

    name: str
    size: int = 0
    mode: int = 0
    mtime: str = ""
    link_target: str = ""

    @property
    def is_dir(self) -> bool:
        return bool(self.mode & MODE_DIR)

    @property
    def is_symlink(self) -> bool:
        return bool(self.mode & MODE_SYMLINK)

    @classmethod
    def from_header(cls, data: dict[str, object] | None) -> PathStat | None:
        """The decoded X-Docker-Container-Path-Stat header."""
        if not data:
            return None
        return cls(
            str(data.get("name") or ""),
            int(str(data.get("size") or 0)),
            int(str(data.get("mode") or 0)),
            str(data.get("mtime") or ""),
            str(data.get("linkTarget") or ""),
        )


def go_file_mode(st_mode: int) -> int:
    """A stat st_mode as Go's os.FileMode."""
    mode = st_mode & 0o777
    for test, bits in (
        (stats.S_ISDIR, MODE_DIR),
        (stats.S_ISLNK, MODE_SYMLINK),
        (stats.S_ISBLK, MODE_DEVICE),
        (stats.S_ISCHR, MODE_DEVICE | MODE_CHAR_DEVICE),
        (stats.S_ISFIFO, MODE_NAMED_PIPE),
        (stats.S_ISSOCK, MODE_SOCKET),
    ):
        if test(st_mode):
            mode |= bits
    for flag, bits in (
        (stats.S_ISUID, MODE_SETUID),
        (stats.S_ISGID, MODE_SETGID),
        (stats.S_ISVTX, MODE_STICKY),
    ):
        if st_mode & flag:
            mode |= bits
    return mode


def refused_mode(mode: int) -> str | None:
    """ValidateOutputPathFileMode: why a destination of this mode cannot be written."""
    if mode & MODE_DEVICE:
        return "got a device"
    if mode & MODE_IRREGULAR:
        return "got an irregular file"
    return None


def validate_output_path(path: str) -> None:
    """ValidateOutputPath: the destination's folder exists, and the destination is a
    folder, a file or missing."""
    folder = archive.go_dir(archive.go_clean(path))
    if folder not in ("", ".") and not os.path.exists(folder):
        raise CopyError(f"invalid output path: directory {_quote(folder)} does not exist")
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CopyError(f"stat {path}: {archive.go_errno(exc)}") from None
    if stats.S_ISDIR(found.st_mode) or stats.S_ISREG(found.st_mode):
        return
    why = refused_mode(go_file_mode(found.st_mode))
    if why:
        raise CopyError(
            f"invalid output path: {_quote(path)} must be a directory or a regular file: {why}"
        )


def _quote(text: str) -> str:
    from composer.golang import go_quote

    return go_quote(text)


def _link_target(path: str, found: PathStat) -> str:
    """Where a link the engine reported points, joined to the link's folder when
    relative (the engine reports it absolute already)."""
    target = found.link_target
    if not target.startswith("/"):
        target = archive.go_join(archive.split_path_dir_entry(path)[0], target)
    return target


def copy_into(
    files: InstanceFiles,
    source: str,
    destination: str,
    *,
    follow_link: bool = False,
    copy_uid_gid: bool = False,
    stdin: BinaryIO | None = None,
    cwd: str | None = None,
) -> None:
    """copyToContainer: the host `source` (`-`: a tar read from `stdin`) to
    `destination` in the instance."""
    if source != "-":
        source = archive.resolve_local_path(source, cwd or os.getcwd())
    target = CopyInfo(destination)
    found = files.stat(destination)
    if found is not None and found.is_symlink:
        target = CopyInfo(_link_target(destination, found))
        found = files.stat(target.path)
    why = refused_mode(found.mode) if found is not None else None
    if why:
        raise CopyError(
            f'destination "{files.ident}:{destination}" must be a directory or a regular '
            f"file: {why}"
        )
    if found is not None:
        target = target._replace(exists=True, is_dir=found.is_dir)
    if source == "-":
        if not target.is_dir:
            raise CopyError(f'destination "{files.ident}:{destination}" must be a directory')
        if stdin is None:
            raise CopyError("no standard input to read the archive from")
        files.put(target.path, stdin, copy_uid_gid=copy_uid_gid)
        return
    import tempfile

    try:
        origin = archive.source_info(source, follow_link)
        placement = archive.place(origin, target)
        with tempfile.TemporaryFile() as content:
            archive.write_tar(origin, content, placement)
            content.seek(0)
            files.put(placement.directory, content, copy_uid_gid=copy_uid_gid)
    except ArchiveError as exc:
        raise CopyError(str(exc)) from None
    except OSError as exc:  # a source file that cannot be read
        raise CopyError(_os_message(exc)) from None


def copy_out(
    files: InstanceFiles,
    source: str,
    destination: str,
    *,
    follow_link: bool = False,
    stdout: BinaryIO | None = None,
    cwd: str | None = None,
) -> None:
    """copyFromContainer: `source` in the instance to the host `destination` (`-`: a
    tar written to `stdout`)."""
    if destination != "-":
        destination = archive.resolve_local_path(destination, cwd or os.getcwd())
    validate_output_path(destination)
    rebase = ""
    if follow_link:
        found = files.stat(source)
        if found is not None and found.is_symlink:
            source, rebase = archive.rebase_name(source, _link_target(source, found))
    if destination == "-":
        if stdout is None:
            raise CopyError("no standard output to write the archive to")
        files.get(source, stdout)
        return
    import tempfile

    with tempfile.TemporaryFile() as content:
        found = files.get(source, content)
        content.seek(0)
        origin = CopyInfo(source, True, found.is_dir, rebase)
        renames = []
        if rebase:
            renames.append((archive.split_path_dir_entry(source)[1], rebase))
        try:
            placement = archive.place(origin, archive.destination_info(destination))
            if placement.renames:
                renames.append((placement.old, placement.new))
            archive.extract(content, placement.directory, renames=renames)
        except ArchiveError as exc:
            raise CopyError(str(exc)) from None
        except OSError as exc:
            raise CopyError(_os_message(exc)) from None


def _os_message(exc: OSError) -> str:
    """An OS error as Go prints one (`open /x: permission denied`)."""
    if exc.filename:
        return f"{exc.filename}: {archive.go_errno(exc)}"
    return archive.go_errno(exc)
