"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF reader).

What GitHub requires is filled in: `$schema`, `version`, one run whose
`tool.driver` has `name` and `rules` (id, name, short/full description, help text,
`helpUri` to the code's page, default level), and results with `ruleId`, `level`,
`message.text`, one physical location (artifact `uri` relative to the source root,
`uriBaseId` `%SRCROOT%`, region start/end line and column) and a
`partialFingerprints.primaryLocationLineHash` so alerts stay matched across runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from composer.diagnostics.catalog import describe, docs_url, page_url
from composer.diagnostics.model import Diagnostic, line_reader

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
_TOKEN = re.compile(r"[^\s:,\[\]{}#]+|\S")

ReadLines = Callable[[str], "list[str] | None"]


def _line_text(read: ReadLines, file: str, line: int) -> str:
    lines = read(file)
    if lines and 1 <= line <= len(lines):
        return lines[line - 1]
    return ""


def _rule(code: str, severity: str) -> dict[str, Any]:
    info = describe(code)
    return {
        "id": code,
        "name": "".join(part.capitalize() for part in re.split(r"[-.]", code)),
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "helpUri": docs_url(info),
        "help": {
            "text": f"{info.summary}. See {docs_url(info)}",
            "markdown": f"{info.summary}. [Documentation]({docs_url(info)})",
        },
        "defaultConfiguration": {"level": severity},
        "properties": {
            "tags": ["compose", "docker-compose"],
            "precision": "very-high",
            "problem.severity": "error" if severity == "error" else "warning",
        },
    }


def _artifact(file: str) -> dict[str, Any]:
    if file.startswith("/"):
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file), "uriBaseId": ROOT_ID}


def render_sarif(
    diagnostics: Iterable[Diagnostic],
    *,
    root: str,
    tool_version: str = "0.0.0",
    read: ReadLines | None = None,
    open_file: Callable[[Diagnostic], str] | None = None,
) -> str:
    """The SARIF log for `diagnostics`, whose `file`s are relative to `root` (the
    repository / current directory) where they lie inside it."""
    items = list(diagnostics)
    read = read or line_reader()
    rules: dict[str, int] = {}
    rule_objects: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    results = []
    for d in items:
        if d.code not in rules:
            rules[d.code] = len(rule_objects)
            rule_objects.append(_rule(d.code, d.severity))
        text = _line_text(read, open_file(d) if open_file else d.file, d.line)
        token = _TOKEN.match(text, d.column - 1) if text else None
        end_column = token.end() + 1 if token else d.column + 1
        digest = hashlib.sha256(f"{d.code}\0{d.path}\0{text.strip()}".encode()).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        message = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": rules[d.code],
                "level": d.severity,
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact(d.file),
                            "region": {
                                "startLine": d.line,
                                "startColumn": d.column,
                                "endLine": d.line,
                                "endColumn": max(end_column, d.column + 1),
                            },
                        },
                        **({"message": {"text": d.path}} if d.path else {}),
                    }
                ],
                "partialFingerprints": {"primaryLocationLineHash": f"{digest}:{seen[digest]}"},
            }
        )
    root_uri = Path(root).resolve().as_uri().rstrip("/") + "/"
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "composer",
                        "version": tool_version,
                        "semanticVersion": tool_version,
                        "informationUri": page_url("validate.md"),
                        "rules": rule_objects,
                    }
                },
                "originalUriBaseIds": {ROOT_ID: {"uri": root_uri}},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "workingDirectory": {"uri": root_uri},
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
