"""`composer start`, `stop`, `restart` and `wait`.

start and restart need an owner for the processes they start (a detached
supervisor is started when none answers); stop works with or without one.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from composer.cli.commands.runtime_common import (
    EventPrinter,
    RuntimeOpt,
    Target,
    check_services,
    is_process,
    load_target,
    local_orchestrator,
    owner,
    project_lock,
)
from composer.cli.project_options import (
    EnvFileOpt,
    FilesOpt,
    ProfileOpt,
    ProjectDirOpt,
    ProjectNameOpt,
    global_args,
)
from composer.orchestrator.events import CONTAINER, Event

ServicesArg = Annotated[list[str] | None, typer.Argument(help="Services (default: all)")]
TimeoutOpt = Annotated[
    int | None, typer.Option("--timeout", "-t", help="Shutdown timeout in seconds")
]


def _seconds(value: int | None) -> float | None:
    return float(value) if value is not None else None


def _owned(target: Target, op: str, args: dict[str, Any], *, spawn: bool) -> Any:
    """Run `op` through the project's owner (process runtime) or in this process."""
    events = EventPrinter()
    with project_lock(target):
        client = owner(target, spawn=spawn) if is_process(target) else None
        if client is not None:
            return client.request(op, target.spec, args, on_event=events)
        orchestrator = local_orchestrator(target, events)
        services = args.get("services") or None
        if op == "stop":
            return orchestrator.stop(target.spec, services, timeout=args.get("timeout"))
        if op == "start":
            return orchestrator.start(target.spec, services or ())
        return orchestrator.restart(
            target.spec, services or (), timeout=args.get("timeout"), no_deps=args["no_deps"]
        )


def register(app: typer.Typer) -> None:
    @app.command("start")
    def start(
        ctx: typer.Context,
        services: ServicesArg = None,
        file: FilesOpt = None,
        project_name: ProjectNameOpt = None,
        profile: ProfileOpt = None,
        env_file: EnvFileOpt = None,
        project_directory: ProjectDirOpt = None,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Start existing containers (here: processes)."""
        args = global_args(ctx).combined(file, project_name, profile, env_file, project_directory)
        names = list(services or [])
        target = load_target(args, runtime, services=names)
        check_services(target, names)
        _owned(target, "start", {"services": names}, spawn=True)

    @app.command("stop")
    def stop(
        ctx: typer.Context,
        services: ServicesArg = None,
        file: FilesOpt = None,
        project_name: ProjectNameOpt = None,
        profile: ProfileOpt = None,
        env_file: EnvFileOpt = None,
        project_directory: ProjectDirOpt = None,
        timeout: TimeoutOpt = None,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Stop running containers (here: processes) without removing them."""
        args = global_args(ctx).combined(file, project_name, profile, env_file, project_directory)
        names = list(services or [])
        target = load_target(args, runtime, by_name=True)
        check_services(target, names)
        _owned(target, "stop", {"services": names, "timeout": _seconds(timeout)}, spawn=False)

    @app.command("restart")
    def restart(
        ctx: typer.Context,
        services: ServicesArg = None,
        file: FilesOpt = None,
        project_name: ProjectNameOpt = None,
        profile: ProfileOpt = None,
        env_file: EnvFileOpt = None,
        project_directory: ProjectDirOpt = None,
        timeout: TimeoutOpt = None,
        no_deps: Annotated[
            bool, typer.Option("--no-deps", help="Don't restart dependent services")
        ] = False,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Restart services; dependents declaring `restart: true` follow."""
        args = global_args(ctx).combined(file, project_name, profile, env_file, project_directory)
        names = list(services or [])
        target = load_target(args, runtime, services=names)
        check_services(target, names)
        _owned(
            target,
            "restart",
            {"services": names, "timeout": _seconds(timeout), "no_deps": no_deps},
            spawn=True,
        )

    @app.command("wait")
    def wait(
        ctx: typer.Context,
        services: Annotated[list[str], typer.Argument(help="Services to wait for")],
        file: FilesOpt = None,
        project_name: ProjectNameOpt = None,
        profile: ProfileOpt = None,
        env_file: EnvFileOpt = None,
        project_directory: ProjectDirOpt = None,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Block until the services' containers (here: processes) stop; their exit code."""
        args = global_args(ctx).combined(file, project_name, profile, env_file, project_directory)
        target = load_target(args, runtime, by_name=True)
        check_services(target, services)

        def report(event: Event) -> None:
            if event.kind == CONTAINER and event.status == "Exited":
                typer.echo(f'container "{event.instance}" exited with status code {event.detail}')

        orchestrator = local_orchestrator(target)
        orchestrator.on_event = report
        code = orchestrator.wait(target.spec, services)
        if code:
            raise SystemExit(code)
