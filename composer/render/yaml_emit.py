"""A small block-style YAML writer that prints exactly what go-yaml v3 prints.

Input is an already ordered tree (dict/list/scalars, `GoNumber` for formatted
numbers). Scalar styles follow yaml.v3: a string that would read back as another type
is double-quoted; a string with a newline is a literal block (`|`, `|-`, `|+`, with an
indentation hint when it starts with a space or break); the emitter's analysis then
demotes plain to single-quoted and single-quoted or literal to double-quoted when the
text needs it. Lines are never folded (yaml.v3 uses an unlimited width). Keys longer
than 128 bytes or containing a line break use the explicit `? key` / `: value` form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from composer.render.goscalar import go_float_g, resolves_to_non_string

_PLAIN, _SINGLE, _DOUBLE, _LITERAL = range(4)

_BREAKS = frozenset("\r\n\x85\u2028\u2029")
# Exactly the cases where yaml.v3's emitter refuses a plain scalar in block context
# (text without a newline): leading/trailing space, indicator characters, `: `, ` #`,
# `---`/`...` at the start, tabs, line separators and non-printable characters.
_RISKY = re.compile(
    r"^[ #,\[\]{}&*!|>'\"%@`]|^[-?:](?: |$)|^---|^\.\.\.|:(?: |$)| #| $"
    r"|[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
)
_DOUBLE_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_NEEDS_ESCAPE = re.compile(
    r'["\\\n\x85\u2028\u2029]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]'
)


def _printable(c: str) -> bool:
    o = ord(c)
    return (
        o == 0x0A
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
    )


# yaml_emitter_analyze_scalar, reduced to the three answers the block context needs.
# Plain is refused exactly when _RISKY matches (for text without "\n").
# Single quotes are refused for tabs, non-printable characters and a space next to a
# line break; a literal block for a trailing space, a space before a line break and
# non-printable characters.
_NO_SINGLE = re.compile(
    r"[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
    r"| [\n\r\x85\u2028\u2029]|[\n\r\x85\u2028\u2029] "
)
_NO_BLOCK = re.compile(
    r" $| [\n\r\x85\u2028\u2029]|[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
)


def _style(s: str, simple_key: bool) -> int:
    """The style yaml.v3 ends up with for string `s` (stringv + select_scalar_style)."""
    if "\n" in s:
        if simple_key or _NO_BLOCK.search(s):
            return _DOUBLE
        return _LITERAL
    if not s or resolves_to_non_string(s):
        return _DOUBLE
    if _RISKY.search(s) is None:
        return _PLAIN
    return _DOUBLE if _NO_SINGLE.search(s) else _SINGLE


def _double(s: str) -> str:
    if _NEEDS_ESCAPE.search(s) is None:
        return f'"{s}"'
    out = []
    for c in s:
        if c in _DOUBLE_ESCAPES and (c in '"\\' or not _printable(c) or c in _BREAKS):
            out.append(_DOUBLE_ESCAPES[c])
        elif not _printable(c) or c == "\ufeff":
            o = ord(c)
            if o <= 0xFF:
                out.append(f"\\x{o:02X}")
            elif o <= 0xFFFF:
                out.append(f"\\u{o:04X}")
            else:
                out.append(f"\\U{o:08X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _single(s: str, col: int) -> str:
    if "\u2028" not in s and "\u2029" not in s:
        return "'" + s.replace("'", "''") + "'"
    # A Unicode line/paragraph separator is written raw; the text after it continues on
    # the same physical line, padded to the scalar's indentation (yaml.v3's write_indent).
    out = ["'"]
    since_break = -1
    for c in s:
        if c in "\u2028\u2029":
            out.append(c)
            since_break = 0
        elif c == " ":
            out.append(c)
            if since_break >= 0:
                since_break += 1
        else:
            if since_break >= 0:
                if since_break > col:
                    out.append("\n" + " " * col)
                else:
                    out.append(" " * (col - since_break))
                since_break = -1
            out.append("''" if c == "'" else c)
    out.append("'")
    return "".join(out)


def _literal(s: str, col: int, best: int) -> str:
    """` |` + hints + the block body at indentation `col`. yaml.v3 ends the header line,
    writes each line break as it comes and pads only lines that have text; a final
    Unicode separator leaves the cursor on its line (the next entry continues there)."""
    head = " |"
    if s[0] == " " or s[0] in _BREAKS:
        head += str(best)
    if s[-1] not in _BREAKS:
        head += "-"
    elif len(s) == 1 or s[-2] in _BREAKS:
        head += "+"
    pad = " " * col
    if "\u2028" not in s and "\u2029" not in s:
        lines = s.split("\n")
        body = [head, "\n"]
        for line in lines[:-1]:
            body.append(pad + line + "\n" if line else "\n")
        if lines[-1]:
            body.append(pad + lines[-1] + "\n")
        return "".join(body)
    out = [head, "\n"]
    breaks = True
    for c in s:
        if c in _BREAKS:
            out.append(c)
            breaks = True
        else:
            if breaks:
                out.append(pad)
                breaks = False
            out.append(c)
    if not breaks:
        out.append("\n")
    return "".join(out)


_VALUE_CACHE: dict[str, str] = {}
_KEY_CACHE: dict[str, str | None] = {}


def _scalar_text(node: Any) -> str | None:
    """Inline text of a non-string scalar, or None for strings and containers."""
    if node is None:
        return "null"
    if node is True:
        return "true"
    if node is False:
        return "false"
    if type(node) is int:
        return str(node)
    if type(node) is float:
        return go_float_g(node)
    return None


class _Writer:
    """Appends the YAML text of a tree to `out` (a list of string pieces)."""

    __slots__ = ("out", "best")

    def __init__(self, best: int) -> None:
        self.out: list[str] = []
        self.best = best

    def next_indent(self, col: int) -> int:
        best = self.best
        return best * ((col + best) // best)

    def string(self, s: str, col: int) -> None:
        """A string value (after an indicator), including its line end."""
        cached = _VALUE_CACHE.get(s)
        if cached is not None:
            self.out.append(cached)
            return
        style = _style(s, False)
        if style == _LITERAL:
            self.out.append(_literal(s, col, self.best))
            return
        if style == _PLAIN:
            text = " " + s + "\n"
        elif style == _DOUBLE:
            text = " " + _double(s) + "\n"
        else:
            if "\u2028" in s or "\u2029" in s:
                self.out.append(" " + _single(s, col) + "\n")
                return
            text = " " + _single(s, col) + "\n"
        if len(_VALUE_CACHE) < 200_000:
            _VALUE_CACHE[s] = text
        self.out.append(text)

    def value(self, node: Any, col: int, inline: bool) -> None:
        """Write `node` right after an indicator (`key:`, `-`, `?` or `:`).

        `col` is the indentation of the node's own lines; `inline` says whether a
        block collection may start on the indicator's line (after `-`, `?`, `:`)."""
        out = self.out
        if type(node) is str:
            self.string(node, col)
        elif isinstance(node, dict):
            if node:
                self.mapping(node, col, " " if inline else "\n" + " " * col)
            else:
                out.append(" {}\n")
        elif isinstance(node, list):
            if node:
                self.sequence(node, col, " -" if inline else "\n" + " " * col + "-")
            else:
                out.append(" []\n")
        elif isinstance(node, str):  # GoNumber and other str subclasses: preformatted
            out.append(" " + node + "\n")
        else:
            text = _scalar_text(node)
            out.append(" " + (text if text is not None else str(node)) + "\n")

    def mapping(self, node: dict[Any, Any], col: int, lead: str) -> None:
        """Entries at column `col`; `lead` goes before the first one (the rest start
        on a new, indented line). Plain scalar values are written inline here."""
        out = self.out
        pad = " " * col
        child = self.next_indent(col)
        keys, values = _KEY_CACHE, _VALUE_CACHE
        for key, item in node.items():
            text = keys.get(key, "") if type(key) is str else ""
            if text == "":
                text = self.key_text(key)
            if text is None:
                out.append(lead + "?")
                self.value(key, child, True)
                out.append(pad + ":")
                self.value(item, child, True)
                lead = pad
                continue
            kind = type(item)
            if kind is str:
                cached = values.get(item)
                if cached is not None:
                    out.append(lead + text + ":" + cached)
                    lead = pad
                    continue
            elif kind is int:
                out.append(f"{lead}{text}: {item}\n")
                lead = pad
                continue
            elif item is None:
                out.append(lead + text + ": null\n")
                lead = pad
                continue
            out.append(lead + text + ":")
            self.value(item, child, False)
            lead = pad

    def sequence(self, node: list[Any], col: int, lead: str) -> None:
        """Items with their `-` at column `col`; `lead` starts the first one."""
        out = self.out
        following = " " * col + "-"
        inner = col + 2
        values = _VALUE_CACHE
        for item in node:
            if type(item) is str:
                cached = values.get(item)
                if cached is not None:
                    out.append(lead + cached)
                    lead = following
                    continue
            out.append(lead)
            self.value(item, inner, True)
            lead = following

    def key_text(self, key: Any) -> str | None:
        """The simple-key text for `key`, or None when it needs the `? ` form."""
        if type(key) is not str:
            text = _scalar_text(key)
            return text if text is not None else str(key)
        cached = _KEY_CACHE.get(key, "")
        if cached != "":
            return cached
        if len(key.encode("utf-8")) > 128 or any(c in _BREAKS for c in key):
            result = None
        else:
            style = _style(key, True)
            if style == _PLAIN:
                result = key
            elif style == _SINGLE:
                result = _single(key, 0)
            else:
                result = _double(key)
        if len(_KEY_CACHE) < 200_000:
            _KEY_CACHE[key] = result
        return result

    def document(self, node: Any) -> str:
        out = self.out
        if isinstance(node, dict) and node:
            self.mapping(node, 0, "")
        elif isinstance(node, list) and node:
            self.sequence(node, 0, "-")
        else:
            self.value(node, 0, True)
            out[-1] = out[-1][1:]  # no indicator before a root scalar
        text = "".join(out)
        return text if text.endswith("\n") else text + "\n"


