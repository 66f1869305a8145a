"""Per-project state records, so any later shell can find (and stop) what `up` started.

Each instance has one JSON record in `<state root>/<project>/<instance name>.json`
(directory mode 0700). A record names the process by pid AND its start time (field 22
of /proc/<pid>/stat, in clock ticks since boot): a pid whose start time differs is a
reused pid and never ours, so it is neither reported nor signalled. Writers take an
flock on the project's `.lock` file, so a supervisor and a `composer stop` in another
shell do not lose each other's updates.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from composer.runtimes.base import CREATED, InstanceRef

RECORD_SUFFIX = ".json"


# ------------------------------------------------------------------ /proc access


def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state letter, process group, start ticks) of `pid`, or None if it does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ')'.
    rest = raw[raw.rfind(")") + 2 :].split()
    try:
        return rest[0], int(rest[2]), int(rest[19])  # fields 3, 5 and 22
    except (IndexError, ValueError):
        return None


def start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat: when the process started, in ticks since boot."""
    stat = proc_stat(pid)
    return None if stat is None else stat[2]


def is_alive(pid: int | None, ticks: int | None) -> bool:
    """True when `pid` runs (not a zombie) and is the process that started at `ticks`."""
    if not pid or ticks is None:
        return False
    stat = proc_stat(pid)
    return stat is not None and stat[0] not in "ZXx" and stat[2] == ticks


def group_members(pgid: int, since_ticks: int) -> list[int]:
    """Live (non-zombie) processes of group `pgid` that started at or after `since_ticks`
    (just the leader when it is alive: /proc is only scanned once it is gone).

    A process that started before our group leader cannot belong to our group. When
    a live process holds the pid `pgid` with another start time, the number was
    reused for a new group and nothing in it is ours.
    """
    try:
        os.killpg(pgid, 0)  # cheap: no process at all in the group -> nothing to scan
    except ProcessLookupError:
        return []
    except PermissionError:
        pass  # something exists in the group (not ours to signal): scan to be sure
    leader = proc_stat(pgid)
    if leader is not None and leader[2] != since_ticks:
        return []
    if leader is not None and leader[0] not in "ZXx":
        return [pgid]  # the live leader is a member; callers only ask "anything left?"
    members: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return members
    for entry in entries:
        if not entry.isdigit():
            continue
        stat = proc_stat(int(entry))
        if stat is None or stat[0] in "ZXx" or stat[1] != pgid or stat[2] < since_ticks:
            continue
        members.append(int(entry))
    return members


# ------------------------------------------------------------------ records


@dataclass
class InstanceRecord:
    """Everything persisted about one instance (one JSON file)."""

    project: str
    service: str
    index: int = 1
    oneoff: bool = False
    slug: str = ""
    status: str = CREATED
    pid: int | None = None
    pgid: int | None = None
    start_ticks: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    restart_count: int = 0
    health: str | None = None
    config_hash: str | None = None
    command: list[str] = field(default_factory=list)
    working_dir: str = ""
    log_files: list[str] = field(default_factory=list)
    publishers: list[dict[str, Any]] = field(default_factory=list)
    # Set by `stop`, cleared by `start`: restart policies never undo an explicit stop.
    stopped: bool = False
    # Set by `pause` (the group got SIGSTOP), cleared by `unpause` and by a new run.
    paused: bool = False
    # The process that runs health probes, restarts and proxies for this instance.
    supervisor_pid: int | None = None
    supervisor_ticks: int | None = None

    @property
    def ref(self) -> InstanceRef:
        return InstanceRef(self.project, self.service, self.index, self.oneoff, self.slug)

    def alive(self) -> bool:
        return is_alive(self.pid, self.start_ticks)

    def supervised(self) -> bool:
        return is_alive(self.supervisor_pid, self.supervisor_ticks)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> InstanceRecord:
        data = json.loads(text)
        if not isinstance(data, dict) or not all(
            isinstance(data.get(key), str) for key in ("project", "service")
        ):
            raise ValueError("not an instance record")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


class ProjectState:
    """The state directory of one project: records, logs and the writers' lock."""

    def __init__(self, root: Path | str, project: str) -> None:
        self.root = Path(root)
        self.project = project
        self.dir = self.root / project
        self.log_dir = self.dir / "logs"

    def ensure(self) -> None:
        """Create the directories owner-only (mode 0700): logs and commands may hold secrets."""
        for directory in (self.root, self.dir, self.log_dir):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for directory in (self.dir, self.log_dir):
            os.chmod(directory, 0o700)

    def record_path(self, ref: InstanceRef) -> Path:
        return self.dir / (ref.name + RECORD_SUFFIX)

    def log_path(self, ref: InstanceRef) -> Path:
        return self.log_dir / (ref.name + ".log")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive flock over the project's records (across threads and processes)."""
        self.ensure()
        fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def read(self, ref: InstanceRef) -> InstanceRecord | None:
        try:
            text = self.record_path(ref).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return InstanceRecord.from_json(text)
        except (ValueError, TypeError):
            return None  # a torn or foreign file is not an instance

    def write(self, record: InstanceRecord) -> None:
        """Replace the record atomically (write a temporary file, then rename)."""
        self.ensure()
        import tempfile  # here: the Docker runtime imports this module for its paths only

        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=RECORD_SUFFIX)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(record.to_json())
            os.replace(tmp, self.record_path(record.ref))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def update(
        self, ref: InstanceRef, change: Callable[[InstanceRecord], None]
    ) -> InstanceRecord | None:
        """Read, change and write one record under the lock; None if it does not exist."""
        with self.locked():
            record = self.read(ref)
            if record is None:
                return None
            change(record)
            self.write(record)
            return record

    def delete(self, ref: InstanceRef) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.record_path(ref).unlink()

    def records(self) -> list[InstanceRecord]:
        """Every record of the project, in name order."""
        try:
            names = sorted(os.listdir(self.dir))
        except FileNotFoundError:
            return []
        out: list[InstanceRecord] = []
        prefix = self.project + "-"
        for name in names:
            # Other files live here too (the supervisor's project.json, sockets, ...).
            if not name.startswith(prefix) or not name.endswith(RECORD_SUFFIX):
                continue
            try:
                record = InstanceRecord.from_json((self.dir / name).read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError):
                continue
            if record.project == self.project:
                out.append(record)
        return out
