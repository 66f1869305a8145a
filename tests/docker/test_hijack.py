"""The engine's multiplexed stream frames (runtimes/docker/hijack.py)."""

from __future__ import annotations

from composer.runtimes.docker.hijack import frames


def _frame(stream: int, data: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data


def test_frames_are_read_however_the_chunks_cut_them() -> None:
    stream = _frame(1, b"out\n") + _frame(2, b"err\n") + _frame(1, b"") + _frame(1, b"x" * 70000)
    for size in (1, 3, 8, 11, 4096, len(stream)):
        chunks = [stream[i : i + size] for i in range(0, len(stream), size)]
        assert list(frames(iter(chunks))) == [
            ("stdout", b"out\n"),
            ("stderr", b"err\n"),
            ("stdout", b"x" * 70000),
        ]


def test_a_frame_cut_short_by_the_end_of_the_stream_is_dropped() -> None:
    assert list(frames(iter([_frame(1, b"whole"), _frame(2, b"half")[:10]]))) == [
        ("stdout", b"whole")
    ]
