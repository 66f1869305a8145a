"""Running a command on a pseudo-terminal, as a user at a terminal would: stdin,
stdout and stderr on it, a window size, keys typed once the program is ready."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from pathlib import Path


def at_terminal(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    typed: bytes = b"",
    ready: bytes = b"",
    rows: int = 30,
    columns: int = 100,
    timeout: float = 60.0,
) -> tuple[bytes, int]:
    """What `argv` writes to a terminal of `rows` x `columns`, and its exit code;
    `typed` is written once `ready` has appeared in its output."""
    import pty

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,  # the terminal becomes its controlling one
    )
    os.close(follower)
    output = b""
    pending = typed
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if pending and ready in output:
                os.write(leader, pending)
                pending = b""
            readable, _, _ = select.select([leader], [], [], 0.2)
            if not readable:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with its last writer
                break
            if not chunk:
                break
            output += chunk
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return output, code
