"""What every runtime backend provides: primitive operations on one service instance.

An instance is one process (built-in runtime) or one container (Docker). Backends
know nothing about dependency order, conditions, parallelism or `--wait`: the one
orchestrator (composer/orchestrator/) owns those and drives any backend through
this protocol. Backends find what exists for a project by looking (labels, state
records), never by remembering, so `down` works from any later shell.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from composer.models import Project

# Instance status values, as `docker compose ps` shows them.
CREATED = "created"
RUNNING = "running"
RESTARTING = "restarting"
EXITED = "exited"
DEAD = "dead"

# Health values; None when the service has no (or a disabled) healthcheck.
STARTING = "starting"
HEALTHY = "healthy"
UNHEALTHY = "unhealthy"


@dataclass(frozen=True, order=True)
class InstanceRef:
    """Names one instance: `<project>-<service>-<index>` like Docker Compose v2."""

    project: str
    service: str
    index: int = 1
    oneoff: bool = False
    slug: str = ""  # one-off (`run`) instances: a random id, name `<project>-<service>-run-<slug>`

    @property
    def name(self) -> str:
        if self.oneoff:
            return f"{self.project}-{self.service}-run-{self.slug[:12]}"
        return f"{self.project}-{self.service}-{self.index}"


@dataclass(frozen=True)
class Publisher:
    """One published port, with the keys `docker compose ps --format json` uses."""

    url: str  # host address, e.g. "0.0.0.0"
    target_port: int
    published_port: int
    protocol: str = "tcp"


@dataclass
class InstanceState:
    """What a backend observes about one instance right now."""

    ref: InstanceRef
    status: str
    health: str | None = None
    exit_code: int | None = None
    pid: int | None = None
    config_hash: str | None = None
    publishers: list[Publisher] = field(default_factory=list)
    started_at: float | None = None
    restart_count: int = 0
    image: str | None = None  # id of the image it was made from, when the backend records it

    @property
    def running(self) -> bool:
        return self.status in (RUNNING, RESTARTING)


@dataclass(frozen=True)
class LogLine:
    """One line of an instance's output."""

    ref: InstanceRef
    text: str
    stream: str = "stdout"
    timestamp: float = 0.0


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, so the orchestrator can skip or refuse the rest."""

    networks: bool = False
    volumes: bool = False
    build: bool = False
    # True when the backend itself runs healthchecks and restart policies
    # (Docker does; the process runtime does it in its supervisor).
    supervises: bool = True


@dataclass(frozen=True)
class ProjectSpec:
    """The project as a backend needs it: name, directory, files and canonical dict."""

    name: str
    working_dir: str
    config_files: tuple[str, ...]
    project: Mapping[str, Any]
    environment: Mapping[str, str] = field(default_factory=dict)

    def service(self, name: str) -> Mapping[str, Any]:
        services: Mapping[str, Any] = self.project.get("services") or {}
        return services[name]

    @cached_property
    def model(self) -> Project:
        """The project bound to the typed models, once per spec (pydantic is imported
        here, on first use, never on the `config` path). Raises ComposerError."""
        from composer.models import Project

        return Project.from_mapping(self.project, name=self.name)


def accepts_keyword(function: Callable[..., Any], name: str) -> bool:
    """True when `function` takes the keyword argument `name` (optional capabilities
    of a backend method, such as `remove(..., volumes=True)`)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


@runtime_checkable
class Backend(Protocol):
    """Primitive operations on instances, networks and volumes of one project."""

    name: str
    capabilities: Capabilities

    def ensure_network(self, spec: ProjectSpec, key: str) -> bool:
        """Create network `key` of the project unless it exists; True if created."""
        ...

    def ensure_volume(self, spec: ProjectSpec, key: str) -> bool:
        """Create volume `key` of the project unless it exists; True if created."""
        ...

    def remove_network(self, spec: ProjectSpec, key: str) -> bool: ...

    def remove_volume(self, spec: ProjectSpec, key: str) -> bool: ...

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        """Prepare the instance (not started); raises ComposerError if it cannot run here."""
        ...

    def start(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState: ...

    def stop(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None = None) -> None:
        """stop_signal, then SIGKILL after `timeout` (default: stop_grace_period)."""
        ...

    def remove(self, spec: ProjectSpec, ref: InstanceRef) -> None: ...

    def inspect(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState | None:
        """The instance's state, or None when it does not exist."""
        ...

    def instances(self, project: str, *, include_stopped: bool = True) -> list[InstanceState]:
        """Every instance of the project that exists, found by looking, not by memory.
        A backend may leave pid, started_at and restart_count out here (one listing
        request instead of one per instance); `inspect` gives them."""
        ...

    def logs(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        *,
        follow: bool = False,
        tail: int | None = None,
    ) -> Iterator[LogLine]: ...

    def exec(
        self,
        spec: ProjectSpec,
        ref: InstanceRef,
        command: list[str],
        *,
        environment: Mapping[str, str] | None = None,
        workdir: str | None = None,
    ) -> int:
        """Run `command` in the instance's environment and return its exit code."""
        ...
