"""This terminal's side of `exec`, `run` and `attach`: our stdin to the instance,
its output to our stdout and stderr, and, with a pseudo-terminal, raw mode and the
window size, as the Docker CLI's hijacked-stream handling does.

The decision of a TTY differs from the reference in one case on purpose: it
allocates one whenever stdout is a terminal and then refuses a piped stdin ("the
input device is not a TTY"); here a piped stdin simply gets no TTY, as with `-T`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

from composer.runtimes.base import Interactive

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from composer.runtimes.protocol import InstanceStreams


def wants_tty(no_tty: bool) -> bool:
    """A pseudo-terminal unless `-T`, when both our stdin and stdout are terminals."""
    return not no_tty and _isatty(0) and _isatty(1)


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def interactive(*, stdin: bool, tty: bool) -> Interactive:
    """The Interactive a command hands its backend: these choices and `relay`."""
    return Interactive(stdin=stdin, tty=tty, relay=lambda streams: relay(streams, stdin=stdin))


def relay(streams: InstanceStreams, *, stdin: bool) -> None:
    """Pump until the instance's output ends: our stdin to it (in a thread, ending
    its input at our EOF), its output to ours. With a TTY, this terminal is in raw
    mode meanwhile (keys, Ctrl-C included, go to the instance) and its size follows
    ours."""
    raw = streams.tty and _isatty(0)
    with _raw_mode(raw), _window_size(streams, raw):
        if stdin:
            threading.Thread(target=_pump_stdin, args=(streams,), daemon=True).start()
        else:
            streams.close_input()
        _write_output(streams.output())


def _pump_stdin(streams: InstanceStreams) -> None:
    try:
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            streams.send(data)
    except OSError:
        return  # the instance went away, or our stdin is closed
    streams.close_input()


def _write_output(chunks: Iterator[tuple[str, bytes]]) -> None:
    outputs = {"stdout": sys.stdout, "stderr": sys.stderr}
    for stream, data in chunks:
        target = outputs.get(stream, sys.stdout)
        buffer = getattr(target, "buffer", None)
        if buffer is not None:
            target.flush()
            buffer.write(data)
            buffer.flush()
        else:
            target.write(data.decode("utf-8", "replace"))
            target.flush()


@contextlib.contextmanager
def _raw_mode(enabled: bool) -> Iterator[None]:
    """Our terminal in raw mode (restored however the relay ends)."""
    if not enabled:
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(0)
    try:
        tty.setraw(0)
        yield
    finally:
        termios.tcsetattr(0, termios.TCSADRAIN, saved)


@contextlib.contextmanager
def _window_size(streams: InstanceStreams, enabled: bool) -> Iterator[None]:
    """Our window size sent now and whenever it changes (SIGWINCH)."""
    if not enabled:
        yield
        return

    def send(*_: object) -> None:
        with contextlib.suppress(OSError):  # our terminal went away meanwhile
            size = os.get_terminal_size(0)
            streams.resize(size.lines, size.columns)

    send()
    previous: Callable[..., object] | int | None = None
    with contextlib.suppress(ValueError):  # not the main thread: no resizing
        previous = signal.signal(signal.SIGWINCH, send)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGWINCH, previous)
