"""Views of the dependency graph, one module per output format.

Every format renders the same `GraphView`: the levels computed once, services and
edges in a stable order, so formats never disagree and each module only formats.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from composer.graph import ServiceGraph

FORMATS = ("text", "mermaid", "dot", "json", "svg")


@dataclass(frozen=True)
class ServiceView:
    name: str
    level: int
    profiles: list[str]
    replicas: int | None
    image: str | None

    def details(self) -> list[str]:
        """The extra lines a box shows under the name."""
        lines = []
        if self.replicas is not None:
            lines.append(f"replicas: {self.replicas}")
        if self.profiles:
            lines.append(f"profiles: {', '.join(self.profiles)}")
        return lines


@dataclass(frozen=True)
class EdgeView:
    source: str
    target: str
    kind: str
    kinds: list[str]
    condition: str
    required: bool
    restart: bool

    def label(self) -> str:
        """What an edge is labelled with in the drawings: its condition (+ restart)."""
        return f"{self.condition}, restart" if self.restart else self.condition

    def summary(self) -> str:
        """Everything about the edge in one parenthesised list (text format)."""
        parts = [self.condition, "required" if self.required else "optional"]
        if self.restart:
            parts.append("restart")
        if self.kind != "depends_on":
            parts.append(f"via {self.kind}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "kind": self.kind,
            "kinds": list(self.kinds),
            "condition": self.condition,
            "required": self.required,
            "restart": self.restart,
        }


@dataclass(frozen=True)
class GraphView:
    name: str
    levels: list[list[str]]
    services: list[ServiceView]  # by level, then name
    edges: list[EdgeView]  # by source level, source, target
    missing: list[EdgeView]  # dependencies on services outside the project
    by_name: dict[str, ServiceView] = field(default_factory=dict)


def _edge(source: str, target: str, attributes: dict[str, Any]) -> EdgeView:
    return EdgeView(
        source=source,
        target=target,
        kind=attributes["kind"],
        kinds=list(attributes["kinds"]),
        condition=attributes["condition"],
        required=attributes["required"],
        restart=attributes["restart"],
    )


def view_of(graph: ServiceGraph) -> GraphView:
    """The graph flattened for rendering (raises on a dependency cycle)."""
    from composer.graph import level_of, start_levels

    levels = start_levels(graph)
    level = level_of(levels)
    services = [
        ServiceView(
            name=name,
            level=index,
            profiles=list(graph.nodes[name].get("profiles") or []),
            replicas=graph.nodes[name].get("replicas"),
            image=graph.nodes[name].get("image"),
        )
        for index, names in enumerate(levels)
        for name in names
    ]
    edges = sorted(
        (_edge(source, target, data) for source, target, data in graph.edges(data=True)),
        key=lambda edge: (level[edge.source], edge.source, edge.target),
    )
    missing = [
        _edge(source, target, data)
        for source, target, data in graph.graph.get("missing", [])
        if source in level
    ]
    by_name = {service.name: service for service in services}
    return GraphView(str(graph.graph.get("name") or ""), levels, services, edges, missing, by_name)


def render(graph: ServiceGraph, fmt: str) -> str:
    """The graph in `fmt` (one of FORMATS); each format module loads only when used."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}")
    module = importlib.import_module(f"composer.graph_render.{fmt}")
    text: str = module.render(view_of(graph))
    return text
