"""The README's main job works as written: the example comes up on the process
runtime, answers, and goes down leaving nothing behind."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_quickstart_script(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, WEB_PORT=str(port), COMPOSER_STATE_DIR=str(tmp_path / "state"))
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/quickstart.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "migrations applied" in done.stdout
    assert "\n200\n" in done.stdout
    with socket.socket() as sock:  # down closed the port
        assert sock.connect_ex(("127.0.0.1", port)) != 0