# Called with the key path of each scalar (or empty collection) written; a returned
# text is appended to that value's line as a `# comment` (config --sources).
Annotate = Callable[[tuple[Hashable, ...]], "str | None"]


class _AnnotatingWriter(_Writer):
    """The writer with a key path and a comment hook; a subclass, so the plain writer
    keeps its fast paths (inline scalars, caches) untouched."""

    __slots__ = ("annotate", "path")

    def __init__(self, best: int, annotate: Annotate) -> None:
        super().__init__(best)
        self.annotate = annotate
        self.path: list[Hashable] = []

    def value(self, node: Any, col: int, inline: bool) -> None:
        start = len(self.out)
        super().value(node, col, inline)
        if isinstance(node, (dict, list)) and node:
            return
        comment = self.annotate(tuple(self.path))
        if comment:
            text = "".join(self.out[start:])
            cut = text.find("\n")  # a literal block takes the comment on its header line
            if cut < 0:
                cut = len(text)
            self.out[start:] = [text[:cut] + "  # " + comment.replace("\n", " ") + text[cut:]]

    def mapping(self, node: dict[Any, Any], col: int, lead: str) -> None:
        out = self.out
        pad = " " * col
        child = self.next_indent(col)
        for key, item in node.items():
            text = self.key_text(key)
            self.path.append(key)
            if text is None:
                out.append(lead + "?")
                _Writer.value(self, key, child, True)
                out.append(pad + ":")
            else:
                out.append(lead + text + ":")
            self.value(item, child, text is None)
            self.path.pop()
            lead = pad

    def sequence(self, node: list[Any], col: int, lead: str) -> None:
        out = self.out
        following = " " * col + "-"
        for index, item in enumerate(node):
            self.path.append(index)
            out.append(lead)
            self.value(item, col + 2, True)
            self.path.pop()
            lead = following


def emit_yaml(tree: Any, indent: int = 2, annotate: Annotate | None = None) -> str:
    """YAML text for an ordered tree, as yaml.v3's Encoder with SetIndent(indent).
    `annotate` adds a trailing comment to the values it answers for."""
    if annotate is not None:
        return _AnnotatingWriter(indent, annotate).document(tree)
    return _Writer(indent).document(tree)
