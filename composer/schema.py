"""Validate a project against the compose-spec JSON schema, with the reference's messages.

Why a small compiler of our own instead of `jsonschema`: the schema the reference embeds
(schemas/compose-spec.json, see scripts/extract_schema.py) uses only a dozen keywords, so
compiling it once into nested closures validates a 1,000-service project in a few tens
of milliseconds (jsonschema's Draft7Validator needs over a second), and the errors can be
shaped exactly like the reference's (compose-go over santhosh-tekuri/jsonschema):

* every violation is a leaf with an instance path and a kind (type, enum, pattern,
  required, additional properties, unique items, minimum, maximum, oneOf);
* the reported one is the *most specific*: the longest instance path, an "additional
  properties" error counting one level deeper, the first in evaluation order on a tie
  (properties before additionalProperties; mapping keys in document order, where the
  reference walks Go maps in random order);
* messages read `<dotted.path> <text>`, `must be a mapping` for a type error, and so on.

Formats are not asserted (the reference does not either). A keyword the compiler does not
know makes compilation fail loudly, so a schema update cannot be silently half-checked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

from composer.errors import SchemaError
from composer.golang import go_quote
from composer.source import Location, key_loc_of, locate

# composer/schemas is a link to the repository's schemas/ folder, so the schema kept
# current by scripts/extract_schema.py is also package data in a wheel.
SCHEMA_PATH = Path(__file__).parent / "schemas" / "compose-spec.json"

# Keywords that only annotate (ignored) and those the compiler implements.
_ANNOTATIONS = frozenset(
    (
        "$schema",
        "$id",
        "id",
        "title",
        "description",
        "default",
        "deprecated",
        "examples",
        "$comment",
    )
)
_IMPLEMENTED = frozenset(
    (
        "type",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "items",
        "uniqueItems",
        "enum",
        "const",
        "pattern",
        "minimum",
        "maximum",
        "oneOf",
        "anyOf",
        "allOf",
        "$ref",
        "definitions",
        "format",  # not asserted, like the reference
    )
)


# --------------------------------------------------------------------------- errors


class _Leaf:
    """One raw violation; `rpath` is the instance path in reverse (appended while bubbling)."""

    __slots__ = ("kind", "rpath", "params", "forms")

    def __init__(self, kind: str, params: Any = None) -> None:
        self.kind = kind
        self.rpath: list[Hashable] = []
        self.params = params
        self.forms: tuple[str, ...] = ()  # oneOf type failures: every accepted type

    def depth(self) -> int:
        """Specificity as the reference counts it."""
        return len(self.rpath) + (1 if self.kind == "additional" else 0)


_Errors = list[_Leaf] | None
_Check = Callable[[Any], _Errors]


def _prefix(acc: list[_Leaf] | None, errors: list[_Leaf], key: Hashable) -> list[_Leaf]:
    for leaf in errors:
        leaf.rpath.append(key)
    if acc is None:
        return errors
    acc.extend(errors)
    return acc


class SchemaViolation(SchemaError):
    """A SchemaError that also knows the reference's dotted path and bare message text."""

    def __init__(
        self,
        message: str,
        *,
        ref_path: str,
        detail: str,
        kind: str,
        key_path: tuple[Hashable, ...],
        location: Location | None,
        hint: str | None,
        file: str | None,
    ) -> None:
        super().__init__(
            message,
            code=f"schema.{kind}",
            location=location,
            path=key_path,
            hint=hint,
            file=file,
        )
        self.ref_path = ref_path
        self.detail = detail
        self.kind = kind
        self.key_path = key_path


def reference_line(error: SchemaViolation, file: str) -> str:
    """The line the reference prints for this error: `validating <file>: <path> <text>`."""
    return f"validating {file}: {error.ref_path} {error.detail}"


# --------------------------------------------------------------------------- types

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list, tuple),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
    "integer": (int, float),
}


