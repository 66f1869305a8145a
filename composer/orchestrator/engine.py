"""The orchestrator: drives any Backend through up/down/start/stop/restart/wait/run.

Services start level by level (composer.graph.start_levels), the services of one
level in parallel; before a service starts, each of its dependencies must satisfy
its depends_on condition. Stopping walks the levels backwards. Progress is reported
as Event objects to a callback (the CLI renders them); problems raise ComposerError.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping

from composer.errors import ComposerError, UsageError
from composer.orchestrator import conditions as cond
from composer.orchestrator import hooks
from composer.orchestrator.events import (
    CONTAINER,
    IMAGE,
    INFO,
    NETWORK,
    RECREATE,
    VOLUME,
    WARNING,
    Event,
    EventSink,
    UpOptions,
    UpResult,
)
from composer.orchestrator.fanout import Background, Pacer, fan_out
from composer.orchestrator.plan import (
    ServiceActions,
    UpPlan,
    default_hash,
    levels_of,
    no_hash,
    orphans_of,
    plan_stop,
    plan_up,
    recreate_for_images,
)
from composer.runtimes.base import (
    DEAD,
    EXITED,
    RESTARTING,
    InstanceRef,
    InstanceState,
    Interactive,
    LogLine,
    ProjectSpec,
    accepts_keyword,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.graph import ServiceGraph
    from composer.orchestrator.fanout import Failures
    from composer.orchestrator.plan import HashOf
    from composer.runtimes.protocol import Backend

MAX_WORKERS = 8
LOG_TAIL_ON_FAILURE = 10
# Seconds: the most the last stop of a level is paced behind its first (a backend's
# stop_spacing), so that a service that ignores its stop signal is killed at most
# this much later than when every stop goes at once.
STOP_SPREAD = 0.5


def parallel_limit() -> int | None:
    """COMPOSE_PARALLEL_LIMIT, as the reference reads it (the global `--parallel N`
    sets it for its call): the most steps at once. Unset, -1, 0 or not a number: no
    limit of the user's."""
    try:
        value = int(os.environ.get("COMPOSE_PARALLEL_LIMIT", "").strip())
    except ValueError:
        return None
    return value if value > 0 else None


class _Run:
    """Bookkeeping of one up/start: what failed, what was recreated, the refs per service."""

    def __init__(
        self, plan: UpPlan, cancel: threading.Event | None, *, forced: bool = False
    ) -> None:
        self.plan = plan
        self.cancel = cancel or threading.Event()
        self.forced = forced  # --force-recreate: recreated whether changed or not
        self.renew_volumes = False  # -V: the old anonymous volumes go with the old one
        self.new_image: set[InstanceRef] = set()  # recreated only for a new image
        self.failed: dict[str, str] = {}
        self.recreated: set[str] = set()
        self.lock = threading.Lock()

    def refs(self, service: str) -> list[InstanceRef]:
        act = self.plan.actions.get(service)
        return act.refs if act else []

    def selected_refs(self) -> list[InstanceRef]:
        """The instances of every selected service, by service name."""
        return [ref for name in sorted(self.plan.selected) for ref in self.refs(name)]


# Edge kinds through which a service uses another's container itself.
SHARING_KINDS = frozenset(("network_mode", "ipc", "pid", "volumes_from"))


def _owned(spec: ProjectSpec, section: str) -> list[tuple[str, str]]:
    """(key, name) of the project's own networks or volumes (not the external ones)."""
    owned = []
    for key, config in sorted((spec.project.get(section) or {}).items()):
        if isinstance(config, Mapping) and config.get("external"):
            continue
        owned.append((key, (config or {}).get("name") or f"{spec.name}_{key}"))
    return owned


