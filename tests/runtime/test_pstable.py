"""`top` on the process runtime (composer/runtimes/process/pstable.py): the columns
read from /proc are the ones `ps -ef` prints (the Docker engine's top runs it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from composer.runtimes.process.pstable import (
    TITLES,
    cpu_percent,
    cpu_time,
    group_processes,
    process_rows,
    start_time,
    tty_name,
)
from composer.runtimes.process.state import start_ticks

COMMANDS = ["sh -c sleep 300 & sleep 301 & wait", "sleep 300", "sleep 301"]


@pytest.fixture
def group() -> Iterator[subprocess.Popen[bytes]]:
    """A shell leading its own process group, with two children."""
    script = COMMANDS[0].removeprefix("sh -c ")
    leader = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    assert leader.pid > 1 and os.getpgid(leader.pid) == leader.pid
    try:
        deadline = time.monotonic() + 10
        ticks = start_ticks(leader.pid) or 0
        while [r[7] for r in process_rows(leader.pid, ticks)] != COMMANDS:
            assert time.monotonic() < deadline, "the children did not start"
            time.sleep(0.02)
        yield leader
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader.pid, signal.SIGKILL)  # the group this fixture started, by id
        leader.wait()


def ps_ef() -> dict[str, list[str]]:
    """`ps -ef` split as the engine splits it: by blanks, CMD the rest (unlimited
    width, as the engine runs it: no COLUMNS)."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    lines = subprocess.run(
        ["ps", "-ef"], capture_output=True, text=True, check=True, env=env
    ).stdout
    titles, *rows = lines.splitlines()
    assert titles.split() == list(TITLES)
    found = {}
    for line in rows:
        fields = line.split()
        found[fields[1]] = fields[:7] + [" ".join(fields[7:])]
    return found


@pytest.mark.skipif(shutil.which("ps") is None, reason="needs procps' ps")
def test_the_group_s_processes_are_what_ps_ef_shows(group: subprocess.Popen[bytes]) -> None:
    ticks = start_ticks(group.pid)
    assert ticks is not None
    ours = process_rows(group.pid, ticks)
    theirs = ps_ef()
    assert [r[1] for r in ours] == sorted((r[1] for r in ours), key=int)
    assert [r[7] for r in ours] == COMMANDS
    for cells in ours:
        assert cells == theirs[cells[1]]
    assert ours[1][2] == ours[2][2] == str(group.pid)  # the children's PPID


def test_a_group_whose_leader_number_was_reused_is_not_ours(
    group: subprocess.Popen[bytes],
) -> None:
    ticks = start_ticks(group.pid)
    assert ticks is not None
    assert group_processes(group.pid, ticks + 1) == []  # another start time: a reused pid
    assert process_rows(group.pid, ticks + 1) == []
    assert all(p.pgrp == group.pid for p in group_processes(group.pid, ticks))
    assert os.getpid() not in [p.pid for p in group_processes(group.pid, ticks)]


def test_the_columns_formats() -> None:
    assert tty_name(0) == "?"
    assert tty_name((136 << 8) | 3) == "pts/3"
    assert tty_name((137 << 8) | 1) == "pts/257"
    assert tty_name((4 << 8) | 1) == "tty1"
    assert tty_name((4 << 8) | 65) == "ttyS1"
    assert cpu_time(0) == "00:00:00"
    assert cpu_time(3725) == "01:02:05"
    assert cpu_time(90061) == "1-01:01:01"
    assert cpu_percent(50, 100, 100) == 0  # 0.5 s of CPU in 100 s
    assert cpu_percent(3000, 100, 100) == 30
    assert cpu_percent(50000, 100, 100) == 99  # capped, as procps caps it
    assert cpu_percent(5, 0, 100) == 0
    now = time.mktime((2024, 6, 15, 12, 0, 0, 0, 0, -1))
    assert start_time(now - 3600, now) == "11:00"
    assert start_time(now - 3 * 86400, now) == "Jun12"
    assert start_time(now - 400 * 86400, now) == "2023"
