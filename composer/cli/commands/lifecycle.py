"""`composer start`, `stop`, `restart`, `kill`, `rm`, `pause`, `unpause` and `wait`.

start and restart need an owner for the processes they start (a detached
supervisor is started when none answers); stop works with or without one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from composer.cli import console
from composer.cli.commands.runtime_common import (
    check_services,
    load_target,
    local_orchestrator,
    named_only,
    owner_or_local,
    project_lock,
)
from composer.cli.progress import open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, TIMEOUT, Argument, Command, Option
from composer.orchestrator.events import CONTAINER, Event

if TYPE_CHECKING:
    from composer.orchestrator.engine import Orchestrator
    from composer.runtimes.base import ProjectSpec

SERVICES = Argument("services", "Services (default: all)")


def _seconds(value: int | None) -> float | None:
    return float(value) if value is not None else None


def _change(
    project: ProjectArgs,
    runtime: str | None,
    names: list[str],
    op: str,
    args: dict[str, Any],
    local: Callable[[Orchestrator, ProjectSpec], object],
    *,
    starts: bool,
) -> None:
    """One state change of the named services, through the project's owner when one
    answers (`starts`: one is started for the processes it starts), else here."""
    target = load_target(project, runtime, services=names, by_name=not starts)
    check_services(target, names)
    with project_lock(target), open_progress(target.progress) as events:
        owner_or_local(
            target,
            op,
            {"services": names, **args},
            lambda orchestrator: local(orchestrator, target.spec),
            events=events,
            spawn=starts,
        )


def start(project: ProjectArgs, *, services: list[str] | None, runtime: str | None) -> None:
    names = list(services or [])
    _change(project, runtime, names, "start", {}, lambda o, s: o.start(s, names), starts=True)


def stop(
    project: ProjectArgs, *, services: list[str] | None, timeout: int | None, runtime: str | None
) -> None:
    names, seconds = list(services or []), _seconds(timeout)
    _change(
        project,
        runtime,
        names,
        "stop",
        {"timeout": seconds},
        lambda o, s: o.stop(s, names or None, timeout=seconds),
        starts=False,
    )


def restart(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    timeout: int | None,
    no_deps: bool,
    runtime: str | None,
) -> None:
    names, seconds = list(services or []), _seconds(timeout)
    _change(
        project,
        runtime,
        names,
        "restart",
        {"timeout": seconds, "no_deps": no_deps},
        lambda o, s: o.restart(s, names, timeout=seconds, no_deps=no_deps),
        starts=True,
    )


def kill(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    signal: str | None,
    remove_orphans: bool,
    runtime: str | None,
) -> None:
    """Signal the running instances (orphans too with --remove-orphans, which, as in
    the reference, kills them and removes nothing, or when the project is named
    without a file); `no container to kill` when none runs (exit 0)."""
    names, sig = list(services or []), signal or "SIGKILL"
    remove_orphans = remove_orphans or named_only(project)
    target = load_target(project, runtime, services=names, by_name=True)
    with project_lock(target), open_progress(target.progress) as events:
        signalled = owner_or_local(
            target,
            "signal",
            {"services": names, "signal": sig, "orphans": remove_orphans},
            lambda orchestrator: orchestrator.signal(
                target.spec, names or None, sig, orphans=remove_orphans
            ),
            events=events,
        )
    if not signalled:
        sys.stderr.write("no container to kill\n")


def pause(project: ProjectArgs, *, services: list[str] | None, runtime: str | None) -> None:
    """Freeze the running instances of the services (`Paused` each); through the
    process project's owner when one answers, which holds their health probes.
    Orphans too when the project is named without a file, as the reference."""
    names, orphans = list(services or []), named_only(project)
    _change(
        project,
        runtime,
        names,
        "pause",
        {"orphans": orphans},
        lambda o, s: o.pause(s, names, orphans=orphans),
        starts=False,
    )


def unpause(project: ProjectArgs, *, services: list[str] | None, runtime: str | None) -> None:
    """Let the paused instances of the services run on (`Unpaused` each)."""
    names, orphans = list(services or []), named_only(project)
    _change(
        project,
        runtime,
        names,
        "unpause",
        {"orphans": orphans},
        lambda o, s: o.unpause(s, names, orphans=orphans),
        starts=False,
    )


def rm(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    force: bool,
    stop: bool,
    volumes: bool,
    runtime: str | None,
) -> None:
    """Remove stopped instances (`-s`: stop running ones first), after `Going to remove
    ...` and a y/N question unless `-f`, as the reference; `No stopped containers`
    when there is nothing to remove."""
    names = list(services or [])
    target = load_target(project, runtime, services=names, by_name=True)
    check_services(target, names)
    listed = local_orchestrator(target, lambda event: None).removable(target.spec, names, stop=stop)
    chosen = [s.ref.name for s in listed]
    if not chosen:
        sys.stderr.write("No stopped containers\n")
        return
    console.out(f"Going to remove {', '.join(chosen)}\n", flush=True)
    if not force and not console.confirm("Are you sure?"):
        return
    with project_lock(target), open_progress(target.progress) as events:
        owner_or_local(
            target,
            "rm",
            {"services": names, "stop": stop, "volumes": volumes},
            lambda o: o.rm(target.spec, names or None, stop=stop, volumes=volumes),
            events=events,
        )


def wait(
    project: ProjectArgs, *, services: list[str], down_project: bool, runtime: str | None
) -> int:
    """`--down-project`: once every waited instance has stopped, the project goes as
    with `down --remove-orphans`, as the reference's (its help says "when the first
    container stops"; it waits for all of them)."""
    target = load_target(project, runtime, by_name=True)
    check_services(target, services)

    def report(event: Event) -> None:
        if event.kind == CONTAINER and event.status == "Exited":
            console.out(
                f'container "{event.instance}" exited with status code {event.detail}\n', flush=True
            )

    code = local_orchestrator(target, report).wait(target.spec, services)
    if down_project:
        from composer.cli.commands.down import run_down

        run_down(target, timeout=None, remove_orphans=True, volumes=False)
    return code


