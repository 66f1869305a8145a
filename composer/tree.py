"""Key-path patterns such as `services.*.ports`, compiled once and matched by walking.

Rules in this project are tables keyed by patterns (compose-go's `tree.Path`): a
pattern is a dotted list of parts, `*` matches any single key or list index, and a
pattern only matches paths of the same length. `PatternTable` compiles a table into
a trie; a walker holds a `Cursor` and steps it with each key it descends into, so
matching costs one dict lookup per step and nothing is re-parsed per value. A dead
cursor (`not cursor`) tells the walker that no rule can apply anywhere below.

    table = PatternTable({"services.*.ports": merge_ports, "services.*.command": replace})
    cursor = table.root.child("services").child("web").child("ports")
    cursor.matched, cursor.value          # True, merge_ports
    table.match(("services", "db", "command"))   # replace
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

V = TypeVar("V")

ANY = "*"

Path = tuple[Hashable, ...]


def split_pattern(pattern: str | Sequence[str]) -> tuple[str, ...]:
    """`"services.*.ports"` -> `("services", "*", "ports")`; a sequence is taken as parts."""
    if isinstance(pattern, str):
        return tuple(pattern.split(".")) if pattern else ()
    return tuple(pattern)


def _part(key: Hashable) -> str:
    return key if isinstance(key, str) else str(key)


class PathPattern:
    """One compiled pattern; `matches(path)` compares part by part (same length only)."""

    __slots__ = ("text", "parts")

    def __init__(self, pattern: str | Sequence[str]) -> None:
        self.parts = split_pattern(pattern)
        self.text = ".".join(self.parts)

    def matches(self, path: Sequence[Hashable]) -> bool:
        if len(path) != len(self.parts):
            return False
        for want, key in zip(self.parts, path, strict=True):
            if want != ANY and want != _part(key):
                return False
        return True

    def __len__(self) -> int:
        return len(self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathPattern) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __repr__(self) -> str:
        return f"PathPattern({self.text!r})"

    def __str__(self) -> str:
        return self.text


class _Node:
    __slots__ = ("children", "star", "value", "has_value", "pattern")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.star: _Node | None = None
        self.value: Any = None
        self.has_value = False
        self.pattern: PathPattern | None = None


class Cursor(Generic[V]):
    """Where a walk stands in a PatternTable: the trie nodes the current path reaches.

    `value` is the rule of the most specific pattern matching exactly here (an exact
    part beats `*`, leftmost first), `matched` says whether there is one, and a cursor
    is falsy when no pattern can match here or below. Cursors are interned per table,
    and each caches its transitions, so `child` is a dict lookup after the first call.
    """

    __slots__ = ("_table", "_nodes", "value", "matched", "pattern", "terminal", "_exact", "_other")

    def __init__(self, table: PatternTable[V], nodes: tuple[_Node, ...]) -> None:
        self._table = table
        self._nodes = nodes
        self.value: V | None = None
        self.matched = False
        self.pattern: PathPattern | None = None
        for node in nodes:
            if node.has_value:
                self.value = node.value
                self.matched = True
                self.pattern = node.pattern
                break
        # no pattern goes deeper than here: every child cursor is dead
        self.terminal = all(not node.children and node.star is None for node in nodes)
        self._exact: dict[str, Cursor[V]] | None = None
        self._other: Cursor[V] | None = None

    def __bool__(self) -> bool:
        return bool(self._nodes)

    def _build(self) -> None:
        # Keep the parents' order and put each parent's exact child before its `*`
        # child: the first node with a rule is then the leftmost-exact match.
        names = dict.fromkeys(name for node in self._nodes for name in node.children)
        exact: dict[str, Cursor[V]] = {}
        for name in names:
            found: list[_Node] = []
            for node in self._nodes:
                hit = node.children.get(name)
                if hit is not None:
                    found.append(hit)
                if node.star is not None:
                    found.append(node.star)
            exact[name] = self._table._intern(tuple(found))
        self._exact = exact
        self._other = self._table._intern(
            tuple(node.star for node in self._nodes if node.star is not None)
        )

    def child(self, key: Hashable) -> Cursor[V]:
        """The cursor for `path + (key,)`."""
        exact = self._exact
        if exact is None:
            self._build()
            exact = self._exact
            assert exact is not None
        found = exact.get(key if isinstance(key, str) else str(key))
        if found is not None:
            return found
        other = self._other
        assert other is not None
        return other

    def transitions(self) -> tuple[dict[str, Cursor[V]], Cursor[V]]:
        """(cursors by exact key, cursor for any other key): lets a hot loop step with
        `exact.get(key, other)` instead of a method call per key (string keys)."""
        if self._exact is None:
            self._build()
        assert self._exact is not None and self._other is not None
        return self._exact, self._other

    def walk(self, path: Iterable[Hashable]) -> Cursor[V]:
        """The cursor reached by stepping through every key of `path`."""
        cursor = self
        for key in path:
            cursor = cursor.child(key)
            if not cursor:
                break
        return cursor

    def __repr__(self) -> str:
        return f"Cursor(matched={self.matched}, alive={bool(self)}, pattern={self.pattern})"


class PatternTable(Generic[V]):
    """A rules table keyed by path patterns, compiled into a trie."""

    __slots__ = ("_root", "_interned", "root", "dead", "patterns")

    def __init__(self, rules: Mapping[str, V] | Iterable[tuple[str | Sequence[str], V]]) -> None:
        self._root = _Node()
        self._interned: dict[tuple[int, ...], Cursor[V]] = {}
        self.patterns: list[PathPattern] = []
        items = rules.items() if isinstance(rules, Mapping) else rules
        for pattern, value in items:
            compiled = PathPattern(pattern)
            node = self._root
            for part in compiled.parts:
                if part == ANY:
                    if node.star is None:
                        node.star = _Node()
                    node = node.star
                else:
                    node = node.children.setdefault(part, _Node())
            if node.has_value:
                raise ValueError(f"pattern {compiled.text!r} is listed twice")
            node.value = value
            node.has_value = True
            node.pattern = compiled
            self.patterns.append(compiled)
        self.dead: Cursor[V] = self._intern(())
        self.root: Cursor[V] = self._intern((self._root,))

    def _intern(self, nodes: tuple[_Node, ...]) -> Cursor[V]:
        key = tuple(id(node) for node in nodes)
        cursor = self._interned.get(key)
        if cursor is None:
            cursor = Cursor(self, nodes)
            self._interned[key] = cursor
        return cursor

    def cursor(self, path: Iterable[Hashable] = ()) -> Cursor[V]:
        """The cursor for `path` (the root cursor when empty)."""
        return self.root.walk(path)

    def match(self, path: Iterable[Hashable]) -> V | None:
        """The rule for exactly `path`, or None."""
        return self.root.walk(path).value

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, (tuple, list)):
            return False
        return self.root.walk(path).matched

    def __len__(self) -> int:
        return len(self.patterns)


def go_path(path: Iterable[Hashable]) -> str:
    """compose-go's rendering of a key path: `services.web.ports.[0]`."""
    return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in path)
