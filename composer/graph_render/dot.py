"""Graphviz DOT: one `rank=same` group per start level, labelled edges."""

from __future__ import annotations

from composer.graph_render import GraphView, ServiceView

CONDITION_COLORS = {
    "service_started": "#555555",
    "service_healthy": "#2e7d32",
    "service_completed_successfully": "#1565c0",
}


def quote(value: str) -> str:
    """A DOT double-quoted ID (line breaks become the label escape `\\n`)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _node(service: ServiceView) -> str:
    label = "\n".join([service.name, *service.details()])
    attributes = f"label={quote(label)}"
    if service.profiles:
        attributes += ', style="rounded,dashed"'
    return f"  {quote(service.name)} [{attributes}];"


def render(view: GraphView) -> str:
    lines = [
        f"digraph {quote(view.name or 'project')} {{",
        "  rankdir=TB;",
        '  node [shape=box, style=rounded, fontname="monospace"];',
        '  edge [fontname="monospace", fontsize=10];',
    ]
    for index, names in enumerate(view.levels):
        lines.append(f"  subgraph {quote(f'level {index}')} {{")
        lines.append("    rank=same;")
        lines.extend("  " + _node(view.by_name[name]) for name in names)
        lines.append("  }")
    for edge in view.edges:
        color = CONDITION_COLORS.get(edge.condition, "#555555")
        attributes = f"label={quote(edge.label())}, color={quote(color)}"
        if not edge.required:
            attributes += ", style=dashed"
        lines.append(f"  {quote(edge.source)} -> {quote(edge.target)} [{attributes}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
