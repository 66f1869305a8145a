"""`Record`: equality and repr for the plain mutable data classes a command loads at
start-up.

Why not `dataclasses`: each `@dataclass` compiles its generated methods with `exec`
when its module is imported (~0.4 ms a class), and the module pulls in `inspect`;
the ~20 records a Docker `down` loads cost ~10 ms of a ~35 ms start, as much as the
reference needs to reach the engine. Immutable records are `typing.NamedTuple`s;
the mutable ones list their fields in `__slots__`, write their `__init__`, and get
`==` and `repr` from here.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self


class Record:
    """Compares and prints by the fields named in `__slots__` (base classes first)."""

    __slots__ = ()
    _field_names: ClassVar[dict[type, tuple[str, ...]]] = {}

    @classmethod
    def record_fields(cls) -> tuple[str, ...]:
        names = Record._field_names.get(cls)
        if names is None:
            collected: list[str] = []
            for klass in reversed(cls.__mro__):
                slots = klass.__dict__.get("__slots__", ())
                collected.extend((slots,) if isinstance(slots, str) else slots)
            names = tuple(n for n in collected if not n.startswith("_"))
            Record._field_names[cls] = names
        return names

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.record_fields())

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable, as dataclasses make it

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n, None)!r}" for n in self.record_fields())
        return f"{type(self).__name__}({shown})"

    def as_dict(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in self.record_fields()}

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes` (the `__init__` takes every field by name)."""
        return type(self)(**{**self.as_dict(), **changes})