def _type_predicate(names: list[str]) -> Callable[[Any], bool]:
    """isinstance test for a set of JSON types (bool is no number, 1.0 is an integer)."""
    classes = tuple({c for n in names for c in _JSON_TYPES[n]})
    numeric = "number" in names or "integer" in names
    boolean = "boolean" in names
    integral_only = "integer" in names and "number" not in names
    if not numeric:
        return lambda v: isinstance(v, classes)

    def check(v: Any) -> bool:
        if not isinstance(v, classes):
            return False
        if isinstance(v, bool):
            return boolean
        if integral_only and isinstance(v, float):
            return v.is_integer()
        return True

    return check


class _GoRegex:
    """A schema pattern, compiled on its first use: a file reaches few of the
    schema's ~60 patterns, and compiling them all cost every command ~3 ms."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str) -> None:
        # RE2's `$` is end of text; Python's also matches before a final newline.
        if pattern.endswith("$") and not pattern.endswith("\\$"):
            pattern = pattern[:-1] + r"\Z"
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled.search(text)


def _freeze(value: Any) -> Hashable:
    """A hashable JSON-equality key (true != 1, 1 == 1.0, mapping order ignored)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, dict):
        return ("o", frozenset((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("a", tuple(_freeze(v) for v in value))
    return ("s", value) if isinstance(value, str) else ("x", repr(value))


# --------------------------------------------------------------------------- compiler


class _Compiler:
    """Turns schema dicts into `_Check` closures; `$ref`s compile once (cycles allowed)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, _Check] = {}

    def ref(self, pointer: str) -> _Check:
        if pointer in self.refs:
            return self.refs[pointer]
        cell: list[_Check] = []
        self.refs[pointer] = lambda v: cell[0](v)  # placeholder for recursive refs
        if not pointer.startswith("#"):
            raise ValueError(f"unsupported $ref {pointer!r}")
        node: Any = self.root
        for part in pointer[1:].split("/"):
            if part:
                node = node[part.replace("~1", "/").replace("~0", "~")]
        check = self.compile(node)
        cell.append(check)
        self.refs[pointer] = check
        return check

    def compile(self, schema: Any) -> _Check:
        if schema is True or schema == {}:
            return _accept
        if schema is False:
            return _reject
        if not isinstance(schema, dict):
            raise ValueError(f"not a schema: {schema!r}")
        unknown = set(schema) - _ANNOTATIONS - _IMPLEMENTED
        if unknown:
            raise ValueError(f"schema keyword(s) not supported: {sorted(unknown)}")
        if "$ref" in schema:  # draft-07: siblings of $ref are ignored
            return self.ref(schema["$ref"])

        checks: list[_Check] = []
        type_gate: Callable[[Any], bool] | None = None
        type_error: tuple[str, ...] = ()
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            type_gate = _type_predicate(names)
            type_error = tuple(names)
        if "const" in schema:
            checks.append(_enum_check([schema["const"]], const=True))
        if "enum" in schema:
            checks.append(_enum_check(schema["enum"]))
        if "pattern" in schema:
            checks.append(_pattern_check(schema["pattern"]))
        if "minimum" in schema or "maximum" in schema:
            checks.append(_range_check(schema.get("minimum"), schema.get("maximum")))
        if any(k in schema for k in ("properties", "patternProperties", "additionalProperties")):
            checks.append(self._object_check(schema))
        if "required" in schema:
            checks.append(_required_check(schema["required"]))
        if "items" in schema or "uniqueItems" in schema:
            checks.append(self._array_check(schema))
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                checks.append(_combinator(key, [self.compile(s) for s in schema[key]]))

        return _assemble(type_gate, type_error, checks)

    def _object_check(self, schema: dict[str, Any]) -> _Check:
        props = {k: self.compile(s) for k, s in schema.get("properties", {}).items()}
        patterns = [
            (_GoRegex(p), self.compile(s)) for p, s in schema.get("patternProperties", {}).items()
        ]
        additional = schema.get("additionalProperties", True)
        extra = None if additional is True or additional is False else self.compile(additional)
        forbid = additional is False
        # Which patterns a key matches: keys repeat a lot (service names excepted).
        matches: dict[str, tuple[_Check, ...]] = {}

        def check(value: Any) -> _Errors:
            if not isinstance(value, dict):
                return None
            acc: list[_Leaf] | None = None
            extras: list[Any] | None = None
            for key, item in value.items():
                sub = props.get(key)
                if sub is not None:
                    errors = sub(item)
                    if errors:
                        acc = _prefix(acc, errors, key)
                if patterns:
                    skey = key if isinstance(key, str) else str(key)
                    found = matches.get(skey)
                    if found is None:
                        if len(matches) > 4096:
                            matches.clear()
                        found = tuple(c for rx, c in patterns if rx.search(skey))
                        matches[skey] = found
                    for pcheck in found:
                        errors = pcheck(item)
                        if errors:
                            acc = _prefix(acc, errors, key)
                    if found or sub is not None:
                        continue
                elif sub is not None:
                    continue
                if forbid:
                    if extras is None:
                        extras = []
                    extras.append(key)
                elif extra is not None:
                    errors = extra(item)
                    if errors:
                        acc = _prefix(acc, errors, key)
            if extras:
                leaf = _Leaf("additional", extras)
                acc = [leaf] if acc is None else acc + [leaf]
            return acc

        return check

    def _array_check(self, schema: dict[str, Any]) -> _Check:
        items = schema.get("items", True)
        if isinstance(items, list):
            raise ValueError("tuple-form `items` is not supported")
        item_check = None if items is True or items == {} else self.compile(items)
        unique = bool(schema.get("uniqueItems"))

        def check(value: Any) -> _Errors:
            if not isinstance(value, (list, tuple)):
                return None
            acc: list[_Leaf] | None = None
            if item_check is not None:
                for index, item in enumerate(value):
                    errors = item_check(item)
                    if errors:
                        acc = _prefix(acc, errors, index)
            if unique and len(value) > 1:
                seen: dict[Hashable, int] = {}
                for index, item in enumerate(value):
                    frozen = _freeze(item)
                    if frozen in seen:
                        leaf = _Leaf("unique", (seen[frozen], index))
                        acc = [leaf] if acc is None else acc + [leaf]
                        break
                    seen[frozen] = index
            return acc

        return check


def _accept(value: Any) -> _Errors:
    return None


def _reject(value: Any) -> _Errors:
    return [_Leaf("false")]


def _assemble(
    type_gate: Callable[[Any], bool] | None, type_error: tuple[str, ...], checks: list[_Check]
) -> _Check:
    """One closure for a schema: the type test short-circuits, then every keyword check."""
    if type_gate is None:
        if not checks:
            return _accept
        if len(checks) == 1:
            return checks[0]
    if not checks:
        gate = type_gate

        def only_type(value: Any) -> _Errors:
            if gate(value):  # type: ignore[misc]
                return None
            return [_Leaf("type", type_error)]

        return only_type

    def full(value: Any) -> _Errors:
        if type_gate is not None and not type_gate(value):
            return [_Leaf("type", type_error)]
        acc: list[_Leaf] | None = None
        for check in checks:
            errors = check(value)
            if errors:
                acc = errors if acc is None else acc + errors
        return acc

    return full


def _enum_check(values: list[Any], const: bool = False) -> _Check:
    frozen = {_freeze(v) for v in values}
    kind = "const" if const else "enum"

    def check(value: Any) -> _Errors:
        try:
            if _freeze(value) in frozen:
                return None
        except TypeError:
            pass
        return [_Leaf(kind, values)]

    return check


def _pattern_check(pattern: str) -> _Check:
    regex = _GoRegex(pattern)

    def check(value: Any) -> _Errors:
        if isinstance(value, str) and regex.search(value) is None:
            return [_Leaf("pattern", (value, pattern))]
        return None

    return check


def _range_check(minimum: float | None, maximum: float | None) -> _Check:
    def check(value: Any) -> _Errors:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if minimum is not None and value < minimum:
            return [_Leaf("minimum", minimum)]
        if maximum is not None and value > maximum:
            return [_Leaf("maximum", maximum)]
        return None

    return check


def _required_check(names: list[str]) -> _Check:
    def check(value: Any) -> _Errors:
        if not isinstance(value, dict):
            return None
        missing = [n for n in names if n not in value]
        return [_Leaf("required", missing)] if missing else None

    return check


def _best(errors: list[_Leaf]) -> _Leaf:
    """The most specific leaf: deepest (additional counts one deeper), first on a tie."""
    best = errors[0]
    depth = best.depth()
    for leaf in errors[1:]:
        d = leaf.depth()
        if d > depth:
            best, depth = leaf, d
    return best


def _combinator(key: str, branches: list[_Check]) -> _Check:
    """oneOf/anyOf keep the errors of the branch holding the most specific leaf."""

    def check(value: Any) -> _Errors:
        passed: list[int] = []
        failed: list[list[_Leaf]] = []
        for index, branch in enumerate(branches):
            errors = branch(value)
            if errors is None:
                passed.append(index)
                if key == "anyOf":
                    return None
            else:
                failed.append(errors)
        if key == "allOf":
            return [leaf for errors in failed for leaf in errors] or None
        if key == "oneOf" and len(passed) > 1:
            return [_Leaf("oneOf", (passed[0], passed[1]))]
        if passed:
            return None
        winner = failed[0]
        depth = _best(winner).depth()
        for errors in failed[1:]:
            d = _best(errors).depth()
            if d > depth:
                winner, depth = errors, d
        if len(failed) > 1 and all(
            len(e) == 1 and e[0].kind == "type" and not e[0].rpath for e in failed
        ):
            # Every branch rejected the value's type: remember all accepted forms (hint).
            winner[0].forms = tuple(name for e in failed for name in e[0].params)
        return winner

    return check


# --------------------------------------------------------------------------- messages


def _go_quote(text: str) -> str:
    """santhosh-tekuri's quote(): Go's %q, then every `\\"` back to `"` (a plain
    left-to-right replace, so an escaped backslash before the closing quote is eaten, as
    in the reference) and `'` escaped, finally wrapped in single quotes."""
    quoted = go_quote(text).replace('\\"', '"').replace("'", "\\'")
    return "'" + quoted[1:-1] + "'"


def _display(value: Any) -> str:
    if isinstance(value, str):
        return _go_quote(value)
    return json.dumps(value)


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def _human_type(names: tuple[str, ...]) -> str:
    """compose-go's humanReadableType: object is a mapping, several sorted `a, b or c`."""
    words = sorted("mapping" if n == "object" else n for n in names)
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} or {words[-1]}"


_PLAIN_TYPE = {"array": "list", "object": "mapping"}


def _describe(leaf: _Leaf) -> tuple[str, str | None]:
    """(reference message text, hint) for one leaf."""
    kind, params = leaf.kind, leaf.params
    if kind == "type":
        hint = None
        if leaf.forms:
            accepted = sorted({_PLAIN_TYPE.get(f, f) for f in leaf.forms})
            hint = "accepted forms: " + ", ".join(accepted)
        return f"must be a {_human_type(params)}", hint
    if kind in ("enum", "const"):
        shown = ", ".join(_display(v) for v in params)
        if len(params) == 1:
            return f"value must be {shown}", None
        return f"value must be one of {shown}", "allowed values: " + ", ".join(map(str, params))
    if kind == "pattern":
        value, pattern = params
        return f"{_go_quote(value)} does not match pattern {_go_quote(pattern)}", None
    if kind == "required":
        names = ", ".join(_go_quote(n) for n in params)
        return (
            f"missing property {names}" if len(params) == 1 else f"missing properties {names}"
        ), None
    if kind == "additional":
        names = ", ".join(_go_quote(str(n)) for n in params)
        return f"additional properties {names} not allowed", None
    if kind == "unique":
        return f"items at {params[0]} and {params[1]} are equal", "remove the duplicate entry"
    if kind == "minimum":
        return f"must be greater than or equal to {_number(params)}", None
    if kind == "maximum":
        return f"must be less than or equal to {_number(params)}", None
    if kind == "oneOf":
        return f"valid against subschemas at indexes {params[0]} and {params[1]}", None
    return "false schema", None


def _suggest(leaf: _Leaf, schema_props: Callable[[tuple[Hashable, ...]], list[str]]) -> str | None:
    """`did you mean ...` for unknown properties, from the known names at that place."""
    import difflib  # only on the error path

    path = tuple(reversed(leaf.rpath))
    known = schema_props(path)
    if not known:
        return None
    hints = []
    for name in leaf.params:
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.75)
        if close:
            hints.append(f"{name!s} -> {close[0]}")
    return ("did you mean: " + ", ".join(hints)) if hints else None


# --------------------------------------------------------------------------- public API

_CACHE: dict[str, Any] = {}


def load_schema() -> dict[str, Any]:
    """The compose-spec schema (parsed once)."""
    schema = _CACHE.get("schema")
    if schema is None:
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        _CACHE["schema"] = schema
    return schema


def _validator() -> _Check:
    check = _CACHE.get("check")
    if check is None:
        check = _Compiler(load_schema()).compile(load_schema())
        _CACHE["check"] = check
    return check


def _properties_at() -> Callable[[tuple[Hashable, ...]], list[str]]:
    """Known property names for the object at an instance path (for suggestions)."""
    schema = load_schema()

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = schema
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    def candidates(node: Any) -> list[Any]:
        node = resolve(node)
        if not isinstance(node, dict):
            return []
        out = [node]
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key, []):
                out.extend(candidates(sub))
        return out

    def names(path: tuple[Hashable, ...]) -> list[str]:
        nodes = candidates(schema)
        for part in path:
            nxt: list[Any] = []
            for node in nodes:
                if isinstance(part, int):
                    if "items" in node:
                        nxt.extend(candidates(node["items"]))
                    continue
                if part in node.get("properties", {}):
                    nxt.extend(candidates(node["properties"][part]))
                for pattern, sub in node.get("patternProperties", {}).items():
                    if _GoRegex(pattern).search(str(part)):
                        nxt.extend(candidates(sub))
            nodes = nxt
        return sorted({p for node in nodes for p in node.get("properties", {})})

    return names


