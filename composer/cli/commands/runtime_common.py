"""What the run commands (up, down, ps, logs, start, ...) share: the target project,
the runtime, the owner of a process project, and the terminal renderers.

The process runtime needs an owner process for its instances (health probes,
restarts, port relays): a foreground `up`, or the detached supervisor. Commands
that change state go through the owner when one answers on the project's socket,
and act on the state records themselves when none does (a SIGKILLed supervisor).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping

from composer.cli import console
from composer.cli.progress import PLAIN, open_progress, paused, resolve_mode
from composer.cli.project_args import ProjectArgs
from composer.errors import ComposerError
from composer.orchestrator.events import WARNING, Event, EventSink, UpOptions
from composer.record import Record
from composer.runtimes.base import InstanceRef, LogLine, ProjectSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TextIO

    from composer.orchestrator.engine import Orchestrator
    from composer.runtimes.docker.engine import DockerBackend
    from composer.runtimes.protocol import Backend


# ---------------------------------------------------------------- the target project


class Target(Record):
    """The project a command acts on, and where its instances live."""

    __slots__ = ("spec", "runtime", "loaded", "build", "pull", "assume_yes", "progress", "_root")

    def __init__(
        self,
        spec: ProjectSpec,
        runtime: str,
        loaded: bool,  # False: known by name only (no Compose file could be loaded)
        build: bool | None = None,  # up --build (True) / --no-build (False), image backends
        pull: str | None = None,  # up --pull always|missing|never
        assume_yes: bool = False,  # up -y: yes to every question (recreate a volume)
        progress: str = PLAIN,  # how events are shown: tty, plain, json or quiet
        root: Path | None = None,
    ) -> None:
        self.spec = spec
        self.runtime = runtime
        self.loaded = loaded
        self.build = build
        self.pull = pull
        self.assume_yes = assume_yes
        self.progress = progress
        self._root = root

    @property
    def root(self) -> Path:
        """The process runtime's state root (found on first use: only that runtime
        keeps state, and pathlib costs the other commands ~2 ms to import)."""
        if self._root is None:
            from composer.runtimes.select import state_root_path

            self._root = state_root_path()
        return self._root

    @property
    def name(self) -> str:
        return self.spec.name

    def services(self) -> Mapping[str, Any]:
        return self.spec.project.get("services") or {}


def load_target(
    args: ProjectArgs,
    runtime_option: str | None,
    *,
    services: list[str] | None = None,
    by_name: bool = False,
) -> Target:
    """Load the project (profile-disabled services named in `services` switched on).

    With `by_name`, a missing Compose file is fine when the project is named (-p):
    the project is then the one its owner last saved, or just the name.
    """
    from composer.loader import snapshot
    from composer.orchestrator.plan import with_services_enabled
    from composer.runtimes.select import resolve_runtime

    if args.parallel is not None:  # for this process and a supervisor it starts
        os.environ["COMPOSE_PARALLEL_LIMIT"] = str(args.parallel)
    progress = resolve_mode(args.progress, args.ansi)
    runtime = resolve_runtime(runtime_option)
    named = args.project_name if by_name else None
    try:
        loaded = snapshot.load(args.load_options(keep_label_files=True))
    except ComposerError as exc:
        if not (named and exc.code == "no-compose-file"):
            raise
        return _named_target(named, runtime, progress)
    if loaded.warnings:
        with open_progress(progress) as events:
            for warning in loaded.warnings:
                events(Event(WARNING, detail=warning))
    project = with_services_enabled(loaded.project, loaded.disabled_services, services or [])
    spec = ProjectSpec(
        name=loaded.name,
        working_dir=loaded.working_dir,
        config_files=tuple(loaded.files),
        project=project,
        environment=dict(loaded.environment),
    )
    return Target(spec=spec, runtime=runtime, loaded=True, progress=progress)


def named_only(args: ProjectArgs) -> bool:
    """`-p NAME` without `-f`: the reference then takes the project from its
    containers (its projectOrName), so services the file in the folder no longer
    defines count as the project's (down removes them, kill and pause reach them)."""
    return bool(args.project_name) and not args.files


