"""Interpolate a parsed compose file, then cast typed fields, as compose-go v2.9.1 does.

Findings checked against the reference binary (Docker Compose v2.40.3):

* Every string VALUE is substituted, at any depth, `x-*` extensions, `name:` and
  `configs.*.content` included. Mapping KEYS are never interpolated
  (`labels: {"$VAR": x}` keeps the key; the list form `- "$VAR=x"` is a value, so it is).
* After substitution, strings at the paths of `CASTS` are converted (even when they held
  no `$`: `privileged: "yes"` becomes true). `*` matches any key or list item; list items
  are written `[]`, and that is how the reference prints them in errors
  (`services.a.ports.[].target`). `yes/no/y/n/on/off` are accepted as booleans with a
  warning. Values that are not strings are left alone (validation deals with them).
* Messages: `invalid interpolation format for <path>.\\nYou may need to escape any $ with
  another $.\\n<template>`, `error while interpolating <path>: required variable X is
  missing a value: <msg>`, `error while interpolating <path>: failed to cast to expected
  type: strconv.Atoi: parsing "abc": invalid syntax` / `invalid boolean: maybe`.
* Internally a value keeps ONE `$` where the file had `$$`; the reference re-escapes every
  `$` on output (values and keys alike, also `$` that came from a variable's value), so
  the renderer must write `$` as `$$` everywhere.
* `config --no-interpolate` prints every string verbatim, with NO re-escaping: `$$ESC`
  stays `$$ESC`, `${VAR}` stays `${VAR}`, a lone `a$` stays `a$`, keys too; no casts are
  applied (`privileged: ${X:-true}` prints as that string).
* Warnings are not de-duplicated: each unset reference warns once per occurrence.

The input is not modified: containers whose content changes are copied (YMap/YList keep
their `loc`, `locs`, `key_locs`), unchanged subtrees are shared with the input.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Hashable
from typing import Any

from composer.errors import ComposerError, InterpolationError
from composer.golang import go_quote
from composer.loader.tags import Override
from composer.loader.template import (
    Lookup,
    TemplateSyntaxError,
    Variable,
    _substitute,
    extract_variables,
    unset_warning,
)
from composer.source import Location, YList, YMap, locate

Warnings = list[str] | None
Caster = Callable[[str, Warnings], Any]


class CastError(ValueError):
    """A value that does not convert; the message is Go's error text."""


def _go_int(func: str, text: str) -> int:
    if not _INT.fullmatch(text):
        raise CastError(f"strconv.{func}: parsing {go_quote(text)}: invalid syntax")
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise CastError(f"strconv.{func}: parsing {go_quote(text)}: value out of range")
    return value


def to_int(text: str, warnings: Warnings = None) -> int:
    """Go strconv.Atoi (64-bit int)."""
    return _go_int("Atoi", text)


def to_int64(text: str, warnings: Warnings = None) -> int:
    """Go strconv.ParseInt(s, 10, 64)."""
    return _go_int("ParseInt", text)


def to_float(text: str, warnings: Warnings = None) -> float:
    """Go strconv.ParseFloat(s, 64): decimal, hex (`0x1p-2`), inf/infinity/nan, `_`."""
    return _go_float(text, 64)


def to_float32(text: str, warnings: Warnings = None) -> float:
    """Go strconv.ParseFloat(s, 32); the value is returned as written, range-checked."""
    return _go_float(text, 32)


def _go_float(text: str, bits: int) -> float:
    def fail(reason: str) -> CastError:
        return CastError(f"strconv.ParseFloat: parsing {go_quote(text)}: {reason}")

    if _FLOAT_SPECIAL.fullmatch(text):
        return float(text.lower().lstrip("+").replace("infinity", "inf"))
    try:
        if _FLOAT_DEC.fullmatch(text):
            value = float(text.replace("_", ""))
        elif _FLOAT_HEX.fullmatch(text):
            value = float.fromhex(text.replace("_", ""))
        else:
            raise fail("invalid syntax")
        if value in (float("inf"), float("-inf")):
            raise OverflowError
        if bits == 32:
            struct.pack("<f", value)
    except OverflowError:
        raise fail("value out of range") from None
    return value


