"""What every runtime backend provides: primitive operations on one service instance.

An instance is one process (built-in runtime) or one container (Docker). Backends
know nothing about dependency order, conditions, parallelism or `--wait`: the one
orchestrator (composer/orchestrator/) owns those and drives any backend through
this protocol. Backends find what exists for a project by looking (labels, state
records), never by remembering, so `down` works from any later shell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import total_ordering
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from composer.record import Record

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


@total_ordering
class InstanceRef:
    """Names one instance: `<project>-<service>-<index>` like Docker Compose v2.
    Immutable and hashable; ordered by project, service, index, oneoff, slug."""

    __slots__ = ("project", "service", "index", "oneoff", "slug")

    project: str
    service: str
    index: int
    oneoff: bool
    slug: str  # one-off (`run`) instances: a random id, name `<project>-<service>-run-<slug>`

    def __init__(
        self, project: str, service: str, index: int = 1, oneoff: bool = False, slug: str = ""
    ) -> None:
        for field, value in zip(self.__slots__, (project, service, index, oneoff, slug), strict=True):
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"InstanceRef is immutable (tried to set {name})")

    def _key(self) -> tuple[str, str, int, bool, str]:
        return (self.project, self.service, self.index, self.oneoff, self.slug)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InstanceRef):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: InstanceRef) -> bool:
        if not isinstance(other, InstanceRef):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"InstanceRef(project={self.project!r}, service={self.service!r}, "
            f"index={self.index!r}, oneoff={self.oneoff!r}, slug={self.slug!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (InstanceRef, self._key())

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(self.__slots__, self._key(), strict=True))

    @property
    def name(self) -> str:
        if self.oneoff:
            return f"{self.project}-{self.service}-run-{self.slug[:12]}"
        return f"{self.project}-{self.service}-{self.index}"


class Publisher(NamedTuple):
    """One published port, with the keys `docker compose ps --format json` uses."""

    url: str  # host address, e.g. "0.0.0.0"
    target_port: int
    published_port: int
    protocol: str = "tcp"


class InstanceState(Record):
    """What a backend observes about one instance right now."""

    __slots__ = (
        "ref",
        "status",
        "health",
        "exit_code",
        "pid",
        "config_hash",
        "publishers",
        "started_at",
        "restart_count",
        "image",
    )

    def __init__(
        self,
        ref: InstanceRef,
        status: str,
        health: str | None = None,
        exit_code: int | None = None,
        pid: int | None = None,
        config_hash: str | None = None,
        publishers: list[Publisher] | None = None,
        started_at: float | None = None,
        restart_count: int = 0,
        image: str | None = None,  # id of the image it was made from, when recorded
    ) -> None:
        self.ref = ref
        self.status = status
        self.health = health
        self.exit_code = exit_code
        self.pid = pid
        self.config_hash = config_hash
        self.publishers: list[Publisher] = publishers if publishers is not None else []
        self.started_at = started_at
        self.restart_count = restart_count
        self.image = image

    @property
    def running(self) -> bool:
        return self.status in (RUNNING, RESTARTING)


class LogLine(NamedTuple):
    """One line of an instance's output."""

    ref: InstanceRef
    text: str
    stream: str = "stdout"
    timestamp: float = 0.0


class Capabilities(NamedTuple):
    """What a backend can do, so the orchestrator can skip or refuse the rest."""

    networks: bool = False
    volumes: bool = False
    build: bool = False
    # True when the backend itself runs healthchecks and restart policies
    # (Docker does; the process runtime does it in its supervisor).
    supervises: bool = True


class ProjectSpec(Record):
    """The project as a backend needs it: name, directory, files and canonical dict."""

    __slots__ = ("name", "working_dir", "config_files", "project", "environment", "_model")

    def __init__(
        self,
        name: str,
        working_dir: str,
        config_files: tuple[str, ...],
        project: Mapping[str, Any],
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.working_dir = working_dir
        self.config_files = config_files
        self.project = project
        self.environment: Mapping[str, str] = environment if environment is not None else {}
        self._model: Project | None = None

    def service(self, name: str) -> Mapping[str, Any]:
        services: Mapping[str, Any] = self.project.get("services") or {}
        return services[name]

    @property
    def model(self) -> Project:
        """The project bound to the typed models, once per spec (pydantic is imported
        here, on first use, never on the `config` path). Raises ComposerError."""
        if self._model is None:
            from composer.models import Project

            self._model = Project.from_mapping(self.project, name=self.name)
        return self._model


def accepts_keyword(function: Callable[..., Any], name: str) -> bool:
    """True when `function` takes the keyword argument `name` (optional capabilities
    of a backend method, such as `remove(..., volumes=True)`). Python functions are
    read from their code object (importing `inspect` costs every command ~3 ms)."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    if code is None:
        import inspect

        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            return False
        return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    named = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return name in named or bool(code.co_flags & _VARKEYWORDS)


_VARKEYWORDS = 0x08  # CO_VARKEYWORDS: the function takes **kwargs


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
