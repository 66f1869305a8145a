"""The values the orchestrator and every runtime backend exchange: instance names
(InstanceRef), what one looks like now (InstanceState), the project as a backend
sees it (ProjectSpec), log lines and capabilities. The operations themselves are
the Backend protocol (composer/runtimes/protocol.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import total_ordering

from composer.record import NamedTuple, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.models import Project

# Instance status values, as `docker compose ps` shows them.
CREATED = "created"
RUNNING = "running"
PAUSED = "paused"  # running, frozen by `pause` (the engine's State.Running stays true)
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
        for field, value in zip(
            self.__slots__, (project, service, index, oneoff, slug), strict=True
        ):
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
        "depends_on",
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
        # services its service depended on when it was made, when recorded (down and
        # stop of a project known by name only order by them, as the reference does)
        depends_on: tuple[str, ...] = (),
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
        self.depends_on = depends_on

    @property
    def running(self) -> bool:
        """Running in the engine's sense: a paused instance still runs (it is listed,
        stopped and killed as a running one, as the reference treats it)."""
        return self.status in (RUNNING, RESTARTING, PAUSED)


class LogLine(NamedTuple):
    """One line of an instance's output."""

    ref: InstanceRef
    text: str
    stream: str = "stdout"
    timestamp: float = 0.0
    stamp: str = ""  # the engine's own RFC 3339 text (nanoseconds), for --timestamps


class InstanceProcesses(NamedTuple):
    """The processes of one running instance as `top` shows them: the engine's
    `ps -ef` columns (`titles`, CMD last) and one row of cells per process."""

    name: str  # the container's (or process instance's) name, `top` sorts by it
    titles: list[str]
    processes: list[list[str]]


class ProjectSummary(NamedTuple):
    """One project as `ls` lists it."""

    name: str
    status: str  # `exited(1), running(2)`: its instances' states, counted
    config_files: str  # comma-separated, `N/A` when an instance did not record them
    warning: str = ""  # why they are `N/A`, for stderr (the reference warns on Docker)


class Capabilities(NamedTuple):
    """What a backend can do, so the orchestrator can skip or refuse the rest."""

    networks: bool = False
    volumes: bool = False
    build: bool = False
    # True when the backend itself runs healthchecks and restart policies
    # (Docker does; the process runtime does it in its supervisor).
    supervises: bool = True
    # True when exec can run as another user, with extended privileges (Docker).
    switch_user: bool = False
    # True when a one-off's stdin and output pass through `attach` made before its
    # start (Docker); else its output is followed in its log and it reads this
    # process's stdin itself (the process runtime spawns it here).
    attach_streams: bool = False
    # Seconds between the stops of one level (the orchestrator squeezes them into
    # STOP_SPREAD at most). Docker: the kernel tears each stopped container's network
    # namespace down under one global lock (RTNL), and thirty teardowns at once take
    # longer in all than the same thirty a few milliseconds apart (docs/performance.md).
    stop_spacing: float = 0.0


class Interactive(NamedTuple):
    """How a command's streams meet this terminal (`exec`, `run`, `attach`): whether
    our stdin goes to it, whether it gets a pseudo-terminal, and the relay that pumps
    the streams until its output ends (composer/cli/terminal.py)."""

    stdin: bool
    tty: bool
    relay: Callable[[Any], None]  # takes the backend's InstanceStreams (protocol.py)


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
