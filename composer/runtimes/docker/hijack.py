"""The raw streams of an exec or an attach: the connection the engine turns over
after `Upgrade: tcp`, read as the Docker CLI reads it.

Without a TTY the engine multiplexes stdout and stderr in frames (a byte naming the
stream, three zero bytes, a big-endian 32-bit size, the data); with one it sends
the pseudo-terminal's bytes as they are. Ending our input half-closes the
connection, which is how the engine learns that stdin ended.
"""

from __future__ import annotations

import _socket  # the constants without `socket`'s import-time enums (wire.py)
import contextlib
from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

STREAM_NAMES = {0: "stdout", 1: "stdout", 2: "stderr"}  # 0 is stdin echoed back
HEADER_SIZE = 8


def frames(chunks: Iterator[bytes]) -> Iterator[tuple[str, bytes]]:
    """The engine's multiplexed frames as (stream, data), however the chunks cut them."""
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= HEADER_SIZE:
            size = int.from_bytes(pending[4:8], "big")
            if len(pending) < HEADER_SIZE + size:
                break
            stream = STREAM_NAMES.get(pending[0], "stdout")
            data = bytes(pending[HEADER_SIZE : HEADER_SIZE + size])
            del pending[: HEADER_SIZE + size]
            if data:
                yield stream, data


class EngineStreams:
    """One hijacked connection as InstanceStreams (runtimes/protocol.py)."""

    def __init__(
        self,
        sock: Any,
        received: bytes,
        *,
        tty: bool,
        resize: Callable[[int, int], None] | None = None,
    ) -> None:
        self.tty = tty
        self._sock = sock
        self._received = received
        self._resize = resize

    def send(self, data: bytes) -> None:
        self._sock.sendall(data)

    def close_input(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(_socket.SHUT_WR)

    def _chunks(self) -> Iterator[bytes]:
        if self._received:
            yield self._received
            self._received = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                return  # closed under us (close() from another thread)
            if not chunk:
                return
            yield chunk

    def output(self) -> Iterator[tuple[str, bytes]]:
        if self.tty:
            for chunk in self._chunks():
                yield "stdout", chunk
        else:
            yield from frames(self._chunks())

    def resize(self, rows: int, columns: int) -> None:
        if self._resize is not None and rows > 0 and columns > 0:
            with contextlib.suppress(Exception):  # a size lost is no reason to fail
                self._resize(rows, columns)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(_socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()


def hijack(api: Any, path: str, *, params: dict[str, Any] | None, body: Any) -> tuple[Any, bytes]:
    """The raw streams' socket for POST `path`, and the bytes already read past the
    answer's head: through the lean client where it serves the engine, else through
    the SDK (an engine behind TLS or SSH), whose reader may keep such bytes."""
    own = getattr(type(api), "hijack", None)
    if callable(own):
        result: tuple[Any, bytes] = api.hijack(path, params=params, body=body)
        return result
    headers = {"Connection": "Upgrade", "Upgrade": "tcp"}
    url = api._url(path)  # ids and names only: nothing for format() to expand
    if body is not None:
        response = api._post_json(url, data=body, params=params, stream=True, headers=headers)
    else:
        response = api.post(url, None, params=params, stream=True, headers=headers)
    sock = api._get_raw_response_socket(response)
    return getattr(sock, "_sock", sock), b""
