"""`.env` and `env_file` parsing, exactly like compose-go v2.9.1's `dotenv` package.

The parser is a statement scanner, not a line splitter, and its edges show in `config`
output, so they are kept (each was checked against the reference binary):

* Blank space and `#` comment lines are skipped; `export ` before a key is dropped.
* A key ends at `=`, `:` (YAML style) or a newline. A newline means "inherited": the value
  comes from `lookup`, and the key is left out when lookup has none. Key characters are
  letters, digits and `_ . - [ ]` (spaces and tabs are skipped over while scanning, so
  `A B=1` is the error "key cannot contain a space"). A last line with no separator at
  all (`FOO` without a newline) is read as the VALUE of the empty key "".
* Unquoted values run to the end of the line, are cut at the first ` #` and trimmed.
* Single quotes are literal except that `\\'` stands for `'`; double quotes also take
  `\\"`, then the escapes `\\a \\b \\f \\n \\r \\t \\v \\\\ \\$` and `\\0NNN` octal, then
  `${...}` expansion. Whatever follows a closing quote on the line is parsed as new
  statements (a stray word becomes an inherited key; a stray quote is an error).
* Expansion (`${VAR}`, `$VAR`, defaults...) resolves through `lookup` FIRST, then through
  keys defined earlier in the same file.
* Line numbers in messages follow the reference's own counting (a quoted value that never
  closes reports the last line of the file); `Location` carries the real position.

`format: raw` (registered by the docker compose CLI, `docker run --env-file` rules) keeps
each value verbatim after the first `=`, quotes and trailing blanks included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NoReturn

from composer.errors import InterpolationError
from composer.golang import go_quote
from composer.loader import fs
from composer.loader.template import _substitute
from composer.source import Location

Lookup = Callable[[str], "str | None"]

# Go's unicode.IsSpace, and the dotenv parser's narrower isSpace (no line breaks).
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_INLINE_SPACE = frozenset("\t\v\f\r \x85\xa0")
_KEY_PUNCT = frozenset("_.-[]")
_EXPORT = re.compile(r"export[\t\n\f\r ]+")  # Go's \s is ASCII [\t\n\f\r ]
_ESCAPE = re.compile(r'\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})')
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "\\": "\\",
}
_BOM = "\ufeff"


class DotenvError(InterpolationError):
    """A `.env` / env_file that the reference refuses to read."""


def parse_dotenv(
    text: str,
    *,
    filename: str,
    lookup: Lookup,
    missing: list[str] | None = None,
) -> dict[str, str | None]:
    """Parse dotenv `text` into keys and values, in file order.

    `lookup` gives the values of the environment used for `${VAR}` expansion and for bare
    `KEY` lines. Unset plain references are appended to `missing` (for the "variable is
    not set" warning). Values are always strings: a bare key that lookup does not know is
    left out, as the reference does. Errors name `filename` like the reference
    (`failed to read <filename>: line N: ...`).
    """
    if text.startswith(_BOM):
        text = text[1:]
    return _Parser(text, filename, lookup, missing).run()


def read_env_file(
    path: str | Path,
    *,
    lookup: Lookup,
    raw: bool = False,
    missing: list[str] | None = None,
) -> dict[str, str | None]:
    """Read an env file (`raw=True` for `format: raw`). OSError propagates to the caller."""
    name = str(path)
    data = fs.read_bytes(name)
    if raw:
        return parse_raw(data, filename=name, lookup=lookup)
    text = data.decode("utf-8", "surrogateescape")
    return parse_dotenv(text, filename=name, lookup=lookup, missing=missing)


def read_env_files(
    paths: Iterable[str],
    environment: Mapping[str, str],
    *,
    check: Callable[[str], None] | None = None,
    origins: dict[str, str] | None = None,
) -> dict[str, str]:
    """The variables a list of env files sets, read as compose-go's GetEnvFromFile does:
    in order, a later file overriding an earlier one, each able to refer to `environment`
    (which wins) and to what the earlier files set. `check(path)` runs before each file
    is read (to refuse a missing one); `origins` learns the file that set each variable."""
    merged: dict[str, str] = {}

    def lookup(name: str) -> str | None:
        if name in environment:
            return environment[name]
        return merged.get(name)

    for path in paths:
        if check is not None:
            check(path)
        for key, value in read_env_file(path, lookup=lookup).items():
            if value is not None:
                merged[key] = value
                if origins is not None:
                    origins[key] = path
    return merged


def parse_raw(data: bytes, *, filename: str, lookup: Lookup) -> dict[str, str | None]:
    """`format: raw`: docker/cli's kvfile rules, values kept byte for byte."""
    out: dict[str, str | None] = {}
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, chunk in enumerate(lines, start=1):
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError:
            listed = " ".join(str(b) for b in chunk)
            _raise_raw(filename, f"invalid utf8 bytes at line {number}: [{listed}]", number)
        if number == 1 and line.startswith(_BOM):
            line = line[1:]
        line = _lstrip_go(line)
        if not line or line[0] == "#":
            continue
        key, sep, value = line.partition("=")
        if not key:
            _raise_raw(filename, f"no variable name on line '{line}'", number)
        if " " in key or "\t" in key:
            _raise_raw(filename, f"variable '{key}' contains whitespaces", number)
        if sep:
            out[key] = value
        else:
            found = lookup(line)
            if found is not None:
                out[key] = found
    return out


def _raise_raw(filename: str, message: str, line: int) -> NoReturn:
    raise DotenvError(
        f"failed to parse env_file {filename}: {message}",
        code="dotenv",
        location=Location(filename, line, 1),
    )


def _lstrip_go(text: str) -> str:
    i = 0
    n = len(text)
    while i < n and text[i] in _GO_SPACE:
        i += 1
    return text[i:]


def _rstrip_go(text: str) -> str:
    end = len(text)
    while end and text[end - 1] in _GO_SPACE:
        end -= 1
    return text[:end]


def _expand_escapes(value: str) -> str:
    """Double-quote escapes: Go's UnquoteChar on the sequences the regex admits."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(_unescape, value)


def _unescape(match: re.Match[str]) -> str:
    seq = match.group(0)
    if seq == "\\$":
        return "$$"  # stays literal through the expansion that follows
    if seq.startswith("\\0"):
        seq = "\\" + seq[2:]
        digits = seq[1:]
        if len(digits) == 3 and all(c in "01234567" for c in digits):
            code = int(digits, 8)
            if code <= 0xFF:
                return chr(code)
        return seq  # Go keeps the rewritten sequence when UnquoteChar refuses it
    return _SIMPLE_ESCAPES[seq[1]]


class _Parser:
    """One pass over the text; `line` is the reference's line counter."""

    def __init__(self, text: str, filename: str, lookup: Lookup, missing: list[str] | None) -> None:
        self.text = text
        self.filename = filename
        self.lookup = lookup
        self.missing = missing
        self.line = 1
        self.out: dict[str, str | None] = {}

    def run(self) -> dict[str, str | None]:
        text = self.text
        n = len(text)
        pos = 0
        while True:
            pos = self._statement_start(pos)
            if pos >= n:
                return self.out
            pos = self._statement(pos)

    def _statement_start(self, pos: int) -> int:
        text = self.text
        n = len(text)
        while True:
            while pos < n and text[pos] in _GO_SPACE:
                if text[pos] == "\n":
                    self.line += 1
                pos += 1
            if pos >= n or text[pos] != "#":
                return pos
            newline = text.find("\n", pos)
            if newline < 0:
                return n
            pos = newline

    def _statement(self, start: int) -> int:
        text = self.text
        n = len(text)
        pos = start
        export = _EXPORT.match(text, pos)
        if export is not None:
            pos += len("export")
            while pos < n and text[pos] in _INLINE_SPACE:
                pos += 1
        if pos >= n:
            self._fail("zero length string", start)
        key_start = pos
        sep = -1
        i = pos
        while i < n:
            char = text[i]
            if char in _INLINE_SPACE:
                i += 1
                continue
            if char == "=" or char == ":" or char == "\n":
                sep = i
                break
            if char in _KEY_PUNCT or char.isalpha() or char.isnumeric():
                i += 1
                continue
            first_line = text[key_start:].split("\n", 1)[0]
            self._fail(
                f"line {self.line}: unexpected character {go_quote(char)} "
                f"in variable name {go_quote(first_line)}",
                i,
            )
        inherited = False
        if sep >= 0:
            raw_key = text[key_start:sep]
            inherited = text[sep] == "\n"
            value_start = sep + 1
        else:
            raw_key = ""
            value_start = key_start
        if inherited and " " not in raw_key:
            self.line += 1
        key = _rstrip_go(raw_key)
        while value_start < n and text[value_start] in _INLINE_SPACE:
            value_start += 1
        if " " in key:
            self._fail(f"line {self.line}: key cannot contain a space", key_start)
        if inherited:
            found = self.lookup(key)
            if found is not None:
                self.out[key] = found
            return value_start
        value, after = self._value(value_start, start)
        self.out[key] = value
        return after

    def _value(self, pos: int, statement: int) -> tuple[str, int]:
        text = self.text
        quote = text[pos] if pos < len(text) else ""
        if quote != '"' and quote != "'":
            newline = text.find("\n", pos)
            end = len(text) if newline < 0 else newline
            after = len(text) if newline < 0 else newline + 1
            self.line += 1
            value = text[pos:end]
            hash_at = value.find(" #")
            if hash_at >= 0:
                value = value[:hash_at]
            return self._expand(_rstrip_go(value), statement), after
        chars: list[str] = []
        escaped = False
        i = pos + 1
        n = len(text)
        while i < n:
            char = text[i]
            if char == "\n":
                self.line += 1
            if escaped:
                escaped = False
                if char != quote:
                    chars.append("\\")
                chars.append(char)
            elif char == "\\":
                escaped = True
            elif char == quote:
                value = "".join(chars)
                if quote == '"':
                    value = self._expand(_expand_escapes(value), statement)
                return value, i + 1
            else:
                chars.append(char)
            i += 1
        newline = text.find("\n", pos)
        shown = text[pos:] if newline < 0 else text[pos:newline]
        self._fail(f"line {self.line}: unterminated quoted value {shown}", pos)

    def _expand(self, value: str, statement: int) -> str:
        if "$" not in value:
            return value
        out = self.out
        lookup = self.lookup

        def resolve(name: str) -> str | None:
            found = lookup(name)
            return found if found is not None else out.get(name)

        result, failure = _substitute(value, resolve, self.missing)
        if failure is not None:
            self._fail(failure.message, statement, failure)
        return result

    def _fail(self, message: str, pos: int, cause: InterpolationError | None = None) -> NoReturn:
        text = self.text
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        error = DotenvError(
            f"failed to read {self.filename}: {message}",
            code="dotenv",
            location=Location(self.filename, line, column),
        )
        raise error from cause
