"""composer.record: its run-time NamedTuple makes the classes typing.NamedTuple makes,
and Record compares and prints by its slots."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing
from typing import Any

import pytest

from composer import record
from composer.record import NamedTuple, Record


def _declare(base: Any) -> type:
    class Point(base):  # type: ignore[misc, valid-type]
        """A point (its docstring is kept)."""

        x: int
        y: int = 0
        label: str = "origin"

        @property
        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

        def moved(self, by: int) -> Any:
            return self._replace(x=self.x + by)

        @classmethod
        def zero(cls) -> Any:
            return cls(0)

    return Point


# _declare makes its class inside a function, so both are compared as local classes
Ours, Typings = _declare(NamedTuple), _declare(typing.NamedTuple)


def test_the_runtime_base_is_not_typing() -> None:
    assert NamedTuple is not typing.NamedTuple
    assert type(NamedTuple).__name__ == "_NamedTupleMeta"


@pytest.mark.parametrize("made", [Ours, Typings], ids=["composer", "typing"])
def test_class_statement_makes_the_same_tuple_class(made: Any) -> None:
    point = made(3, -4)
    assert tuple(point) == (3, -4, "origin")
    assert point.norm == 7 and point.moved(1) == made(4, -4)
    assert made.zero() == (0, 0, "origin")
    assert repr(point) == "Point(x=3, y=-4, label='origin')"
    assert made._fields == ("x", "y", "label")
    assert made._field_defaults == {"y": 0, "label": "origin"}
    assert point._asdict() == {"x": 3, "y": -4, "label": "origin"}
    assert made.__doc__ == "A point (its docstring is kept)."
    assert made.__module__ == __name__
    assert made.__qualname__ == "_declare.<locals>.Point"
    assert made.__bases__ == (tuple,)
    assert list(made.__annotations__) == ["x", "y", "label"]
    assert hash(point) == hash((3, -4, "origin"))
    with pytest.raises(AttributeError):
        point.x = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        made()


def test_same_errors_as_typing() -> None:
    for base in (NamedTuple, typing.NamedTuple):
        with pytest.raises(
            TypeError, match="Non-default namedtuple field b cannot follow default field a"
        ):

            class Bad(base):  # type: ignore[misc, valid-type]
                a: int = 1
                b: int

        with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):

            class Clash(base):  # type: ignore[misc, valid-type]
                a: int

                def _replace(self) -> None: ...


def test_module_level_classes_pickle() -> None:
    from composer.source import Location

    where = Location("compose.yaml", 3, 5)
    assert pickle.loads(pickle.dumps(where)) == where
    assert type(pickle.loads(pickle.dumps(where))) is Location


def test_a_docker_down_start_imports_no_typing() -> None:
    """What the start-up of a run command imports (the runtime NamedTuple's point)."""
    code = (
        "import sys\n"
        "import composer.cli.fastpath, composer.cli.commands.down, composer.cli.guard\n"
        "import composer.loader.snapshot, composer.runtimes.docker.backend, composer.graph\n"
        "print(sorted({'typing', 'socket', 'pickle', 'importlib.util', 'queue'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Pair(Record):
    __slots__ = ("left", "right", "_cache")

    def __init__(self, left: int, right: list[int]) -> None:
        self.left, self.right, self._cache = left, right, None


def test_record_compares_prints_and_copies_by_public_slots() -> None:
    pair = _Pair(1, [2])
    assert pair == _Pair(1, [2]) and pair != _Pair(1, [3])
    assert repr(pair) == "_Pair(left=1, right=[2])"
    assert pair.as_dict() == {"left": 1, "right": [2]}
    assert pair.replace(left=5) == _Pair(5, [2])
    with pytest.raises(TypeError):
        hash(pair)
    assert record.Record.record_fields.__func__(_Pair) == ("left", "right")  # type: ignore[attr-defined]
