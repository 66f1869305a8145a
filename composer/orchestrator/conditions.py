"""depends_on semantics: when a dependency counts as ready, failed or skippable.

A condition is a function of the dependency's instance states, looked up in the
CONDITIONS table; `wait_for` polls the backend until it holds, fails or times out.
`required: false` turns failures into warnings (the engine decides, with
`DependencyFailed.optional`), `restart: true` widens a restart to the dependents.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping

from composer.errors import ComposerError, UsageError
from composer.healthchecks import service_has_healthcheck
from composer.record import NamedTuple
from composer.runtimes.base import (
    CREATED,
    DEAD,
    EXITED,
    HEALTHY,
    RESTARTING,
    RUNNING,
    UNHEALTHY,
    InstanceRef,
    InstanceState,
    ProjectSpec,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.graph import ServiceGraph
    from composer.runtimes.protocol import Backend

# Conditions read the service's normalized mapping, never a typed model: binding one
# imports pydantic (~0.1 s of CPU), which `up --wait` would take from the engine
# while it starts the containers.

SERVICE_STARTED = "service_started"
SERVICE_HEALTHY = "service_healthy"
SERVICE_COMPLETED = "service_completed_successfully"
# What `up --wait` asks of every service: healthy when it has a healthcheck, else running.
RUNNING_OR_HEALTHY = "running_or_healthy"

POLL_INTERVAL = 0.2
# `up --wait` first looks after this long, like the reference's first 500 ms tick.
WAIT_SETTLE = 0.5


class DependencyFailed(ComposerError):
    """A dependency can never satisfy its condition (exited, unhealthy, missing)."""


class ConditionTimeout(ComposerError):
    """A condition did not hold within the time allowed."""


class Check(NamedTuple):
    """One look at a condition: satisfied, still pending, or failed for good."""

    done: bool
    failure: str | None = None


PENDING = Check(False)
DONE = Check(True)


def _exited(state: InstanceState) -> str:
    return f"container {state.ref.name} exited ({state.exit_code if state.exit_code is not None else '?'})"


def _started(states: list[InstanceState], service: Mapping[str, Any]) -> Check:
    # Started once it left `created`: a fast one-shot may already have exited.
    if all(s.status != CREATED for s in states):
        return DONE
    return PENDING


def _healthy(states: list[InstanceState], service: Mapping[str, Any], fallback: bool) -> Check:
    healthcheck = service_has_healthcheck(service)
    for state in states:
        if state.status in (EXITED, DEAD):
            return Check(False, _exited(state))
        if not healthcheck:
            if fallback:
                if state.status != RUNNING:
                    return PENDING
                continue
            return Check(False, f"container {state.ref.name} has no healthcheck configured")
        if state.health == UNHEALTHY:
            return Check(False, f"container {state.ref.name} is unhealthy")
        if state.health != HEALTHY or state.status != RUNNING:
            return PENDING
    return DONE


def _completed(states: list[InstanceState], service: Mapping[str, Any]) -> Check:
    for state in states:
        if state.status not in (EXITED, DEAD):
            return PENDING
    for state in states:
        if state.exit_code:
            name = state.ref.service
            return Check(
                False, f'service "{name}" didn\'t complete successfully: exit {state.exit_code}'
            )
    return DONE


ConditionCheck = Callable[[list[InstanceState], "Mapping[str, Any]"], Check]

CONDITIONS: dict[str, ConditionCheck] = {
    SERVICE_STARTED: _started,
    SERVICE_HEALTHY: lambda states, service: _healthy(states, service, fallback=False),
    SERVICE_COMPLETED: _completed,
    RUNNING_OR_HEALTHY: lambda states, service: _healthy(states, service, fallback=True),
}


def check(condition: str, states: list[InstanceState], service: Mapping[str, Any]) -> Check:
    """Evaluate `condition` over the states of all instances of one service."""
    try:
        rule = CONDITIONS[condition]
    except KeyError:
        raise ComposerError(
            f"unsupported depends_on condition: {condition}", code="depends-on-condition"
        ) from None
    return rule(states, service)


def wait_for(
    backend: Backend,
    spec: ProjectSpec,
    refs: list[InstanceRef],
    condition: str,
    *,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
    interval: float = POLL_INTERVAL,
    settle: float = 0.0,
) -> bool:
    """Poll until `condition` holds for all `refs`; True when it does, False when
    cancelled. Raises DependencyFailed when it never can, ConditionTimeout on timeout.
    `settle` delays the first look, so a process that dies at once is not "running"."""
    entered = time.monotonic()
    deadline = None if timeout is None else entered + timeout
    service = spec.service(refs[0].service) if refs else {}
    settle -= time.monotonic() - entered
    if settle > 0:
        pause = settle if deadline is None else min(settle, max(0.0, deadline - time.monotonic()))
        if cancel is not None and cancel.wait(pause):
            return False
        if cancel is None:
            time.sleep(pause)
    while True:
        states: list[InstanceState] = []
        for ref in refs:
            state = backend.inspect(spec, ref)
            if state is None:
                raise DependencyFailed(
                    f"container {ref.name} does not exist", code="dependency-missing"
                )
            states.append(state)
        result = check(condition, states, service)
        if result.failure is not None:
            raise DependencyFailed(result.failure, code="dependency-failed")
        if result.done:
            return True
        if deadline is not None and time.monotonic() >= deadline:
            raise ConditionTimeout(
                f"timed out waiting for {condition} of {refs[0].service if refs else '?'}",
                code="timeout",
            )
        wait = (
            interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic()))
        )
        if cancel is not None:
            if cancel.wait(wait):
                return False
        else:
            time.sleep(wait)


def will_restart(state: InstanceState) -> bool:
    """True while the backend brings the instance back (its restart policy decided so
    when the process ended); an `exited` instance stays down."""
    return state.status == RESTARTING


def restart_selection(
    graph: ServiceGraph, names: Iterable[str], *, no_deps: bool = False
) -> set[str]:
    """`restart SERVICE`: the services plus, transitively, the dependents that declared
    `restart: true` on them (unless --no-deps). No names: every service."""
    names = list(names)
    if not names:
        return set(graph.nodes)
    for name in names:
        if name not in graph:
            raise UsageError(f'no such service: "{name}"', code="no-such-service")
    chosen = set(names)
    if no_deps:
        return chosen
    pending = list(names)
    while pending:
        target = pending.pop()
        for dependent in graph.predecessors(target):
            if graph.edges[dependent, target].get("restart") and dependent not in chosen:
                chosen.add(dependent)
                pending.append(dependent)
    return chosen


def restart_dependents(graph: ServiceGraph, service: str) -> list[str]:
    """Direct dependents of `service` that asked to be restarted with it."""
    return sorted(
        dependent
        for dependent in graph.predecessors(service)
        if graph.edges[dependent, service].get("restart")
    )


def wait_condition_of(graph: ServiceGraph, service: str) -> str:
    """The condition `up --wait` applies: completed for services others wait on to
    complete, running-or-healthy for the rest (as the reference does)."""
    for dependent in graph.predecessors(service):
        if graph.edges[dependent, service].get("condition") == SERVICE_COMPLETED:
            return SERVICE_COMPLETED
    return RUNNING_OR_HEALTHY
