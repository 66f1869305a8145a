"""Progress of the run commands on stderr, in the reference's four forms.

`tty`: a live block redrawn every 100 ms, one line per resource with a spinner, its
status and its time, under a `[+] Running done/total` header (what Docker Compose
v2.40 draws on a terminal, byte for byte: tests/runtime/test_progress.py compares
frames with the reference's). `plain`: one line per event (` Container p-web-1
Started`), what CI logs want. `json`: one JSON object per event. `quiet`: only
warnings. `--progress` (or COMPOSE_PROGRESS) and `--ansi` (or COMPOSE_ANSI) choose as
the reference does; `auto` is `tty` when stderr is a terminal.

Every sink is a callable taking orchestrator events and a context manager: leaving it
draws the final frame, so an error printed afterwards lands below the block.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time

from composer.errors import UsageError
from composer.orchestrator.events import (
    CONTAINER,
    IMAGE,
    INFO,
    NETWORK,
    SERVICE,
    STILL_IN_USE,
    VOLUME,
    WARNING,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from types import TracebackType
    from typing import Self, TextIO

    from composer.orchestrator.events import Event

AUTO, TTY, PLAIN, JSON, QUIET = "auto", "tty", "plain", "json", "quiet"
MODES = (AUTO, TTY, PLAIN, JSON, QUIET)

KINDS = {CONTAINER: "Container", NETWORK: "Network", VOLUME: "Volume", IMAGE: "Image"}
# Statuses whose detail is a short reason, shown in parentheses on the same line:
# ` Container p-web-1  Recreate (environment.FOO changed)`.
REASONS = frozenset({"Recreate"})
# The reference's in-progress words (its `Working` events); the others are done,
# `Running` (an unchanged container) included.
WORKING = frozenset(
    {"Creating", "Starting", "Waiting", "Stopping", "Removing", "Recreate", "Restarting",
     "Pulling", "Building", "Killing", "Aborting", "Pausing", "Unpausing", "Copying",
     "Exporting", "Committing"}
)  # fmt: skip
ERROR, WARNING_STATUS = "Error", "Warning"

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TICK = 0.1  # seconds between two frames, as the reference's ticker


def resolve_mode(
    progress: str | None,
    ansi: str | None,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """tty, plain, json or quiet for `--progress` and `--ansi` (else COMPOSE_PROGRESS
    and COMPOSE_ANSI), with the reference's refusals."""
    environ = os.environ if environ is None else environ
    wanted = (progress or environ.get("COMPOSE_PROGRESS") or AUTO).strip()
    colours = (ansi or environ.get("COMPOSE_ANSI") or AUTO).strip()
    if wanted == AUTO:
        if colours == "never":
            return PLAIN
        if colours == "always":
            return TTY
        return TTY if _is_terminal(stream or sys.stderr) else PLAIN
    if wanted == TTY:
        if colours == "never":
            raise UsageError("can't use --progress tty while ANSI support is disabled")
        return TTY
    if wanted == PLAIN:
        if colours == "always":
            raise UsageError("can't use --progress plain while ANSI support is forced")
        return PLAIN
    if wanted in (QUIET, "none"):
        return QUIET
    if wanted == JSON:
        return JSON
    raise UsageError(
        f'unsupported --progress value "{wanted}"',
        code="usage",
        hint="use auto, tty, plain, json or quiet",
    )


