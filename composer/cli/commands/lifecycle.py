"""`composer start`, `stop`, `restart` and `wait`.

start and restart need an owner for the processes they start (a detached
supervisor is started when none answers); stop works with or without one.
"""

from __future__ import annotations

from composer.cli import console
from composer.cli.commands.runtime_common import (
    EventPrinter,
    check_services,
    load_target,
    local_orchestrator,
    owner_or_local,
    project_lock,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TIMEOUT, Argument, Command, Option
from composer.orchestrator.events import CONTAINER, Event

SERVICES = Argument("services", "Services (default: all)")


def _seconds(value: int | None) -> float | None:
    return float(value) if value is not None else None


def start(project: ProjectArgs, *, services: list[str] | None, runtime: str | None) -> None:
    names = list(services or [])
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    with project_lock(target):
        owner_or_local(
            target,
            "start",
            {"services": names},
            lambda local: local.start(target.spec, names or ()),
            events=EventPrinter(),
            spawn=True,
        )


def stop(
    project: ProjectArgs, *, services: list[str] | None, timeout: int | None, runtime: str | None
) -> None:
    names = list(services or [])
    target = load_target(project, runtime, by_name=True)
    check_services(target, names)
    seconds = _seconds(timeout)
    with project_lock(target):
        owner_or_local(
            target,
            "stop",
            {"services": names, "timeout": seconds},
            lambda local: local.stop(target.spec, names or None, timeout=seconds),
            events=EventPrinter(),
        )


def restart(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    timeout: int | None,
    no_deps: bool,
    runtime: str | None,
) -> None:
    names = list(services or [])
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    seconds = _seconds(timeout)
    with project_lock(target):
        owner_or_local(
            target,
            "restart",
            {"services": names, "timeout": seconds, "no_deps": no_deps},
            lambda local: local.restart(target.spec, names or (), timeout=seconds, no_deps=no_deps),
            events=EventPrinter(),
            spawn=True,
        )


def wait(project: ProjectArgs, *, services: list[str], runtime: str | None) -> int:
    target = load_target(project, runtime, by_name=True)
    check_services(target, services)

    def report(event: Event) -> None:
        if event.kind == CONTAINER and event.status == "Exited":
            console.out(
                f'container "{event.instance}" exited with status code {event.detail}\n', flush=True
            )

    orchestrator = local_orchestrator(target)
    orchestrator.on_event = report
    return orchestrator.wait(target.spec, services)


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
        "wait",
        "Block until the services' containers (here: processes) stop; their exit code.",
        f"{__name__}:wait",
        arguments=(Argument("services", "Services to wait for", required=True),),
        options=(RUNTIME,),
    ),
)
