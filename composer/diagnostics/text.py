"""The human format: `file:line:col: severity code: message`, the source line with a
caret under the column, and the hint. Colours only when asked (the CLI asks on a TTY).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from composer.diagnostics.model import Diagnostic, line_reader

_RESET = "\033[0m"
_STYLES = {
    "error": "\033[1;31m",
    "warning": "\033[1;33m",
    "where": "\033[1m",
    "code": "\033[2m",
    "caret": "\033[1;32m",
    "hint": "\033[36m",
}

ReadLines = Callable[[str], "list[str] | None"]


def _frame(
    lines: list[str] | None, line: int, column: int, paint: Callable[[str, str], str]
) -> str:
    """Two lines: ` 12 | source text` and the caret under `column` (tabs kept)."""
    if not lines or not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1].rstrip("\r\n")
    number = str(line)
    gutter = " " * len(number)
    before = source[: max(column - 1, 0)]
    pad = "".join("\t" if char == "\t" else " " for char in before)
    return f" {number} | {source}\n {gutter} | {pad}{paint('caret', '^')}\n"


def render_text(
    diagnostics: Iterable[Diagnostic],
    *,
    color: bool = False,
    read: ReadLines | None = None,
    open_file: Callable[[Diagnostic], str] | None = None,
    summary: bool = True,
) -> str:
    """Every diagnostic with its code frame, then a one-line summary.

    `open_file(d)` gives the path to read the source line from (default: `d.file`);
    the printed name is `d.file`, so callers pass diagnostics with relative names.
    """

    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color else text

    read = read or line_reader()
    out: list[str] = []
    errors = warnings = 0
    for d in diagnostics:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
        where = paint("where", f"{d.file}:{d.line}:{d.column}:")
        head = f"{where} {paint(d.severity, d.severity)} {paint('code', d.code)}: {d.message}"
        out.append(head + "\n")
        out.append(_frame(read(open_file(d) if open_file else d.file), d.line, d.column, paint))
        if d.hint:
            out.append(f"  {paint('hint', 'hint:')} {d.hint}\n")
    if summary:
        if errors or warnings:
            parts = [f"{errors} error{'s' if errors != 1 else ''}"]
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            out.append(", ".join(parts) + "\n")
        else:
            out.append("valid: no problems found\n")
    return "".join(out)
