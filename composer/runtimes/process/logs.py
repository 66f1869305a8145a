"""Per-instance log files: the process writes them itself, we rotate, tail and follow.

The child's stdout and stderr are one O_APPEND file descriptor on `<name>.log`, so the
process keeps logging (in order) even after the supervisor dies; no pipe can fill
up or break. Rotation is copy-then-truncate (logrotate's `copytruncate`): the file
is copied to `<name>.log.1` (older copies shift to `.2`, ...) and truncated in
place; with O_APPEND the child's next write lands at the new end. Lines written
between the copy and the truncation can be lost; that window is microseconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Rotation:
    """Keep at most `max_files` files (the live one included) of `max_bytes` each."""

    max_bytes: int = 10 * 1024 * 1024
    max_files: int = 3


def rotated(path: Path, max_files: int) -> list[Path]:
    """The rotated copies of `path`, newest first: `.1`, `.2`, ..."""
    return [path.with_name(f"{path.name}.{n}") for n in range(1, max(max_files, 1))]


def all_files(path: Path, max_files: int) -> list[Path]:
    """The live file and its rotated copies, newest first."""
    return [path, *rotated(path, max_files)]


def open_for_child(path: Path) -> int:
    """An O_APPEND descriptor for the child's stdout and stderr (owner-only file)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def rotate_if_needed(path: Path, rotation: Rotation) -> bool:
    """Rotate `path` when it is larger than `rotation.max_bytes`; True if it did."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size <= rotation.max_bytes:
        return False
    copies = rotated(path, rotation.max_files)
    if not copies:  # max_files == 1: no copies kept, just start over
        os.truncate(path, 0)
        return True
    for older, newer in zip(reversed(copies), reversed(copies[:-1]), strict=False):
        if newer.exists():
            os.replace(newer, older)
    tmp = path.with_name(f".{path.name}.rotating")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst)
        src_size = src.tell()
    os.truncate(path, 0)
    os.chmod(tmp, 0o600)
    # Renaming gives `.1` a new inode: that is how a follower notices the rotation.
    os.replace(tmp, copies[0])
    return src_size > 0


def remove_all(path: Path, rotation: Rotation) -> None:
    for file in all_files(path, rotation.max_files):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r")


def _split(data: bytes) -> list[str]:
    """Lines of `data`; a final line without a newline counts, an empty tail does not."""
    if not data:
        return []
    if data.endswith(b"\n"):
        data = data[:-1]
    return [_decode(line) for line in data.split(b"\n")]


def _last_lines(path: Path, count: int, end: int | None = None) -> list[str]:
    """The last `count` lines of `path` up to byte `end`, reading backwards in blocks."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return []
    with handle:
        pos = (
            handle.seek(0, os.SEEK_END)
            if end is None
            else min(end, os.fstat(handle.fileno()).st_size)
        )
        data = b""
        while pos > 0 and data.count(b"\n") <= count:
            step = min(_BLOCK, pos)
            pos -= step
            handle.seek(pos)
            data = handle.read(step) + data
    if data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        return []
    lines = data.split(b"\n")
    if pos > 0:
        lines = lines[1:]  # the first piece may be the tail of an earlier line
    return [_decode(line) for line in lines[-count:]] if count else []


def tail_lines(
    path: Path, count: int | None, rotation: Rotation, end: int | None = None
) -> list[str]:
    """The last `count` lines over the live file and its rotated copies (all when None)."""
    files = all_files(path, rotation.max_files)
    if count is None:
        out: list[str] = []
        for file in reversed(files):
            try:
                data = file.read_bytes()
            except FileNotFoundError:
                continue
            if file == path and end is not None:
                data = data[:end]
            out.extend(_split(data))
        return out
    collected: list[str] = []
    for index, file in enumerate(files):
        need = count - len(collected)
        if need <= 0:
            break
        collected = _last_lines(file, need, end if index == 0 else None) + collected
    return collected


class Follower:
    """Reads lines appended to a log file, across copy-truncate rotations."""

    def __init__(self, path: Path, rotation: Rotation, offset: int | None = None) -> None:
        self.path = path
        self.rotation = rotation
        self.pos = self._size() if offset is None else offset
        self.partial = b""
        self.copy_id = self._copy_id()

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def _copy_id(self) -> tuple[int, int] | None:
        copies = rotated(self.path, self.rotation.max_files)
        if not copies:
            return None
        try:
            st = copies[0].stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_dev

    def _read(self, path: Path, start: int) -> tuple[bytes, int]:
        try:
            with open(path, "rb") as handle:
                handle.seek(start)
                data = handle.read()
        except FileNotFoundError:
            return b"", start
        return data, start + len(data)

    def poll(self) -> list[str]:
        """The complete lines written since the last poll."""
        data = b""
        copy_id = self._copy_id()
        rotated_now = copy_id != self.copy_id and copy_id is not None
        size = self._size()
        if rotated_now or size < self.pos:
            # What we had not read yet went into the newest copy; the live file restarts.
            if rotated_now:
                data, _ = self._read(rotated(self.path, self.rotation.max_files)[0], self.pos)
            self.copy_id = copy_id
            self.pos = 0
        more, self.pos = self._read(self.path, self.pos)
        data = self.partial + data + more
        lines = data.split(b"\n")
        self.partial = lines.pop()
        return [_decode(line) for line in lines]

    def flush(self) -> list[str]:
        """Whatever is left without a final newline (call once the writer has exited)."""
        rest = self.poll()
        if self.partial:
            rest.append(_decode(self.partial))
            self.partial = b""
        return rest
