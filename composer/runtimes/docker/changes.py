"""Which fields of a service changed since its container was created.

The config hash only says *that* something changed. Each container Composer creates
also carries the compact JSON the hash was computed from (label io.composer.config);
diffing it against the current service names the fields, e.g.
`environment.API_URL, ports[0].published`. Containers made by another tool have no
such label; then only the hash difference can be reported.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

MAX_FIELDS = 8


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """Dotted paths where two JSON values differ (lists by index when equally long)."""
    if isinstance(old, dict) and isinstance(new, dict):
        paths: list[str] = []
        for key in sorted(set(old) | set(new)):
            child = f"{path}.{key}" if path else str(key)
            if key not in old or key not in new:
                paths.append(child)
            else:
                paths.extend(changed_paths(old[key], new[key], child))
        return paths
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        paths = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            paths.extend(changed_paths(a, b, f"{path}[{index}]"))
        return paths
    return [] if old == new else [path or "(service)"]


def changed_fields(old_json: str | None, new_json: str) -> list[str] | None:
    """The changed field paths; None when the old configuration is unknown."""
    if not old_json:
        return None
    try:
        old = json.loads(old_json)
        new = json.loads(new_json)
    except ValueError:
        return None
    return changed_paths(old, new)


def describe(fields: list[str] | None) -> str:
    """`environment.FOO, image changed` for a progress line."""
    if fields is None:
        return "configuration changed (config hash differs)"
    if not fields:
        return "configuration changed"
    shown = fields[:MAX_FIELDS]
    more = len(fields) - len(shown)
    text = ", ".join(shown) + (f" and {more} more" if more else "")
    return f"{text} changed"
