"""The plain data classes a command loads at start-up: `Record` (mutable) and
`NamedTuple` (immutable), both without the cost of the usual tools.

Why not `dataclasses`: each `@dataclass` compiles its generated methods with `exec`
when its module is imported (~0.4 ms a class), and the module pulls in `inspect`;
the ~20 records a Docker `down` loads cost ~10 ms of a ~35 ms start, as much as the
reference needs to reach the engine. The mutable ones list their fields in
`__slots__`, write their `__init__`, and get `==` and `repr` from `Record`.

Why not `typing.NamedTuple` at run time: importing `typing` costs ~2 ms of every
command, and with `from __future__ import annotations` nothing else on the start-up
path needs it. Type checkers see `typing.NamedTuple` (the `TYPE_CHECKING = False`
idiom of PEP 781, which mypy and ruff read as true); the interpreter gets the same
class statement built on `collections.namedtuple`, as typing builds it
(tests/test_record.py compares the two).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Self
    from typing import NamedTuple as NamedTuple
else:
    from collections import namedtuple as _namedtuple

    # names typing.NamedTuple refuses or leaves to namedtuple, as typing lists them
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
         "_field_defaults", "_make", "_replace", "_asdict", "_source"}
    )  # fmt: skip
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        """`class Name(NamedTuple): field: type = default` -> a namedtuple class with
        those fields, defaults, methods and docstring."""

        def __new__(mcs, name, bases, namespace):
            if bases != (NamedTuple,):
                raise TypeError("a NamedTuple class can only inherit from NamedTuple")
            fields = namespace.get("__annotations__", {})
            defaults = []
            for field in fields:
                if field in namespace:
                    defaults.append(namespace[field])
                elif defaults:
                    raise TypeError(
                        f"Non-default namedtuple field {field} cannot follow default field"
                        f"{'s' if len(defaults) > 1 else ''} "
                        f"{', '.join(f for f in fields if f in namespace)}"
                    )
            made = _namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(fields)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, value)
            return made

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})


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