def to_boolean(text: str, warnings: Warnings = None) -> bool:
    """compose-go's toBoolean: YAML 1.1 spellings accepted with a warning."""
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered in ("y", "yes", "on", "n", "no", "off"):
        value = lowered in ("y", "yes", "on")
        if warnings is not None:
            warnings.append(
                f"{go_quote(text)} for boolean is not supported by YAML 1.2, "
                f"please use `{'true' if value else 'false'}`"
            )
        return value
    raise CastError(f"invalid boolean: {text}")


_INT = re.compile(r"[+-]?[0-9]+")
_DIGITS = r"[0-9](?:_?[0-9])*"
_HEXDIGITS = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_FLOAT_DEC = re.compile(
    rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
)
_FLOAT_HEX = re.compile(
    rf"[+-]?0[xX]_?(?:{_HEXDIGITS}(?:\.(?:{_HEXDIGITS})?)?|\.{_HEXDIGITS})[pP][+-]?{_DIGITS}"
)
_FLOAT_SPECIAL = re.compile(r"[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)|[nN][aA][nN]")

# compose-go v2.9.1 loader/interpolate.go, as the reference applies it (each entry was
# probed with a bad value; secrets/configs `mode`, `ports.[].published`, sizes and
# durations are NOT cast here but decoded later).
CASTS: dict[str, Caster] = {
    "services.*.cpu_count": to_int64,
    "services.*.cpu_percent": to_float,
    "services.*.cpu_period": to_int64,
    "services.*.cpu_quota": to_int64,
    "services.*.cpu_rt_period": to_int64,
    "services.*.cpu_rt_runtime": to_int64,
    "services.*.cpus": to_float32,
    "services.*.cpu_shares": to_int64,
    "services.*.init": to_boolean,
    "services.*.deploy.replicas": to_int,
    "services.*.deploy.update_config.parallelism": to_int,
    "services.*.deploy.update_config.max_failure_ratio": to_float,
    "services.*.deploy.rollback_config.parallelism": to_int,
    "services.*.deploy.rollback_config.max_failure_ratio": to_float,
    "services.*.deploy.restart_policy.max_attempts": to_int,
    "services.*.deploy.placement.max_replicas_per_node": to_int,
    "services.*.healthcheck.retries": to_int,
    "services.*.healthcheck.disable": to_boolean,
    "services.*.oom_kill_disable": to_boolean,
    "services.*.oom_score_adj": to_int64,
    "services.*.pids_limit": to_int64,
    "services.*.ports.[].target": to_int,
    "services.*.privileged": to_boolean,
    "services.*.read_only": to_boolean,
    "services.*.scale": to_int,
    "services.*.stdin_open": to_boolean,
    "services.*.tty": to_boolean,
    "services.*.ulimits.*": to_int,
    "services.*.ulimits.*.hard": to_int,
    "services.*.ulimits.*.soft": to_int,
    "services.*.volumes.[].read_only": to_boolean,
    "services.*.volumes.[].volume.nocopy": to_boolean,
    "networks.*.external": to_boolean,
    "networks.*.internal": to_boolean,
    "networks.*.attachable": to_boolean,
    "networks.*.enable_ipv4": to_boolean,
    "networks.*.enable_ipv6": to_boolean,
    "volumes.*.external": to_boolean,
    "secrets.*.external": to_boolean,
    "configs.*.external": to_boolean,
}

LIST_ITEM = "[]"


class _Node:
    """One step of the CASTS pattern trie."""

    __slots__ = ("children", "star", "cast")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.star: _Node | None = None
        self.cast: Caster | None = None


def _build_trie(table: dict[str, Caster]) -> _Node:
    root = _Node()
    for pattern, caster in table.items():
        node = root
        for part in pattern.split("."):
            if part == "*":
                if node.star is None:
                    node.star = _Node()
                node = node.star
            else:
                node = node.children.setdefault(part, _Node())
        node.cast = caster
    return root


