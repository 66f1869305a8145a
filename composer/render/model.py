"""Turn the canonical project (plain dicts, any key order) into the ordered tree that
the reference prints, once for YAML and once for JSON.

The walk is driven by `schema.STRUCTS`: every type expression is compiled once into a
`Codec` (to-YAML, to-JSON, emptiness test, zero values). The result tree holds dicts
in output order, lists and scalars; numbers that need Go formatting become `GoNumber`
(already formatted text) so the emitters never guess.

Differences between the two outputs follow the Go tags: YAML `omitempty` also drops
empty value structs, JSON never does (`"ipam": {}`, `"resources": {}`); JSON drops
`x-*` inside typed objects; `command`/`entrypoint` are `null` in JSON when unset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from composer.errors import ComposerError
from composer.golang import go_float_json
from composer.render.goscalar import go_float_g, json_sorted, yaml_sorted
from composer.render.schema import DROP_CONTENT, STRUCTS, Struct

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    Convert = Callable[[Any], Any]


class GoNumber(str):
    """A number already formatted the way Go prints it (written without quotes)."""

    __slots__ = ()


class RenderError(ComposerError):
    """The reference cannot print this project in the requested format."""


class Codec:
    """How one type expression is printed: `y`/`j` convert a present (non-None) value,
    `empty` is the `omitempty` test for value types, `zy`/`zj` build the zero value."""

    __slots__ = ("y", "j", "empty", "zy", "zj", "value_struct")

    def __init__(
        self,
        y: Convert,
        j: Convert,
        empty: Callable[[Any], bool],
        zy: Callable[[], Any],
        zj: Callable[[], Any] | None = None,
        value_struct: bool = False,
    ) -> None:
        self.y = y
        self.j = j
        self.empty = empty
        self.zy = zy
        self.zj = zj or zy
        self.value_struct = value_struct


# --- scalars -----------------------------------------------------------------------------


def _never(_value: Any) -> bool:
    return False


def _str(value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _int(value: Any) -> Any:
    if type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _f32_yaml(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return GoNumber(go_float_g(float(value), 32))
    return value


def _f32_json(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = go_float_json(float(value), 32)
        if text is None:
            raise RenderError(f"json: unsupported value: {go_float_g(float(value))}", code="render")
        return GoNumber(text)
    return value


def _bytes(value: Any) -> Any:
    return str(value) if type(value) is int else value


def _mode(value: Any) -> Any:
    if type(value) is int:
        return f"0{value:o}" if value >= 0 else f"-0{-value:o}"
    return value


def _is_zero_text(zero: str) -> Callable[[Any], bool]:
    def empty(value: Any) -> bool:
        return value == "" or value == 0 or value == zero

    return empty


_SCALARS: dict[str, Codec] = {
    "str": Codec(_str, _str, lambda v: v == "", lambda: ""),
    "int": Codec(_int, _int, lambda v: v == 0 or v == "", lambda: 0),
    "f32": Codec(_f32_yaml, _f32_json, lambda v: v == 0, lambda: GoNumber("0")),
    "bool": Codec(lambda v: v, lambda v: v, lambda v: not v, lambda: False),
    "bytes": Codec(_bytes, _bytes, _is_zero_text("0"), lambda: "0"),
    "dur": Codec(lambda v: v, lambda v: v, _is_zero_text("0s"), lambda: "0s"),
    "mode": Codec(_mode, _mode, lambda v: v == 0 or v == "", lambda: "0"),
}


# --- untyped values (x-* extensions, generic dumps) --------------------------------------


def any_yaml(value: Any, sort_keys: bool = True) -> Any:
    """An untyped value as yaml.v3 prints a Go `any`: maps sorted, floats Go-formatted.
    With `sort_keys=False` mappings keep their order (for callers mimicking a struct)."""
    if isinstance(value, Mapping):
        keys = yaml_sorted(value) if sort_keys else list(value)
        return {k: any_yaml(value[k], sort_keys) for k in keys}
    if isinstance(value, list | tuple):
        return [any_yaml(v, sort_keys) for v in value]
    if type(value) is float:
        return GoNumber(go_float_g(value))
    return value


def any_json(value: Any, empty_list_null: bool = False, sort_keys: bool = True) -> Any:
    """An untyped value as encoding/json prints it (`empty_list_null`: compose-go keeps
    empty lists inside extensions as nil slices, printed `null`)."""
    if isinstance(value, Mapping):
        keys = json_sorted(value) if sort_keys else list(value)
        return {str(k): any_json(value[k], empty_list_null, sort_keys) for k in keys}
    if isinstance(value, list | tuple):
        if not value and empty_list_null:
            return None
        return [any_json(v, empty_list_null, sort_keys) for v in value]
    if type(value) is float:
        text = go_float_json(value)
        if text is None:
            raise RenderError(f"json: unsupported value: {go_float_g(value)}", code="render")
        return GoNumber(text)
    return value


def _ext_json(value: Any) -> Any:
    return any_json(value, True)


_SCALARS["any"] = Codec(any_yaml, _ext_json, _never, lambda: None)


# --- special marshalers ------------------------------------------------------------------


def _ulimit_yaml(value: Any) -> Any:
    """UlimitsConfig.MarshalYAML: a non-zero single value, else always soft and hard."""
    if isinstance(value, Mapping):
        single = value.get("single") or 0
        if single:
            return single
        return {"soft": value.get("soft") or 0, "hard": value.get("hard") or 0}
    if value:
        return value
    return {"soft": 0, "hard": 0}


def _ulimit_json(value: Any) -> Any:
    """UlimitsConfig.MarshalJSON: the single value, else the struct with omitempty."""
    if isinstance(value, Mapping):
        single = value.get("single") or 0
        if single:
            return single
        return {k: value[k] for k in ("soft", "hard") if value.get(k)}
    if value:
        return value
    return {}


_SSH_JSON_ERROR = (
    "json: error calling MarshalJSON for type types.SSHKey: "
    "invalid character ':' after top-level value"
)


def _ssh_entries(value: Any) -> list[tuple[str, str]]:
    """(id, path) pairs from the canonical mapping `{id: path|None}` (kept in its order:
    the reference walks a Go map, so its own order varies run to run) or from a list of
    "id", "id=path" or already rendered "id: path" strings."""
    if isinstance(value, Mapping):
        return [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    pairs = []
    for entry in value:
        if isinstance(entry, Mapping):
            pairs.append((str(entry.get("id") or ""), str(entry.get("path") or "")))
            continue
        text = str(entry)
        sep = ": " if ": " in text else "="
        ident, _, path = text.partition(sep)
        pairs.append((ident, path))
    return pairs


def _ssh_yaml(value: Any) -> Any:
    """SSHKey.MarshalYAML: `id` alone, or the string `id: path`."""
    return [f"{ident}: {path}" if path else ident for ident, path in _ssh_entries(value)]


def _ssh_json(value: Any) -> Any:
    """SSHKey.MarshalJSON writes `"id": path`, which encoding/json then rejects."""
    out = []
    for ident, path in _ssh_entries(value):
        if path:
            raise RenderError(_SSH_JSON_ERROR, code="render-json")
        out.append(ident)
    return out


def _cmd(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    return [_str(v) for v in value]


def _env_file_entries(value: Any) -> list[tuple[str, bool, str]]:
    """(path, required, format) of each `env_file` entry (strings or mappings)."""
    entries = []
    for entry in [value] if isinstance(value, str) else value:
        if isinstance(entry, Mapping):
            required = entry.get("required", True)
            entries.append(
                (_str(entry.get("path") or ""), required is not False, entry.get("format") or "")
            )
        else:
            entries.append((_str(entry), True, ""))
    return entries


def _env_files_yaml(value: Any) -> Any:
    """A required file without a format is its path; the others keep what they set."""
    out: list[Any] = []
    for path, required, fmt in _env_file_entries(value):
        if required and not fmt:
            out.append(path)
            continue
        entry: dict[str, Any] = {"path": path}
        if not required:
            entry["required"] = False
        if fmt:
            entry["format"] = fmt
        out.append(entry)
    return out


def _env_files_json(value: Any) -> Any:
    """EnvFile as the reference's JSON writes it (`config --hash` hashes this form): a
    required file is its path alone (even with a format), an optional one an object."""
    out: list[Any] = []
    for path, required, fmt in _env_file_entries(value):
        if required:
            out.append(path)
            continue
        entry: dict[str, Any] = {"path": path, "required": False}
        if fmt:
            entry["format"] = fmt
        out.append(entry)
    return out


_SCALARS["ulimit"] = Codec(_ulimit_yaml, _ulimit_json, _never, lambda: {"soft": 0, "hard": 0}, dict)
_SCALARS["ssh"] = Codec(_ssh_yaml, _ssh_json, lambda v: not v, list)
_SCALARS["cmd"] = Codec(_cmd, _cmd, _never, lambda: None)
_SCALARS["envfiles"] = Codec(_env_files_yaml, _env_files_json, lambda v: not v, list)


# --- containers and structs --------------------------------------------------------------


def _len0(value: Any) -> bool:
    return not value


def _plain_str(value: Any) -> Any:
    return value if type(value) is str else _str(value)


def _list_codec(item: Codec, nullable: bool) -> Codec:
    if item is _SCALARS["str"]:
        # [str] is the most common list: strings pass through, None is "" in Go

        def strings(value: Any) -> Any:
            return [v if type(v) is str else ("" if v is None else _str(v)) for v in value]

        return Codec(strings, strings, _len0, list)

    def y(value: Any) -> Any:
        conv, zero = item.y, item.zy
        return [(None if nullable else zero()) if v is None else conv(v) for v in value]

    def j(value: Any) -> Any:
        conv, zero = item.j, item.zj
        return [(None if nullable else zero()) if v is None else conv(v) for v in value]

    return Codec(y, j, _len0, list)


def _map_codec(item: Codec, nullable: bool) -> Codec:
    if item is _SCALARS["str"]:
        # {str} / {*str} (labels, environment, options): strings pass through
        missing = None if nullable else ""

        def y_strings(value: Any) -> Any:
            return {
                k: missing if (v := value[k]) is None else _plain_str(v) for k in yaml_sorted(value)
            }

        def j_strings(value: Any) -> Any:
            return {
                str(k): missing if (v := value[k]) is None else _plain_str(v)
                for k in json_sorted(value)
            }

        return Codec(y_strings, j_strings, _len0, dict)

    def y(value: Any) -> Any:
        conv, zero = item.y, item.zy
        out = {}
        for k in yaml_sorted(value):
            v = value[k]
            out[k] = (None if nullable else zero()) if v is None else conv(v)
        return out

    def j(value: Any) -> Any:
        conv, zero = item.j, item.zj
        out = {}
        for k in json_sorted(value):
            v = value[k]
            out[str(k)] = (None if nullable else zero()) if v is None else conv(v)
        return out

    return Codec(y, j, _len0, dict)


class _FieldPlan:
    __slots__ = ("key", "jkey", "codec", "ptr", "yomit", "jomit", "yamlonly")

    def __init__(self, key: str, typ: str, flags: str, codec: Codec) -> None:
        words = flags.split()
        self.key = key
        self.jkey = next((w[5:] for w in words if w.startswith("json=")), key)
        self.codec = codec
        self.ptr = typ.startswith("*")
        self.yomit = "keep" not in words
        self.jomit = "jkeep" not in words
        self.yamlonly = "yamlonly" in words


_EMPTY: Mapping[str, Any] = {}
_STR = _SCALARS["str"]


def _struct_codec(name: str, spec: Struct, resolve: Callable[[str], Codec]) -> Codec:
    """Codec for one struct: fields in Go order; YAML adds the sorted `x-*` keys at the
    end (when the struct has an inline extension map), JSON never prints them."""
    plans: list[_FieldPlan] = []
    index: dict[str, int] = {}
    for position, field in enumerate(spec.fields):
        index[field.key] = position
        plans.append(_FieldPlan(field.key, field.typ, field.flags, resolve(field.typ)))
    ext = spec.ext
    y_always = frozenset(p.key for p in plans if not p.yomit)
    j_always = frozenset(
        p.key
        for p in plans
        if not p.yamlonly and (not p.jomit or (p.codec.value_struct and not p.ptr))
    )
    has_drop = name in DROP_CONTENT
    drop_unless = DROP_CONTENT.get(name)

    def prepare(value: Any) -> Mapping[str, Any]:
        if value is None:
            return _EMPTY
        if has_drop and "content" in value and (drop_unless is None or value.get(drop_unless)):
            return {k: v for k, v in value.items() if k != "content"}
        return value  # type: ignore[no-any-return]

    def ordered(value: Mapping[str, Any], always: frozenset[str]) -> tuple[list[str], bool]:
        present = [k for k in value if k in index]
        extra = len(present) < len(value)
        if always:
            present = list(always.union(present))
        if len(present) > 1:
            present.sort(key=index.__getitem__)
        return present, extra

    # per key: converter, omitempty test (None: not applied), omit when missing, omit an
    # empty value struct, zero factory, plain string field
    ytable = {
        p.key: (
            p.codec.y,
            p.codec.empty if (p.yomit and not p.ptr) else None,
            p.yomit,
            p.codec.value_struct and p.yomit and not p.ptr,
            p.codec.zy,
            p.codec is _STR,
        )
        for p in plans
    }

    def y(value: Any) -> Any:
        value = prepare(value)
        present, extra = ordered(value, y_always)
        out: dict[Any, Any] = {}
        get = value.get
        for key in present:
            conv, empty, omit_missing, omit_empty_struct, zero, plain_str = ytable[key]
            v = get(key)
            if v is None:
                if not omit_missing:
                    out[key] = zero()
                continue
            if plain_str and type(v) is str:
                if v or not omit_missing:
                    out[key] = v
                continue
            if empty is not None and empty(v):
                continue
            converted = conv(v)
            if omit_empty_struct and not converted:
                continue
            out[key] = converted
        if extra and ext:
            xkeys = [k for k in value if isinstance(k, str) and k.startswith("x-")]
            for k in yaml_sorted(xkeys):
                out[k] = any_yaml(value[k])
        return out

    # per key: JSON key, converter, omitempty test (None: not applied), omit when
    # missing, zero factory, YAML-only field
    jtable = {
        p.key: (
            p.jkey,
            p.codec.j,
            p.codec.empty if (p.jomit and not p.ptr and not p.codec.value_struct) else None,
            p.jomit and (p.ptr or not p.codec.value_struct),
            p.codec.zj,
            p.yamlonly,
        )
        for p in plans
    }

    def j(value: Any) -> Any:
        value = prepare(value)
        present, _extra = ordered(value, j_always)
        out: dict[str, Any] = {}
        get = value.get
        for key in present:
            jkey, conv, empty, omit_missing, zero, yamlonly = jtable[key]
            if yamlonly:
                continue
            v = get(key)
            if v is None:
                if not omit_missing:
                    out[jkey] = zero()
                continue
            if empty is not None and empty(v):
                continue
            out[jkey] = conv(v)
        return out

    return Codec(y, j, _never, lambda: y(None), lambda: j(None), value_struct=True)


class _Registry:
    """Compiles type expressions to codecs once, lazily (structs refer to each other)."""

    def __init__(self) -> None:
        self.codecs: dict[str, Codec] = dict(_SCALARS)

    def resolve(self, typ: str) -> Codec:
        codec = self.codecs.get(typ)
        if codec is not None:
            return codec
        if typ.startswith("*"):
            codec = self.resolve(typ[1:])
        elif typ.startswith("["):
            inner = typ[1:-1]
            codec = _list_codec(self.resolve(inner.lstrip("*")), inner.startswith("*"))
        elif typ.startswith("{"):
            inner = typ[1:-1]
            codec = _map_codec(self.resolve(inner.lstrip("*")), inner.startswith("*"))
        else:
            codec = _struct_codec(typ, STRUCTS[typ], self.resolve)
        self.codecs[typ] = codec
        return codec


_REGISTRY = _Registry()
_PROJECT = _REGISTRY.resolve("Project")
_JSON_RESOURCES = ("networks", "volumes", "secrets", "configs")


def project_yaml_tree(project: Mapping[str, Any]) -> dict[Any, Any]:
    """The project as yaml.v3 walks types.Project: struct order, then `x-*` sorted."""
    tree: dict[Any, Any] = _PROJECT.y(project)
    return tree


def project_json_tree(project: Mapping[str, Any]) -> dict[str, Any]:
    """The project as Project.MarshalJSON builds it: a map (so keys sorted) of name,
    services, the non-empty resource maps and the `x-*` extensions (no models)."""
    struct = _PROJECT.j(project)
    top: dict[str, Any] = {
        "name": struct.get("name", ""),
        "services": struct.get("services", {}),
    }
    for key in _JSON_RESOURCES:
        if struct.get(key):
            top[key] = struct[key]
    for key, value in project.items():
        if isinstance(key, str) and key.startswith("x-"):
            top[key] = _ext_json(value)
    return {str(k): top[str(k)] for k in json_sorted(top)}
