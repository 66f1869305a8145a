"""The `${...}` engine, with the exact semantics of compose-go v2.9.1 (`template/template.go`).

Compose does not parse templates with a grammar: it runs one regular expression over the
text and post-processes each match, and its quirks are observable in `config` output, so
they are reproduced on purpose:

* `${NAME<op>...}` is matched greedily up to the LAST `}` of the line (`.` never crosses a
  newline), then cut at the first balanced `}` (a `{` also swallows the character after
  it); whatever follows the cut is substituted as a separate template.
* Defaults (`:-`, `-`), alternates (`:+`, `+`) and error texts (`:?`, `?`) are
  substituted EAGERLY, before the variable is looked up: `${SET:-$UNSET}` warns about
  UNSET although SET is set, and a bad template inside a default is an error either way.
* Only a plain `$NAME` / `${NAME}` that is unset counts as missing (the
  `The "X" variable is not set` warning); `${X:-...}`, `${X+...}` and friends never warn.
* Names are `[_a-zA-Z][_a-zA-Z0-9]*` matched case-insensitively the Go way, which also
  admits U+017F (long s) and U+212A (Kelvin sign). `$` followed by anything else (`$1`,
  `$-`, a trailing `$`) stays literal; `${` that does not form a valid reference is an
  invalid template.
* Processing goes on after the first error (later references still warn) and the first
  error is the one reported.

The result keeps a single `$` where the text had `$$`; re-escaping for output is the
renderer's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from composer.errors import InterpolationError
from composer.golang import go_quote

Lookup = Callable[[str], "str | None"]

# Go's (?i)[_a-z] also folds U+017F and U+212A onto s and k; Python's IGNORECASE would
# add U+0130/U+0131 as well, so the classes are spelled out instead.
_FIRST = "_a-zA-Z\u017f\u212a"
_REST = "_a-zA-Z0-9\u017f\u212a"
_PATTERN = re.compile(
    rf"\$(?:(?P<escaped>\$)|(?P<named>[{_FIRST}][{_REST}]*)"
    rf"|\{{(?:(?P<braced>[{_FIRST}][{_REST}]*(?::?[-+?].*)?)\}}|(?P<invalid>)))"
)
_NAME = re.compile(rf"[{_FIRST}][{_REST}]*")
# `config --variables` splits a name off with an ASCII-only test.
_ASCII_NAME = re.compile(r"[a-zA-Z0-9_]*")


class TemplateSyntaxError(InterpolationError):
    """A `$` expression that is not a valid reference (`${`, `${A B}`, `${A:x}`)."""

    def __init__(self, template: str) -> None:
        super().__init__(f"Invalid template: {go_quote(template)}", code="interpolation")
        self.template = template


class RequiredVariableError(InterpolationError):
    """`${X:?msg}` / `${X?msg}` met an unset (or, with the colon, empty) variable."""

    def __init__(self, variable: str, reason: str) -> None:
        text = f"required variable {variable} is missing a value"
        if reason:
            text += f": {reason}"
        super().__init__(text, code="required-variable")
        self.variable = variable
        self.reason = reason


class _Invalid:
    """An invalid-template failure whose template text is filled in by the enclosing call."""

    __slots__ = ()


_INVALID = _Invalid()


def substitute(text: str, lookup: Lookup, missing: list[str] | None = None) -> str:
    """Replace every reference in `text`; `$$` becomes `$`.

    `lookup(name)` returns the value or None when the variable is unset. Names of plain
    references found unset are appended to `missing` (in order, repeats kept, as Compose
    warns once per occurrence). Raises TemplateSyntaxError or RequiredVariableError.
    """
    if "$" not in text:
        return text
    result, failure = _substitute(text, lookup, missing)
    if failure is not None:
        raise failure
    return result


def _substitute(
    text: str, lookup: Lookup, missing: list[str] | None
) -> tuple[str, InterpolationError | None]:
    if "$" not in text:
        return text, None
    parts: list[str] = []
    pos = 0
    first: InterpolationError | None = None
    for match in _PATTERN.finditer(text):
        start = match.start()
        if start != pos:
            parts.append(text[pos:start])
        pos = match.end()
        value, failure = _replace(match, lookup, missing)
        if failure is not None and first is None:
            invalid = not isinstance(failure, InterpolationError)
            first = TemplateSyntaxError(text) if invalid else failure  # type: ignore[assignment]
        parts.append(value)
    parts.append(text[pos:])
    return "".join(parts), first


def _replace(
    match: re.Match[str], lookup: Lookup, missing: list[str] | None
) -> tuple[str, InterpolationError | _Invalid | None]:
    """One regex match -> its replacement (compose-go's DefaultReplacementAppliedFunc)."""
    named = match.group("named")
    if named is not None:
        value = lookup(named)
        if value is None:
            if missing is not None:
                missing.append(named)
            return "", None
        return value, None
    if match.group("escaped") is not None:
        return "$", None
    braced = match.group("braced")
    if braced is None:
        return "", _INVALID
    whole = match.group(0)
    rest = ""
    cut = _closing_brace(whole)
    if 0 <= cut < len(whole) - 1:
        rest = whole[cut + 1 :]
        again = _PATTERN.match(whole, 0, cut + 1)
        braced = again.group("braced") if again is not None else None
        if braced is None:
            return "", _INVALID
    name_end = _NAME.match(braced).end()  # type: ignore[union-attr]
    name = braced[:name_end]
    if name_end == len(braced):
        value = lookup(name)
        if value is None:
            if missing is not None:
                missing.append(name)
            return "", None
        return value, None
    op = braced[name_end : name_end + 2] if braced[name_end] == ":" else braced[name_end]
    body, failure = _substitute(braced[name_end + len(op) :], lookup, missing)
    if failure is not None:
        return "", failure
    current = lookup(name)
    if op == ":-":
        value = body if not current else current
    elif op == "-":
        value = body if current is None else current
    elif op == ":+":
        value = body if current else ""
    elif op == "+":
        value = body if current is not None else ""
    elif current is None or (op == ":?" and current == ""):
        return "", RequiredVariableError(name, body)
    else:
        value = current
    if rest:
        tail, failure = _substitute(rest, lookup, missing)
        if failure is not None:
            return "", failure
        value += tail
    return value, None


def _closing_brace(text: str) -> int:
    """compose-go's getFirstBraceClosingIndex, quirk included: a `{` skips the next char."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "}":
            depth -= 1
            if depth == 0:
                return i
        elif char == "{":
            depth += 1
            i += 1
        i += 1
    return -1


@dataclass(frozen=True, slots=True)
class Variable:
    """One reference as `config --variables` reports it.

    `default` is set for `-`/`:-`, `alternate` for `+`/`:+` (None when that operator is
    absent; the reference prints both as blank when None or empty).
    """

    name: str
    required: bool = False
    default: str | None = None
    alternate: str | None = None


def extract_variables(text: str) -> list[Variable]:
    """The references in one string, in compose-go's ExtractVariables order.

    Variables found after a braced reference's closing brace come before it, and those in
    a default/alternate value after it; error texts are not searched. A malformed `${`
    yields a Variable with an empty name, as the reference does.
    """
    found: list[Variable] = []
    if "$" in text:
        _extract(text, found)
    return found


def _extract(text: str, found: list[Variable]) -> None:
    for match in _PATTERN.finditer(text):
        if match.group("escaped") is not None:
            continue
        val = match.group("named")
        if val is None:
            val = match.group("braced") or ""
            whole = match.group(0)
            cut = _closing_brace(whole)
            if cut > 0:
                val = whole[2:cut]
                if len(whole) > cut:
                    _extract(whole[cut + 1 :], found)
        split = _ASCII_NAME.match(val).end()  # type: ignore[union-attr]
        if split == 0 or split == len(val):
            found.append(Variable(val))
            continue
        name, rest = val[:split], val[split:]
        if rest.startswith((":?", "?")):
            found.append(Variable(name, required=True))
        elif rest.startswith((":-", "-")):
            default = rest[2:] if rest[0] == ":" else rest[1:]
            found.append(Variable(name, default=default))
            if default:
                _extract(default, found)
        elif rest.startswith((":+", "+")):
            alternate = rest[2:] if rest[0] == ":" else rest[1:]
            found.append(Variable(name, alternate=alternate))
            if alternate:
                _extract(alternate, found)
        else:
            found.append(Variable(name))


def unset_warning(name: str) -> str:
    """The reference's warning text for an unset variable."""
    return f"The {go_quote(name)} variable is not set. Defaulting to a blank string."