def open_progress(mode: str, stream: TextIO | None = None, title: str = "Running") -> ProgressSink:
    """The sink that renders events in `mode` (resolve_mode's answer); `title` heads
    the live block (`[+] Copying 2/2`)."""
    if mode == TTY:
        return LiveProgress(stream, title)
    if mode == JSON:
        return JsonProgress(stream)
    return PlainProgress(stream, quiet=mode == QUIET)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No redraw of the live block while the terminal is used for something else (a
    question); the next frame is drawn below what was written meanwhile."""
    live = LiveProgress.active
    if live is None:
        yield
        return
    with live.lock:
        live.drawn, live.lines = False, 0
        yield


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def resource(event: Event) -> str:
    """`Container p-web-1`: the reference's event id (a service's: its name alone)."""
    if event.kind == SERVICE:
        return str(event.instance)
    return f"{KINDS.get(event.kind, event.kind.capitalize())} {event.instance}"


def status_text(event: Event) -> str:
    """The status with its detail: `Recreate (environment.FOO changed)`, `Error  boom`."""
    first, _, _ = (event.detail or "").partition("\n")
    if first and event.status in REASONS:
        return f"{event.status} ({first})"
    if first:
        return f"{event.status}  {first}"
    return event.status


def plain_text(event: Event) -> str:
    """The event as plain lines: ` Container p-web-1  Started`, `warning: ...`."""
    if event.kind == WARNING:
        return f"warning: {event.detail}\n"
    if event.kind == INFO:
        return f"{event.detail}\n"
    if event.kind == SERVICE:  # the reference's `ID Text StatusText` line, as it is
        return f" {event.instance} {event.status} {event.detail}\n"
    lines = [f" {resource(event)}  {status_text(event)}"]
    _, _, extra = (event.detail or "").partition("\n")
    lines += [f"   {line}" for line in extra.splitlines()]
    return "\n".join(lines) + "\n"


class ProgressSink:
    """Takes events from any thread; a context manager whose exit ends the display."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.lock = threading.Lock()
        self._pending: list[str] = []
        self._writing = False

    def __call__(self, event: Event) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Nothing is pending in a line-per-event sink."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _send(self, text: str) -> None:
        """Write `text` now, or have the thread writing now take it along: threads that
        report at once share one write instead of each waiting for its own. Lines
        keep the order in which they arrived here."""
        with self.lock:
            self._pending.append(text)
            if self._writing:
                return
            self._writing = True
        while True:
            with self.lock:
                batch = "".join(self._pending)
                self._pending.clear()
                if not batch:
                    self._writing = False
                    return
            try:
                self._write(batch)
            except BaseException:
                with self.lock:
                    self._writing = False
                raise


