"""The machine format: exactly `{"valid": bool, "diagnostics": [{"severity", "code",
"message", "file", "line", "column", "path"}]}`, lines and columns 1-based."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from composer.diagnostics.model import Diagnostic

FIELDS = ("severity", "code", "message", "file", "line", "column", "path")


def as_dict(d: Diagnostic) -> dict[str, Any]:
    return {name: getattr(d, name) for name in FIELDS}


def render_json(diagnostics: Iterable[Diagnostic], *, valid: bool) -> str:
    data = {"valid": valid, "diagnostics": [as_dict(d) for d in diagnostics]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
