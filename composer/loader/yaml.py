"""Read Compose YAML into plain data plus positions.

Uses the C-backed parser of ruamel.yaml (libyaml via ruamel.yaml.clib) for the node
tree and its marks, then builds `YMap`/`YList` itself: this is ~9x faster than the
round-trip loader and still knows the line and column of every key and value.
Scalars are resolved the way the reference (goccy/go-yaml) resolves them: YAML 1.2
booleans (`yes`/`on` stay strings) but 1.1-style `0755` octals and `1_000` ints.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.scanner import Scanner

from composer.errors import YamlError
from composer.loader import fs
from composer.loader.tags import RESET, Override
from composer.source import Location, YList, YMap


class _PureParser(Reader, Scanner, Parser, Composer):
    """ruamel.yaml's pure-Python parser + composer (YAML 1.2 rules)."""

    def __init__(self, stream: Any) -> None:
        Reader.__init__(self, stream, loader=self)
        Scanner.__init__(self, loader=self)
        Parser.__init__(self, loader=self)
        Composer.__init__(self, loader=self)


try:  # libyaml's parser: ~9x faster, used first
    from ruamel.yaml.cyaml import CParser as _CParser

    C_PARSER = True
except ImportError:  # pragma: no cover - depends on the installation
    _CParser = _PureParser  # type: ignore[misc,assignment]
    C_PARSER = False

# An alias bomb ("billion laughs") expands a small file into an enormous tree; the
# reader refuses any document whose expanded size passes this many nodes.
MAX_EXPANDED_NODES = 2_000_000

_STR = "tag:yaml.org,2002:str"
# Tags a resolver may give plain scalars by itself; the builder re-resolves those
_IMPLICIT = frozenset(
    "tag:yaml.org,2002:" + kind for kind in ("str", "int", "float", "bool", "null", "timestamp")
)
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)$")
_OCT_RE = re.compile(r"[-+]?0[0-7_]+$")
_OCT_O_RE = re.compile(r"[-+]?0o[0-7_]+$")
_HEX_RE = re.compile(r"[-+]?0x[0-9a-fA-F_]+$")
_BIN_RE = re.compile(r"[-+]?0b[01_]+$")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)$")
_NAN_RE = re.compile(r"\.(?:nan|NaN|NAN)$")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUES = frozenset(("true", "True", "TRUE"))
_FALSES = frozenset(("false", "False", "FALSE"))


class _FastReader(_CParser, BaseResolver):  # type: ignore[misc,valid-type]
    """libyaml parser + composer with a no-op resolver: every plain scalar stays
    tagged str and `resolve_plain` decides its type as the reference does."""

    def __init__(self, stream: Any) -> None:
        _CParser.__init__(self, stream)
        BaseResolver.__init__(self)


class _StrictReader:
    """The pure-Python parser, for files libyaml refuses but YAML 1.2 (and the
    reference) accepts, such as `[data:/data]` in a flow sequence. Its resolver
    tags plain scalars; the builder ignores those tags and resolves them itself."""

    def __init__(self, stream: Any) -> None:
        from ruamel.yaml import YAML

        self._nodes = iter(YAML(typ="safe", pure=True).compose_all(stream))
        self._next: Any = None
        self._done = False

    def check_node(self) -> bool:
        if self._next is None and not self._done:
            try:
                self._next = next(self._nodes)
            except StopIteration:
                self._done = True
        return self._next is not None

    def get_node(self) -> Any:
        node, self._next = self._next, None
        return node


def _int(text: str, base: int, prefix: int) -> int:
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("+-")[prefix:].replace("_", "")
    return sign * int(digits, base)


def resolve_plain(text: str) -> Any:
    """Type of an unquoted scalar, the way goccy/go-yaml decides it."""
    if text in _NULLS:
        return None
    first = text[0]
    if first in "tTfF":
        if text in _TRUES:
            return True
        if text in _FALSES:
            return False
        return text
    if not (first.isdigit() or first in "+-."):
        return text
    if _INT_RE.match(text):
        return int(text.replace("_", ""))
    if _OCT_RE.match(text):
        return _int(text, 8, 1)
    if _OCT_O_RE.match(text):
        return _int(text, 8, 2)
    if _HEX_RE.match(text):
        return _int(text, 16, 2)
    if _BIN_RE.match(text):
        return _int(text, 2, 2)
    if _FLOAT_RE.match(text) and any(c.isdigit() for c in text):
        return float(text.replace("_", ""))
    if _INF_RE.match(text):
        return -math.inf if first == "-" else math.inf
    if _NAN_RE.match(text):
        return math.nan
    return text


