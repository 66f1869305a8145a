"""Short syntax -> long syntax, one Compose file at a time (compose-go transform/).

Each row of TRANSFORMS names a key path pattern (`*` matches any mapping key or
list index) and the function that rewrites the value found there. The walker only
descends where some pattern can still match, so a 1,000-service file costs a few
dictionary lookups per service. A transform owns its subtree: it calls `descend`
itself when deeper rows must still apply (as compose-go's transformMapping does).

The result is what the reference merges: depends_on as a mapping with
`condition`/`required`, ports expanded one entry per port, volumes/devices/secrets/
configs as mappings, `build` as a mapping, `networks` as a mapping, and so on.
Values that later stages type (commands, durations, sizes) are left alone here.
The input is modified in place and returned.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from composer.errors import ComposerError
from composer.golang import go_type
from composer.loader.units import parse_port, parse_volume
from composer.source import YList, YMap, carry, format_path

Path = tuple[Hashable, ...]


class TransformError(ComposerError):
    """A value cannot be turned into its long syntax."""


# ---------------------------------------------------------------- the table walker


class PatternTable:
    """Path patterns compiled into a trie: stepping to a child is one dict lookup."""

    __slots__ = ("root",)

    def __init__(self, rows: Mapping[str, Any]) -> None:
        self.root: dict[str, Any] = {}
        for pattern, handler in rows.items():
            node = self.root
            for part in pattern.split("."):
                node = node.setdefault("/" + part, {})
            node["handler"] = handler

    @staticmethod
    def child(node: dict[str, Any], key: Hashable) -> dict[str, Any] | None:
        if isinstance(key, str):
            exact = node.get("/" + key)
            if exact is not None:
                return exact
        return node.get("/*")


class Walk:
    """One pass of a PatternTable over a document (subclasses carry pass options).

    A handler is called as `handler(value, path, walk, node)` and returns the new
    value; `walk.descend(value, path, node)` applies the rows below it.
    """

    __slots__ = ("table",)

    def __init__(self, table: PatternTable) -> None:
        self.table = table

    def run(self, data: Any) -> Any:
        return self.visit(data, (), self.table.root)

    def visit(self, value: Any, path: Path, node: dict[str, Any]) -> Any:
        handler = node.get("handler")
        if handler is not None:
            return handler(value, path, self, node)
        return self.descend(value, path, node)

    def descend(self, value: Any, path: Path, node: dict[str, Any]) -> Any:
        """Apply the rows below `node` to the children of `value` (in place)."""
        if isinstance(value, dict):
            for key in list(value):
                sub = PatternTable.child(node, key)
                if sub is not None:
                    old = value[key]
                    new = self.visit(old, (*path, key), sub)
                    if new is not old:
                        value[key] = new
                        if isinstance(new, (YMap, YList)) and new.loc is None:
                            carry(new, value, key)  # a rewritten value keeps its position
        elif isinstance(value, list):
            sub = node.get("/*")
            if sub is not None:
                for i, item in enumerate(value):
                    value[i] = self.visit(item, (*path, i), sub)
        return value


def _fail(path: Path, message: str) -> TransformError:
    return TransformError(message, code="canonical", path=path)


def _new_map(src: Any, items: dict[str, Any] | None = None) -> YMap:
    out = YMap(items or {})
    carry(out, src)
    return out


# ---------------------------------------------------------------- transforms


def _build(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return walk.descend(value, path, node)
    if isinstance(value, str):
        return _new_map(value, {"context": value})
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for build")


def _file_mount(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return {"source": value}
    raise _fail(path, f"{format_path(path)}: unsupported type {go_type(value)}")


def _key_value(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        out = _new_map(value)
        for item in value:
            key, sep, rest = str(item).partition("=")
            if not sep:
                raise _fail(path, f"{format_path(path)}: invalid value {item}, expected key=value")
            out[key] = rest
        return out
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)}")


def _depends_on(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        for name, entry in value.items():
            if not isinstance(entry, dict):
                raise _fail((*path, name), f"{format_path(path)}.{name}: unsupported value {value}")
            entry.setdefault("condition", "service_started")
            entry.setdefault("required", True)
        return value
    if isinstance(value, list):
        out = _new_map(value)
        for i, name in enumerate(value):
            out[name] = {"condition": "service_started", "required": True}
            if isinstance(value, YList) and i < len(value.locs) and value.locs[i] is not None:
                out.locs[name] = value.locs[i]  # type: ignore[assignment]
        return out
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for depend_on")


def _file_entry(item: Any) -> Any:
    if isinstance(item, str):
        return {"path": item, "required": True}
    if isinstance(item, dict):
        item.setdefault("required", True)
        return item
    return None


def _env_file(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, str):
        out = YList([_file_entry(value)])
        carry(out, value)
        return out
    if isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _file_entry(item)
        return value
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for env_file")


def _string_or_list(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return [value]
    return value


def _string_list_to_map(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, list):
        out = _new_map(value)
        for item in value:
            out[item] = None
        return out
    return value


def _extends(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return walk.descend(value, path, node)
    if isinstance(value, str):
        return {"service": value}
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for extends")


def _gpus(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return walk.descend(value, path, node)
    if isinstance(value, str):
        return [{"count": "all"}]
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for gpus")


def _volume_mount(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return _new_map(value, parse_volume(value))
        except ComposerError as error:
            error.path = format_path(path)
            raise
    raise _fail(
        path, f"{format_path(path)}: invalid type {go_type(value)} for service volume mount"
    )


def _watch(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    expanded: list[Any] = []
    for trigger in value:
        paths = trigger.get("path") if isinstance(trigger, dict) else None
        if isinstance(paths, list):
            for one in paths:
                copy = dict(trigger)
                copy["path"] = one
                expanded.append(copy)
        else:
            out.append(trigger)
    return out + expanded


def _device(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) > 3:
            if walk.skip:
                return {"source": "", "target": "", "permissions": "rwm"}
            raise _fail(path, f"confusing device mapping, please use long syntax: {value}")
        source = parts[0]
        target = parts[1] if len(parts) > 1 else ""
        permissions = parts[2] if len(parts) > 2 else "rwm"
        return {"source": source, "target": target or source, "permissions": permissions}
    raise _fail(
        path, f"{format_path(path)}: invalid type {go_type(value)} for service volume mount"
    )


def _ports(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if not isinstance(value, list):
        raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for port")
    out = YList()
    carry(out, value)
    locs = value.locs if isinstance(value, YList) else []
    for i, entry in enumerate(value):
        where = locs[i] if i < len(locs) else None
        if isinstance(entry, bool):
            raise _fail(path, f"{format_path(path)}: invalid type bool for port")
        if isinstance(entry, int):
            out.append({"target": entry})
            out.locs.append(where)
        elif isinstance(entry, str):
            try:
                parsed = parse_port(entry)
            except ComposerError as error:
                if walk.skip:  # skip_interpolation: `${PORT}` is not a port yet
                    return value
                error.path = format_path((*path, i))
                error.at(where)
                raise
            for one in parsed:
                out.append(one)
                out.locs.append(where)
        elif isinstance(entry, dict):
            out.append(entry)
            out.locs.append(where)
        else:
            raise _fail(path, f"{format_path(path)}: invalid type {go_type(entry)} for port")
    return out


def _ssh(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        out = _new_map(value)
        for item in value:
            if not isinstance(item, str):
                raise _fail(path, f"invalid ssh key type {go_type(item)}")
            key, sep, rest = item.partition("=")
            if not sep:
                if key != "default":
                    raise _fail(path, f'invalid ssh key "{item}"')
                out[key] = None
            else:
                out[key] = rest
        return out
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for ssh")


def _ulimits(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if walk.skip and isinstance(value, str):
        return value
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for ulimits")


def _maybe_external(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    """Top-level resources: the deprecated `external: {name: x}` becomes `name: x`."""
    if value is None or not isinstance(value, dict):
        return value
    resource = walk.descend(value, path, node)
    external = resource.get("external")
    if isinstance(external, dict):
        resource["external"] = True
        if "name" in external:
            where = format_path(path)
            if walk.warnings is not None:
                walk.warnings.append(
                    f"{where}: external.name is deprecated. Please set name and external: true"
                )
            ext_name = external["name"]
            if "name" in resource and resource["name"] != ext_name:
                raise _fail(path, f"{where}: name and external.name conflict; only use name")
            if "name" not in resource:
                resource["name"] = ext_name
    return resource


def _include(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return {"path": value}
    raise _fail(path, f"{format_path(path)}: invalid type {go_type(value)} for include")


def _service_networks(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    return _string_list_to_map(value, path, walk, node)


def _service(value: Any, path: Path, walk: CanonicalWalk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return walk.descend(value, path, node)
    return value


Transform = Callable[[Any, Path, "CanonicalWalk", dict[str, Any]], Any]

TRANSFORMS: dict[str, Transform] = {
    "services.*": _service,
    "services.*.build": _build,
    "services.*.build.secrets.*": _file_mount,
    "services.*.build.additional_contexts": _key_value,
    "services.*.build.ssh": _ssh,
    "services.*.build.ulimits.*": _ulimits,
    "services.*.depends_on": _depends_on,
    "services.*.env_file": _env_file,
    "services.*.label_file": _string_or_list,
    "services.*.extends": _extends,
    "services.*.gpus": _gpus,
    "services.*.models": _string_list_to_map,
    "services.*.networks": _service_networks,
    "services.*.volumes.*": _volume_mount,
    "services.*.dns": _string_or_list,
    "services.*.develop.watch": _watch,
    "services.*.devices.*": _device,
    "services.*.secrets.*": _file_mount,
    "services.*.configs.*": _file_mount,
    "services.*.ports": _ports,
    "services.*.ulimits.*": _ulimits,
    "volumes.*": _maybe_external,
    "networks.*": _maybe_external,
    "secrets.*": _maybe_external,
    "configs.*": _maybe_external,
    "include.*": _include,
}

_TABLE = PatternTable(TRANSFORMS)


class CanonicalWalk(Walk):
    """The canonical pass: `skip` tolerates `${VAR}` left by --no-interpolate."""

    __slots__ = ("skip", "warnings")

    def __init__(self, skip: bool, warnings: list[str] | None) -> None:
        super().__init__(_TABLE)
        self.skip = skip
        self.warnings = warnings


def canonical(
    cfg: dict[str, Any], *, skip_interpolation: bool = False, warnings: list[str] | None = None
) -> dict[str, Any]:
    """One file's data with every short syntax rewritten to the long syntax.

    `skip_interpolation` (config --no-interpolate) tolerates values that only become
    parseable once `${VAR}` is substituted (ports, ulimits, devices stay as written).
    Deprecation warnings (external.name) are appended to `warnings`.
    """
    result: dict[str, Any] = CanonicalWalk(skip_interpolation, warnings).run(cfg)
    return result
