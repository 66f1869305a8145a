"""What the process runtime's CLI tests share to leave nothing behind: whether a
process lives, and the teardown of a test project (`down`, then SIGKILL for any
process the project ever recorded that survived a failing test)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path


def process_exists(pid: int) -> bool:
    """A live process (zombies waiting for their reaper do not count)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


def tear_down(
    down: list[str], directory: Path, env: Mapping[str, str], seen_pids: Iterable[int]
) -> None:
    """Run the project's `down` command line, then kill what it recorded and left."""
    subprocess.run(down, cwd=directory, env=dict(env), capture_output=True, timeout=60)
    for pid in seen_pids:
        if pid > 1 and process_exists(pid):  # only the test's own, recorded processes
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