class Orchestrator:
    """The one orchestrator; all runtimes go through it.

    `on_event` is called from the worker threads as things happen, concurrently: a
    sink keeps its own output whole (the progress sinks of cli/progress.py do, and
    write what arrives meanwhile in one go instead of queueing thirty threads on one
    lock and one write each)."""

    def __init__(
        self,
        backend: Backend,
        on_event: EventSink | None = None,
        *,
        max_workers: int | None = None,
    ) -> None:
        self.backend = backend
        self.on_event = on_event
        if max_workers is None:
            # the user's limit, else: a backend whose steps wait on I/O (an engine's
            # API) may ask for more than the default
            max_workers = parallel_limit() or int(
                getattr(backend, "parallelism", None) or MAX_WORKERS
            )
        self.max_workers = max(1, max_workers)
        self._lock = threading.RLock()  # one mutating operation at a time per orchestrator
        self.hash_of = backend_hash_function(backend)
        # a backend whose hash depends on the project's other containers (Docker:
        # `service:x` references) takes the spec
        self._hash_takes_spec = accepts_keyword(self.hash_of, "spec")
        self._remove_takes_volumes = accepts_keyword(backend.remove, "volumes")
        # A backend with its own progress (image pulls and builds, warnings) reports
        # through this orchestrator's sink unless someone else listens already.
        if on_event is not None and getattr(backend, "on_event", False) is None:
            backend.on_event = self.emit  # type: ignore[attr-defined]

    def _hash_for(self, spec: ProjectSpec) -> HashOf:
        if self._hash_takes_spec:
            takes_spec: Any = self.hash_of
            hash_of: HashOf = functools.partial(takes_spec, spec=spec)
            return hash_of
        return self.hash_of

    # ------------------------------------------------------------------ events
    def emit(self, event: Event) -> None:
        sink = self.on_event
        if sink is not None:
            sink(event)

    def _container(self, ref: InstanceRef, status: str, detail: str = "") -> None:
        self.emit(Event(CONTAINER, ref.service, ref.name, status, detail))

    def warn(self, message: str, service: str | None = None) -> None:
        self.emit(Event(WARNING, service, None, "Warning", message))

    # ------------------------------------------------------------------ helpers
    def _parallel(
        self,
        items: list[Any],
        work: Callable[[Any], None],
        cancel: threading.Event | None = None,
    ) -> Failures[Any]:
        """Run `work` over `items` on up to max_workers threads; (item, exception) of
        each failure. On Ctrl-C the running work is told (`cancel`) and not waited for."""
        return fan_out(items, work, self.max_workers, cancel)

    def _raise_collected(self, errors: Failures[Any], what: str) -> None:
        """Raise what the parallel work raised: the one exception, or all in one error."""
        if not errors:
            return
        items = [e for _, e in errors]
        if len(items) == 1:
            raise items[0]
        first = next((e for e in items if isinstance(e, ComposerError)), None)
        message = "\n".join(str(e) for e in items)
        raise ComposerError(
            f"{what} failed:\n{message}", code=first.code if first else "orchestrator"
        )

    def failure_detail(
        self, spec: ProjectSpec, ref: InstanceRef, state: InstanceState | None
    ) -> str:
        """`exited with code N` plus the instance's last output lines, for error messages."""
        parts: list[str] = []
        if state is not None and state.status in (EXITED, DEAD):
            parts.append(f"{ref.name} exited with code {state.exit_code}")
        try:
            lines = [line.text for line in self.backend.logs(spec, [ref], tail=LOG_TAIL_ON_FAILURE)]
        except ComposerError:
            lines = []
        if lines:
            parts.append(f"last output of {ref.name}:\n" + "\n".join(f"    {t}" for t in lines))
        return "\n".join(parts)

    def _ensure_resources(self, spec: ProjectSpec, plan_services: Iterable[str]) -> bool:
        """Create the project's missing networks and volumes (a backend may make a
        changed network again); True when anything was created."""
        caps = self.backend.capabilities
        created = False
        if caps.networks:
            for key, name in _owned(spec, "networks"):
                if self.backend.ensure_network(spec, key):
                    created = True
                    self.emit(Event(NETWORK, None, name, "Created"))
        if caps.volumes:
            for key, name in _owned(spec, "volumes"):
                if self.backend.ensure_volume(spec, key):
                    created = True
                    self.emit(Event(VOLUME, None, name, "Created"))
        return created

    # ------------------------------------------------------------------ dependencies
    def _await_dependencies(
        self, spec: ProjectSpec, run: _Run, service: str, *, only_restart_edges: bool = False
    ) -> None:
        """Block until every dependency of `service` meets its condition; optional ones
        that fail only warn. Raises DependencyFailed for a required one."""
        graph = run.plan.graph
        for _, dep, attrs in sorted(graph.out_edges(service, data=True)):
            if only_restart_edges and not attrs.get("restart"):
                continue
            if dep not in run.plan.selected:
                continue  # --no-deps, or not part of this operation: never waited for
            refs = run.refs(dep)
            if not refs:
                continue  # scaled to zero
            required = bool(attrs.get("required", True))
            condition = str(attrs.get("condition") or cond.SERVICE_STARTED)
            failure = run.failed.get(dep)
            if failure is not None:
                if not required:
                    self.warn(f'optional dependency "{dep}" failed to start: {failure}', service)
                    continue
                raise cond.DependencyFailed(
                    f"dependency failed to start: {failure}", code="dependency-failed"
                )
            if condition == cond.SERVICE_STARTED:
                continue  # started in an earlier level
            for ref in refs:
                self._container(ref, "Waiting")
            try:
                ok = cond.wait_for(self.backend, spec, refs, condition, cancel=run.cancel)
            except cond.DependencyFailed as exc:
                detail = self._detail_for(spec, refs)
                message = exc.message
                if condition == cond.SERVICE_HEALTHY:
                    message = f"dependency failed to start: {message}"
                if not required:
                    for ref in refs:
                        self._container(
                            ref, "Skipped", f'optional dependency "{dep}": {exc.message}'
                        )
                    self.warn(f'optional dependency "{dep}" is not ready: {exc.message}', service)
                    continue
                for ref in refs:
                    self._container(ref, "Error", exc.message)
                raise cond.DependencyFailed(
                    message + (f"\n{detail}" if detail else ""), code="dependency-failed"
                ) from None
            if not ok:
                raise ComposerError("cancelled", code="cancelled")
            status = "Exited" if condition == cond.SERVICE_COMPLETED else "Healthy"
            for ref in refs:
                self._container(ref, status)

    def _detail_for(self, spec: ProjectSpec, refs: list[InstanceRef]) -> str:
        for ref in refs:
            state = self.backend.inspect(spec, ref)
            if state is not None and (state.status in (EXITED, DEAD) or state.health):
                return self.failure_detail(spec, ref, state)
        return self.failure_detail(spec, refs[0], None) if refs else ""

    # ------------------------------------------------------------------ instance steps
    def _start_ref(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        self._container(ref, "Starting")
        try:
            self.backend.start(spec, ref)
        except ComposerError as exc:
            self._container(ref, "Error", exc.message)
            detail = self.failure_detail(spec, ref, self.backend.inspect(spec, ref))
            if detail:
                exc.message += f"\n{detail}"
                exc.args = (exc.message,)
            raise
        self._container(ref, "Started")
        self._hooks(spec, ref, hooks.POST_START)

    def _hooks(self, spec: ProjectSpec, ref: InstanceRef, kind: str) -> None:
        """A failing post_start hook fails the start; a failing pre_stop hook is a
        warning and the instance is stopped anyway (down must remove what up made)."""
        try:
            hooks.run_hooks(self.backend, spec, ref, kind, lambda m: self.warn(m, ref.service))
        except hooks.HookFailed as exc:
            if kind == hooks.PRE_STOP:
                self.warn(exc.message, ref.service)
                return
            self._container(ref, "Error", exc.message)
            raise

    def _create_ref(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        self._container(ref, "Creating")
        try:
            self.backend.create(spec, ref)
        except ComposerError as exc:
            self._container(ref, "Error", exc.message)
            raise
        self._container(ref, "Created")

    def _stop_ref(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None) -> None:
        self._container(ref, "Stopping")
        self._hooks(spec, ref, hooks.PRE_STOP)
        self.backend.stop(spec, ref, timeout)
        self._container(ref, "Stopped")

    def _stop_pacer(self, level: list[InstanceState]) -> Pacer:
        """The pace of one level's stops: the backend's stop_spacing, closer where
        needed so that the last running instance gets its stop at most STOP_SPREAD
        after the first."""
        running = sum(1 for s in level if s.running)
        return Pacer.within(self.backend.capabilities.stop_spacing, running, STOP_SPREAD)

    def _stop_listed(
        self, spec: ProjectSpec, state: InstanceState, timeout: float | None, pacer: Pacer
    ) -> None:
        """Stop an instance as listed, in its turn: one that does not run only gets its
        two lines (stopping it would do nothing, and it has no pre_stop hook to run)."""
        if state.running:
            pacer.wait_turn()
            self._stop_ref(spec, state.ref, timeout)
            return
        self._container(state.ref, "Stopping")
        self._container(state.ref, "Stopped")

    def _restart_ref(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None) -> None:
        """Stop and start one instance in place, its hooks around it."""
        self._container(ref, "Restarting")
        self._hooks(spec, ref, hooks.PRE_STOP)
        self.backend.stop(spec, ref, timeout)
        self.backend.start(spec, ref)
        self._container(ref, "Started")
        self._hooks(spec, ref, hooks.POST_START)

    def _remove_ref(self, spec: ProjectSpec, ref: InstanceRef, *, volumes: bool = False) -> None:
        """Remove one instance; `volumes` (down -v) takes its anonymous volumes too
        on backends that have them."""
        self._container(ref, "Removing")
        self._remove_instance(spec, ref, volumes=volumes)
        self._container(ref, "Removed")

    def _remove_instance(self, spec: ProjectSpec, ref: InstanceRef, *, volumes: bool) -> None:
        if volumes and self._remove_takes_volumes:
            self.backend.remove(spec, ref, volumes=True)  # type: ignore[call-arg]
        else:
            self.backend.remove(spec, ref)

    def _recreate_reason(
        self, spec: ProjectSpec, ref: InstanceRef, forced: bool, run_new_image: set[InstanceRef]
    ) -> str:
        """Why `ref` is recreated, from the backend when it can tell (before the old
        instance goes); `--force-recreate` needs no diff."""
        if forced:
            return "--force-recreate"
        if ref in run_new_image:
            return "image changed"
        reason = getattr(self.backend, "recreate_reason", None)
        if not callable(reason):
            return ""
        try:
            return str(reason(spec, ref) or "")
        except ComposerError:
            return ""

    def _converge(self, spec: ProjectSpec, run: _Run, service: str, timeout: float | None) -> None:
        """Make one service's instances what the plan says (remove, recreate, create),
        without starting them: its dependencies exist by now, but need not run. One
        whose dependency could not be made is not tried (as the reference, which
        stops there): its own error would only repeat the dependency's."""
        act: ServiceActions = run.plan.actions[service]
        graph = run.plan.graph
        blocked = sorted(d for d in graph.successors(service) if d in run.failed)
        if blocked:
            with run.lock:
                run.failed[service] = f'dependency "{blocked[0]}" could not be created'
            return
        # Sharing a namespace or volumes with a container that was just replaced: the
        # old one is gone, so these are made again (the reference's hash names the
        # shared container, so it recreates them too).
        partners = [
            d
            for d in graph.successors(service)
            if d in run.recreated and SHARING_KINDS.intersection(graph.edges[service, d]["kinds"])
        ]
        why: dict[InstanceRef, str] = {}
        if partners:
            why = {r: f"{partners[0]} was recreated" for r in [*act.keep, *act.start]}
            act.recreate = sorted([*act.recreate, *why])
            act.keep, act.start = [], []
        for ref in act.remove:
            self._stop_ref(spec, ref, timeout)
            self._remove_ref(spec, ref)
        for ref in act.recreate:
            reason = why.get(ref) or (
                "--always-recreate-deps"
                if service in run.plan.dependencies_forced
                else self._recreate_reason(spec, ref, run.forced, run.new_image)
            )
            self._container(ref, RECREATE, reason)
            self._hooks(spec, ref, hooks.PRE_STOP)
            self.backend.stop(spec, ref, timeout)
            # its anonymous volumes are handed to the new one, or (-V) go with it
            self._remove_instance(spec, ref, volumes=run.renew_volumes)
            self.backend.create(spec, ref)
            self._container(ref, "Recreated")
        for ref in act.create:
            self._create_ref(spec, ref)
        if act.recreate:
            with run.lock:
                run.recreated.add(service)

    def _create_service(
        self, spec: ProjectSpec, run: _Run, service: str, timeout: float | None
    ) -> None:
        """`_converge` alone; kept instances that run are reported `Running`, as the
        reference's create reports them."""
        self._converge(spec, run, service, timeout)
        for ref in run.plan.actions[service].keep:
            self._container(ref, "Running")

    def _start_service(
        self, spec: ProjectSpec, run: _Run, service: str, timeout: float | None
    ) -> None:
        """Start one service's instances once its dependencies meet their conditions
        (kept ones are restarted when a dependency they restart with was recreated)."""
        act: ServiceActions = run.plan.actions[service]
        self._await_dependencies(spec, run, service)
        graph = run.plan.graph
        restart_with = [
            dep
            for dep in graph.successors(service)
            if graph.edges[service, dep].get("restart") and dep in run.recreated
        ]
        for ref in act.keep:
            if restart_with:
                self._restart_ref(spec, ref, timeout)
            else:
                self._container(ref, "Running")
        for ref in sorted([*act.start, *act.recreate, *act.create]):
            self._start_ref(spec, ref)

    def _levels(
        self,
        spec: ProjectSpec,
        run: _Run,
        timeout: float | None,
        *,
        start: bool = True,
        on_start: Callable[[list[InstanceRef]], None] | None = None,
    ) -> None:
        """Two passes over the levels, as the reference's create and start: every
        instance is made first (a dependent's container is created while its
        dependency starts, not after it is healthy), then the levels are started one
        after the other; the services of a level go in parallel in both passes.
        Without `start` (`create`, `up --no-start`) the first pass is all."""
        errors: Failures[str] = []
        make = self._converge if start else self._create_service
        self._each_level(run, lambda name: make(spec, run, name, timeout), errors)
        if start:
            if on_start is not None and not run.cancel.is_set():
                on_start(run.selected_refs())
            self._each_level(
                run, lambda name: self._start_service(spec, run, name, timeout), errors
            )
        self._raise_collected(errors, "up")

    def _each_level(self, run: _Run, work: Callable[[str], None], errors: Failures[str]) -> None:
        """`work` over the plan's levels in order, the services of a level in parallel;
        each failure goes to `errors` and `run.failed` (a service that failed in an
        earlier pass is not tried again)."""
        for level in run.plan.levels:
            if run.cancel.is_set():
                return
            pending = [name for name in level if name not in run.failed]
            for name, exc in self._parallel(pending, work, run.cancel):
                errors.append((name, exc))
                with run.lock:
                    run.failed[name] = getattr(exc, "message", None) or str(exc)

    def _report_orphans(
        self, spec: ProjectSpec, orphans: list[InstanceState], remove: bool, timeout: float | None
    ) -> None:
        if not orphans:
            return
        if not remove:
            names = ", ".join(o.ref.name for o in orphans)
            self.warn(
                f"Found orphan containers ([{names}]) for this project. If you removed or "
                "renamed this service in your compose file, you can run this command with "
                "the --remove-orphans flag to clean it up."
            )
            return
        for state in orphans:
            self._retire(spec, state, timeout=timeout, volumes=False)

    def remove_orphans(self, spec: ProjectSpec, timeout: float | None = None) -> None:
        """Stop and remove the instances of services the project no longer defines
        (`run --remove-orphans` when it starts no dependency, whose `up` would)."""
        with self._lock:
            defined = spec.project.get("services") or {}
            orphans = orphans_of(self.backend.instances(spec.name), defined)
            self._report_orphans(spec, orphans, True, timeout)

    def _check_missing(self, plan: UpPlan, no_deps: bool) -> None:
        """Dependencies the project does not have (disabled by profiles): an error when
        required, a warning when not, nothing with --no-deps."""
        if no_deps:
            return
        for service, target, attrs in plan.graph.graph.get("missing", []):
            if service not in plan.selected:
                continue
            if attrs.get("required", True):
                raise cond.DependencyFailed(
                    f"{service} is missing dependency {target}", code="dependency-missing"
                )
            self.warn(f"{service} is missing dependency {target}", service)

    # ------------------------------------------------------------------ commands
    def up(
        self,
        spec: ProjectSpec,
        options: UpOptions | None = None,
        *,
        cancel: threading.Event | None = None,
        on_start: Callable[[list[InstanceRef]], None] | None = None,
    ) -> UpResult:
        """Create and start the selected services (and their dependencies) in order.

        `on_start(refs)` is called between the two passes, once every instance is
        made and before any starts (attached `up` attaches there, as the reference
        does); the instances that exit at once are then the caller's to report."""
        options = options or UpOptions()
        with self._lock:
            existing = self.backend.instances(spec.name)

            def planned(existing: list[InstanceState]) -> UpPlan:
                return plan_up(
                    spec.name,
                    spec.project,
                    existing,
                    services=options.services,
                    no_deps=options.no_deps,
                    scale=options.scale,
                    force_recreate=options.force_recreate,
                    no_recreate=options.no_recreate,
                    recreate_dependencies=options.always_recreate_deps,
                    hash_of=self._hash_for(spec),
                )

            plan = planned(existing)
            self._check_missing(plan, options.no_deps)
            images = self._ensure_images(spec, plan, cancel)
            self._report_orphans(spec, plan.orphans, options.remove_orphans, options.timeout)
            if self._ensure_resources(spec, plan.selected) and existing:
                # a network made again took its containers down: plan from what is now
                existing = self.backend.instances(spec.name)
                plan = planned(existing)
            new_image = [] if options.no_recreate else recreate_for_images(plan, existing, images)
            run = _Run(plan, cancel, forced=options.force_recreate)
            run.new_image.update(new_image)
            run.renew_volumes = options.renew_anon_volumes
            self._levels(spec, run, options.timeout, start=not options.no_start, on_start=on_start)
            started = time.monotonic()
            refs = run.selected_refs()
            if not options.no_start and on_start is None:
                self._report_early_exits(spec, refs)
        if options.wait and not options.no_start and not run.cancel.is_set():
            self.wait_ready(
                spec, plan, timeout=options.wait_timeout, cancel=run.cancel, started=started
            )
        return UpResult(refs=refs, services=sorted(plan.selected))

    def _ensure_images(
        self, spec: ProjectSpec, plan: UpPlan, cancel: threading.Event | None
    ) -> dict[str, str]:
        """Pull or build the images of the services that will run, before anything is
        created (as the reference does), on backends that have images
        (`ensure_image(spec, service) -> image id`). Service -> image id."""
        ensure = getattr(self.backend, "ensure_image", None)
        if not callable(ensure):
            return {}
        names = sorted(n for n in plan.selected if plan.actions[n].scale > 0)
        found: dict[str, str] = {}

        def work(name: str) -> None:
            image = ensure(spec, name)
            if image:
                found[name] = str(image)

        self._raise_collected(self._parallel(names, work, cancel), "pulling or building images")
        return found

    def _report_early_exits(self, spec: ProjectSpec, refs: list[InstanceRef]) -> None:
        """A process that died at once is worth a line: its exit code and last output.
        (Looked at in parallel: on an engine each look is a round trip.)"""

        def look(ref: InstanceRef) -> None:
            state = self.backend.inspect(spec, ref)
            if state is None or state.status not in (EXITED, DEAD) or not state.exit_code:
                return
            if cond.will_restart(state):
                return
            self._container(ref, "Exited", self.failure_detail(spec, ref, state))

        self._raise_collected(self._parallel(list(refs), look), "up")

    def wait_ready(
        self,
        spec: ProjectSpec,
        plan: UpPlan,
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
        started: float | None = None,
    ) -> None:
        """`up --wait`: every selected service running (healthy when it has a
        healthcheck), services others wait on to complete: completed successfully.

        The first look comes WAIT_SETTLE after `started` (when the last instance was
        started; default: now), as the reference's first tick comes 500 ms after its
        starts returned: the early-exit report in between takes none of that time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        since = time.monotonic() if started is None else started
        first = True
        for name in sorted(plan.selected):
            refs = plan.actions[name].refs
            if not refs:
                continue
            condition = cond.wait_condition_of(plan.graph, name)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                ok = cond.wait_for(
                    self.backend,
                    spec,
                    refs,
                    condition,
                    timeout=remaining,
                    cancel=cancel,
                    settle=max(0.0, cond.WAIT_SETTLE - (time.monotonic() - since))
                    if first
                    else 0.0,
                )
                first = False
            except cond.ConditionTimeout:
                raise ComposerError(
                    f"application not healthy after {_go_seconds(timeout or 0)}",
                    code="wait-timeout",
                ) from None
            except cond.DependencyFailed as exc:
                detail = self._detail_for(spec, refs)
                for ref in refs:
                    self._container(ref, "Error", exc.message)
                raise ComposerError(
                    exc.message + (f"\n{detail}" if detail else ""), code="wait-failed"
                ) from None
            if not ok:
                return
            status = "Exited" if condition == cond.SERVICE_COMPLETED else "Healthy"
            for ref in refs:
                self._container(ref, status)

    def start(
        self,
        spec: ProjectSpec,
        services: Iterable[str] = (),
        *,
        cancel: threading.Event | None = None,
    ) -> list[InstanceRef]:
        """Start existing instances (no creation), dependencies' conditions honoured."""
        names = list(services)
        with self._lock:
            existing = [s for s in self.backend.instances(spec.name) if not s.ref.oneoff]
            plan = plan_up(
                spec.name,
                spec.project,
                existing,
                services=names,
                no_deps=True,
                hash_of=no_hash,
            )
            have = {s.ref.service for s in existing}
            for name in names:
                if name not in have:
                    raise UsageError(
                        f"service {name!r} has no container to start", code="no-container"
                    )
            for name, act in plan.actions.items():
                # only what exists is started; creating belongs to `up`
                act.create = []
                act.remove = []
                if name not in have:
                    act.keep = []
            plan.selected = {n for n in plan.selected if n in have}
            plan.levels = levels_of(plan.graph, plan.selected)
            run = _Run(plan, cancel)
            self._levels(spec, run, None)
            return run.selected_refs()

    def stop(
        self,
        spec: ProjectSpec,
        services: Iterable[str] | None = None,
        *,
        timeout: float | None = None,
        include_oneoff: bool = False,
    ) -> list[InstanceRef]:
        """Stop the instances, dependents before their dependencies. Those that do
        not run are reported `Stopping`/`Stopped` too (the reference stops every
        listed container; the engine's stop of a stopped one does nothing)."""
        with self._lock:
            states = [
                s for s in self.backend.instances(spec.name) if include_oneoff or not s.ref.oneoff
            ]
            graph = _graph_of(spec, states)
            wanted = list(services) if services is not None else None
            if wanted:
                for name in wanted:
                    if name not in graph and not any(s.ref.service == name for s in states):
                        raise UsageError(f'no such service: "{name}"', code="no-such-service")
            stopped: list[InstanceRef] = []
            for level in plan_stop(graph, states, wanted or None):
                work = functools.partial(
                    self._stop_listed, spec, timeout=timeout, pacer=self._stop_pacer(level)
                )
                self._raise_collected(self._parallel(level, work), "stop")
                stopped.extend(s.ref for s in level)
            return stopped

    def kill(self, spec: ProjectSpec, services: Iterable[str] | None = None) -> list[InstanceRef]:
        """Stop without grace (the second Ctrl-C)."""
        return self.stop(spec, services, timeout=0, include_oneoff=True)

    def removable(
        self, spec: ProjectSpec, services: Iterable[str] | None = None, *, stop: bool = False
    ) -> list[InstanceState]:
        """What `rm` removes: the services' stopped instances (`stop`: running ones
        too), one-offs left, as the reference leaves them."""
        wanted = set(services or ())
        return [
            s
            for s in self.backend.instances(spec.name)
            if not s.ref.oneoff
            and (not wanted or s.ref.service in wanted)
            and (stop or not s.running)
        ]

    def rm(
        self,
        spec: ProjectSpec,
        services: Iterable[str] | None = None,
        *,
        stop: bool = False,
        volumes: bool = False,
    ) -> list[InstanceRef]:
        """`rm`: remove what `removable` lists, running ones stopped first, dependents
        first. The instances removed."""
        with self._lock:
            chosen = self.removable(spec, services, stop=stop)
            for level in plan_stop(_graph_of(spec, chosen), chosen):
                work = functools.partial(
                    self._retire, spec, timeout=None, volumes=volumes, pacer=self._stop_pacer(level)
                )
                self._raise_collected(self._parallel(level, work), "rm")
            return [s.ref for s in chosen]

    def _retire(
        self,
        spec: ProjectSpec,
        state: InstanceState,
        *,
        timeout: float | None,
        volumes: bool,
        pacer: Pacer | None = None,
    ) -> None:
        """Stop one listed instance if it runs (in its turn of `pacer`), then remove it."""
        if state.running:
            if pacer is not None:
                pacer.wait_turn()
            self._stop_ref(spec, state.ref, timeout)
        self._remove_ref(spec, state.ref, volumes=volumes)

    def signal(
        self,
        spec: ProjectSpec,
        services: Iterable[str] | None = None,
        signal: str = "SIGKILL",
        *,
        orphans: bool = False,
    ) -> list[InstanceRef]:
        """`kill -s SIGNAL`: the signal to every running instance of the services (all
        at once, one-offs included; orphans only with `orphans`, `kill
        --remove-orphans`, as the reference); the instances signalled."""

        def work(ref: InstanceRef) -> None:
            self._container(ref, "Killing")
            self.backend.kill(spec, ref, signal)
            self._container(ref, "Killed")

        return self._on_running(spec, services, work, "kill", oneoffs=True, orphans=orphans)

    def pause(
        self, spec: ProjectSpec, services: Iterable[str] | None = None, *, orphans: bool = False
    ) -> list[InstanceRef]:
        """`pause`: freeze every running instance of the project's services (one-offs
        left, orphans only with `orphans`, as the reference); a paused one is an
        error, as the engine's."""

        def work(ref: InstanceRef) -> None:
            self.backend.pause(spec, ref)
            self._container(ref, "Paused")

        return self._on_running(spec, services, work, "pause", orphans=orphans)

    def unpause(
        self, spec: ProjectSpec, services: Iterable[str] | None = None, *, orphans: bool = False
    ) -> list[InstanceRef]:
        """`unpause`: every running instance; one that is not paused is an error, as
        the engine's (the reference asks the engine for each)."""

        def work(ref: InstanceRef) -> None:
            self.backend.unpause(spec, ref)
            self._container(ref, "Unpaused")

        return self._on_running(spec, services, work, "unpause", orphans=orphans)

    def _on_running(
        self,
        spec: ProjectSpec,
        services: Iterable[str] | None,
        work: Callable[[InstanceRef], None],
        what: str,
        *,
        oneoffs: bool = False,
        orphans: bool = False,
    ) -> list[InstanceRef]:
        """`work` on each running (or paused) instance of the services, all at once;
        one-offs and orphans (services the loaded file does not define) only when
        asked for. Every failure in one error."""
        with self._lock:
            wanted = set(services or ())
            defined = set(spec.project.get("services") or ())
            chosen = [
                s.ref
                for s in self.backend.instances(spec.name)
                if s.running
                and (not wanted or s.ref.service in wanted)
                and (oneoffs or not s.ref.oneoff)
                and (orphans or not defined or s.ref.service in defined)
            ]
            self._raise_collected(self._parallel(chosen, work), what)
            return chosen

    def down(
        self,
        spec: ProjectSpec,
        *,
        timeout: float | None = None,
        remove_orphans: bool = False,
        volumes: bool = False,
        images: str | None = None,
    ) -> list[InstanceRef]:
        """Stop and remove every instance of the project, then its networks (and
        volumes: named ones and, where the backend has them, anonymous ones; and with
        `images` "local" or "all", the services' images where the backend has images).

        Works from the backend's view alone: `spec.project` may be empty (project known
        by name only), then every instance found is removed."""
        with self._lock:
            states = self.backend.instances(spec.name)
            graph = _graph_of(spec, states)
            known = set(graph.nodes) if spec.project.get("services") else set()
            if known:
                orphans = [s for s in states if s.ref.service not in known]
                targets = [s for s in states if s.ref.service in known]
                if orphans and remove_orphans:
                    targets.extend(orphans)
                elif orphans:
                    self._report_orphans(
                        spec, [o for o in orphans if not o.ref.oneoff], False, None
                    )
            else:
                targets = list(states)
            # A network can go once nothing on it runs: its removal (the slowest
            # engine call of a down) starts when the last container has stopped,
            # while the stopped ones are still being removed. Volumes wait for the
            # containers' removal (a stopped container still holds its volumes).
            networks = Background(lambda: self._remove_networks(spec))
            running = sum(1 for s in targets if s.running)
            counter = threading.Lock()
            removed: list[InstanceRef] = []
            try:
                if running == 0:
                    networks.start()
                for level in plan_stop(graph, targets):
                    pacer = self._stop_pacer(level)

                    def work(state: InstanceState, pacer: Pacer = pacer) -> None:
                        nonlocal running
                        # As listed a moment ago, as the reference does: no second
                        # look. An instance that stopped since is a no-op to stop,
                        # and one that came back since is killed by remove.
                        self._stop_listed(spec, state, timeout, pacer)
                        if state.running:  # restarting counts as running
                            with counter:
                                running -= 1
                                last = running == 0
                            if last:
                                networks.start()
                        self._remove_ref(spec, state.ref, volumes=volumes)

                    self._raise_collected(self._parallel(level, work), "down")
                    removed.extend(s.ref for s in level)
            except BaseException:
                if networks.started:  # not left running behind the error it would hide
                    with contextlib.suppress(Exception):
                        networks.join()
                raise
            # The reference's rule: nothing listed and nothing it would look for (the
            # project's own networks; its volumes with -v; images with --rmi).
            caps = self.backend.capabilities
            if not (
                removed
                or images
                or (caps.networks and _owned(spec, "networks"))
                or (volumes and caps.volumes and _owned(spec, "volumes"))
            ):
                self.warn(f'No resource found to remove for project "{spec.name}".')
            if images:
                self._remove_images(spec, images)
            networks.join()
            if volumes and self.backend.capabilities.volumes:
                self._remove_section(spec, "volumes", VOLUME, self.backend.remove_volume)
            return removed

    def _remove_images(self, spec: ProjectSpec, which: str) -> None:
        """`down --rmi local|all` on backends with images; a note on the others."""
        remove = getattr(self.backend, "remove_images", None)
        if not callable(remove):
            self.warn(f"--rmi {which}: the {self.backend.name} runtime has no images to remove")
            return
        for image in remove(spec, which):
            self.emit(Event(IMAGE, None, str(image), "Removed"))

    def _remove_networks(self, spec: ProjectSpec) -> None:
        if self.backend.capabilities.networks:
            self._remove_section(spec, "networks", NETWORK, self.backend.remove_network)

    def _remove_section(
        self, spec: ProjectSpec, section: str, kind: str, remove: Callable[..., bool]
    ) -> None:
        """Remove the project's own networks or volumes (external ones stay); each
        reported only if the backend found it, as the reference reports them."""
        for key, name in _owned(spec, section):
            removing = functools.partial(self.emit, Event(kind, None, name, "Removing"))
            if remove(spec, key, removing):
                self.emit(Event(kind, None, name, "Removed"))

    def restart(
        self,
        spec: ProjectSpec,
        services: Iterable[str] = (),
        *,
        timeout: float | None = None,
        no_deps: bool = False,
        cancel: threading.Event | None = None,
    ) -> list[InstanceRef]:
        """Restart the services' instances in dependency order; dependents that declared
        `restart: true` on a restarted service are restarted after it."""
        with self._lock:
            graph = _build_graph(dict(spec.project), spec.name)
            chosen = cond.restart_selection(graph, services, no_deps=no_deps)
            existing = [s for s in self.backend.instances(spec.name) if not s.ref.oneoff]
            by_service: dict[str, list[InstanceRef]] = {}
            for state in existing:
                if state.ref.service in chosen:
                    by_service.setdefault(state.ref.service, []).append(state.ref)
            plan = UpPlan(
                project=spec.name,
                graph=graph,
                selected=set(by_service),
                levels=levels_of(graph, by_service),
                actions={
                    name: ServiceActions(service=name, scale=len(refs), keep=sorted(refs))
                    for name, refs in by_service.items()
                },
                orphans=[],
            )
            run = _Run(plan, cancel)

            def work(name: str) -> None:
                self._await_dependencies(spec, run, name, only_restart_edges=True)
                for ref in plan.actions[name].keep:
                    self._restart_ref(spec, ref, timeout)

            errors: Failures[str] = []
            self._each_level(run, work, errors)
            self._raise_collected(errors, "restart")
            return [ref for name in sorted(by_service) for ref in by_service[name]]

    # ------------------------------------------------------------------ watching
    def wait(
        self,
        spec: ProjectSpec,
        services: Iterable[str] = (),
        *,
        cancel: threading.Event | None = None,
        interval: float = cond.POLL_INTERVAL,
    ) -> int:
        """Block until every instance of the services has exited; the last exit code."""
        wanted = set(services)
        refs = [
            s.ref
            for s in self.backend.instances(spec.name)
            if not wanted or s.ref.service in wanted
        ]
        if not refs:
            raise ComposerError(f'no containers for project "{spec.name}"', code="no-container")
        code = 0
        pending = set(refs)
        cancel = cancel or threading.Event()
        while pending:
            for ref in sorted(pending):
                state = self.backend.inspect(spec, ref)
                if state is None:
                    pending.discard(ref)
                elif state.status in (EXITED, DEAD):
                    pending.discard(ref)
                    code = state.exit_code or 0
                    self._container(ref, "Exited", str(code))
            if pending and cancel.wait(interval):
                break
        return code

    def watch(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        *,
        abort_on_exit: bool = False,
        abort_on_failure: bool = False,
        exit_code_from: str | None = None,
        stop_services: Iterable[str] | None = None,
        stop_timeout: float | None = None,
        cancel: threading.Event | None = None,
        interval: float = cond.POLL_INTERVAL,
    ) -> int:
        """Attached `up`: report exits until every watched instance is gone for good.

        With abort_on_exit (or abort_on_failure and a non-zero code) the first exit
        stops the services and decides the exit code: that of `exit_code_from`'s
        instance, else of the instance that exited. An exit 0 of a service that
        another one waits on with service_completed_successfully never aborts.
        Returns 130 when cancelled."""
        graph = _build_graph(dict(spec.project), spec.name)
        exempt = {
            target
            for source, target, data in graph.edges(data=True)
            if data.get("condition") == cond.SERVICE_COMPLETED
        }
        cancel = cancel or threading.Event()
        seen: dict[InstanceRef, tuple[float | None, int]] = {}
        pending = set(refs)
        code = 0
        while pending:
            for ref in sorted(pending):
                state = self.backend.inspect(spec, ref)
                if state is None:
                    pending.discard(ref)
                    continue
                if state.status == RESTARTING:
                    mark = (state.started_at, state.restart_count)
                    if seen.get(ref) != mark:
                        seen[ref] = mark
                        code_text = f"exited with code {state.exit_code or 0} (restarting)"
                        self._container(ref, "Exited", code_text)
                    continue
                if state.status not in (EXITED, DEAD):
                    continue
                mark = (state.started_at, state.restart_count)
                if seen.get(ref) != mark:
                    seen[ref] = mark
                    exit_code = state.exit_code or 0
                    self._container(ref, "Exited", f"exited with code {exit_code}")
                    trigger = (abort_on_exit or (abort_on_failure and exit_code != 0)) and not (
                        exit_code == 0 and ref.service in exempt
                    )
                    if trigger:
                        self.emit(
                            Event(INFO, None, None, "Aborting", "Aborting on container exit...")
                        )
                        self.stop(spec, stop_services, timeout=stop_timeout)
                        self._report_stopped(spec, sorted(pending - {ref}), seen)
                        return self._exit_code_of(spec, refs, exit_code_from, ref, exit_code)
                if not cond.will_restart(state):
                    pending.discard(ref)
            if pending and cancel.wait(interval):
                return 130
        if exit_code_from:
            return self._exit_code_of(spec, refs, exit_code_from, None, 0)
        return code

    def _report_stopped(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        seen: dict[InstanceRef, tuple[float | None, int]],
    ) -> None:
        """After an abort's stop: the exits it caused (`db-1 exited with code 143`),
        which the reference reports as they happen."""
        for ref in refs:
            state = self.backend.inspect(spec, ref)
            if state is None or state.status not in (EXITED, DEAD):
                continue
            if seen.get(ref) != (state.started_at, state.restart_count):
                self._container(ref, "Exited", f"exited with code {state.exit_code or 0}")

    def _exit_code_of(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        service: str | None,
        trigger: InstanceRef | None,
        trigger_code: int,
    ) -> int:
        if service is None:
            return trigger_code
        code = 0
        for ref in refs:
            if ref.service != service:
                continue
            state = self.backend.inspect(spec, ref)
            if state is not None and state.exit_code is not None:
                code = state.exit_code
        return code

    # ------------------------------------------------------------------ one-off
    def prepare_oneoff(
        self,
        spec: ProjectSpec,
        service: str,
        command: list[str] | None = None,
        *,
        entrypoint: list[str] | None = None,
        environment: Mapping[str, str] | None = None,
        workdir: str | None = None,
        service_ports: bool = False,
        slug: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> tuple[ProjectSpec, InstanceRef]:
        """The spec and ref of a `run` instance: the service with the command replaced,
        no published ports (unless asked), no restart policy, no healthcheck; then
        `run`'s own settings (oneoff.apply_run_settings: --name, -u, -l, -v, -p,
        --cap-add, --cap-drop), in long syntax."""
        services: Mapping[str, Any] = spec.project.get("services") or {}
        if service not in services:
            raise UsageError(f'no such service: "{service}"', code="no-such-service")
        config = dict(services[service])
        if command:
            config["command"] = list(command)
        if entrypoint is not None:
            config["entrypoint"] = list(entrypoint)
        if environment:
            config["environment"] = {**(config.get("environment") or {}), **environment}
        if workdir:
            config["working_dir"] = workdir
        if not service_ports:
            config.pop("ports", None)
        config.pop("container_name", None)  # a one-off is named by `run --name` alone
        if settings:
            from composer.orchestrator.oneoff import apply_run_settings

            config = apply_run_settings(config, settings)
        config["restart"] = "no"
        config.pop("healthcheck", None)
        deploy = config.get("deploy")
        if isinstance(deploy, Mapping):
            config["deploy"] = {k: v for k, v in deploy.items() if k != "restart_policy"}
        project = {**spec.project, "services": {**services, service: config}}
        oneoff_spec = spec.replace(project=project)
        ref = InstanceRef(spec.name, service, 1, oneoff=True, slug=slug or _one_off_slug())
        return oneoff_spec, ref

    def run_oneoff(
        self,
        spec: ProjectSpec,
        service: str,
        command: list[str] | None = None,
        *,
        remove: bool = True,
        no_deps: bool = False,
        start_dependencies: bool = True,
        on_line: Callable[[LogLine], None] | None = None,
        cancel: threading.Event | None = None,
        on_started: Callable[[ProjectSpec, InstanceRef], None] | None = None,
        interactive: Interactive | None = None,
        **overrides: Any,
    ) -> int:
        """`run`: start the dependencies (unless told not to), then one new instance of
        `service` with `command`; stream its output to `on_line`, or, with
        `interactive` on a backend that attaches, its streams through that relay
        (attached before it starts); its exit code. With `on_started` (`run -d`) it
        is called once the instance started, and nothing is waited for (0)."""
        if start_dependencies and not no_deps:
            graph = _build_graph(dict(spec.project), spec.name)
            from composer.graph import descendants

            deps = sorted(descendants(graph, service)) if service in graph else []
            if deps:
                self.up(spec, UpOptions(services=tuple(deps)), cancel=cancel)
                self._await_oneoff_dependencies(spec, graph, service, cancel)
        with self._lock:  # the project's networks and volumes, as `up` would make them
            self._ensure_resources(spec, [service])
        oneoff_spec, ref = self.prepare_oneoff(spec, service, command, **overrides)
        self._create_ref(oneoff_spec, ref)
        follower: threading.Thread | None = None
        done = threading.Event()
        if on_started is not None:
            self._start_ref(oneoff_spec, ref)
            on_started(oneoff_spec, ref)
            return 0
        attached = interactive is not None and self.backend.capabilities.attach_streams
        try:
            if attached:
                assert interactive is not None
                self._run_attached(oneoff_spec, ref, interactive)
            else:
                self._start_ref(oneoff_spec, ref)
            if on_line is not None and not attached:
                follower = threading.Thread(
                    target=self._pump_logs, args=(oneoff_spec, [ref], on_line, done), daemon=True
                )
                follower.start()
            cancel = cancel or threading.Event()
            while True:
                state = self.backend.inspect(oneoff_spec, ref)
                if state is None or state.status in (EXITED, DEAD):
                    break
                if cancel.wait(cond.POLL_INTERVAL):
                    self.backend.stop(oneoff_spec, ref, None)
            code = (state.exit_code if state is not None else None) or 0
            return code
        finally:
            done.set()
            if follower is not None:
                follower.join(timeout=2)
            if remove:
                with contextlib.suppress(ComposerError):
                    current = self.backend.inspect(oneoff_spec, ref)
                    if current is not None and current.running:
                        self.backend.stop(oneoff_spec, ref, None)
                    # `run --rm` takes the one-off's anonymous volumes along, as
                    # `docker run --rm` and the reference do
                    self._remove_instance(oneoff_spec, ref, volumes=True)

    def _run_attached(self, spec: ProjectSpec, ref: InstanceRef, interactive: Interactive) -> None:
        """Attach, start, relay until the one-off's output ends. Ctrl-C outside a
        terminal's raw mode stops it, as it would end a followed one."""
        streams = self.backend.attach(spec, ref, stdin=interactive.stdin)
        try:
            self._start_ref(spec, ref)
            interactive.relay(streams)
        except KeyboardInterrupt:
            with contextlib.suppress(ComposerError):
                self.backend.stop(spec, ref, None)
            raise
        finally:
            streams.close()

    def _await_oneoff_dependencies(
        self, spec: ProjectSpec, graph: ServiceGraph, service: str, cancel: threading.Event | None
    ) -> None:
        existing = self.backend.instances(spec.name)
        plan = plan_up(spec.name, spec.project, existing, services=[service], hash_of=no_hash)
        run = _Run(plan, cancel)
        for act in plan.actions.values():  # only the instances that exist now
            act.create = []
        self._await_dependencies(spec, run, service)

    def _pump_logs(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        on_line: Callable[[LogLine], None],
        done: threading.Event,
    ) -> None:
        """Feed followed lines to `on_line`; the backend ends the stream once the
        instances stopped, `done` only cuts it short when asked to."""
        with contextlib.suppress(ComposerError):
            for line in self.backend.logs(spec, refs, follow=True):
                on_line(line)

    # ------------------------------------------------------------------ queries
    def ps(
        self, project: str, services: Iterable[str] = (), *, all: bool = False
    ) -> list[InstanceState]:
        """Instances of the project, running ones only unless `all` (one-offs with `all`)."""
        wanted = set(services)
        states = self.backend.instances(project, include_stopped=all)
        rows = [
            s
            for s in states
            if (all or s.running)
            and (all or not s.ref.oneoff)
            and (not wanted or s.ref.service in wanted)
        ]
        return sorted(rows, key=lambda s: s.ref.name)


def backend_hash_function(backend: Backend) -> HashOf:
    """The config hash the backend records, so `up` recreates exactly what changed:
    the backend's own `service_hash(name, service)` (method or module function), else
    the shared one."""
    function = getattr(backend, "service_hash", None)
    if not callable(function):
        function = getattr(sys.modules.get(type(backend).__module__), "service_hash", None)
    if not callable(function):
        return default_hash
    hash_of: HashOf = function
    return hash_of


def _go_seconds(seconds: float) -> str:
    """A duration as Go prints it (`10s`, `1m30s`, `1.5s`)."""
    if seconds == int(seconds):
        total = int(seconds)
        hours, rest = divmod(total, 3600)
        minutes, secs = divmod(rest, 60)
        text = ""
        if hours:
            text += f"{hours}h"
        if hours or minutes:
            text += f"{minutes}m"
        return text + f"{secs}s"
    return f"{seconds:g}s"


def _build_graph(project: dict[str, Any], name: str) -> ServiceGraph:
    """composer.graph.build_graph, imported on first use by the commands that need it."""
    from composer.graph import build_graph

    return build_graph(project, name)


def _graph_of(spec: ProjectSpec, states: list[InstanceState]) -> ServiceGraph:
    """The project's dependency graph; for a project known by name only (no services),
    the one its instances recorded when they were made, as the reference rebuilds
    it from the containers' depends_on labels."""
    if spec.project.get("services"):
        return _build_graph(dict(spec.project), spec.name)
    present = {s.ref.service for s in states}
    recorded: dict[str, set[str]] = {name: set() for name in present}
    for state in states:
        recorded[state.ref.service].update(
            d for d in state.depends_on if d in present and d != state.ref.service
        )
    services = {
        name: {"depends_on": {d: {"condition": "service_started"} for d in sorted(deps)}}
        for name, deps in recorded.items()
    }
    return _build_graph({"services": services}, spec.name)


def _one_off_slug() -> str:
    """A random one-off suffix; `secrets` is imported here only (it pulls in OpenSSL)."""
    import secrets

    return secrets.token_hex(6)
