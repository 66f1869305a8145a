"""The engine's RFC 3339 timestamps read without datetime (runtimes/docker/states.py)
give what datetime gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from composer.runtimes.docker.states import parse_time


def _reference(text: str) -> float:
    """The former reading: microseconds kept, then datetime.fromisoformat."""
    head, dot, rest = text.replace("Z", "+00:00").partition(".")
    if dot:
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
        tail = rest[len(digits) :]
        head = f"{head}.{digits[:6].ljust(6, '0')}{tail}"
    return datetime.fromisoformat(head).timestamp()


@given(
    moment=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
    nanos=st.integers(min_value=0, max_value=999),
    offset=st.integers(min_value=-14 * 60, max_value=14 * 60),
    utc=st.booleans(),
)
def test_timestamps_read_as_datetime_reads_them(
    moment: datetime, nanos: int, offset: int, utc: bool
) -> None:
    zone = UTC if utc else timezone(timedelta(minutes=offset))
    aware = moment.replace(tzinfo=zone)
    text = aware.strftime("%Y-%m-%dT%H:%M:%S") + f".{aware.microsecond:06d}{nanos:03d}"
    if utc:
        text += "Z"
    else:
        sign = "+" if offset >= 0 else "-"
        text += f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    assert parse_time(text) == _reference(text)


def test_engine_forms() -> None:
    assert parse_time("2024-05-01T10:00:00.123456789Z") == 1714557600.123456
    assert parse_time("2024-05-01T10:00:00Z") == 1714557600.0
    assert parse_time("2024-05-01T12:00:00+02:00") == 1714557600.0
    assert parse_time("0001-01-01T00:00:00Z") is None
    assert parse_time("") is None
    assert parse_time("not a time") is None