_ROOT = (_build_trie(CASTS),)
_NONE: tuple[_Node, ...] = ()


def _step(nodes: tuple[_Node, ...], key: str) -> tuple[_Node, ...]:
    found: list[_Node] = []
    for node in nodes:
        child = node.children.get(key)
        if child is not None:
            found.append(child)
        if node.star is not None:
            found.append(node.star)
    return tuple(found) if found else _NONE


class _Failed(Exception):
    """Unwinds to interpolate(); the walker's `path` is then the failing value's."""

    def __init__(self, error: InterpolationError | CastError) -> None:
        super().__init__()
        self.error = error


class _Walker:
    """Substitutes and casts every value, copying the containers that change. `path` is
    the key path of the value being visited (left as it is when a failure unwinds)."""

    __slots__ = ("lookup", "warnings", "missing", "path")

    def __init__(self, lookup: Lookup, warnings: Warnings) -> None:
        self.lookup = lookup
        self.warnings = warnings
        self.missing: list[str] | None = [] if warnings is not None else None
        self.path: list[Hashable] = []

    def _fail(self, error: InterpolationError | CastError) -> None:
        raise _Failed(error)

    def string(self, text: str, nodes: tuple[_Node, ...]) -> Any:
        if "$" in text:
            missing = self.missing
            result, failure = _substitute(text, self.lookup, missing)
            if missing:
                assert self.warnings is not None
                self.warnings.extend(unset_warning(name) for name in missing)
                missing.clear()
            if failure is not None:
                raise _Failed(failure)
            text = result
        return self.cast(text, nodes)

    def cast(self, text: str, nodes: tuple[_Node, ...]) -> Any:
        for node in nodes:
            if node.cast is not None:
                try:
                    return node.cast(text, self.warnings)
                except CastError as error:
                    self._fail(error)
                    return text  # collecting: the value stays as written
        return text

    def value(self, value: Any, nodes: tuple[_Node, ...]) -> Any:
        kind = type(value)
        if kind is str:
            if nodes or "$" in value:
                return self.string(value, nodes)
            return value
        if isinstance(value, dict):
            return self.mapping(value, nodes)
        if isinstance(value, list):
            return self.sequence(value, nodes)
        if kind is Override:
            inner = self.value(value.value, nodes)
            return value if inner is value.value else Override(inner)
        return value

    def mapping(self, src: dict[Any, Any], nodes: tuple[_Node, ...]) -> dict[Any, Any]:
        out: dict[Any, Any] | None = None
        path = self.path
        for key, item in src.items():
            kind = type(item)
            if kind is str and not nodes and "$" not in item:
                continue
            if kind is not str and kind is not Override and not isinstance(item, (dict, list)):
                continue
            path.append(key)
            new = self.value(item, _step(nodes, str(key)) if nodes else _NONE)
            path.pop()
            if new is not item:
                if out is None:
                    out = _copy_map(src)
                out[key] = new
        return src if out is None else out

    def sequence(self, src: list[Any], nodes: tuple[_Node, ...]) -> list[Any]:
        out: list[Any] | None = None
        inner = _step(nodes, LIST_ITEM) if nodes else _NONE
        path = self.path
        for index, item in enumerate(src):
            path.append(index)
            new = self.value(item, inner)
            path.pop()
            if new is not item:
                if out is None:
                    out = _copy_list(src)
                out[index] = new
        return src if out is None else out


def _copy_map(src: dict[Any, Any]) -> dict[Any, Any]:
    if isinstance(src, YMap):
        new = YMap(src)
        new.loc = src.loc
        new.locs = dict(src.locs)
        new.key_locs = dict(src.key_locs)
        return new
    return dict(src)


def _copy_list(src: list[Any]) -> list[Any]:
    if isinstance(src, YList):
        new = YList(src)
        new.loc = src.loc
        new.locs = list(src.locs)
        return new
    return list(src)


