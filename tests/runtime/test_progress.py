"""Progress output (composer/cli/progress.py): which form `--progress`/`--ansi` pick, and
the live block drawn on a real pseudo-terminal, frame by frame."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.cli.progress import (
    JSON,
    PLAIN,
    QUIET,
    TTY,
    JsonProgress,
    LiveProgress,
    PlainProgress,
    paused,
    resolve_mode,
)
from composer.errors import UsageError
from composer.orchestrator.events import CONTAINER, NETWORK, WARNING, Event
from tests.reference import reference_binary

COLUMNS = 100


class Terminal:
    """A pseudo-terminal COLUMNS wide: the program writes to `stream`, the test reads
    what a terminal would receive from `read()`."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~termios.OPOST  # no \n -> \r\n: compare the bytes written
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.stream = io.TextIOWrapper(os.fdopen(slave, "wb", buffering=0), encoding="utf-8")
        os.set_blocking(self.master, False)

    def read(self) -> str:
        chunks = []
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8")

    def close(self) -> None:
        self.stream.close()
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal()
    yield term
    term.close()


def frames(output: str) -> list[str]:
    """The frames drawn (each ends by showing the cursor again)."""
    return [f for f in output.split("\x1b[?25h") if f]


def visible(line: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line)


# ---------------------------------------------------------------- choosing the form


@pytest.mark.parametrize(
    ("progress", "ansi", "terminal", "mode"),
    [
        (None, None, True, TTY),
        (None, None, False, PLAIN),
        ("auto", "never", True, PLAIN),
        ("auto", "always", False, TTY),
        ("tty", None, False, TTY),
        ("plain", None, True, PLAIN),
        ("json", None, True, JSON),
        ("quiet", None, True, QUIET),
        ("none", None, True, QUIET),
        ("plain", "never", True, PLAIN),
        ("tty", "always", False, TTY),
    ],
)
def test_progress_and_ansi_pick_the_form(
    progress: str | None, ansi: str | None, terminal: bool, mode: str
) -> None:
    stream = io.StringIO()
    stream.isatty = lambda: terminal  # type: ignore[method-assign]
    assert resolve_mode(progress, ansi, stream, environ={}) == mode


def test_environment_variables_are_the_defaults() -> None:
    environ = {"COMPOSE_PROGRESS": "json", "COMPOSE_ANSI": "never"}
    assert resolve_mode(None, None, io.StringIO(), environ) == JSON
    assert resolve_mode("plain", None, io.StringIO(), environ) == PLAIN
    assert resolve_mode(None, None, io.StringIO(), {"COMPOSE_ANSI": "always"}) == TTY


REFUSED = [
    ("tty", "never", "can't use --progress tty while ANSI support is disabled"),
    ("plain", "always", "can't use --progress plain while ANSI support is forced"),
    ("bogus", None, 'unsupported --progress value "bogus"'),
]


@pytest.mark.parametrize(("progress", "ansi", "message"), REFUSED)
def test_refusals_are_the_references(
    progress: str, ansi: str | None, message: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError) as refused:
        resolve_mode(progress, ansi, io.StringIO(), environ={})
    assert refused.value.message == message
    binary = reference_binary()
    if binary is None:
        pytest.skip("reference docker-compose binary not installed")
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: busybox\n")
    argv = [str(binary), "--progress", progress, *(["--ansi", ansi] if ansi else []), "ps"]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DOCKER_HOST": "unix:///nonexistent",
    }
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip() == message


# ---------------------------------------------------------------- plain, json, quiet


def test_plain_lines_and_quiet() -> None:
    stream = io.StringIO()
    printer = PlainProgress(stream)
    printer(Event(CONTAINER, "web", "p-web-1", "Recreate", "environment.A changed"))
    printer(Event(CONTAINER, "web", "p-web-1", "Error", "boom\nlast output:\n  x"))
    printer(Event(WARNING, detail="careful"))
    assert stream.getvalue() == (
        " Container p-web-1  Recreate (environment.A changed)\n"
        " Container p-web-1  Error  boom\n"
        "   last output:\n"
        "     x\n"
        "warning: careful\n"
    )
    quiet = io.StringIO()
    muted = PlainProgress(quiet, quiet=True)
    muted(Event(CONTAINER, "web", "p-web-1", "Started"))
    muted(Event(WARNING, detail="careful"))
    assert quiet.getvalue() == "warning: careful\n"


