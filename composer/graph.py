"""The service dependency graph: who must start before whom, and why.

Edges point from a service to what it needs (`web -> db`), so a node's successors
are its dependencies. The edge set is exactly `dependency_edges` (shared with
`config --services`); this module only adds what the graph views need: the kind of
each edge, its depends_on attributes and the start/stop levels.

`ServiceGraph` is our own small directed graph rather than networkx: importing
networkx costs 60-100 ms, paid on every `up`/`down`/`ps`, and we use a handful of
its operations on graphs of a few dozen nodes. It keeps networkx's spellings
(`nodes[name]`, `edges[u, v]`, `edges(data=True)`, `successors`, `subgraph`, `graph`)
so callers read the same; tests/test_graph_oracle.py checks it against networkx.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, KeysView, Mapping

from composer.dependencies import dependency_edges
from composer.errors import ConsistencyError, UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any, Literal

    Attributes = dict[str, Any]


class _Edges(Mapping[tuple[str, str], "Attributes"]):
    """networkx's edge view: iterate `(source, target)` pairs, `edges[u, v]` gives the
    attributes, `edges(data=True)` the `(source, target, attributes)` triples."""

    def __init__(self, succ: dict[str, dict[str, Attributes]]) -> None:
        self._succ = succ

    def __getitem__(self, edge: tuple[str, str]) -> Attributes:
        source, target = edge
        return self._succ[source][target]

    def __contains__(self, edge: object) -> bool:
        if not isinstance(edge, tuple) or len(edge) != 2:
            return False
        return edge[1] in self._succ.get(edge[0], {})

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((source, target) for source, targets in self._succ.items() for target in targets)

    def __len__(self) -> int:
        return sum(map(len, self._succ.values()))

    def __call__(self, *, data: Literal[True]) -> list[tuple[str, str, Attributes]]:
        return [(s, t, attrs) for s, targets in self._succ.items() for t, attrs in targets.items()]


class ServiceGraph:
    """A directed graph of service names with attribute dicts on nodes, edges and the
    graph itself. Iteration follows insertion order, like networkx."""

    def __init__(self, **graph: Any) -> None:
        self.graph: dict[str, Any] = dict(graph)
        self._nodes: dict[str, Attributes] = {}
        self._succ: dict[str, dict[str, Attributes]] = {}
        self._pred: dict[str, dict[str, Attributes]] = {}  # shares the attribute dicts
        self.nodes: Mapping[str, Attributes] = self._nodes
        self.edges = _Edges(self._succ)

    def add_node(self, name: str, **attributes: Any) -> None:
        if name not in self._nodes:
            self._nodes[name], self._succ[name], self._pred[name] = {}, {}, {}
        self._nodes[name].update(attributes)

    def add_edge(self, source: str, target: str, **attributes: Any) -> None:
        self.add_node(source)
        self.add_node(target)
        data = self._succ[source].setdefault(target, {})
        data.update(attributes)
        self._pred[target][source] = data

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def successors(self, name: str) -> KeysView[str]:
        """What `name` needs."""
        return self._succ[name].keys()

    def predecessors(self, name: str) -> KeysView[str]:
        """What needs `name`."""
        return self._pred[name].keys()

    def out_edges(self, name: str, *, data: Literal[True]) -> list[tuple[str, str, Attributes]]:
        """`name`'s edges to what it needs, as `edges(data=True)` gives them."""
        return [(name, target, attributes) for target, attributes in self._succ[name].items()]

    def has_edge(self, source: str, target: str) -> bool:
        return (source, target) in self.edges

    def number_of_edges(self) -> int:
        return len(self.edges)

    def subgraph(self, names: Iterable[str]) -> ServiceGraph:
        """An independent graph of the named nodes that exist here (others are ignored)
        and the edges between them; attribute dicts are shallow copies."""
        keep = set(names)
        sub = ServiceGraph(**self.graph)
        for name, attributes in self._nodes.items():
            if name in keep:
                sub.add_node(name, **attributes)
        for source, target, attributes in self.edges(data=True):
            if source in keep and target in keep:
                sub.add_edge(source, target, **attributes)
        return sub

    def copy(self) -> ServiceGraph:
        return self.subgraph(self._nodes)


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


