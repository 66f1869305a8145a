"""The part of Go's text/template that `docker compose ps --format TEMPLATE` users
write: `{{.Name}}`, `{{.Label "key"}}`, pipelines (`{{.State | upper}}`), the Docker
CLI's functions (json, upper, lower, title, split, join, pad, truncate, println) and
Go's (eq, ne, lt, le, gt, ge, and, or, not, len, index, print, printf), `if`/`else`,
`range` and `with` blocks, `{{-`/`-}}` trimming, and the `table` prefix (a header
line, then tabwriter columns).

Why our own: scripts parse `ps --format '{{.Name}}\\t{{.State}}'`; a wrong column or
a traceback breaks them. What it does not know (variables, `define`, `block`,
comments) is a clear error, as an unknown field is, never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from composer.errors import ComposerError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

NO_VALUE = "<no value>"  # what Go prints for a missing map key or nil


class TemplateError(ComposerError):
    """The template cannot be parsed or executed (exit 1, as the reference's)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            f"template: {message}",
            code="template",
            hint="see https://docs.docker.com/go/formatting/ ; fields are those of `--format json`",
        )


# ---------------------------------------------------------------- parsing

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<raw>`[^`]*`)
    | (?P<num>-?\d+)
    | (?P<field>(?:\.[A-Za-z_]\w*)+|\.)
    | (?P<var>\$\w*)
    | (?P<ident>[A-Za-z_]\w*)
    | (?P<pipe>\|)
    | (?P<open>\()
    | (?P<close>\))
    )""",
    re.VERBOSE,
)

Operand = tuple[str, "Any"]  # (kind, value): field, dot, str, num, ident, sub
Command = list[Operand]
Pipeline = list[Command]


class Node:
    """A piece of a parsed template."""


class Text(Node):
    def __init__(self, text: str) -> None:
        self.text = text


class Action(Node):
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline


class Block(Node):
    """`if`, `range` or `with`: a pipeline, its body and an `else` body."""

    def __init__(self, kind: str, pipeline: Pipeline) -> None:
        self.kind = kind
        self.pipeline = pipeline
        self.body: list[Node] = []
        self.otherwise: list[Node] = []
        self.chained = False  # the `if` of an `{{else if}}`: closed by its outer `{{end}}`


def _actions(source: str) -> list[tuple[str, str]]:
    """("text", ...) and ("action", ...) pieces, trim markers applied."""
    pieces: list[tuple[str, str]] = []
    position = 0
    while True:
        start = source.find("{{", position)
        if start < 0:
            pieces.append(("text", source[position:]))
            return pieces
        end = source.find("}}", start + 2)
        if end < 0:
            raise TemplateError("unclosed action")
        text = source[position:start]
        inner = source[start + 2 : end]
        if inner[:1] == "-" and inner[1:2].isspace():
            text, inner = text.rstrip(), inner[2:]
        trim_after = inner[-1:] == "-" and inner[-2:-1].isspace()
        if trim_after:
            inner = inner[:-2]
        pieces.append(("text", text))
        pieces.append(("action", inner.strip()))
        position = end + 2
        if trim_after:
            while position < len(source) and source[position].isspace():
                position += 1


def _tokens(action: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(action):
        if action[position:].strip() == "":
            break
        match = _TOKEN.match(action, position)
        if match is None or match.end() == position:
            raise TemplateError(f"unexpected {action[position:].strip()[:1]!r} in {{{{{action}}}}}")
        kind = match.lastgroup or ""
        if kind == "var":
            raise TemplateError(f"variables are not supported: {match.group(kind)}")
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _pipeline(tokens: list[tuple[str, str]], action: str) -> Pipeline:
    pipeline: Pipeline = [[]]
    stack: list[Pipeline] = []
    previous = ""
    for kind, text in tokens:
        if kind == "field" and previous == "close" and text != ".":
            last = pipeline[-1].pop()  # `(index .Items 0).URL`: fields of its value
            pipeline[-1].append(("chain", (last, text[1:].split("."))))
        elif kind == "pipe":
            if not pipeline[-1]:
                raise TemplateError(f"missing command before '|' in {{{{{action}}}}}")
            pipeline.append([])
        elif kind == "open":
            stack.append(pipeline)
            pipeline = [[]]
        elif kind == "close":
            if not stack:
                raise TemplateError(f"unexpected ')' in {{{{{action}}}}}")
            nested, pipeline = pipeline, stack.pop()
            pipeline[-1].append(("sub", nested))
        else:
            pipeline[-1].append(_operand(kind, text))
        previous = kind
    if stack:
        raise TemplateError(f"unclosed '(' in {{{{{action}}}}}")
    if not pipeline[-1]:
        raise TemplateError(f"missing value in {{{{{action}}}}}")
    return pipeline


def _operand(kind: str, text: str) -> Operand:
    if kind == "str":
        import json

        return ("str", json.loads(text))
    if kind == "raw":
        return ("str", text[1:-1])
    if kind == "num":
        return ("num", int(text))
    if kind == "field":
        return ("dot", None) if text == "." else ("field", text[1:].split("."))
    if text in ("true", "false"):
        return ("const", text == "true")
    if text == "nil":
        return ("const", None)
    return ("ident", text)


def parse(source: str) -> list[Node]:
    """The template's nodes; TemplateError for what it cannot read."""
    root: list[Node] = []
    open_blocks: list[tuple[Block, list[Node]]] = []  # block, the list it goes into
    current = root
    for kind, text in _actions(source):
        if kind == "text":
            if text:
                current.append(Text(text))
            continue
        if text.startswith("/*"):
            raise TemplateError("comments are not supported")
        tokens = _tokens(text)
        if not tokens:
            raise TemplateError("missing value for command")
        head = tokens[0][1] if tokens[0][0] == "ident" else ""
        if head in ("if", "range", "with"):
            block = Block(head, _pipeline(tokens[1:], text))
            current.append(block)
            open_blocks.append((block, current))
            current = block.body
        elif head == "else":
            if not open_blocks:
                raise TemplateError("unexpected {{else}}")
            block, _ = open_blocks[-1]
            current = block.otherwise
            if len(tokens) > 1 and tokens[1] == ("ident", "if"):  # {{else if ...}}
                nested = Block("if", _pipeline(tokens[2:], text))
                nested.chained = True
                current.append(nested)
                open_blocks.append((nested, current))
                current = nested.body
        elif head == "end":
            if not open_blocks:
                raise TemplateError("unexpected {{end}}")
            block, current = open_blocks.pop()
            while block.chained:  # one {{end}} closes an else-if chain
                block, current = open_blocks.pop()
        elif head in ("define", "block", "template", "break", "continue"):
            raise TemplateError(f"{{{{{head}}}}} is not supported")
        else:
            current.append(Action(_pipeline(tokens, text)))
    if open_blocks:
        raise TemplateError(f"unexpected EOF: {{{{{open_blocks[-1][0].kind}}}}} has no {{{{end}}}}")
    return root


# ---------------------------------------------------------------- values


def go_text(value: Any) -> str:
    """fmt's %v: nil as <no value>, lists `[a b]`, structs (our dicts) `{a b}`."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "{" + " ".join(go_text(v) for v in value.values()) + "}"
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_text(v) for v in value) + "]"
    return str(value)


def truthy(value: Any) -> bool:
    """Go's truth: false, 0, nil and empty strings, lists and maps are false."""
    return bool(value)


def _printf(form: str, *args: Any) -> str:
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        value = next(values, None)
        if verb == "q":
            return '"' + go_text(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        if verb == "d" and isinstance(value, int):
            return str(value)
        return go_text(value)

    return re.sub(r"%([%sdvq])", one, form)


def _compare(check: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def compare(a: Any, b: Any) -> bool:
        try:
            return check(a, b)
        except TypeError:
            raise TemplateError(f"incompatible types for comparison: {a!r}, {b!r}") from None

    return compare


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            raise TemplateError(
                f"error calling index: cannot index {value!r} with {key!r}"
            ) from None
    return value


def _json(value: Any) -> str:
    from composer.runtimes.docker.ps import go_json

    if isinstance(value, Row):
        value = value.data
    return go_json(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "json": _json,
    "upper": lambda s: go_text(s).upper(),
    "lower": lambda s: go_text(s).lower(),
    "title": lambda s: go_text(s).title(),
    "split": lambda s, sep: go_text(s).split(sep),
    "join": lambda items, sep: sep.join(go_text(i) for i in items),
    "pad": lambda s, left, right: " " * left + go_text(s) + " " * right,
    "truncate": lambda s, n: go_text(s)[:n],
    "println": lambda *a: " ".join(go_text(v) for v in a) + "\n",
    "print": lambda *a: "".join(go_text(v) for v in a),
    "printf": _printf,
    "eq": lambda a, *others: any(a == b for b in others),
    "ne": lambda a, b: a != b,
    "lt": _compare(lambda a, b: a < b),
    "le": _compare(lambda a, b: a <= b),
    "gt": _compare(lambda a, b: a > b),
    "ge": _compare(lambda a, b: a >= b),
    "not": lambda a: not truthy(a),
    "and": lambda *a: next((v for v in a if not truthy(v)), a[-1]),
    "or": lambda *a: next((v for v in a if truthy(v)), a[-1]),
    "len": lambda a: len(a),
    "index": _index,
}

# Header mode (the `table` line): the formatting functions hand the header on.
_FIRST = {"json", "upper", "lower", "title", "split", "join", "pad", "truncate"}


class Row:
    """One `ps --format json` object as a template's dot: its keys as fields, and
    `.Label "key"` (from the `Labels` text, as the Docker CLI's container context)."""

    def __init__(self, data: Mapping[str, Any], kind: str = "*formatter.ContainerContext") -> None:
        self.data = data
        self.kind = kind  # the Go type the reference names in its field errors

    def field(self, name: str) -> Any:
        if name == "Label":
            return self.label
        if name not in self.data:
            raise TemplateError(f"can't evaluate field {name} in type {self.kind}")
        return self.data[name]

    def label(self, key: str) -> str:
        for pair in str(self.data.get("Labels") or "").split(","):
            name, _, value = pair.partition("=")
            if name == key:
                return value
        return ""


class Header(Row):
    """The dot of the `table` header line: each field's column title (Go prints
    `<no value>` for the fields the reference has no title for)."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        super().__init__(titles)

    def field(self, name: str) -> Any:
        if name == "Label":
            return self.label
        return self.data.get(name, NO_VALUE)

    def label(self, key: str) -> str:
        return re.sub(r"[-_]", " ", key.split(".")[-1])


# ---------------------------------------------------------------- execution


class Template:
    """A parsed template, executed against rows."""

    def __init__(self, source: str) -> None:
        self.nodes = parse(source)

    def execute(self, dot: Any) -> str:
        out: list[str] = []
        self._run(self.nodes, dot, out)
        return "".join(out)

    def _run(self, nodes: Sequence[Node], dot: Any, out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Action):
                out.append(go_text(self._pipe(node.pipeline, dot)))
            elif isinstance(node, Block):
                value = self._pipe(node.pipeline, dot)
                if node.kind == "range":
                    items = list(value.values()) if isinstance(value, Mapping) else value
                    if not truthy(items):
                        self._run(node.otherwise, dot, out)
                    for item in items or ():
                        self._run(node.body, item, out)
                elif truthy(value):
                    self._run(node.body, value if node.kind == "with" else dot, out)
                else:
                    self._run(node.otherwise, dot, out)

    def _pipe(self, pipeline: Pipeline, dot: Any) -> Any:
        value: Any = _NOTHING
        for command in pipeline:
            value = self._command(command, dot, value)
        return value

    def _command(self, command: Command, dot: Any, piped: Any) -> Any:
        head, rest = command[0], command[1:]
        extra = [] if piped is _NOTHING else [piped]
        if head[0] == "ident":
            function = FUNCTIONS.get(head[1])
            if function is None:
                raise TemplateError(f'function "{head[1]}" not defined')
            args = [self._operand(o, dot) for o in rest] + extra
            if isinstance(dot, Header) and head[1] in _FIRST:
                return args[0] if args else ""
            try:
                return function(*args)
            except TemplateError:
                raise
            except (TypeError, ValueError, AttributeError) as exc:
                raise TemplateError(f"error calling {head[1]}: {exc}") from None
        value = self._operand(head, dot)
        if rest or extra:
            if not callable(value):
                raise TemplateError(
                    f"{_name(head)} has arguments but cannot be invoked as function"
                )
            return value(*[self._operand(o, dot) for o in rest], *extra)
        return value

    def _operand(self, operand: Operand, dot: Any) -> Any:
        kind, value = operand
        if kind == "dot":
            return dot
        if kind == "field":
            for name in value:
                dot = _field(dot, name)
            return dot
        if kind == "sub":
            return self._pipe(value, dot)
        if kind == "chain":
            inner, names = value
            found = self._operand(inner, dot)
            for name in names:
                found = _field(found, name)
            return found
        if kind == "ident":
            return self._command([operand], dot, _NOTHING)
        return value


_NOTHING = object()  # no piped value


def _name(operand: Operand) -> str:
    kind, value = operand
    return "." + ".".join(value) if kind == "field" else str(value)


def _field(dot: Any, name: str) -> Any:
    if isinstance(dot, Row):
        return dot.field(name)
    if isinstance(dot, Mapping):
        if name not in dot:
            raise TemplateError(f"can't evaluate field {name}")
        return dot[name]
    raise TemplateError(f"can't evaluate field {name} in type {type(dot).__name__}")


# ---------------------------------------------------------------- `--format`


def checked_format(value: str | None) -> str:
    """A `--format` value (`table` when none): `table`, `json`, or a template that
    must parse, so that a bad one fails before any work, as the reference's."""
    chosen = value or "table"
    if chosen not in ("table", "json"):
        Template(chosen.removeprefix("table"))
    return chosen


def render_rows(
    format_text: str,
    rows: Sequence[Mapping[str, Any]],
    titles: Mapping[str, str],
    *,
    minwidth: int = 10,
    padding: int = 3,
    kind: str = "*formatter.ContainerContext",
) -> str:
    """A Docker CLI `--format` value over rows: `table TEMPLATE` gives a header line
    (`titles` per field) and tabwriter columns, otherwise one execution per row, each
    followed by a newline. `\\t` and `\\n` written as two characters mean tab and
    newline, as the Docker CLI reads them."""
    table = format_text.startswith("table")
    source = format_text[len("table") :] if table else format_text
    source = source.strip(" ").replace("\\t", "\t").replace("\\n", "\n")
    template = Template(source)
    lines = [template.execute(Row(row, kind)) + "\n" for row in rows]
    if not table:
        return "".join(lines)
    from composer.runtimes.psformat import tabulate

    text = template.execute(Header(titles)) + "\n" + "".join(lines)
    cells = [line.split("\t") for line in text.splitlines()]
    return tabulate(cells, minwidth=minwidth, padding=padding)