def _named_target(name: str, runtime: str, progress: str) -> Target:
    """A project known by its name only: the one its owner last saved, or just the name."""
    from composer.loader.discovery import check_project_name
    from composer.runtimes.process.supervisor import load_spec

    name = check_project_name(name)
    target = Target(
        ProjectSpec(name, os.getcwd(), (), {}), runtime, loaded=False, progress=progress
    )
    target.spec = load_spec(target.root, name) or target.spec
    return target


def check_services(target: Target, names: list[str]) -> None:
    """`no such service` for names the loaded project does not define."""
    if not target.loaded:
        return
    from composer.errors import UsageError

    for name in names:
        if name not in target.services():
            raise UsageError(f"no such service: {name}", code="no-such-service")


def key_values(given: list[str], lookup: Mapping[str, str]) -> dict[str, str]:
    """`KEY=VALUE` items (`run -e`, `build --build-arg`); a bare `KEY` takes `lookup`'s
    value, or is left out when it has none; the last of a key wins."""
    found: dict[str, str] = {}
    for item in given:
        key, sep, value = item.partition("=")
        if sep:
            found[key] = value
        elif key in lookup:
            found[key] = lookup[key]
    return found


def make_backend(target: Target) -> Backend:
    from composer.runtimes.select import make_backend as make

    def confirm(question: str) -> bool:
        if target.assume_yes:
            return True
        with paused():  # the question is not drawn over by the live progress
            return console.confirm(question)

    return make(target.runtime, build=target.build, pull=target.pull, confirm=confirm)


def close_backend(backend: Backend) -> None:
    """Close what the backend holds (engine connections, log threads), when it holds
    anything: the commands' one way to be done with it."""
    close = getattr(backend, "close", None)
    if callable(close):
        close()


def image_backend(target: Target, command: str) -> DockerBackend:
    """The backend of `build`, `pull`, `images`: only a runtime with images (Docker)
    has them; the process runtime's services are this host's commands."""
    return docker_backend(target, command, "has no images", code="no-images")


def docker_backend(
    target: Target, command: str, lacks: str, *, code: str = "needs-docker"
) -> DockerBackend:
    """The backend of a command only Docker can do (`lacks`: what the process runtime
    lacks for it, said in the error, as `has no images`)."""
    from composer.runtimes.docker.engine import DockerBackend

    backend = make_backend(target)
    if not isinstance(backend, DockerBackend):
        close_backend(backend)
        raise ComposerError(
            f"{command} needs a Docker engine: the process runtime {lacks}",
            code=code,
            hint="start an engine (scripts/docker-engine.sh) or pass --runtime docker",
        )
    return backend


def running_refs(backend: Backend, project: str, service: str) -> list[InstanceRef]:
    """The running (or paused) instances of `service`, by index; one-offs never (what
    `export`, `commit` and `watch` act on)."""
    return sorted(
        state.ref
        for state in backend.instances(project)
        if state.ref.service == service and not state.ref.oneoff and state.running
    )


def is_process(target: Target) -> bool:
    return target.runtime == "process"


@contextlib.contextmanager
def project_lock(target: Target) -> Iterator[None]:
    """Serialise state changes of one process project across shells."""
    if not is_process(target):
        yield
        return
    from composer.runtimes.process.supervisor import project_lock as lock

    with lock(target.root, target.name):
        yield


def owner(target: Target, *, spawn: bool = False) -> Any:
    """The ControlClient of the project's owner; a new detached supervisor with `spawn`."""
    from composer.runtimes.process import supervisor

    client = supervisor.connect(target.root, target.name)
    if client is None and spawn:
        client = supervisor.spawn(target.root, target.name, env=os.environ)
    return client


