"""`composer start`, `stop`, `restart` and `wait`.

start and restart need an owner for the processes they start (a detached
supervisor is started when none answers); stop works with or without one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from composer.cli.commands.runtime_common import (
    EventPrinter,
    RuntimeOpt,
    check_services,
    load_target,
    local_orchestrator,
    owner_or_local,
    project_lock,
)
from composer.cli.project_options import ProjectArgs, project_command
from composer.orchestrator.events import CONTAINER, Event

ServicesArg = Annotated[list[str] | None, typer.Argument(help="Services (default: all)")]
TimeoutOpt = Annotated[
    int | None, typer.Option("--timeout", "-t", help="Shutdown timeout in seconds")
]


def _seconds(value: int | None) -> float | None:
    return float(value) if value is not None else None


def register(app: typer.Typer) -> None:
    @app.command("start")
    @project_command
    def start(
        project: ProjectArgs,
        services: ServicesArg = None,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Start existing containers (here: processes)."""
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

    @app.command("stop")
    @project_command
    def stop(
        project: ProjectArgs,
        services: ServicesArg = None,
        timeout: TimeoutOpt = None,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Stop running containers (here: processes) without removing them."""
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

    @app.command("restart")
    @project_command
    def restart(
        project: ProjectArgs,
        services: ServicesArg = None,
        timeout: TimeoutOpt = None,
        no_deps: Annotated[
            bool, typer.Option("--no-deps", help="Don't restart dependent services")
        ] = False,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Restart services; dependents declaring `restart: true` follow."""
        names = list(services or [])
        target = load_target(project, runtime, services=names)
        check_services(target, names)
        seconds = _seconds(timeout)
        with project_lock(target):
            owner_or_local(
                target,
                "restart",
                {"services": names, "timeout": seconds, "no_deps": no_deps},
                lambda local: local.restart(
                    target.spec, names or (), timeout=seconds, no_deps=no_deps
                ),
                events=EventPrinter(),
                spawn=True,
            )

    @app.command("wait")
    @project_command
    def wait(
        project: ProjectArgs,
        services: Annotated[list[str], typer.Argument(help="Services to wait for")],
        runtime: RuntimeOpt = None,
    ) -> None:
        """Block until the services' containers (here: processes) stop; their exit code."""
        target = load_target(project, runtime, by_name=True)
        check_services(target, services)

        def report(event: Event) -> None:
            if event.kind == CONTAINER and event.status == "Exited":
                typer.echo(f'container "{event.instance}" exited with status code {event.detail}')

        orchestrator = local_orchestrator(target)
        orchestrator.on_event = report
        code = orchestrator.wait(target.spec, services)
        if code:
            raise SystemExit(code)
