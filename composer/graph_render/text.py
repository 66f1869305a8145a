"""Plain text: one line per start level, then one line per dependency."""

from __future__ import annotations

from composer.graph_render import GraphView, ServiceView


def _service(service: ServiceView) -> str:
    text = service.name
    if service.replicas is not None:
        text += f" x{service.replicas}"
    if service.profiles:
        text += f" [{','.join(service.profiles)}]"
    return text


def render(view: GraphView) -> str:
    if not view.services:
        return "no services\n"
    lines = [
        f"level {index}: {', '.join(_service(view.by_name[name]) for name in names)}"
        for index, names in enumerate(view.levels)
    ]
    if view.edges or view.missing:
        lines.append("")
    lines.extend(f"{edge.source} -> {edge.target} ({edge.summary()})" for edge in view.edges)
    lines.extend(
        f"{edge.source} -> {edge.target} ({edge.summary()}, not in project)"
        for edge in view.missing
    )
    return "\n".join(lines) + "\n"
