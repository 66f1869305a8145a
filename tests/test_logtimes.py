"""`logs --since/--until` values read as the Docker CLI reads them."""

from __future__ import annotations

import time

import pytest

from composer.cli.logtimes import parse_log_time
from composer.errors import UsageError

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000000", 1_700_000_000.0),
        ("1700000000.25", 1_700_000_000.25),
        ("2024-01-02T03:04:05Z", 1_704_164_645.0),
        ("2024-01-02T03:04:05.5+01:00", 1_704_161_045.5),
        ("2024-01-02T03:04Z", 1_704_164_640.0),
        ("42m", NOW - 42 * 60),
        ("1h30m", NOW - 5400),
        ("1.5s", NOW - 1.5),
    ],
)
def test_times_durations_and_unix_seconds(value: str, expected: float) -> None:
    assert parse_log_time("since", value, NOW) == pytest.approx(expected)


def test_a_time_without_zone_is_local_time() -> None:
    local = time.mktime((2024, 1, 2, 0, 0, 0, 0, 0, -1))
    assert parse_log_time("until", "2024-01-02", NOW) == local
    assert parse_log_time("until", "2024-01-02T00:00:00", NOW) == local


def test_anything_else_is_the_references_error() -> None:
    with pytest.raises(UsageError, match='invalid value for "until": failed to parse value'):
        parse_log_time("until", "soon", NOW)
