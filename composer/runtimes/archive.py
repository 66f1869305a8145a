"""The archive rules of `docker cp` (moby's pkg/archive: copy.go, archive.go), on the
host side: paths, tars of a file or folder, and extraction into a folder.

`cp` moves files as tar streams whose entry names decide where things land: a
trailing `/` or `/.`, an existing or missing destination, a source that is a
folder or a file each rename the top entry of the stream (`PrepareArchiveCopy`).
Both runtimes use these rules: Docker on its side of the engine's archive API, the
process runtime on both sides (composer/runtimes/process/copying.py plays the
engine). Paths follow Go's `path/filepath` (`go_clean`, `go_base`, ...), because
the reference's messages show them as Go leaves them (`lstat //nope`).
"""

from __future__ import annotations

import os
import stat
import tarfile

from composer.golang import go_quote
from composer.record import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import BinaryIO

SEP = "/"
MAX_SYMLINKS = 10  # CopyInfoDestinationPath follows at most this many links

# The errors of moby's copy.go, as it words them.
NOT_DIRECTORY = "not a directory"
DIR_NOT_EXISTS = "no such directory"
CANNOT_COPY_DIR = "cannot copy directory"


class ArchiveError(Exception):
    """A copy that cannot be done, in the words the Docker CLI prints."""


def go_errno(exc: OSError) -> str:
    """`lstat /x: no such file or directory`: an OS error as Go's syscall words it."""
    text = os.strerror(exc.errno) if exc.errno else str(exc)
    return text[:1].lower() + text[1:]


def os_error(op: str, path: str, exc: OSError) -> ArchiveError:
    return ArchiveError(f"{op} {path}: {go_errno(exc)}")


# ---------------------------------------------------------------- Go's path/filepath


def go_clean(path: str) -> str:
    """filepath.Clean: `.` for nothing, one leading slash, no `.`/`..` left where
    they can go."""
    if not path:
        return "."
    cleaned = os.path.normpath(path)
    return SEP + cleaned.lstrip(SEP) if cleaned.startswith(SEP) else cleaned


def go_base(path: str) -> str:
    """filepath.Base: the last element (`/` for the root, `.` for nothing)."""
    if not path:
        return "."
    path = path.rstrip(SEP)
    if not path:
        return SEP
    return path.rsplit(SEP, 1)[-1]


def go_split(path: str) -> tuple[str, str]:
    """filepath.Split: everything up to the last separator, and the rest."""
    cut = path.rfind(SEP) + 1
    return path[:cut], path[cut:]


def go_dir(path: str) -> str:
    """filepath.Dir: all but the last element, cleaned."""
    return go_clean(go_split(path)[0])


def go_join(*parts: str) -> str:
    """filepath.Join: the non-empty parts joined and cleaned ('' when all are empty)."""
    kept = [part for part in parts if part]
    return go_clean(SEP.join(kept)) if kept else ""


def go_abs(path: str, cwd: str) -> str:
    """filepath.Abs against `cwd`."""
    return go_clean(path) if path.startswith(SEP) else go_join(cwd, path)


def has_trailing_separator(path: str) -> bool:
    return path.endswith(SEP)


def specifies_current_dir(path: str) -> bool:
    return go_base(path) == "."


def asserts_directory(path: str) -> bool:
    """A path that says it is a folder: it ends with `/` or `/.`."""
    return has_trailing_separator(path) or specifies_current_dir(path)


def preserve_trailing(cleaned: str, original: str) -> str:
    """PreserveTrailingDotOrSeparator: `cleaned` keeps the `/.` or `/` that the
    original ended with, since both mean something to a copy."""
    if not specifies_current_dir(cleaned) and specifies_current_dir(original):
        if not has_trailing_separator(cleaned):
            cleaned += SEP
        cleaned += "."
    if not has_trailing_separator(cleaned) and has_trailing_separator(original):
        cleaned += SEP
    return cleaned


def split_path_dir_entry(path: str) -> tuple[str, str]:
    """SplitPathDirEntry: the folder and the entry in it, a final `.` kept."""
    cleaned = go_clean(path)
    if specifies_current_dir(path):
        cleaned += SEP + "."
    return go_dir(cleaned), go_base(cleaned)


def resolve_local_path(path: str, cwd: str) -> str:
    """A host path of the command line made absolute, its `/` or `/.` kept."""
    return preserve_trailing(go_abs(path, cwd), path)


