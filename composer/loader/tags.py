"""Markers for Compose's merge tags `!reset` and `!override`.

The YAML reader turns `key: !reset ...` into `RESET` and `key: !override value` into
`Override(value)`; the merger consumes them (RESET removes what earlier files set,
Override replaces instead of merging). Anything that walks the raw data before the
merge (interpolation, extends) must look inside `Override.value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Reset:
    """`!reset`: drop whatever earlier files (or the extended service) set here."""

    _instance: Reset | None = None

    def __new__(cls) -> Reset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "RESET"


RESET = Reset()


@dataclass(slots=True)
class Override:
    """`!override value`: replace the earlier value wholesale instead of merging it."""

    value: Any
