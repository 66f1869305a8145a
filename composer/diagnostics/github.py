"""GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=CODE::message`.

Escaping follows the runner's rules: in the message `%`, CR and LF become `%25`,
`%0D`, `%0A`; property values also escape `:` and `,` (`%3A`, `%2C`).
"""

from __future__ import annotations

from collections.abc import Iterable

from composer.diagnostics.model import Diagnostic


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        props = ",".join(
            f"{key}={escape_property(str(value))}"
            for key, value in (
                ("file", d.file),
                ("line", d.line),
                ("col", d.column),
                ("title", d.code),
            )
        )
        message = d.message + (f"\n{d.path}" if d.path and d.path not in d.message else "")
        if d.hint:
            message += f"\nhint: {d.hint}"
        lines.append(f"::{d.severity} {props}::{escape_data(message)}\n")
    return "".join(lines)