def eval_symlinks(path: str) -> str:
    """filepath.EvalSymlinks: every link resolved; an error naming the first part
    that is missing (`lstat /nodir: no such file or directory`)."""
    try:
        return os.path.realpath(path, strict=True)
    except OSError as exc:
        return _missing_part(path, exc)


def _missing_part(path: str, exc: OSError) -> str:
    """The error EvalSymlinks reports: the first part of `path` that cannot be read."""
    parts = [part for part in go_clean(path).split(SEP) if part]
    current = SEP if path.startswith(SEP) else ""
    for part in parts:
        current = go_join(current, part) if current else part
        try:
            os.lstat(current)
        except OSError as missing:
            raise os_error("lstat", current, missing) from None
    raise os_error("lstat", path, exc) from None


def rebase_name(path: str, resolved: str) -> tuple[str, str]:
    """GetRebaseName: `resolved` given the `/.` or `/` of `path`, and the name the
    entries must take when resolving changed the last element ('' otherwise)."""
    if specifies_current_dir(path) and not specifies_current_dir(resolved):
        resolved += SEP + "."
    if has_trailing_separator(path) and not has_trailing_separator(resolved):
        resolved += SEP
    return resolved, go_base(path) if go_base(path) != go_base(resolved) else ""


# ---------------------------------------------------------------- CopyInfo


class CopyInfo(NamedTuple):
    """One side of a copy: the path, whether it exists and is a folder, and the name
    its entries take instead of the path's last element ('' to keep it)."""

    path: str
    exists: bool = False
    is_dir: bool = False
    rebase: str = ""


def resolve_host_source(path: str, follow_link: bool) -> tuple[str, str]:
    """ResolveHostSourcePath: the links before the last element resolved (all of them
    with `follow_link`), and the rebase name that keeps the name asked for."""
    if follow_link:
        return rebase_name(path, eval_symlinks(path))
    folder, base = go_split(path)
    resolved = eval_symlinks(folder) + SEP + base
    rebase = ""
    if has_trailing_separator(path) and go_base(path) != go_base(resolved):
        rebase = go_base(path)
    return resolved, rebase


def source_info(path: str, follow_link: bool) -> CopyInfo:
    """CopyInfoSourcePath: the host source, which must exist."""
    resolved, rebase = resolve_host_source(path, follow_link)
    try:
        found = os.lstat(resolved)
    except OSError as exc:
        raise os_error("lstat", resolved, exc) from None
    return CopyInfo(resolved, True, stat.S_ISDIR(found.st_mode), rebase)


def destination_info(path: str) -> CopyInfo:
    """CopyInfoDestinationPath: the host destination, links at the end followed; it
    may be missing, but not its parent folder."""
    original = path
    try:
        found: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise os_error("lstat", path, exc) from None
    hops = 0
    while found is not None and stat.S_ISLNK(found.st_mode):
        if hops > MAX_SYMLINKS:
            raise ArchiveError(f"too many symlinks in {original}")
        hops += 1
        target = os.readlink(path)
        path = target if target.startswith(SEP) else go_join(split_path_dir_entry(path)[0], target)
        try:
            found = os.lstat(path)
        except FileNotFoundError:
            found = None
        except OSError as exc:
            raise os_error("lstat", path, exc) from None
    if found is not None:
        return CopyInfo(path, True, stat.S_ISDIR(found.st_mode))
    parent = split_path_dir_entry(path)[0]
    try:
        parent_found = os.stat(parent)
    except OSError as exc:
        raise os_error("stat", parent, exc) from None
    if not stat.S_ISDIR(parent_found.st_mode):
        raise ArchiveError(NOT_DIRECTORY)
    return CopyInfo(path)


class Placement(NamedTuple):
    """Where a source's tar is extracted and how its top entry is renamed for the
    copy to land where `cp` says (PrepareArchiveCopy): `old` becomes `new`."""

    directory: str
    old: str = ""
    new: str = ""

    @property
    def renames(self) -> bool:
        return self.old != self.new


