"""Container output: log lines with their stream and timestamp, several containers
multiplexed as lines arrive, and exec output passed through.

The engine's log endpoint does not say which stream a frame came from unless asked
for one stream at a time, so stdout and stderr are read as two requests (one for a
TTY container, whose output is a single stream) with engine timestamps, which also
order the lines of one container when they are not followed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from composer.runtimes.base import InstanceRef, LogLine
from composer.runtimes.docker.states import parse_time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def log_line(ref: InstanceRef, raw: bytes, stream: str) -> LogLine:
    """`2024-01-01T00:00:00.123456789Z text` (the engine's timestamps) as a LogLine."""
    text = raw.decode("utf-8", "replace").rstrip("\r")
    stamp, sep, rest = text.partition(" ")
    when = parse_time(stamp) if sep else None
    if when is None:
        return LogLine(ref, text, stream, 0.0)
    return LogLine(ref, rest, stream, when, stamp)


class LogStream:
    """One stream (stdout or stderr) of one container, opened at construction."""

    def __init__(
        self,
        api: Any,
        ref: InstanceRef,
        ident: str,
        stream: str,
        *,
        follow: bool,
        tail: int | None,
        tty: bool,
        since: float | None = None,
        until: float | None = None,
    ) -> None:
        self.ref = ref
        self.stream = stream
        window = {key: value for key, value in (("since", since), ("until", until)) if value}
        self._chunks = api.logs(
            ident,
            stdout=stream == "stdout" or tty,
            stderr=stream == "stderr" or tty,
            stream=True,
            follow=follow,
            timestamps=True,
            tail="all" if tail is None else max(0, tail),
            **window,
        )

    def lines(self) -> Iterator[LogLine]:
        pending = b""
        try:
            for chunk in self._chunks:
                pending += chunk
                while b"\n" in pending:
                    raw, pending = pending.split(b"\n", 1)
                    yield log_line(self.ref, raw, self.stream)
            if pending:
                yield log_line(self.ref, pending, self.stream)
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection (from any thread: a blocked reader returns)."""
        close = getattr(self._chunks, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()


def multiplex(streams: list[LogStream]) -> Iterator[LogLine]:
    """Lines of every stream as they come, each stream read by its own thread; ends
    when all streams ended (the engine ends a followed stream when its container
    stops) or when the consumer stops iterating (then every stream is closed)."""
    import queue  # only `logs` needs it: ~1 ms of every other command's start

    lines: queue.Queue[LogLine | None] = queue.Queue()

    def pump(source: LogStream) -> None:
        try:
            for line in source.lines():
                lines.put(line)
        except Exception:  # noqa: BLE001 - a closed or broken stream ends this source
            pass
        finally:
            lines.put(None)

    for source in streams:
        threading.Thread(target=pump, args=(source,), daemon=True).start()
    remaining = len(streams)
    try:
        while remaining:
            item = lines.get()
            if item is None:
                remaining -= 1
                continue
            yield item
    finally:
        for source in streams:
            source.close()


def write_output(stream: Any, data: bytes) -> None:
    """Raw bytes to a text stream's buffer (or decoded when it has none)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(data)
    else:
        stream.write(data.decode("utf-8", "replace"))
    stream.flush()
