"""`stats` on the process runtime: each instance's process group measured from /proc
and written in the Docker CLI's forms (composer/runtimes/docker/stats.py), so the
table, JSON and templates read the same on both runtimes.

CPU % is the group's utime+stime over two readings `INTERVAL` apart (100% is one
busy CPU, as Docker's); memory the summed resident sets against the host's
MemTotal; BLOCK I/O the members' /proc/PID/io read_bytes/write_bytes; PIDS the
group's members. Host processes share the host's network, so NET I/O is `--`.
Only what the members alive at the reading hold is counted (an exited child's
CPU time and I/O are gone from /proc).
"""

from __future__ import annotations

import hashlib
import os
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.process.state import InstanceRecord

INTERVAL = 0.5  # seconds between the two CPU readings


class GroupSample:
    """One reading of a process group: CPU ticks, resident bytes, block I/O, members."""

    __slots__ = ("cpu_ticks", "rss", "read", "written", "pids")

    def __init__(self) -> None:
        self.cpu_ticks = 0
        self.rss = 0
        self.read = 0
        self.written = 0
        self.pids = 0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _io(pid: int) -> tuple[int, int]:
    read = written = 0
    try:
        with open(f"/proc/{pid}/io", encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key == "read_bytes":
                    read = int(value)
                elif key == "write_bytes":
                    written = int(value)
    except (OSError, ValueError):
        pass  # gone, or another user's
    return read, written


def group_sample(pgid: int, since_ticks: int) -> GroupSample:
    from composer.runtimes.process.pstable import group_processes

    sample = GroupSample()
    for member in group_processes(pgid, since_ticks):
        sample.pids += 1
        sample.cpu_ticks += member.cpu_ticks
        sample.rss += _rss(member.pid)
        read, written = _io(member.pid)
        sample.read += read
        sample.written += written
    return sample


def mem_total() -> int:
    """The host's MemTotal in bytes (the limit a host process has)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def stats_row(
    name: str,
    first: GroupSample | None,
    last: GroupSample | None,
    elapsed: float,
    limit: int,
    *,
    trunc: bool = True,
) -> dict[str, str]:
    """The Docker CLI's stats fields for one instance; a stopped one (no samples) as
    the zeros Docker prints for a stopped container. The ID is `ps`'s (the name's
    sha256), so the two commands agree."""
    from composer.runtimes.docker.stats import bytes_size, percentage
    from composer.runtimes.psformat import human_size

    ident = hashlib.sha256(name.encode()).hexdigest()
    cpu = 0.0
    if first is not None and last is not None and elapsed > 0:
        delta = max(0, last.cpu_ticks - first.cpu_ticks) / os.sysconf("SC_CLK_TCK")
        cpu = delta / elapsed * 100.0
    used = last.rss if last is not None else 0
    limit = limit if last is not None else 0
    return {
        "BlockIO": f"{human_size(last.read if last else 0)} / "
        f"{human_size(last.written if last else 0)}",
        "CPUPerc": percentage(cpu),
        "Container": ident,
        "ID": ident[:12] if trunc else ident,
        "MemPerc": percentage(used / limit * 100.0 if limit else 0.0),
        "MemUsage": f"{bytes_size(used)} / {bytes_size(limit)}",
        "Name": name,
        "NetIO": "--" if last is not None else "0B / 0B",
        "PIDs": str(last.pids if last is not None else 0),
    }


def project_stats(
    records: list[tuple[InstanceRecord, bool]], *, trunc: bool = True
) -> list[dict[str, str]]:
    """Rows for (record, running) pairs, newest start first: every running group is
    read, then read again after INTERVAL, so the wait is paid once."""
    records = sorted(records, key=lambda item: -(item[0].started_at or 0.0))
    groups = {
        id(record): (record.pgid, record.start_ticks)
        for record, running in records
        if running and record.pgid and record.start_ticks is not None
    }
    started = time.monotonic()
    first = {key: group_sample(pgid, ticks) for key, (pgid, ticks) in groups.items()}
    if groups:
        time.sleep(INTERVAL)
    elapsed = time.monotonic() - started  # each group is read at the same offset twice
    last = {key: group_sample(pgid, ticks) for key, (pgid, ticks) in groups.items()}
    limit = mem_total()
    return [
        stats_row(
            record.ref.name,
            first.get(id(record)),
            last.get(id(record)),
            elapsed,
            limit,
            trunc=trunc,
        )
        for record, _ in records
    ]