class PlainProgress(ProgressSink):
    """` Container p-web-1  Started` lines; `quiet` keeps only warnings and notes."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        super().__init__(stream)
        self.quiet = quiet

    def __call__(self, event: Event) -> None:
        # quiet: warnings and notes, and what `down` could not remove (the reference
        # drops that progress warning too; Composer leaves nothing undone unsaid)
        if self.quiet and event.kind not in (WARNING, INFO) and event.status != STILL_IN_USE:
            return
        self._send(plain_text(event))


class JsonProgress(ProgressSink):
    """`{"id":"Container p-web-1","status":"Started"}` per event; warnings as the
    reference's JSON log records."""

    def __call__(self, event: Event) -> None:
        if event.kind in (WARNING, INFO):
            record = {
                "level": "warning" if event.kind == WARNING else "info",
                "msg": event.detail,
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        elif event.kind == SERVICE:
            record = {"id": resource(event), "text": event.status}
            if event.detail:
                record["status"] = event.detail
        else:
            record = {"id": resource(event), "status": event.status}
            if event.detail:
                record["text"] = event.detail
        self._send(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def service_line(event: Event) -> tuple[str, str, str]:
    """A SERVICE event as the live block draws it: the reference's `ID Text` (padded),
    its StatusText coloured, and the word that decides the icon: the Text for pull's
    (`Pulling`, `Error`), else the StatusText (cp's `Copying`, `Copied`)."""
    label = f"{event.instance} {event.status}"
    if event.status in WORKING or event.status in (ERROR, WARNING_STATUS):
        return label, event.detail, event.status
    return label, event.detail, event.detail


class _Task:
    """One resource's line: its status, and when it started and finished."""

    __slots__ = ("ident", "label", "status", "text", "started", "ended", "frame", "spun")

    def __init__(self, ident: str, status: str, text: str, now: float, label: str = "") -> None:
        self.ident, self.status, self.text = ident, status, text
        self.label = label or f"{ident} "  # what precedes the padding: `ID Text`
        self.started, self.ended = now, (None if status in WORKING else now)
        self.frame, self.spun = 0, now

    def update(self, status: str, text: str, now: float) -> None:
        if status not in WORKING and (self.ended is None or status != self.status):
            self.ended = now
        elif status in WORKING:
            self.ended = None
        self.status, self.text = status, text

    @property
    def working(self) -> bool:
        return self.ended is None

    def spinner(self, now: float) -> str:
        """The reference's spinner: the next frame at each draw once 100 ms have passed."""
        if now - self.spun > TICK:
            self.frame = (self.frame + 1) % len(SPINNER)
        return SPINNER[self.frame]


def _paint(code: str, text: str) -> str:
    return f"\x1b[{code}m{text}\x1b[0m"


GREEN, YELLOW, BLUE, YELLOW_BOLD, RED_BOLD = "32", "33", "34", "33;1", "31;1"


class LiveProgress(ProgressSink):
    """The terminal block: redrawn in place every 100 ms and once more at the end.

    Warnings and notes are not part of the block: before the first frame they are
    printed at once, after it they are kept and printed below the final frame (a
    line written into the block would be drawn over)."""

    active: LiveProgress | None = None  # the block being drawn now, for `paused`

    def __init__(self, stream: TextIO | None = None, title: str = "Running") -> None:
        super().__init__(stream)
        self.title = title
        self.tasks: dict[str, _Task] = {}
        self.lines = 0  # task lines of the last frame
        self.drawn = False
        self.tail: list[str] = []
        self.closed = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, event: Event) -> None:
        now = time.monotonic()
        with self.lock:
            if self.closed:  # the block is final: later events become lines below it
                self._write(plain_text(event))
                return
            if event.kind in (WARNING, INFO):
                if self.drawn:
                    self.tail.append(plain_text(event))
                else:
                    self._write(plain_text(event))
                return
            ident, text, status, label = resource(event), status_text(event), event.status, ""
            if event.kind == SERVICE:
                label, text, status = service_line(event)
            task = self.tasks.get(ident)
            if task is None:
                self.tasks[ident] = _Task(ident, status, text, now, label)
            else:
                task.update(status, text, now)
                task.label = label or task.label
            if self._ticker is None:
                LiveProgress.active = self
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self.lock:
                self._draw()

    def close(self) -> None:
        """Draw the final frame and the held warnings (once; later calls do nothing)."""
        self._stop.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join()
        with self.lock:
            if self.closed:
                return
            self.closed = True
            if LiveProgress.active is self:
                LiveProgress.active = None
            self._draw()
            if self.tail:
                self._write("".join(self.tail))
                self.tail.clear()

    def _width(self) -> int:
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            return 0

    def _draw(self) -> None:
        if not self.tasks:
            return
        now = time.monotonic()
        width = self._width()
        move = "\x1b[1A" * (self.lines + 1) if self.drawn else "\x1b[1A\x1b[1B"
        tasks = list(self.tasks.values())
        done = sum(1 for task in tasks if not task.working)
        header = f"[+] {self.title} {done}/{len(tasks)}"
        if done == len(tasks):
            header = _paint(BLUE, header)
        padding = max(len(task.label) for task in tasks)
        parts = [move, "\x1b[0G\x1b[?25l", header, "\n"]
        parts += [self._line(task, width, padding, now) for task in tasks]
        parts.append("\x1b[?25h")
        self._write("".join(parts))
        self.lines, self.drawn = len(tasks), True

    def _line(self, task: _Task, width: int, padding: int, now: float) -> str:
        """` ✔ Container p-web-1  Started<spaces>0.4s `, as the reference's lineText."""
        elapsed = (now if task.ended is None else task.ended) - task.started
        label = task.label
        status = task.text
        room = width - len(label) - padding - 15
        if room > 0 and len(status) > room:
            status = status[:room] + "..."
        if task.working:
            icon = _paint(YELLOW, task.spinner(now))
        elif task.status == ERROR:
            icon, status = _paint(RED_BOLD, "✘"), _paint(RED_BOLD, status)
        elif task.status in (WARNING_STATUS, STILL_IN_USE):
            icon, status = _paint(YELLOW_BOLD, "!"), _paint(YELLOW_BOLD, status)
        else:
            icon, status = _paint(GREEN, "✔"), _paint(GREEN, status)
        text = f" {icon} {label}{' ' * max(0, padding - len(label))} {status}"
        timer = f"{elapsed:.1f}s "
        gap = width - _visible(text) - len(timer)
        return f"{text}{' ' * gap if gap > 0 else ''}{_paint(BLUE, timer)}\n"


def _visible(text: str) -> int:
    """Characters a terminal shows (escape sequences `\\x1b[...m` take none)."""
    count, escaped = 0, False
    for char in text:
        if char == "\x1b":
            escaped = True
        elif escaped:
            escaped = char != "m"
        else:
            count += 1
    return count