def is_valid(project: Mapping[str, Any]) -> bool:
    """Fast yes/no check."""
    return _validator()(project) is None


def schema_errors(project: Mapping[str, Any], *, file: str | None = None) -> list[SchemaError]:
    """All violations of the compose-spec schema, most specific first.

    The first one is the one the reference reports (up to the reference's random choice
    among equally specific errors in different mapping entries; we take document order).
    """
    leaves = _validator()(project)
    if not leaves:
        return []
    ordered = sorted(leaves, key=lambda leaf: -leaf.depth())  # stable: evaluation order
    known = _properties_at()
    out: list[SchemaError] = []
    for leaf in ordered:
        key_path = tuple(reversed(leaf.rpath))
        ref_path = ".".join(str(p) for p in key_path)
        detail, hint = _describe(leaf)
        if leaf.kind == "additional":
            parent: Any = project
            for part in key_path:
                parent = parent[part]
            location = key_loc_of(parent, leaf.params[0])
            hint = _suggest(leaf, known)
        else:
            location = locate(project, key_path)
        message = f"{ref_path} {detail}" if ref_path else detail
        out.append(
            SchemaViolation(
                message,
                ref_path=ref_path,
                detail=detail,
                kind=leaf.kind,
                key_path=key_path,
                location=location,
                hint=hint,
                file=file,
            )
        )
    return out


def check_schema(project: Mapping[str, Any], *, file: str | None = None) -> None:
    """Raise the most specific schema violation (the reference's choice), if any."""
    if _validator()(project) is None:
        return
    raise schema_errors(project, file=file)[0]


__all__ = [
    "SchemaViolation",
    "check_schema",
    "is_valid",
    "load_schema",
    "reference_line",
    "schema_errors",
]
