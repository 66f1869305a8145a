"""What every runtime backend provides: primitive operations on one service instance.

An instance is one process (built-in runtime) or one container (Docker). Backends
know nothing about dependency order, conditions, parallelism or `--wait`: the one
orchestrator (composer/orchestrator/) owns those and drives any backend through
this protocol. Backends find what exists for a project by looking (labels, state
records), never by remembering, so `down` works from any later shell.

A module of its own because `Protocol` needs `typing` at run time (~2 ms): the
commands name the protocol in annotations only and never import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from composer.runtimes.base import (
    Capabilities,
    InstanceProcesses,
    InstanceRef,
    InstanceState,
    Interactive,
    LogLine,
    ProjectSpec,
    ProjectSummary,
)

if TYPE_CHECKING:
    from composer.runtimes.copying import InstanceFiles


class InstanceStreams(Protocol):
    """An instance's standard streams, attached: what `Backend.attach` (and an
    interactive exec) hands to the terminal relay."""

    tty: bool  # one raw stream (a pseudo-terminal) instead of stdout and stderr

    def send(self, data: bytes) -> None:
        """Write to the instance's stdin."""
        ...

    def close_input(self) -> None:
        """End the instance's stdin (our stdin ended)."""
        ...

    def output(self) -> Iterator[tuple[str, bytes]]:
        """(`stdout` or `stderr`, bytes) as they come, until the instance's output ends."""
        ...

    def resize(self, rows: int, columns: int) -> None:
        """Tell the pseudo-terminal this terminal's size."""
        ...

    def close(self) -> None: ...


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

    def remove_network(
        self, spec: ProjectSpec, key: str, removing: Callable[[], None] | None = None
    ) -> bool:
        """Remove the project's network `key` if it exists; True if removed. `removing`
        is called once the network is known to exist (the reference reports `Removing`
        only for what it found)."""
        ...

    def remove_volume(
        self, spec: ProjectSpec, key: str, removing: Callable[[], None] | None = None
    ) -> bool:
        """Remove the project's volume `key` if it exists; True if removed (`removing`
        as for networks)."""
        ...

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        """Prepare the instance (not started); raises ComposerError if it cannot run here."""
        ...

    def start(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState | None:
        """Start the instance. Its state when the backend has it at no cost (the
        process runtime: its own record); None where knowing would take one more call
        (Docker: an inspect per container in the busiest moment of an `up`; `inspect`
        is there for whoever needs to look)."""
        ...

    def stop(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None = None) -> None:
        """stop_signal, then SIGKILL after `timeout` (default: stop_grace_period)."""
        ...

    def kill(self, spec: ProjectSpec, ref: InstanceRef, signal: str = "SIGKILL") -> None:
        """Send `signal` (a name like SIGHUP, or a number) to a running instance."""
        ...

    def pause(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        """Freeze a running instance (every process of it); ComposerError when it is
        already paused."""
        ...

    def unpause(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        """Let a paused instance run on; ComposerError when it is not paused."""
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

    def top(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceProcesses | None:
        """The instance's processes with the columns of the engine's `ps -ef` (`top`);
        None when it does not run."""
        ...

    def projects(self, *, all: bool = False) -> list[ProjectSummary]:
        """Every project with instances on this runtime, running ones unless `all`,
        sorted by name (`ls`: not one project's, the runtime's)."""
        ...

    def logs(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        *,
        follow: bool = False,
        tail: int | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> Iterator[LogLine]:
        """The instances' lines (the last `tail` of each; between the Unix times
        `since` and `until` when given: a backend whose lines carry no time refuses
        them), then, with `follow`, new ones while any runs (or until `until`)."""
        ...

    def exec(
        self,
        spec: ProjectSpec,
        ref: InstanceRef,
        command: list[str],
        *,
        environment: Mapping[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        privileged: bool = False,
        interactive: Interactive | None = None,
        detach: bool = False,
    ) -> int:
        """Run `command` in the instance's environment (as `user`, with extended
        privileges when asked, where the runtime can) and return its exit code. With
        `interactive` its streams go through that relay (stdin and a pseudo-terminal
        as it says, where the runtime can); without, it reads nothing. `detach`
        (`exec -d`): started and left running, 0."""
        ...

    def attach(
        self, spec: ProjectSpec, ref: InstanceRef, *, stdin: bool, detach_keys: str | None = None
    ) -> InstanceStreams:
        """The instance's streams from now on (its stdin too when `stdin` and it keeps
        one open), ending when it stops or detaches (on `detach_keys` where the
        runtime has such keys)."""
        ...

    def files(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceFiles:
        """The instance's side of the archive API (stat, get a tar, put a tar), over
        which composer/runtimes/copying.py carries out `cp` with `docker cp`'s rules,
        the same for every runtime. ComposerError when the instance does not exist."""
        ...
