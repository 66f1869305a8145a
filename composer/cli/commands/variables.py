"""`config --variables`: every variable the files use, with its default and alternate."""

from __future__ import annotations

from typing import Any

from composer.loader.discovery import resolve_inputs
from composer.loader.options import LoadOptions
from composer.loader.template import extract_variables
from composer.loader.yaml import parse_documents, read_text


def _strings(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, list):
            stack.extend(item)
        elif hasattr(item, "value"):
            stack.append(item.value)
    return found


def variables_table(options: LoadOptions) -> list[list[str]]:
    """Rows NAME, REQUIRED, DEFAULT VALUE, ALTERNATE VALUE, sorted by name."""
    inputs = resolve_inputs(options)
    seen: dict[str, list[str]] = {}
    for file in inputs.files:
        text = options.stdin_text or "" if file == "-" else read_text(file)
        for doc in parse_documents(text, file):
            for string in _strings(doc):
                if "$" not in string:
                    continue
                for var in extract_variables(string):
                    row = [
                        var.name,
                        "true" if var.required else "false",
                        var.default or "",
                        var.alternate or "",
                    ]
                    if var.name not in seen or (row[1] == "true" and seen[var.name][1] == "false"):
                        seen[var.name] = row
    return [
        ["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
        *(seen[k] for k in sorted(seen)),
    ]
