"""`top` on the process runtime: the processes of an instance's process group with
the columns the Docker engine's top shows (it runs `ps -ef`), read from /proc.

The columns are procps' for `ps -f`: UID (user name, cut to 7 characters and `+`
when longer than 8), PID, PPID, C (the integer CPU percentage over the process's
lifetime, at most 99), STIME (HH:MM today, MonDD this year, else the year), TTY
(`?` without a terminal), TIME (CPU time, [D-]HH:MM:SS) and CMD (the arguments, or
`[name]` when there are none, `<defunct>` added for a zombie).
"""

from __future__ import annotations

import os
import time

TITLES = ("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD")


class _Stat:
    """The fields of /proc/<pid>/stat `top` needs."""

    __slots__ = ("pid", "name", "state", "ppid", "pgrp", "tty", "cpu_ticks", "start_ticks")

    def __init__(self, pid: int, raw: str) -> None:
        opening, closing = raw.find("("), raw.rfind(")")
        self.pid = pid
        self.name = raw[opening + 1 : closing]  # may hold spaces and parentheses
        fields = raw[closing + 2 :].split()
        self.state = fields[0]  # field 3
        self.ppid = int(fields[1])
        self.pgrp = int(fields[2])
        self.tty = int(fields[4])  # field 7, tty_nr
        self.cpu_ticks = int(fields[11]) + int(fields[12])  # utime + stime
        self.start_ticks = int(fields[19])  # field 22


def _stat(pid: int) -> _Stat | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return _Stat(pid, handle.read().decode("utf-8", "replace"))
    except (OSError, IndexError, ValueError):
        return None  # gone, or not readable


def group_processes(pgid: int, since_ticks: int) -> list[_Stat]:
    """Every process of group `pgid` that started at or after `since_ticks` (zombies
    too, as ps lists them), by pid; none when a live process holds the number `pgid`
    with another start time: the group is then someone else's."""
    leader = _stat(pgid)
    if leader is not None and leader.start_ticks != since_ticks:
        return []
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None and found.pgrp == pgid and found.start_ticks >= since_ticks:
                members.append(found)
    return sorted(members, key=lambda s: s.pid)


def _user(pid: int) -> str:
    """The effective user's name (procps' width of 8: longer names end in `+`)."""
    uid = None
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("Uid:"):
                    uid = int(line.split()[2])
                    break
    except (OSError, ValueError, IndexError):
        pass
    if uid is None:
        return "?"
    import pwd

    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
    return name if len(name) <= 8 else name[:7] + "+"


def tty_name(tty_nr: int) -> str:
    """`pts/3`, `tty1`, `ttyS0`, or `?` (no terminal, or one ps would look up)."""
    if tty_nr == 0:
        return "?"
    major = (tty_nr >> 8) & 0xFFF
    minor = (tty_nr & 0xFF) | ((tty_nr >> 12) & 0xFFF00)
    if 136 <= major <= 143:
        return f"pts/{(major - 136) * 256 + minor}"
    if major == 4:
        return f"tty{minor}" if minor < 64 else f"ttyS{minor - 64}"
    return "?"


def start_time(started: float, now: float) -> str:
    """procps' STIME: `HH:MM` on the day it started, `MonDD` in its year, else `YYYY`."""
    then, today = time.localtime(started), time.localtime(now)
    if then.tm_year != today.tm_year:
        return time.strftime("%Y", then)
    if then.tm_yday != today.tm_yday:
        return time.strftime("%b%d", then)
    return time.strftime("%H:%M", then)


def cpu_time(seconds: int) -> str:
    """procps' TIME: `HH:MM:SS`, with `D-` in front past a day."""
    days, rest = divmod(seconds, 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}-{clock}" if days else clock


def cpu_percent(cpu_ticks: int, elapsed: int, hertz: int) -> int:
    """procps' C: CPU time over wall time since the start, in whole percent, capped."""
    return min(99, cpu_ticks * 100 // hertz // elapsed) if elapsed > 0 else 0


def _command(found: _Stat) -> str:
    try:
        with open(f"/proc/{found.pid}/cmdline", "rb") as handle:
            raw = handle.read()
    except OSError:
        raw = b""
    args = [a.decode("utf-8", "replace") for a in raw.rstrip(b"\0").split(b"\0") if raw]
    text = " ".join(args)
    text = "".join(c if c.isprintable() else "?" for c in text)
    if not text:
        text = f"[{found.name}]"
    return text + (" <defunct>" if found.state == "Z" else "")


def _boot_time() -> float:
    with open("/proc/stat", encoding="ascii", errors="replace") as handle:
        for line in handle:
            if line.startswith("btime "):
                return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_rows(pgid: int, since_ticks: int) -> list[list[str]]:
    """The `ps -ef` cells (TITLES) of every process of the group, by pid."""
    members = group_processes(pgid, since_ticks)
    if not members:
        return []
    hertz = os.sysconf("SC_CLK_TCK")
    with open("/proc/uptime", encoding="ascii") as handle:
        uptime = int(float(handle.read().split()[0]))
    boot, now = _boot_time(), time.time()
    rows = []
    for found in members:
        rows.append(
            [
                _user(found.pid),
                str(found.pid),
                str(found.ppid),
                str(cpu_percent(found.cpu_ticks, uptime - found.start_ticks // hertz, hertz)),
                start_time(boot + found.start_ticks // hertz, now),
                tty_name(found.tty),
                cpu_time(found.cpu_ticks // hertz),
                _command(found),
            ]
        )
    return rows
