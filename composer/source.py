"""Where values come from: positions in files, carried next to the plain data.

The YAML reader builds `YMap`/`YList` (plain dict/list subclasses) that remember
the location of the container itself and of each child value. Every later stage
keeps working on plain dict/list; stages that build new containers copy the
locations they know (`carry`), and `locate` walks a key path as deep as it can,
so an error always points at the closest known place in the file that
contributed the value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from composer.record import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

KeyPath = tuple[Hashable, ...]


class Location(NamedTuple):
    """A 1-based line/column position in one file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class YMap(dict):  # type: ignore[type-arg]
    """A mapping read from YAML: `loc` is the mapping's own position, `locs` each value's,
    `key_locs` each key's."""

    __slots__ = ("loc", "locs", "key_locs")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loc: Location | None = None
        self.locs: dict[Hashable, Location] = {}
        self.key_locs: dict[Hashable, Location] = {}


class YList(list):  # type: ignore[type-arg]
    """A sequence read from YAML: `loc` is its own position, `locs[i]` item i's."""

    __slots__ = ("loc", "locs")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.loc: Location | None = None
        self.locs: list[Location | None] = []


def loc_of(container: Any, key: Hashable | None = None) -> Location | None:
    """The location of `container[key]` (or of the container itself when key is None)."""
    if key is None:
        return getattr(container, "loc", None)
    if isinstance(container, YMap):
        return container.locs.get(key) or container.loc
    if isinstance(container, YList) and isinstance(key, int):
        if 0 <= key < len(container.locs):
            return container.locs[key] or container.loc
        return container.loc
    return getattr(container, "loc", None)


def key_loc_of(container: Any, key: Hashable) -> Location | None:
    """The location of the key `key` itself in a mapping (falls back to its value)."""
    if isinstance(container, YMap):
        return container.key_locs.get(key) or container.locs.get(key) or container.loc
    return loc_of(container, key)


def locate(root: Any, path: Iterable[Hashable]) -> Location | None:
    """The deepest known location along `path` inside `root`."""
    best = getattr(root, "loc", None)
    node = root
    for key in path:
        here = None
        try:
            if isinstance(node, dict):
                here = loc_of(node, key) if key in node else None
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int):
                here = loc_of(node, key)
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
        if here is None:  # a plain container rebuilt by a stage: the node's own place
            here = getattr(node, "loc", None)
        if here is not None:
            best = here
    return best


def carry(dst: Any, src: Any, key: Hashable | None = None, dst_key: Hashable | None = None) -> Any:
    """Copy src's location (or that of src[key]) onto dst (or dst's child dst_key).

    Returns dst, so it can wrap a constructor: `carry(YMap(...), old)`.
    """
    where = loc_of(src, key)
    if where is None:
        return dst
    if dst_key is None:
        if isinstance(dst, (YMap, YList)) and dst.loc is None:
            dst.loc = where
    elif isinstance(dst, YMap):
        dst.locs.setdefault(dst_key, where)
    return dst


def format_path(path: Iterable[Hashable]) -> str:
    """`services.web.ports[0]` style rendering of a key path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def shallow_copy(src: dict[Any, Any]) -> dict[Any, Any]:
    """A new mapping with the same items and, for a YMap, the same positions."""
    if not isinstance(src, YMap):
        return dict(src)
    new = YMap(src)
    new.loc = src.loc
    new.locs = dict(src.locs)
    new.key_locs = dict(src.key_locs)
    return new


class Located(str):
    """A message (e.g. a warning) that also knows where it applies. It is still a plain
    `str` for code that only prints it; `validate` reads `location`, `code` and `path`."""

    location: Location | None
    code: str
    path: str

    def __new__(
        cls, text: str, location: Location | None, code: str = "warning", path: str = ""
    ) -> Located:
        self = super().__new__(cls, text)
        self.location = location
        self.code = code
        self.path = path
        return self
