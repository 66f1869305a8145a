"""Go duration strings (`1m30s`, `100ms`) from the canonical project, as float seconds."""

from __future__ import annotations

from typing import Any

from composer.loader.units import parse_duration


def seconds(value: Any, default: float) -> float:
    """`value` in seconds; `default` when absent. Numbers are taken as seconds."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        return float(value)
    return parse_duration(str(value)) / 1e9