def place(source: CopyInfo, destination: CopyInfo) -> Placement:
    """PrepareArchiveCopy's decision: into an existing folder as is; over an existing
    file, as a new file or as a new folder under the destination's own name."""
    dst_dir, dst_base = split_path_dir_entry(destination.path)
    src_base = source.rebase or split_path_dir_entry(source.path)[1]
    if destination.exists and destination.is_dir:
        return Placement(destination.path)
    if destination.exists and source.is_dir:
        raise ArchiveError(CANNOT_COPY_DIR)
    if not destination.exists and not source.is_dir and asserts_directory(destination.path):
        raise ArchiveError(DIR_NOT_EXISTS)
    return Placement(dst_dir, src_base, dst_base)


def rename_entry(name: str, old: str, new: str) -> str:
    """RebaseArchiveEntries on one name: the first `old` becomes `new` (the root
    `/` counts as nothing, so `new` is put in front)."""
    if old == SEP:
        old = ""
    return name.replace(old, new, 1)


# ---------------------------------------------------------------- making a tar


def write_tar(source: CopyInfo, out: BinaryIO, placement: Placement | None = None) -> None:
    """TarResource (then PrepareArchiveCopy's renaming): the file or folder of
    `source`, its entries named from its last element (or its rebase name), as
    moby's TarWithOptions writes them: numeric owners only, whole seconds, hard
    links once, sockets left out, folders walked in name order."""
    folder, base = split_path_dir_entry(source.path)
    try:
        os.lstat(source.path)
    except OSError as exc:
        raise os_error("lstat", source.path, exc) from None
    own = (base, "" if source.rebase == SEP else source.rebase) if source.rebase else None
    renames = (
        [(placement.old, placement.new)] if placement is not None and placement.renames else []
    )
    root = folder + SEP + base if folder != SEP else SEP + base
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        seen: dict[tuple[int, int], str] = {}
        for path, relative in _walk(root, folder, base):
            name = relative.replace(own[0], own[1], 1) if own else relative
            _add(archive, path, name, renames, seen)


def _walk(root: str, folder: str, include: str) -> list[tuple[str, str]]:
    """filepath.WalkDir from `root` (links not followed, names in order): each path
    with its name relative to `folder` (`./x` under an include of `.`)."""
    found: list[tuple[str, str]] = []

    def visit(path: str) -> None:
        try:
            info = os.lstat(path)
        except OSError:
            return  # TarWithOptions skips what it cannot stat
        relative = os.path.relpath(path, folder) if folder else path
        if include == "." and relative != ".":
            relative = "./" + relative
        found.append((path, relative))
        if stat.S_ISDIR(info.st_mode):
            try:
                names = sorted(os.listdir(path))
            except OSError:
                return
            for name in names:
                visit(os.path.join(path, name))

    visit(root)
    return found


def _add(
    archive: tarfile.TarFile,
    path: str,
    name: str,
    renames: list[tuple[str, str]],
    seen: dict[tuple[int, int], str],
) -> None:
    info = os.lstat(path)
    mode = info.st_mode
    if stat.S_ISSOCK(mode):
        return  # the archive has no sockets
    entry = tarfile.TarInfo()
    if stat.S_ISDIR(mode) and not name.endswith(SEP):
        name += SEP
    for old, new in renames:
        name = rename_entry(name, old, new)
    entry.name = name
    entry.mode = stat.S_IMODE(mode)
    entry.uid, entry.gid = info.st_uid, info.st_gid
    entry.uname = entry.gname = ""
    entry.mtime = int(info.st_mtime)
    content: BinaryIO | None = None
    key = (info.st_dev, info.st_ino)
    if stat.S_ISREG(mode) and info.st_nlink > 1 and key in seen:
        entry.type, entry.linkname = tarfile.LNKTYPE, seen[key]
    elif stat.S_ISREG(mode):
        if info.st_nlink > 1:
            seen[key] = name
        entry.type, entry.size = tarfile.REGTYPE, info.st_size
        content = open(path, "rb")  # noqa: SIM115 - closed below
    elif stat.S_ISDIR(mode):
        entry.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(mode):
        entry.type, entry.linkname = tarfile.SYMTYPE, os.readlink(path)
    elif stat.S_ISFIFO(mode):
        entry.type = tarfile.FIFOTYPE
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        entry.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
        entry.devmajor, entry.devminor = os.major(info.st_rdev), os.minor(info.st_rdev)
    else:
        return
    try:
        archive.addfile(entry, content)
    finally:
        if content is not None:
            content.close()


# ---------------------------------------------------------------- extracting a tar

KEEP_OWNER = "keep"  # chown every entry to the uid/gid its header names


