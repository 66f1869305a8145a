"""The service dependency graph: who must start before whom, and why.

Edges point from a service to what it needs (`web -> db`), so a node's successors
are its dependencies. The edge set is exactly `dependency_edges` (shared with
`config --services`); this module only adds what the graph views need: the kind of
each edge, its depends_on attributes and the start/stop levels. networkx is imported
here and nowhere on the `config` path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from composer.dependencies import dependency_edges
from composer.errors import ConsistencyError, UsageError

# Each kind of edge lives under one service key; `dependency_edges` of a service cut
# down to that key gives the edges of that kind. `restart` is what the reference's
# normaliser records when it adds the implied depends_on entry itself.
EDGE_KINDS: dict[str, dict[str, Any]] = {
    "depends_on": {"restart": False},
    "links": {"restart": True},
    "network_mode": {"restart": True},
    "ipc": {"restart": True},
    "pid": {"restart": True},
    "volumes_from": {"restart": False},
}
DEFAULT_CONDITION = "service_started"


def _replicas(service: dict[str, Any]) -> int | None:
    deploy = service.get("deploy")
    replicas = deploy.get("replicas") if isinstance(deploy, dict) else None
    if replicas is None:
        replicas = service.get("scale")
    return replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else None


def _edge_attributes(service: dict[str, Any], target: str, kinds: list[str]) -> dict[str, Any]:
    """depends_on's own entry when there is one (the loader adds the implied ones; the
    canonical form omits `restart: false`), else what the reference would imply."""
    entry = (service.get("depends_on") or {}).get(target)
    if not isinstance(entry, dict):  # normalisation off: what the reference would add
        entry = {"restart": EDGE_KINDS[kinds[0]]["restart"]}
    # An edge implied by links/network_mode/... is reported as that kind: depends_on
    # then only carries the entry the loader derived from it.
    specific = [k for k in kinds if k != "depends_on"]
    return {
        "kind": specific[0] if specific else "depends_on",
        "kinds": kinds,
        "condition": entry.get("condition") or DEFAULT_CONDITION,
        "required": bool(entry.get("required", True)),
        "restart": bool(entry.get("restart", False)),
    }


def build_graph(project: dict[str, Any], name: str | None = None) -> nx.DiGraph:
    """A DiGraph of the project's services: node attributes profiles/replicas/image,
    edge attributes kind/kinds/condition/required/restart.

    Dependencies on services that are not in the project (disabled by a profile, or
    undefined when consistency checks are off) are not edges; they are listed in
    `graph.graph["missing"]` as (service, target, attributes) so views can mention them.
    """
    services: dict[str, Any] = project.get("services") or {}
    graph = nx.DiGraph(name=name or project.get("name") or "", missing=[])
    for service_name in sorted(services):
        service = services[service_name] if isinstance(services[service_name], dict) else {}
        graph.add_node(
            service_name,
            profiles=list(service.get("profiles") or []),
            replicas=_replicas(service),
            image=service.get("image"),
        )
    for service_name in sorted(services):
        service = services[service_name]
        if not isinstance(service, dict):
            continue
        kinds_of: dict[str, list[str]] = {}
        for kind in EDGE_KINDS:
            if kind in service:
                for target in dependency_edges({kind: service[kind]}):
                    kinds = kinds_of.setdefault(target, [])
                    if kind not in kinds:
                        kinds.append(kind)
        for target in sorted(kinds_of):
            attributes = _edge_attributes(service, target, kinds_of[target])
            if target in services:
                graph.add_edge(service_name, target, **attributes)
            else:
                graph.graph["missing"].append((service_name, target, attributes))
    return graph


def find_cycle(graph: nx.DiGraph) -> list[str] | None:
    """One dependency cycle as a closed path (`["a", "b", "a"]`), or None."""
    try:
        edges = nx.find_cycle(graph, orientation="original")
    except nx.NetworkXNoCycle:
        return None
    path = [str(edges[0][0])]
    path.extend(str(edge[1]) for edge in edges)
    return path


def _cycle_error(graph: nx.DiGraph) -> ConsistencyError:
    cycle = find_cycle(graph) or []
    return ConsistencyError(
        f"dependency cycle detected: {' -> '.join(cycle)}",
        code="dependency-cycle",
        hint="remove one of the dependencies in the cycle",
    )


def start_levels(graph: nx.DiGraph) -> list[list[str]]:
    """Services grouped by start level: level 0 needs nothing, level n needs only
    services of lower levels (and at least one of level n-1). Names sorted per level."""
    try:
        generations = list(nx.topological_generations(graph.reverse(copy=False)))
    except nx.NetworkXUnfeasible:
        raise _cycle_error(graph) from None
    return [sorted(level) for level in generations]


def stop_order(graph: nx.DiGraph) -> list[list[str]]:
    """Levels in the order services stop: dependents before what they depend on."""
    return list(reversed(start_levels(graph)))


def level_of(levels: list[list[str]]) -> dict[str, int]:
    """Service name -> its level index, from `start_levels`."""
    return {name: index for index, level in enumerate(levels) for name in level}


def select(graph: nx.DiGraph, names: Iterable[str], with_dependencies: bool = True) -> set[str]:
    """The named services, plus everything they transitively need unless told not to."""
    selected: set[str] = set()
    for name in names:
        if name not in graph:
            raise UsageError(f'no such service: "{name}"', code="no-such-service")
        selected.add(name)
        if with_dependencies:
            selected |= nx.descendants(graph, name)
    return selected