def declared_replicas(name: str, service: Mapping[str, Any]) -> int | None:
    """How many instances the service asks for: deploy.replicas, then scale; None when
    neither is set. The one reading of the two keys (a loaded project has at most one
    value: the reference refuses distinct ones, and its consistency check moves scale
    to deploy.replicas). Anything but an integer is an error naming its path (the
    loader casts them, hand-made projects may not)."""
    deploy = service.get("deploy")
    for path, value in (
        (("deploy", "replicas"), deploy.get("replicas") if isinstance(deploy, dict) else None),
        (("scale",), service.get("scale")),
    ):
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        where = ".".join(("services", name, *path))
        raise ConsistencyError(
            f"invalid value for {where}: {value!r} is not an integer",
            code="replicas-type",
            path=("services", name, *path),
        )
    return None


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


def build_graph(project: dict[str, Any], name: str | None = None) -> ServiceGraph:
    """A ServiceGraph of the project's services: node attributes profiles/replicas/image,
    edge attributes kind/kinds/condition/required/restart.

    Dependencies on services that are not in the project (disabled by a profile, or
    undefined when consistency checks are off) are not edges; they are listed in
    `graph.graph["missing"]` as (service, target, attributes) so views can mention them.
    """
    services: dict[str, Any] = project.get("services") or {}
    graph = ServiceGraph(name=name or project.get("name") or "", missing=[])
    for service_name in sorted(services):
        service = services[service_name] if isinstance(services[service_name], dict) else {}
        graph.add_node(
            service_name,
            profiles=list(service.get("profiles") or []),
            replicas=declared_replicas(service_name, service),
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


def find_cycle(graph: ServiceGraph) -> list[str] | None:
    """One dependency cycle as a closed path (`["a", "b", "a"]`), or None.

    Depth-first from each node in sorted order, successors sorted, so the same graph
    always reports the same cycle."""
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        path = [root]
        pending = [iter(sorted(graph.successors(root)))]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                pending.pop()
                done.add(path.pop())
            elif target in path:
                return [*path[path.index(target) :], target]
            elif target not in done:
                path.append(target)
                pending.append(iter(sorted(graph.successors(target))))
    return None


def _cycle_error(graph: ServiceGraph) -> ConsistencyError:
    cycle = find_cycle(graph) or []
    return ConsistencyError(
        f"dependency cycle detected: {' -> '.join(cycle)}",
        code="dependency-cycle",
        hint="remove one of the dependencies in the cycle",
    )


def start_levels(graph: ServiceGraph) -> list[list[str]]:
    """Services grouped by start level: level 0 needs nothing, level n needs only
    services of lower levels (and at least one of level n-1). Names sorted per level.

    Kahn's algorithm a level at a time; services left over sit on or behind a cycle."""
    unmet = {name: len(graph.successors(name)) for name in graph}
    levels: list[list[str]] = []
    level = sorted(name for name, count in unmet.items() if count == 0)
    while level:
        levels.append(level)
        ready: list[str] = []
        for name in level:
            for dependent in graph.predecessors(name):
                unmet[dependent] -= 1
                if not unmet[dependent]:
                    ready.append(dependent)
        level = sorted(ready)
    if sum(map(len, levels)) < len(graph):
        raise _cycle_error(graph)
    return levels


def descendants(graph: ServiceGraph, name: str) -> set[str]:
    """Everything `name` transitively needs; never `name` itself, even on a cycle."""
    found: set[str] = set()
    todo = [name]
    while todo:
        for target in graph.successors(todo.pop()):
            if target not in found:
                found.add(target)
                todo.append(target)
    found.discard(name)
    return found


def stop_order(graph: ServiceGraph) -> list[list[str]]:
    """Levels in the order services stop: dependents before what they depend on."""
    return list(reversed(start_levels(graph)))


def level_of(levels: list[list[str]]) -> dict[str, int]:
    """Service name -> its level index, from `start_levels`."""
    return {name: index for index, level in enumerate(levels) for name in level}


def select(graph: ServiceGraph, names: Iterable[str], with_dependencies: bool = True) -> set[str]:
    """The named services, plus everything they transitively need unless told not to."""
    selected: set[str] = set()
    for name in names:
        if name not in graph:
            raise UsageError(f'no such service: "{name}"', code="no-such-service")
        selected.add(name)
        if with_dependencies:
            selected |= descendants(graph, name)
    return selected
