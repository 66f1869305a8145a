"""`logs --since/--until` values as the Docker CLI reads them (its timetypes
GetTimestamp): an RFC 3339 time (with or without seconds, fraction or zone; a
date alone), a Go duration counted back from now (`42m`, `1h30m`), or Unix seconds
(`1700000000.5`). A time without a zone is local time, as the CLI takes it.
"""

from __future__ import annotations

import re

from composer.errors import UsageError

_UNIX = re.compile(r"\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_MINUTES = re.compile(r"(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d)((?:[Zz]|[+-]\d\d:\d\d)?)")


def parse_log_time(option: str, value: str, now: float) -> float:
    """Unix seconds for `--since`/`--until VALUE`; the reference's error otherwise."""
    from composer.loader.units import parse_duration
    from composer.runtimes.docker.states import parse_time

    text = value.strip()
    if _UNIX.fullmatch(text):
        return float(text)
    if _DATE.fullmatch(text):
        text += "T00:00:00"
    found = _MINUTES.fullmatch(text)
    if found:  # 2006-01-02T15:04 (zone optional): seconds are 0
        text = f"{found.group(1)}:00{found.group(2)}"
    stamp = parse_time(text)
    if stamp is not None:
        return stamp
    try:
        return now - parse_duration(text) / 1e9
    except Exception:  # noqa: BLE001 - any unreadable value gets the one message
        raise UsageError(
            f'invalid value for "{option}": failed to parse value as time or duration: "{value}"',
            code="usage",
            hint="a time (2024-01-02T15:04:05Z), a duration back from now (42m), or Unix seconds",
        ) from None