def _loc(node: Node, file: str) -> Location:
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns one composed node tree into YMap/YList/scalars with positions."""

    def __init__(self, file: str) -> None:
        self.file = file

    def check_size(self, root: Node) -> None:
        sizes: dict[int, int] = {}

        def size(node: Node) -> int:
            known = sizes.get(id(node))
            if known is not None:
                return known
            sizes[id(node)] = 1  # recursion guard for self-referencing aliases
            total = 1
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    total += size(key) + size(value)
                    if total > MAX_EXPANDED_NODES:
                        break
            elif isinstance(node, SequenceNode):
                for item in node.value:
                    total += size(item)
                    if total > MAX_EXPANDED_NODES:
                        break
            sizes[id(node)] = total
            return total

        if size(root) > MAX_EXPANDED_NODES:
            raise YamlError(
                f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through anchors "
                "and aliases (an alias bomb?)",
                code="yaml-alias-bomb",
                location=_loc(root, self.file),
                hint="use fewer nested aliases; write the values out",
            )

    def build(self, node: Node, path: tuple[Any, ...] = ()) -> Any:
        tag = node.tag
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
        elif isinstance(node, MappingNode):
            value = self.mapping(node, path)
        elif isinstance(node, SequenceNode):
            out = YList()
            out.loc = _loc(node, self.file)
            for index, item in enumerate(node.value):
                out.append(self.build(item, (*path, index)))
                out.locs.append(_loc(item, self.file))
            value = out
        else:  # pragma: no cover - libyaml only makes these three
            raise YamlError(
                f"unsupported YAML node {type(node).__name__}", location=_loc(node, self.file)
            )
        if tag == "!reset":
            return RESET
        if tag == "!override":
            return Override(value)
        return value

    def scalar(self, node: ScalarNode) -> Any:
        text = node.value
        tag: str = node.tag or _STR
        if node.style not in (None, ""):
            if tag in (_STR, "!", "!reset", "!override") or not tag.startswith(
                "tag:yaml.org,2002:"
            ):
                return text
            return self._explicit(node, text, tag)
        if (
            tag == _STR
            or tag in ("!reset", "!override")
            or not tag.startswith("tag:yaml.org,2002:")
        ):
            return resolve_plain(text)
        return self._explicit(node, text, tag)

    def _explicit(self, node: ScalarNode, text: str, tag: str) -> Any:
        kind = tag.rsplit(":", 1)[-1]
        if kind == "str":
            return text
        if kind == "null":
            return None
        value: Any = resolve_plain(text)
        expected: dict[str, tuple[type, ...]] = {
            "int": (int,),
            "float": (int, float),
            "bool": (bool,),
        }
        if kind not in expected or not isinstance(value, expected[kind]):
            raise YamlError(
                f"cannot decode {text!r} as !!{kind}",
                code="yaml-tag",
                location=_loc(node, self.file),
            )
        return float(str(value)) if kind == "float" else value

    def mapping(self, node: MappingNode, path: tuple[Any, ...]) -> YMap:
        out = YMap()
        out.loc = _loc(node, self.file)
        first_line: dict[Any, int] = {}
        merged: list[tuple[Any, Any, Location, Location]] = []
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, ScalarNode)
                and key_node.value == "<<"
                and key_node.style in (None, "")
            ):
                merged.extend(self._merge_sources(value_node, path))
                continue
            key = self.build(key_node, path)
            if isinstance(key, (YMap, YList)):
                raise YamlError(
                    "invalid map key: a mapping or a list cannot be a key",
                    code="yaml-key",
                    location=_loc(key_node, self.file),
                    path=path,
                    hint="a `? ` complex key is not allowed in Compose files",
                )
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, ScalarNode) else "<collection>"
                where = ".".join(str(p) for p in path)
                raise YamlError(
                    f"non-string key in {where}: {shown}" if where else f"non-string key: {shown}",
                    code="yaml-key",
                    location=_loc(key_node, self.file),
                    path=path,
                    hint=f'quote the key: "{shown}"',
                )
            if key in first_line:
                raise YamlError(
                    f'mapping key "{key}" already defined at line {first_line[key]}',
                    code="yaml-duplicate-key",
                    location=_loc(key_node, self.file),
                    path=(*path, key),
                    hint="remove one of the two entries",
                )
            first_line[key] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, (*path, key))
            out.locs[key] = _loc(value_node, self.file)
            out.key_locs[key] = _loc(key_node, self.file)
        for key, value, value_loc, key_loc in merged:
            if key not in out:
                out[key] = value
                out.locs[key] = value_loc
                out.key_locs[key] = key_loc
        return out

    def _merge_sources(
        self, value_node: Node, path: tuple[Any, ...]
    ) -> list[tuple[Any, Any, Location, Location]]:
        """Entries brought in by `<<`: earlier sources win over later ones."""
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        entries: list[tuple[Any, Any, Location, Location]] = []
        seen: set[Any] = set()
        for source in sources:
            if not isinstance(source, MappingNode):
                raise YamlError(
                    "a merge key '<<' takes a mapping or a list of mappings",
                    code="yaml-merge-key",
                    location=_loc(source, self.file),
                    path=path,
                )
            built = self.mapping(source, path)
            for key, value in built.items():
                if key not in seen:
                    seen.add(key)
                    entries.append((key, value, built.locs[key], built.key_locs[key]))
        return entries


def _error_location(error: YAMLError, file: str) -> Location | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    context = getattr(error, "context", None) or ""
    context_mark = getattr(error, "context_mark", None)
    if context.startswith("while scanning a simple key") and context_mark is not None:
        mark = context_mark  # the key that never got its ':' is the culprit
    if mark is None:
        return None
    return Location(file, mark.line + 1, mark.column + 1)


def _error_message(error: YAMLError) -> str:
    if isinstance(error, MarkedYAMLError):
        parts = [p for p in (error.context, error.problem) if p]
        return ": ".join(parts) if parts else "invalid YAML"
    return str(error).splitlines()[0] if str(error) else "invalid YAML"


def parse_documents(text: str, file: str) -> list[Any]:
    """All documents of a YAML stream as plain data with positions (empty ones skipped).

    libyaml follows YAML 1.1 and refuses a few inputs YAML 1.2 allows (a ':' inside
    a plain scalar in a flow collection); the pure-Python parser reads those, and
    its verdict is the one reported.
    """
    try:
        return _parse_with(_FastReader, text, file)
    except YamlError as error:
        if error.code != "yaml-syntax" or not C_PARSER:
            raise
    return _parse_with(_StrictReader, text, file)


def _parse_with(reader_class: Any, text: str, file: str) -> list[Any]:
    reader = reader_class(io.StringIO(text))
    builder = _Builder(file)
    documents: list[Any] = []
    try:
        while reader.check_node():
            node = reader.get_node()
            if node is None:
                continue
            builder.check_size(node)
            documents.append(builder.build(node))
    except YamlError:
        raise
    except YAMLError as error:
        message = _error_message(error)
        if "found undefined alias" in message or "found undefined anchor" in message:
            message = message.replace("found undefined alias", "unknown anchor")
        raise YamlError(
            message,
            code="yaml-syntax",
            location=_error_location(error, file) or Location(file, 1, 1),
            hint="check the indentation and quoting around this position",
        ) from None
    except RecursionError:
        raise YamlError(
            "document is nested too deeply", code="yaml-syntax", location=Location(file, 1, 1)
        ) from None
    finally:
        dispose: Callable[[], None] | None = getattr(reader, "dispose", None)
        if dispose is not None:
            dispose()
    return [doc for doc in documents if doc is not None]


def read_text(path: str) -> str:
    """The file's text; a missing or unreadable file is a ComposerError, not a traceback."""
    try:
        return fs.read_text(path)
    except FileNotFoundError:
        raise YamlError(f"file not found: {path}", code="file-not-found", file=path) from None
    except IsADirectoryError:
        raise YamlError(
            f"{path} is a directory, not a Compose file", code="file-not-found", file=path
        ) from None
    except UnicodeDecodeError as error:
        raise YamlError(
            f"{path} is not UTF-8 text: {error.reason}", code="yaml-encoding", file=path
        ) from None
    except OSError as error:
        raise YamlError(
            f"cannot read {path}: {error.strerror}", code="file-unreadable", file=path
        ) from None