COMMANDS = (
    Command(
        "start",
        "Start existing containers (here: processes).",
        f"{__name__}:start",
        arguments=(SERVICES,),
        options=(RUNTIME,),
    ),
    Command(
        "stop",
        "Stop running containers (here: processes) without removing them.",
        f"{__name__}:stop",
        arguments=(SERVICES,),
        options=(TIMEOUT, RUNTIME),
    ),
    Command(
        "restart",
        "Restart services; dependents declaring `restart: true` follow.",
        f"{__name__}:restart",
        arguments=(SERVICES,),
        options=(
            TIMEOUT,
            Option("no_deps", ("--no-deps",), FLAG, "Don't restart dependent services"),
            RUNTIME,
        ),
    ),
    Command(
        "rm",
        "Remove stopped containers (here: processes) of the services.",
        f"{__name__}:rm",
        arguments=(SERVICES,),
        options=(
            Option("force", ("--force", "-f"), FLAG, "Don't ask to confirm removal"),
            Option("stop", ("--stop", "-s"), FLAG, "Stop the containers first, if needed"),
            Option("volumes", ("--volumes", "-v"), FLAG, "Remove their anonymous volumes too"),
            RUNTIME,
        ),
    ),
    Command(
        "kill",
        "Send a signal (default SIGKILL) to the services' running containers (processes).",
        f"{__name__}:kill",
        arguments=(SERVICES,),
        options=(
            Option("signal", ("--signal", "-s"), TEXT, "Signal to send (default SIGKILL)"),
            Option(
                "remove_orphans",
                ("--remove-orphans",),
                FLAG,
                "Signal the containers of services the file no longer defines too",
            ),
            RUNTIME,
        ),
    ),
    Command(
        "pause",
        "Pause the services' running containers (here: SIGSTOP to their processes).",
        f"{__name__}:pause",
        arguments=(SERVICES,),
        options=(RUNTIME,),
    ),
    Command(
        "unpause",
        "Unpause the services' paused containers (here: SIGCONT).",
        f"{__name__}:unpause",
        arguments=(SERVICES,),
        options=(RUNTIME,),
    ),
    Command(
        "wait",
        "Block until the services' containers (here: processes) stop; their exit code.",
        f"{__name__}:wait",
        arguments=(Argument("services", "Services to wait for", required=True),),
        options=(
            Option(
                "down_project",
                ("--down-project",),
                FLAG,
                "Remove the project (down) once they have stopped",
            ),
            RUNTIME,
        ),
    ),
)
