"""Mermaid flowchart (`graph TD`): dependents above what they need, labelled edges,
optional dependencies dotted."""

from __future__ import annotations

import re

from composer.graph_render import GraphView, ServiceView

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _ids(view: GraphView) -> dict[str, str]:
    """Mermaid node ids: `svc_` keeps keywords such as `end` out; clashes get a suffix."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for service in sorted(view.services, key=lambda s: s.name):
        base = "svc_" + _UNSAFE.sub("_", service.name)
        node_id, suffix = base, 2
        while node_id in used:
            node_id, suffix = f"{base}_{suffix}", suffix + 1
        used.add(node_id)
        ids[service.name] = node_id
    return ids


def _text(value: str) -> str:
    return value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")


def _node(node_id: str, service: ServiceView) -> str:
    label = "<br/>".join(_text(line) for line in [service.name, *service.details()])
    return f'    {node_id}["{label}"]'


def render(view: GraphView) -> str:
    ids = _ids(view)
    lines = ["graph TD"]
    for index, names in enumerate(view.levels):
        lines.append(f"    %% level {index}: {', '.join(names)}")
        lines.extend(_node(ids[name], view.by_name[name]) for name in names)
    for edge in view.edges:
        arrow = "-->" if edge.required else "-.->"
        lines.append(f"    {ids[edge.source]} {arrow}|{_text(edge.label())}| {ids[edge.target]}")
    return "\n".join(lines) + "\n"