def owner_or_local(
    target: Target,
    op: str,
    args: Mapping[str, Any],
    local: Callable[[Orchestrator], Any],
    *,
    events: EventSink,
    spawn: bool = False,
    send_spec: bool = True,
) -> Any:
    """Ask the process project's owner to do `op` (a new supervisor with `spawn`); with
    no owner, or on another runtime, do it here: `local` on an orchestrator in this
    process. The owner gets the target's spec unless `send_spec` is False (it then uses
    the one it has). Call it under `project_lock`."""
    client = owner(target, spawn=spawn) if is_process(target) else None
    if client is not None:
        spec = target.spec if send_spec else None
        return client.request(op, spec, args, on_event=events)
    return local(local_orchestrator(target, events))


def bring_up(target: Target, options: UpOptions, *, spawn: bool = True) -> None:
    """`up` through the project's owner (with `spawn`, a new detached supervisor when
    none answers: what runs needs one; `create` needs none), or in this process on
    runtimes whose instances run without an owner."""
    with project_lock(target), open_progress(target.progress) as events:
        owner_or_local(
            target,
            "up",
            options.to_dict(),
            lambda local: local.up(target.spec, options),
            events=events,
            spawn=spawn,
        )


# ---------------------------------------------------------------- log lines

# The reference's rainbow: cyan, yellow, green, magenta, blue, then their bright forms.
RAINBOW = ("36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1")


def use_color(stream: TextIO, no_color: bool = False) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def display_name(ref: InstanceRef) -> str:
    """The instance without the project prefix: `web-1`, `web-run-1a2b3c4d5e6f`."""
    prefix = f"{ref.project}-"
    return ref.name[len(prefix) :] if ref.name.startswith(prefix) else ref.name


def rfc3339(timestamp: float) -> str:
    from datetime import UTC, datetime  # only logs --timestamps needs it

    stamp = datetime.fromtimestamp(timestamp, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond * 1000:09d}Z"


class LogPrinter:
    """`web-1     | text` lines, as the reference's presenters: the name padded to the
    longest registered one plus one, then ` | `; coloured on a terminal. Names are
    registered as their first line comes (the width grows with them, as the
    reference's does). With `errors`, an instance's stderr lines go there (`up`
    attached, as the reference); otherwise every line goes to `stream`."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        prefix: bool = True,
        color: bool | None = None,
        timestamps: bool = False,
        errors: TextIO | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        self.errors = errors
        self.prefix = prefix
        self.color = use_color(self.stream) if color is None else color
        self.timestamps = timestamps
        self.names: dict[str, str] = {}  # name -> colour code
        self.width = 0
        self.lock = threading.Lock()

    def register(self, names: list[str]) -> None:
        for name in names:
            if name not in self.names:
                self.names[name] = RAINBOW[len(self.names) % len(RAINBOW)]
        self.width = max((len(n) for n in self.names), default=0) + 1

    def _paint(self, name: str, text: str) -> str:
        if not self.color:
            return text
        return f"\033[{self.names.get(name, '0')}m{text}\033[0m"

    def _prefix(self, name: str) -> str:
        if not self.prefix:
            return ""
        if name not in self.names:
            self.register([name])
        return self._paint(name, f"{name:<{self.width}} | ")

    def line(self, line: LogLine) -> None:
        name = display_name(line.ref)
        with self.lock:
            stamp = ""
            if self.timestamps:
                stamp = line.stamp or (rfc3339(line.timestamp) if line.timestamp else "-")
                stamp += " "
            target = self.errors if self.errors and line.stream == "stderr" else self.stream
            target.write(f"{self._prefix(name)}{stamp}{line.text}\n")
            target.flush()

    def note(self, text: str) -> None:
        """A line of its own among the logs (`Attaching to web-1, db-1`)."""
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def status(self, name: str, message: str) -> None:
        """`web-1 exited with code 0`, in the instance's colour."""
        with self.lock:
            if name not in self.names:
                self.register([name])
            self.stream.write(self._paint(name, f"{name} {message}") + "\n")
            self.stream.flush()


def local_orchestrator(target: Target, printer: EventSink) -> Orchestrator:
    """An orchestrator in this process over a fresh backend (imports the orchestrator)."""
    from composer.orchestrator.engine import Orchestrator

    return Orchestrator(make_backend(target), printer)