def extract(
    content: BinaryIO,
    dest: str,
    *,
    renames: list[tuple[str, str]] | None = None,
    owner: str | None = None,
) -> None:
    """Untar with NoOverwriteDirNonDir, as `docker cp` extracts (compressed streams
    too): files replace files, folders merge into folders, a folder never replaces a
    file nor the reverse, nothing lands outside `dest`. Modes and modification times
    are the entries'; owners are the caller's unless `owner` is KEEP_OWNER (the
    entries' uid/gid). `renames` are RebaseArchiveEntries' (old, new), in order."""
    dest = go_clean(dest)
    folders: list[tuple[str, float]] = []
    try:
        archive = tarfile.open(fileobj=content, mode="r|*")
    except tarfile.ReadError as exc:
        if "empty" in str(exc):
            return  # an empty stream is an empty archive, as Go's reader takes it
        raise ArchiveError(f"invalid tar stream: {exc}") from None
    with archive:
        try:
            for entry in archive:
                name = entry.name + (SEP if entry.isdir() else "")
                link = entry.linkname
                for old, new in renames or ():
                    name = rename_entry(name, old, new)
                    if entry.islnk():
                        link = rename_entry(link, old, new)
                done = _extract_entry(archive, entry, go_clean(name), link, dest, owner)
                if done is not None:
                    folders.append(done)
        except tarfile.TarError as exc:
            raise ArchiveError(f"invalid tar stream: {exc}") from None
    for path, mtime in folders:
        os.utime(path, (mtime, mtime))


def _inside(path: str, dest: str) -> bool:
    relative = os.path.relpath(path, dest)
    return relative != ".." and not relative.startswith(".." + SEP)


def _extract_entry(
    archive: tarfile.TarFile,
    entry: tarfile.TarInfo,
    name: str,
    link: str,
    dest: str,
    owner: str | None,
) -> tuple[str, float] | None:
    """One entry of Untar (createTarFile); a folder's path and time, set last. (The
    name is checked before its parent folders are made, unlike moby's Untar, so a
    hostile `../x` entry makes nothing outside `dest`.)"""
    path = go_join(dest, name)
    if not _inside(path, dest):
        raise ArchiveError(f"{go_quote(name)} is outside of {go_quote(dest)}")
    parent = go_dir(path)
    if not os.path.lexists(parent):
        os.makedirs(parent, 0o755, exist_ok=True)
    try:
        existing: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None:
        is_dir = stat.S_ISDIR(existing.st_mode)
        if is_dir and not entry.isdir():
            raise ArchiveError(
                f"cannot overwrite directory {go_quote(path)} with non-directory {go_quote(dest)}"
            )
        if not is_dir and entry.isdir():
            raise ArchiveError(
                f"cannot overwrite non-directory {go_quote(path)} with directory {go_quote(dest)}"
            )
        if is_dir and name == ".":
            return None
        if not is_dir:
            os.unlink(path)
    mode = entry.mode & 0o7777
    if entry.isdir():
        if existing is None:
            os.mkdir(path, mode & 0o777)
    elif entry.isreg():
        source = archive.extractfile(entry)
        with open(path, "wb") as target:
            while source is not None and (chunk := source.read(1 << 16)):
                target.write(chunk)
    elif entry.issym():
        if not go_join(go_dir(path), link).startswith(dest):
            raise ArchiveError(f"invalid symlink {go_quote(path)} -> {go_quote(link)}")
        os.symlink(link, path)
    elif entry.islnk():
        linked = go_join(dest, link)
        if not linked.startswith(dest):
            raise ArchiveError(f"invalid hardlink {go_quote(linked)} -> {go_quote(link)}")
        os.link(linked, path)
        return None  # the file it names has its mode and time already
    elif entry.ischr() or entry.isblk():
        kind = stat.S_IFCHR if entry.ischr() else stat.S_IFBLK
        os.mknod(path, kind | (mode & 0o777), os.makedev(entry.devmajor, entry.devminor))
    elif entry.isfifo():
        os.mkfifo(path, mode & 0o777)
    else:
        return None  # global headers and the like
    if owner == KEEP_OWNER:
        os.lchown(path, entry.uid, entry.gid)
    if entry.issym():
        os.utime(path, (entry.mtime, entry.mtime), follow_symlinks=False)
        return None
    os.chmod(path, mode)
    if entry.isdir():
        return path, entry.mtime
    os.utime(path, (entry.mtime, entry.mtime))
    return None
