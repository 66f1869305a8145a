"""Which instances a command touches: pure decisions from the project and what exists.

Nothing here talks to a backend. The engine gets the existing instances, asks this
module what to create, start, recreate, keep or remove, and then carries it out in
the graph's start levels (or stop order).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping

from composer.errors import UsageError
from composer.record import Record
from composer.runtimes.base import InstanceRef, InstanceState

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.graph import ServiceGraph

    HashOf = Callable[[str, Mapping[str, Any]], str | None]

# Plans read the normalized mappings, never the typed models: binding one imports
# pydantic (~0.1 s of CPU on every `up`).


def replicas(declared: int | None, override: int | None = None) -> int:
    """How many instances a service runs: --scale, else what it declares (the
    graph's `replicas`: deploy.replicas, then scale), else 1; never below 0. The
    same rule as the model's Service.replicas (tests/test_models.py)."""
    if override is not None:
        return max(0, override)
    return 1 if declared is None else max(0, declared)


def default_hash(name: str, service: Mapping[str, Any]) -> str | None:
    """Docker Compose's config hash of the service (`config --hash`)."""
    from composer.hashing import service_hash

    return service_hash(name, dict(service))


def no_hash(name: str, service: Mapping[str, Any]) -> str | None:
    """For operations that never recreate."""
    return None


def with_services_enabled(
    project: Mapping[str, Any], disabled: Mapping[str, Any], names: Iterable[str]
) -> dict[str, Any]:
    """The project with the profiles of the named, profile-disabled services switched
    on, as `docker compose up SERVICE` does (compose-go's WithServicesEnabled): every
    disabled service that has one of those profiles comes back."""
    names = list(names)
    if not disabled or not names:
        return dict(project)
    services = dict(project.get("services") or {})
    profiles_of = {name: set(service.get("profiles") or ()) for name, service in disabled.items()}
    profiles: set[str] = set()
    for name in names:
        if name not in services and name in profiles_of:
            profiles.update(profiles_of[name])
    if not profiles:
        return dict(project)
    for name, service in disabled.items():
        if name not in services and profiles & profiles_of[name]:
            services[name] = service
    return {**project, "services": services}


def selected_services(
    graph: ServiceGraph, names: Iterable[str], *, no_deps: bool = False
) -> set[str]:
    """The named services plus their dependencies (all services when none is named)."""
    names = list(names)
    if not names:
        return set(graph.nodes)
    from composer.graph import select

    return select(graph, names, with_dependencies=not no_deps)


def levels_of(graph: ServiceGraph, services: Iterable[str]) -> list[list[str]]:
    """Start levels restricted to `services`."""
    from composer.graph import start_levels

    return start_levels(graph.subgraph(set(services)))


class ServiceActions(Record):
    """What `up` does with one service's instances."""

    __slots__ = ("service", "scale", "keep", "start", "recreate", "create", "remove")

    def __init__(
        self,
        service: str,
        scale: int,
        keep: list[InstanceRef] | None = None,
        start: list[InstanceRef] | None = None,
        recreate: list[InstanceRef] | None = None,
        create: list[InstanceRef] | None = None,
        remove: list[InstanceRef] | None = None,
    ) -> None:
        self.service = service
        self.scale = scale
        self.keep: list[InstanceRef] = keep or []  # running, unchanged
        self.start: list[InstanceRef] = start or []  # exist stopped, unchanged
        self.recreate: list[InstanceRef] = recreate or []  # configuration changed
        self.create: list[InstanceRef] = create or []  # missing
        self.remove: list[InstanceRef] = remove or []  # beyond the scale

    @property
    def refs(self) -> list[InstanceRef]:
        """The instances that exist once the service converged, by index."""
        return sorted([*self.keep, *self.start, *self.recreate, *self.create])


class UpPlan(Record):
    """`up`'s decisions: the services selected, their start levels and actions."""

    __slots__ = (
        "project",
        "graph",
        "selected",
        "levels",
        "actions",
        "orphans",
        "dependencies_forced",
    )

    def __init__(
        self,
        project: str,
        graph: ServiceGraph,
        selected: set[str],
        levels: list[list[str]],
        actions: dict[str, ServiceActions],
        orphans: list[InstanceState],
        dependencies_forced: frozenset[str] = frozenset(),
    ) -> None:
        self.project = project
        self.graph = graph
        self.selected = selected
        self.levels = levels
        self.actions = actions
        self.orphans = orphans
        # recreated whether changed or not, as dependencies (--always-recreate-deps)
        self.dependencies_forced = dependencies_forced


def orphans_of(existing: Iterable[InstanceState], defined: Container[str]) -> list[InstanceState]:
    """The instances of services the project does not define, by name (one-offs are
    never orphans: `up --remove-orphans` and `run --remove-orphans` leave them)."""
    return sorted(
        (s for s in existing if not s.ref.oneoff and s.ref.service not in defined),
        key=lambda s: s.ref,
    )


def plan_up(
    project_name: str,
    project: Mapping[str, Any],
    existing: Iterable[InstanceState],
    *,
    services: Iterable[str] = (),
    no_deps: bool = False,
    scale: Mapping[str, int] | None = None,
    force_recreate: bool = False,
    no_recreate: bool = False,
    recreate_dependencies: bool = False,
    hash_of: HashOf = default_hash,
) -> UpPlan:
    """Decide, per selected service, which instances to keep/start/recreate/create/remove.

    Instances are matched by index; a config hash that differs from the recorded one
    means recreate (unknown hashes never force a recreate; `no_recreate` never
    recreates what exists; `recreate_dependencies`, `--always-recreate-deps`, forces
    it for the dependencies of the named services). One-off instances are ignored.
    """
    from composer.graph import build_graph

    graph = build_graph(dict(project), project_name)
    scale = dict(scale or {})
    for name in scale:
        if name not in graph:
            raise UsageError(f'no such service: "{name}"', code="no-such-service")
    named = set(services)
    selected = selected_services(graph, services, no_deps=no_deps)
    dependencies_forced = frozenset(selected - named if recreate_dependencies and named else ())
    # The graph carries what the decisions need (names, replicas); the canonical
    # dicts give the config hash. No model binding here: pydantic's import would
    # come before the first container instead of during the starts (--wait binds).
    service_map: Mapping[str, Any] = project.get("services") or {}
    by_service: dict[str, dict[int, InstanceState]] = {}
    state: InstanceState | None
    orphans = orphans_of(existing, graph)
    for state in existing:
        if not state.ref.oneoff and state.ref.service in graph:
            by_service.setdefault(state.ref.service, {})[state.ref.index] = state
    actions: dict[str, ServiceActions] = {}
    for name in sorted(selected):
        count = replicas(graph.nodes[name].get("replicas"), scale.get(name))
        act = ServiceActions(service=name, scale=count)
        current = by_service.get(name, {})
        # hashed only when something exists to compare with (the first `up` of a
        # project hashes each service once, when its containers are made)
        wanted_hash = hash_of(name, service_map[name]) if current else None
        forced = force_recreate or name in dependencies_forced
        for index in range(1, count + 1):
            ref = InstanceRef(project_name, name, index)
            state = current.get(index)
            if state is None:
                act.create.append(ref)
            elif not no_recreate and (
                forced
                or (
                    wanted_hash is not None
                    and state.config_hash is not None
                    and state.config_hash != wanted_hash
                )
            ):
                act.recreate.append(state.ref)
            elif state.running:
                act.keep.append(state.ref)
            else:
                act.start.append(state.ref)
        act.remove = sorted(s.ref for i, s in current.items() if i > count)
        actions[name] = act
    return UpPlan(
        project=project_name,
        graph=graph,
        selected=selected,
        levels=levels_of(graph, selected),
        actions=actions,
        orphans=orphans,
        dependencies_forced=dependencies_forced,
    )


def recreate_for_images(
    plan: UpPlan, existing: Iterable[InstanceState], images: Mapping[str, str]
) -> list[InstanceRef]:
    """Move the kept or stopped instances whose recorded image is not the service's
    current one (`images`: service -> image id, after pull/build) to `recreate`, as
    the reference does when an image was rebuilt or pulled anew. The refs moved."""
    recorded = {s.ref: s.image for s in existing if s.image}
    moved: list[InstanceRef] = []
    for name, act in plan.actions.items():
        wanted = images.get(name)
        if not wanted:
            continue
        for bucket in (act.keep, act.start):
            for ref in [r for r in bucket if recorded.get(r, wanted) != wanted]:
                bucket.remove(ref)
                act.recreate.append(ref)
                moved.append(ref)
        act.recreate.sort()
    return moved


def plan_stop(
    graph: ServiceGraph,
    states: Iterable[InstanceState],
    services: Iterable[str] | None = None,
) -> list[list[InstanceState]]:
    """Instances grouped into stop levels: dependents before their dependencies.

    Instances of services the graph does not know (orphans, or every instance when the
    project could not be loaded) stop first, together.
    """
    wanted = set(services) if services is not None else None
    groups: dict[str, list[InstanceState]] = {}
    unknown: list[InstanceState] = []
    for state in states:
        name = state.ref.service
        if wanted is not None and name not in wanted:
            continue
        if name in graph:
            groups.setdefault(name, []).append(state)
        else:
            unknown.append(state)
    levels: list[list[InstanceState]] = []
    if unknown:
        levels.append(sorted(unknown, key=lambda s: s.ref))
    from composer.graph import stop_order

    for level in stop_order(graph.subgraph(set(groups))):
        batch = [s for name in level for s in sorted(groups[name], key=lambda s: s.ref)]
        if batch:
            levels.append(batch)
    return levels
