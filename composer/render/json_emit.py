"""JSON text as Go's `json.MarshalIndent(v, "", "  ")` writes it.

Strings use Go's escaping: `<`, `>`, `&`, U+2028 and U+2029 become `\\u003c`,
`\\u003e`, `\\u0026`, `\\u2028`, `\\u2029`; other characters follow the same rules as
Python's encoder (short escapes for \\b \\f \\n \\r \\t, `\\u00XX` for other controls).
No trailing newline, like MarshalIndent.
"""

from __future__ import annotations

from json.encoder import encode_basestring  # type: ignore[attr-defined]

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

_GO_ONLY = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_SPECIAL = frozenset("<>&\u2028\u2029")


_STRING_CACHE: dict[str, str] = {}


def go_json_string(s: str) -> str:
    """A JSON string literal with encoding/json's escaping (HTML-safe)."""
    text = _STRING_CACHE.get(s)
    if text is not None:
        return text
    text = encode_basestring(s)
    if not _SPECIAL.isdisjoint(s):
        text = text.translate(_GO_ONLY)
    if len(_STRING_CACHE) < 200_000:
        _STRING_CACHE[s] = text
    return text


def _write(out: list[str], node: Any, pad: str) -> None:
    kind = type(node)
    if kind is dict:
        if not node:
            out.append("{}")
            return
        inner = pad + "  "
        sep = "{\n" + inner
        for key, value in node.items():
            vk = type(value)
            if vk is str:
                out.append(sep + go_json_string(str(key)) + ": " + go_json_string(value))
            elif vk is int:
                out.append(f"{sep}{go_json_string(str(key))}: {value}")
            else:
                out.append(sep + go_json_string(str(key)) + ": ")
                _write(out, value, inner)
            sep = ",\n" + inner
        out.append("\n" + pad + "}")
    elif kind is list:
        if not node:
            out.append("[]")
            return
        inner = pad + "  "
        sep = "[\n" + inner
        for value in node:
            if type(value) is str:
                out.append(sep + go_json_string(value))
            else:
                out.append(sep)
                _write(out, value, inner)
            sep = ",\n" + inner
        out.append("\n" + pad + "]")
    elif kind is str:
        out.append(go_json_string(node))
    elif node is None:
        out.append("null")
    elif node is True:
        out.append("true")
    elif node is False:
        out.append("false")
    elif isinstance(node, str):  # GoNumber: preformatted
        out.append(node)
    elif isinstance(node, dict | list):
        _write(out, dict(node) if isinstance(node, dict) else list(node), pad)
    else:
        out.append(str(node))


def emit_json(tree: Any) -> str:
    """JSON text for an ordered tree, as json.MarshalIndent(tree, "", "  ")."""
    out: list[str] = []
    _write(out, tree, "")
    return "".join(out)