# Told about every string that references variables: where the string is, its key path,
# each variable looked up with its value (None: unset) and the plain references that
# were unset (the ones the reference warns about). For `validate` and `config --sources`.
VariableHook = Callable[
    [Location | None, tuple[Hashable, ...], dict[str, str | None], list[str]], None
]


class _TracingWalker(_Walker):
    """The walker for `validate` / `config --sources`: reports variable uses and can
    record every failure instead of stopping at the first."""

    __slots__ = ("root", "errors", "hook")

    def __init__(
        self,
        lookup: Lookup,
        warnings: Warnings,
        root: Any,
        errors: list[ComposerError] | None,
        hook: VariableHook | None,
    ) -> None:
        super().__init__(lookup, warnings)
        self.root = root
        self.errors = errors
        self.hook = hook

    def _fail(self, error: InterpolationError | CastError) -> None:
        if self.errors is None:
            raise _Failed(error)
        self.errors.append(_error(error, list(self.path), self.root))

    def string(self, text: str, nodes: tuple[_Node, ...]) -> Any:
        if "$" in text:
            used: dict[str, str | None] = {}
            base = self.lookup

            def lookup(name: str) -> str | None:
                found = base(name)
                used.setdefault(name, found)
                return found

            missing: list[str] = []
            result, failure = _substitute(text, lookup, missing)
            if missing and self.warnings is not None:
                self.warnings.extend(unset_warning(name) for name in missing)
            if self.hook is not None:
                self.hook(locate(self.root, self.path), tuple(self.path), used, missing)
            if failure is not None:
                self._fail(failure)
                return text  # collecting: the value stays as written
            text = result
        return self.cast(text, nodes)


def interpolate(
    data: Any,
    lookup: Lookup,
    *,
    warnings: list[str] | None = None,
    errors: list[ComposerError] | None = None,
    sources: VariableHook | None = None,
) -> Any:
    """Substitute `${...}` in every string value of `data`, then apply CASTS.

    `lookup(name)` returns a variable's value or None when unset. Warnings (unset
    variables, YAML 1.1 booleans) are appended to `warnings` in document order. Raises
    InterpolationError with the reference's message, the failing value's Location and
    its key path; with an `errors` list every failure is appended there instead (the
    failing values stay as written) and the walk goes on. `sources` is called for each
    string that references variables (see VariableHook).
    """
    walker = (
        _TracingWalker(lookup, warnings, data, errors, sources)
        if errors is not None or sources is not None
        else _Walker(lookup, warnings)
    )
    try:
        return walker.value(data, _ROOT)
    except _Failed as failed:
        raise _error(failed.error, list(walker.path), data) from failed.error


def _go_path(keys: list[Hashable]) -> str:
    return ".".join(LIST_ITEM if isinstance(key, int) else str(key) for key in keys)


def _error(
    cause: InterpolationError | CastError, keys: list[Hashable], root: Any
) -> InterpolationError:
    path = _go_path(keys)
    if isinstance(cause, TemplateSyntaxError):
        message = (
            f"invalid interpolation format for {path}.\n"
            f"You may need to escape any $ with another $.\n{cause.template}"
        )
        code = "interpolation"
    elif isinstance(cause, CastError):
        message = f"error while interpolating {path}: failed to cast to expected type: {cause}"
        code = "interpolation-cast"
    else:
        message = f"error while interpolating {path}: {cause.message}"
        code = cause.code
    return InterpolationError(message, code=code, location=locate(root, keys), path=keys)


def collect_variables(data: Any) -> dict[str, Variable]:
    """Every reference in the string values of `data` (keys excluded), for
    `config --variables`. One entry per name; a later occurrence replaces an earlier
    one (the reference's choice depends on Go map order)."""
    found: dict[str, Variable] = {}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for variable in extract_variables(value):
                found[variable.name] = variable
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, Override):
            walk(value.value)

    walk(data)
    return found
