"""Merging Compose files: `-f a.yaml -f b.yaml` and `extends`, as compose-go v2.9.1 does.

The rules are data: `MERGE_RULES` maps key-path patterns to merge functions
(compose-go's `mergeSpecials`), compiled once into a trie (`composer.tree`). One
generic walker applies them; everywhere else the default rule holds:

* mappings merge key by key, recursively (`x-*` extensions too);
* an override value of null keeps the base value (special rules see the null);
* sequences are appended (base first), and `enforce_unicity` later keeps one entry
  per key for the lists listed in `unicity.UNIQUE_KEYS`;
* any other value is replaced; a mapping or sequence overridden by another kind of
  value is an error ("cannot override services.web.ports").

Merge tags from the override side (the YAML reader's markers): `RESET` removes the key
(the base's value too; inside a sequence it only drops that item, as compose-go does),
`Override(value)` replaces the base's value wholesale. Markers never reach the result.

Inputs are never modified. The result shares every sub-tree that only one side had
(and that carries no marker) with that side, so mutating the result can mutate the
inputs: copy first if the inputs are still needed afterwards. Positions: each merged
mapping keeps the base's own location and, per key, the location of the file that
set or replaced the value (the override's for values it contributed, the base's for
values it left alone or that were merged).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from composer.errors import MergeError
from composer.golang import go_sprint, go_type
from composer.loader.tags import RESET, Override
from composer.loader.unicity import enforce_unicity
from composer.source import Location, YList, YMap, loc_of
from composer.tree import Cursor, PatternTable, go_path

__all__ = ["MERGE_RULES", "clean", "enforce_unicity", "merge", "merge_service"]

Path = tuple[Hashable, ...]
Merger = Callable[[Any, Any, "Cursor[Merger]", Path], Any]


# ------------------------------------------------------------------ markers


def clean(value: Any) -> Any:
    """`value` without merge markers: RESET keys/items dropped, Override unwrapped.

    Returns `value` itself when it holds no marker (the common case: no copy).
    """
    if isinstance(value, Override):
        return clean(value.value)
    if isinstance(value, dict):
        changes: dict[Hashable, Any] | None = None
        for key, item in value.items():
            if item is RESET:
                new: Any = RESET
            elif isinstance(item, (dict, list, Override)):
                new = clean(item)
                if new is item:
                    continue
            else:
                continue
            if changes is None:
                changes = {}
            changes[key] = new
        if changes is None:
            return value
        out = _copy_map(value)
        for key, new in changes.items():
            if new is RESET:
                _drop(out, key)
            else:
                out[key] = new
        return out
    if isinstance(value, list):
        kept: list[tuple[Any, int]] | None = None
        for i, item in enumerate(value):
            if item is RESET:
                fresh: Any = RESET
            elif isinstance(item, (dict, list, Override)):
                fresh = clean(item)
            else:
                fresh = item
            if kept is None:
                if fresh is item and item is not RESET:
                    continue
                kept = [(value[j], j) for j in range(i)]
            if fresh is not RESET:
                kept.append((fresh, i))
        if kept is None:
            return value
        locs = value.locs if isinstance(value, YList) else []
        result = YList(item for item, _ in kept)
        result.loc = getattr(value, "loc", None)
        result.locs = [locs[j] if j < len(locs) else None for _, j in kept]
        return result
    return value


# ------------------------------------------------------------------ containers


_new_map = YMap.__new__
_new_seq = YList.__new__


def _copy_map(source: dict[Any, Any]) -> YMap:
    """A shallow YMap copy of `source` with its locations (bypasses YMap.__init__: hot)."""
    out = _new_map(YMap)
    dict.update(out, source)
    if isinstance(source, YMap):
        out.loc = source.loc
        out.locs = source.locs.copy()
        out.key_locs = source.key_locs.copy()
    else:
        out.loc = None
        out.locs = {}
        out.key_locs = {}
    return out


def _drop(out: YMap, key: Hashable) -> None:
    out.pop(key, None)
    out.locs.pop(key, None)
    out.key_locs.pop(key, None)


def _set(out: YMap, key: Hashable, value: Any, src: Any) -> None:
    """out[key] = value, located where `src[key]` is (the file that contributed it)."""
    out[key] = value
    if isinstance(src, YMap):
        where = src.locs.get(key)
        if where is not None:
            out.locs[key] = where
        if key not in out.key_locs:
            where = src.key_locs.get(key)
            if where is not None:
                out.key_locs[key] = where


def _new_list(*sources: Any) -> YList:
    """An empty YList located where the first located source is."""
    out = _new_seq(YList)
    out.loc = None
    out.locs = []
    for src in sources:
        if isinstance(src, YList):
            out.loc = src.loc
            break
    return out


def _extend(out: YList, items: Any, *, from_override: bool = True) -> None:
    """Append the items of `items` to `out` with their locations (an override's
    items without their markers)."""
    if not isinstance(items, list):
        return
    if from_override:
        items = clean(items)
    out.extend(items)
    if isinstance(items, YList):
        locs = items.locs
        out.locs.extend(locs if len(locs) == len(items) else [items.loc] * len(items))
    else:
        where = getattr(items, "loc", None)
        out.locs.extend([where] * len(items))


def _error(
    path: Path, override: Any, message: str | None = None, where: Location | None = None
) -> MergeError:
    return MergeError(
        message or f"cannot override {go_path(path)}",
        code="merge-type",
        location=where or getattr(override, "loc", None),
        path=path,
        hint="use the same kind of value (mapping, list or scalar) in both files, "
        "or tag the override with !override",
    )


# ------------------------------------------------------------------ the walker

_ABSENT: Any = object()


def _merge_value(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """Merge two values found at `path` in both files (`over` is not a marker)."""
    if cursor.matched:
        rule = cursor.value
        assert rule is not None
        return rule(base, over, cursor, path)
    return _default(base, over, cursor, path)


def _default(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    if over is None:
        return base
    if isinstance(base, dict):
        if not isinstance(over, dict):
            raise _error(path, over)
        return _merge_maps(base, over, cursor, path)
    if isinstance(base, list):
        if not isinstance(over, list):
            raise _error(path, over)
        out = _new_list(base, over)
        _extend(out, base, from_override=False)
        _extend(out, over)
        return out
    return clean(over)


def _merge_maps(
    base: dict[Any, Any], over: dict[Any, Any], cursor: Cursor[Merger], path: Path
) -> YMap:
    """Key-by-key merge; rules are looked up for each key present on both sides.

    This is the hot loop of a merge, so `_merge_value`/`_default`/`_set` are inlined.
    """
    out = _copy_map(base)
    if isinstance(over, YMap):
        over_locs: dict[Any, Location] = over.locs
        over_key_locs: dict[Any, Location] = over.key_locs
        if out.loc is None:
            out.loc = over.loc
    else:
        over_locs = over_key_locs = {}
    out_locs = out.locs
    out_key_locs = out.key_locs
    exact, other = cursor.transitions()
    for key, value in over.items():
        current = out.get(key, _ABSENT)
        if value is RESET:
            if current is not _ABSENT:
                _drop(out, key)
            continue
        if current is _ABSENT or isinstance(value, Override):
            # new key, or `!override`: the override's value as it is
            if current is not _ABSENT:
                _drop(out, key)
            out[key] = clean(value) if isinstance(value, (dict, list, Override)) else value
            where = over_locs.get(key)
            if where is not None:
                out_locs[key] = where
            where = over_key_locs.get(key)
            if where is not None:
                out_key_locs[key] = where
            continue
        sub = exact.get(key if isinstance(key, str) else str(key), other)
        if sub.matched:
            rule = sub.value
            assert rule is not None
            merged = rule(current, value, sub, (*path, key))
            if merged is current:
                continue
            if (
                isinstance(merged, (YMap, YList))
                and merged.loc is not None
                and merged.loc is getattr(current, "loc", None)
            ):
                out[key] = merged  # a merge of both: keeps the base's position
                continue
        elif value is None:
            continue
        elif isinstance(current, dict):
            if not isinstance(value, dict):
                raise _error((*path, key), value, where=over_locs.get(key))
            out[key] = _merge_maps(current, value, sub, (*path, key))
            continue
        elif isinstance(current, list):
            if not isinstance(value, list):
                raise _error((*path, key), value, where=over_locs.get(key))
            merged = _new_list(current, value)
            _extend(merged, current, from_override=False)
            _extend(merged, value)
            out[key] = merged
            continue
        elif isinstance(value, (dict, list)):
            merged = clean(value)
        else:
            merged = value
        out[key] = merged
        where = over_locs.get(key)
        if where is not None:
            out_locs[key] = where
    return out


def _merge_flat(base: dict[Any, Any], over: dict[Any, Any]) -> YMap:
    """Key-by-key merge where the override's value replaces the base's (null included)."""
    out = _copy_map(base)
    if out.loc is None:
        out.loc = getattr(over, "loc", None)
    for key, value in over.items():
        if value is RESET:
            _drop(out, key)
        else:
            _set(out, key, clean(value), over)
    return out


# ------------------------------------------------------------------ conversions


def _as_sequence(value: Any) -> YList:
    """compose-go convertIntoSequence: mapping -> sorted `key=value` strings
    (a null value gives the bare key, a list value one entry per item); string -> [it]."""
    out = _new_list(value)
    if isinstance(value, dict):
        value = clean(value)
        entries: list[tuple[str, Location | None]] = []
        for key, item in value.items():
            where = loc_of(value, key)
            if item is None:
                entries.append((str(key), where))
            elif isinstance(item, list):
                entries.extend((f"{key}={go_sprint(one)}", where) for one in item)
            else:
                entries.append((f"{key}={go_sprint(item)}", where))
        entries.sort(key=lambda entry: entry[0])
        out.loc = getattr(value, "loc", None)
        for text, where in entries:
            out.append(text)
            out.locs.append(where)
    elif isinstance(value, list):
        _extend(out, value)
    elif isinstance(value, str):
        out.append(value)
        out.locs.append(None)
    return out


def _as_mapping(value: Any, default: dict[str, Any] | None, path: Path) -> Any:
    """compose-go convertIntoMapping: a list of names -> {name: copy of default or null}."""
    if isinstance(value, dict) or not isinstance(value, list):
        return value
    out = YMap()
    out.loc = getattr(value, "loc", None)
    names = clean(value)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise MergeError(
                f"{go_path((*path, i))}: unexpected type {go_type(name)}",
                code="merge-type",
                location=loc_of(names, i),
                path=(*path, i),
            )
        out[name] = None if default is None else YMap(default)
        where = loc_of(names, i)
        if where is not None:
            out.locs[name] = where
            out.key_locs[name] = where
    return out


# ------------------------------------------------------------------ special rules


def replace(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """The override wins, even a null (command, entrypoint, healthcheck.test)."""
    return clean(over)


def to_sequence(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """`KEY=value` collections (environment, labels, ...) and plain string lists (dns,
    tmpfs, env_file, ...): two mappings merge key by key (the override's value wins,
    null included); otherwise both become sequences and are appended, and unicity
    then keeps the last entry per key."""
    if over is None:
        return base
    if base is None:
        return clean(over)
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_flat(base, over)
    out = _as_sequence(base)
    tail = _as_sequence(over)
    out.extend(tail)
    out.locs.extend(tail.locs)
    return out


def extra_hosts(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """extra_hosts: both sides as `host=ip` sequences; the override's entries that the
    base already lists (same text) are not repeated."""
    if over is None:
        return base
    out = _as_sequence(base)
    seen = set(out)
    tail = _as_sequence(over)
    for item, where in zip(tail, tail.locs, strict=False):
        if item not in seen:
            out.append(item)
            out.locs.append(where)
    return out


_DEPENDS_ON_DEFAULT = {"condition": "service_started", "required": True}


def depends_on(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """depends_on: a list of names means `condition: service_started, required: true`."""
    left = _as_mapping(base, _DEPENDS_ON_DEFAULT, path)
    right = _as_mapping(over, _DEPENDS_ON_DEFAULT, path)
    return _mapping_rule(left, right, cursor, path)


def names_to_mapping(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """Service networks/models: a list of names is a mapping of names to null."""
    left = _as_mapping(base, None, path)
    return _mapping_rule(left, _as_mapping(over, None, path), cursor, path)


def _mapping_rule(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    if not isinstance(over, dict):
        return base
    if not isinstance(base, dict):
        return clean(over)
    return _merge_maps(base, over, cursor, path)


def build(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """build: a string is `{context: string}`, then mappings merge."""

    def as_mapping(value: Any) -> Any:
        if isinstance(value, str):
            out = YMap(context=value)
            return out
        return value

    return _mapping_rule(as_mapping(base), as_mapping(over), cursor, path)


def logging(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """logging: options merge only when both sides name the same driver (or either
    names none); a different driver replaces the whole block."""
    if not isinstance(over, dict):
        return base if over is None else clean(over)
    if not isinstance(base, dict):
        return clean(over)
    if "driver" in over and "driver" in base and over["driver"] != base["driver"]:
        return clean(over)
    return _merge_maps(base, over, cursor, path)


def ulimit(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """ulimits.<name>: the override's limit replaces the base's (a null too)."""
    return clean(over)


def ipam_config(base: Any, over: Any, cursor: Cursor[Merger], path: Path) -> Any:
    """networks.*.ipam.config: entries are matched by subnet.

    This reproduces compose-go's mergeIPAMConfig step by step, including its aliasing
    (a base entry merged with one override entry is the same object that later merges
    change), because the reference's output depends on it.
    """
    if not isinstance(base, list) or not isinstance(over, list):
        raise _error(path, over, f"{go_path(path)}: unexpected type {go_type(base)}")

    def entry(value: Any) -> YMap:
        if isinstance(value, dict):
            return _copy_map(value)
        mapped = _as_mapping(value, None, path)
        return _copy_map(mapped) if isinstance(mapped, dict) else YMap()

    rights = [entry(item) for item in base]
    lefts = [entry(item) for item in clean(over)]
    dead = MERGE_TABLE.dead  # nothing below an ipam config entry has a rule
    result: list[YMap] = []
    for right in rights:
        for left in lefts:
            subnet = left.get("subnet")
            if subnet != right.get("subnet") and not any(c.get("subnet") == subnet for c in result):
                result.append(left)
                continue
            for key, value in left.items():
                if key in right:
                    merged = _merge_value(right[key], value, dead, (*path, key))
                else:
                    merged = value
                _set(right, key, merged, left)
            at = next(
                (i for i, c in enumerate(result) if c.get("subnet") == right.get("subnet")), -1
            )
            if at >= 0:
                result[at] = right
            else:
                result.append(right)
    out = _new_list(base, over)
    for item in result:
        out.append(item)
        out.locs.append(item.loc)
    return out


# compose-go override/merge.go `mergeSpecials` (v2.9.1): the path patterns whose values
# do not follow the default rule. (compose-go also lists `services.*.volumes.*.volume.
# labels`, which never fires: sequences are appended, never merged item by item.)
MERGE_RULES: dict[str, Merger] = {
    "networks.*.ipam.config": ipam_config,
    "networks.*.labels": to_sequence,
    "volumes.*.labels": to_sequence,
    "services.*.annotations": to_sequence,
    "services.*.build": build,
    "services.*.build.args": to_sequence,
    "services.*.build.additional_contexts": to_sequence,
    "services.*.build.extra_hosts": extra_hosts,
    "services.*.build.labels": to_sequence,
    "services.*.command": replace,
    "services.*.depends_on": depends_on,
    "services.*.deploy.labels": to_sequence,
    "services.*.dns": to_sequence,
    "services.*.dns_opt": to_sequence,
    "services.*.dns_search": to_sequence,
    "services.*.entrypoint": replace,
    "services.*.env_file": to_sequence,
    "services.*.label_file": to_sequence,
    "services.*.environment": to_sequence,
    "services.*.extra_hosts": extra_hosts,
    "services.*.healthcheck.test": replace,
    "services.*.labels": to_sequence,
    "services.*.logging": logging,
    "services.*.models": names_to_mapping,
    "services.*.networks": names_to_mapping,
    "services.*.sysctls": to_sequence,
    "services.*.tmpfs": to_sequence,
    "services.*.ulimits.*": ulimit,
}

MERGE_TABLE: PatternTable[Merger] = PatternTable(MERGE_RULES)


# ------------------------------------------------------------------ API


def merge(base: Any, override: Any) -> Any:
    """The project `base` with the next file's (canonical) data `override` merged in.

    Both are whole-project mappings; the result is a new mapping (see the module
    docstring for what it shares with the inputs). `base` is taken as marker-free (an
    earlier result, or an empty mapping for the first file: the first file's own
    `!reset`/`!override` are then resolved as the override side); pass a raw file
    through `clean` before using it as a base. Follow with `enforce_unicity`.
    """
    if override is None:
        return clean(base) if base is not None else YMap()
    if base is None:
        base = YMap()
    if not isinstance(base, dict) or not isinstance(override, dict):
        raise _error((), override, "top-level object must be a mapping")
    return _merge_maps(base, override, MERGE_TABLE.root, ())


def merge_service(base: dict[str, Any], override: dict[str, Any], name: str = "x") -> YMap:
    """`extends`: the service `override` built on top of the service `base`.

    Same rules as `merge`, evaluated at `services.<name>` (compose-go uses the name
    `x`, which shows in its error messages). Markers of the base's own file are
    resolved first; the override's RESET removes the base's value.
    """
    cursor = MERGE_TABLE.root.child("services").child(name)
    path: Path = ("services", name)
    base = clean(base) if base is not None else YMap()
    if override is None:
        return base if isinstance(base, YMap) else _copy_map(base)
    if not isinstance(base, dict) or not isinstance(override, dict):
        raise _error(path, override, f"services.{name} must be a mapping")
    return _merge_maps(base, override, cursor, path)