def test_json_lines_are_the_references_shape() -> None:
    stream = io.StringIO()
    printer = JsonProgress(stream)
    printer(Event(NETWORK, None, "p_default", "Created"))
    printer(Event(CONTAINER, "web", "p-web-1", "Recreate", "image changed"))
    printer(Event(WARNING, detail="careful"))
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first == {"id": "Network p_default", "status": "Created"}
    assert second == {"id": "Container p-web-1", "status": "Recreate", "text": "image changed"}
    assert third["level"] == "warning" and third["msg"] == "careful"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", third["time"])
    assert stream.getvalue().startswith('{"id":"Network p_default","status":"Created"}\n')


# ---------------------------------------------------------------- the live block


def test_live_block_frames(terminal: Terminal) -> None:
    live = LiveProgress(terminal.stream)
    live(Event(NETWORK, None, "p_default", "Created"))
    live(Event(CONTAINER, "a", "p-a-1", "Starting"))
    time.sleep(0.35)  # three frames or so with a spinning line
    live(Event(CONTAINER, "a", "p-a-1", "Started"))
    live.close()
    drawn = frames(terminal.read())
    assert len(drawn) >= 3
    first, last = drawn[0], drawn[-1]
    # the first frame moves nowhere, later ones go back up over the header and lines
    assert first.startswith("\x1b[1A\x1b[1B\x1b[0G\x1b[?25l[+] Running 1/2\n")
    assert last.startswith("\x1b[1A" * 3 + "\x1b[0G\x1b[?25l")
    header, network, container, end = last.split("\n")[:4]
    assert visible(header) == "[+] Running 2/2"
    assert header.endswith("\x1b[34m[+] Running 2/2\x1b[0m")  # blue when all are done
    for line, name, status in ((network, "Network p_default", "Created"),
                               (container, "Container p-a-1", "Started")):  # fmt: skip
        assert len(visible(line)) == COLUMNS
        assert line.startswith(" \x1b[32m✔\x1b[0m ")
        assert f"\x1b[32m{status}\x1b[0m" in line
        assert re.search(r"\x1b\[34m\d+\.\ds \x1b\[0m$", line)
        # names padded to the longest plus one, then one space before the status
        width = len("Network p_default") + 1  # the longest name, plus one
        assert visible(line).startswith(f" ✔ {name.ljust(width)} {status} ")
    assert end == ""
    seen = [re.search(r"\x1b\[33m(.)\x1b\[0m Container p-a-1", f) for f in drawn]
    shown = [m.group(1) for m in seen if m]
    assert shown, "the working line was drawn with a spinner"
    assert set(shown) <= set("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
    assert len(set(shown)) == len(shown), "a new spinner frame at each draw after 100 ms"


def test_warnings_go_below_the_final_frame(terminal: Terminal) -> None:
    live = LiveProgress(terminal.stream)
    live(Event(WARNING, detail="before anything"))
    live(Event(CONTAINER, "a", "p-a-1", "Creating"))
    time.sleep(0.15)
    live(Event(WARNING, detail="while drawing"))
    live(Event(CONTAINER, "a", "p-a-1", "Created"))
    live.close()
    live(Event(CONTAINER, "a", "p-a-1", "Started"))  # after the end: a plain line
    output = terminal.read()
    assert output.startswith("warning: before anything\n")
    drawing, after = output.rsplit("\x1b[?25h", 1)
    assert "while drawing" not in drawing
    assert after == "warning: while drawing\n Container p-a-1  Started\n"


def test_long_status_is_cut_and_errors_are_red(terminal: Terminal) -> None:
    live = LiveProgress(terminal.stream)
    live(Event(CONTAINER, "a", "p-a-1", "Error", "x" * 200))
    live.close()
    line = frames(terminal.read())[-1].split("\n")[1]
    assert line.startswith(" \x1b[31;1m✘\x1b[0m Container p-a-1  \x1b[31;1mError  xxx")
    # the status keeps COLUMNS - len("Container p-a-1 ") - padding - 15 characters
    room = COLUMNS - 16 - 16 - 15
    assert "\x1b[31;1mError  " + "x" * (room - len("Error  ")) + "...\x1b[0m" in line
    assert len(visible(line)) == COLUMNS


def test_paused_block_is_drawn_again_below(terminal: Terminal) -> None:
    live = LiveProgress(terminal.stream)
    live(Event(CONTAINER, "a", "p-a-1", "Creating"))
    time.sleep(0.15)
    with paused():
        terminal.stream.write("Recreate? [y/N] ")
        terminal.stream.flush()
        time.sleep(0.25)  # no frame while the question waits
    live.close()
    output = terminal.read()
    question = output.index("Recreate? [y/N] ")
    after = output[question + len("Recreate? [y/N] ") :]
    assert "\x1b[1A\x1b[1B\x1b[0G" in after  # a fresh block, not drawn over the question
    assert after.count("\x1b[1A\x1b[1B") == 1


def test_lines_from_many_threads_are_all_written_whole_and_in_order() -> None:
    """Threads reporting at once share writes; no line is lost, split or reordered
    within its thread, and fewer writes than lines reach the stream."""
    import threading

    class Counting(io.StringIO):
        writes = 0

        def write(self, text: str) -> int:
            Counting.writes += 1
            time.sleep(0.0005)  # a slow terminal or pipe: others arrive meanwhile
            return super().write(text)

    stream = Counting()
    printer = PlainProgress(stream)

    def report(worker: int) -> None:
        for step in range(50):
            printer(Event(CONTAINER, "s", f"p-s{worker}-{step}", "Started"))

    threads = [threading.Thread(target=report, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 30 * 50 and len(set(lines)) == len(lines)
    for worker in range(30):
        mine = [line for line in lines if f"p-s{worker}-" in line]
        assert mine == [f" Container p-s{worker}-{step}  Started" for step in range(50)]
    assert Counting.writes < len(lines)


def test_service_lines_and_the_title_are_the_references(terminal: Terminal) -> None:
    """A SERVICE event (`cp`'s, `pull`'s) is the reference's `ID Text` padded, then its
    StatusText coloured by the step's state; the title heads the block, as the
    reference draws `[+] Copying 2/2` (bytes from docker compose cp on a terminal)."""
    from composer.orchestrator.events import SERVICE

    live = LiveProgress(terminal.stream, title="Copying")
    text = "copy f.txt to p-app-1:/tmp/"
    live(Event(SERVICE, "app", "p-app-1", text, "Copying"))
    live(Event(SERVICE, "app", "p-app-10", text.replace("1:", "10:"), "Copying"))
    time.sleep(0.15)
    first = frames(terminal.read())[0]
    assert "[+] Copying 0/2\n" in first
    assert re.search(r" \x1b\[33m.\x1b\[0m p-app-1 copy f.txt to p-app-1:/tmp/   Copying", first)
    live(Event(SERVICE, "app", "p-app-1", text, "Copied"))
    live(Event(SERVICE, "app", "p-app-10", text.replace("1:", "10:"), "Copied"))
    live.close()
    header, line = frames(terminal.read())[-1].split("\n")[:2]
    assert visible(header) == "[+] Copying 2/2"
    assert line.startswith(
        # padded to the longest `ID Text` (p-app-10's, two longer), then one space
        " \x1b[32m✔\x1b[0m p-app-1 copy f.txt to p-app-1:/tmp/   \x1b[32mCopied\x1b[0m "
    )
    assert len(visible(line)) == COLUMNS
