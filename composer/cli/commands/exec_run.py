"""`composer exec SERVICE CMD...` and `composer run [--rm] SERVICE [CMD...]`.

exec runs a command with a running instance's environment and directory. run
starts the service's dependencies through the project's owner, then one new
one-off instance in this process, streams its output and returns its exit code.
The process runtime gives neither a terminal nor stdin to the one-off.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Annotated

import typer

from composer.cli.commands.runtime_common import (
    EventPrinter,
    LogPrinter,
    RuntimeOpt,
    Target,
    bring_up,
    check_services,
    load_target,
    make_backend,
)
from composer.cli.project_options import ProjectArgs, project_command
from composer.errors import UsageError
from composer.orchestrator.events import UpOptions
from composer.runtimes.base import InstanceRef

PASS_THROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": False}

EnvOpt = Annotated[
    list[str] | None, typer.Option("--env", "-e", help="Set environment variables (KEY=VAL)")
]
WorkdirOpt = Annotated[
    str | None, typer.Option("--workdir", "-w", help="Working directory of the command")
]
NoTtyOpt = Annotated[
    bool, typer.Option("--no-TTY", "-T", help="Accepted for compatibility (no TTY is used)")
]


def parse_env(values: list[str]) -> dict[str, str]:
    """`-e KEY=VAL` (or `-e KEY` taking this shell's value)."""
    env: dict[str, str] = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not key:
            raise UsageError(f"invalid --env value {value!r}", code="usage", hint="use KEY=VALUE")
        if sep:
            env[key] = val
        elif key in os.environ:
            env[key] = os.environ[key]
    return env


def _dependencies(target: Target, service: str) -> list[str]:
    from composer.graph import build_graph

    graph = build_graph(dict(target.spec.project), target.name)
    return sorted(graph.successors(service)) if service in graph else []


def run_oneoff(
    target: Target,
    service: str,
    command: list[str],
    *,
    remove: bool,
    no_deps: bool,
    environment: dict[str, str],
    workdir: str | None,
    entrypoint: list[str] | None,
) -> int:
    from composer.orchestrator.engine import Orchestrator

    deps = [] if no_deps else _dependencies(target, service)
    if deps:
        bring_up(target, UpOptions(services=tuple(deps)))
    backend = make_backend(target)
    orchestrator = Orchestrator(backend, EventPrinter(quiet=True))
    printer = LogPrinter(prefix=False, color=False)
    cancel = threading.Event()
    try:
        return orchestrator.run_oneoff(
            target.spec,
            service,
            command or None,
            remove=remove,
            no_deps=no_deps,
            start_dependencies=False,
            on_line=printer.line,
            cancel=cancel,
            environment=environment,
            workdir=workdir,
            entrypoint=entrypoint,
        )
    except KeyboardInterrupt:
        cancel.set()
        return 130
    finally:
        close = getattr(backend, "close", None)
        if callable(close):
            close()


def register(app: typer.Typer) -> None:
    @app.command("exec", context_settings=PASS_THROUGH)
    @project_command
    def exec_(
        project: ProjectArgs,
        service: Annotated[str, typer.Argument(help="Service")],
        command: Annotated[list[str], typer.Argument(help="Command and arguments")],
        index: Annotated[int, typer.Option("--index", help="Instance index")] = 1,
        env: EnvOpt = None,
        workdir: WorkdirOpt = None,
        no_tty: NoTtyOpt = False,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Execute a command in a running service instance."""
        target = load_target(project, runtime, by_name=True)
        check_services(target, [service])
        backend = make_backend(target)
        ref = InstanceRef(target.name, service, index)
        sys.stdout.flush()
        code = backend.exec(
            target.spec, ref, list(command), environment=parse_env(env or []), workdir=workdir
        )
        if code:
            raise SystemExit(code)

    @app.command("run", context_settings=PASS_THROUGH)
    @project_command
    def run(
        project: ProjectArgs,
        service: Annotated[str, typer.Argument(help="Service")],
        command: Annotated[
            list[str] | None, typer.Argument(help="Command and arguments (default: the service's)")
        ] = None,
        rm: Annotated[bool, typer.Option("--rm", help="Remove the instance when it exits")] = False,
        no_deps: Annotated[
            bool, typer.Option("--no-deps", help="Don't start linked services")
        ] = False,
        env: EnvOpt = None,
        workdir: WorkdirOpt = None,
        entrypoint: Annotated[
            str | None, typer.Option("--entrypoint", help="Override the entrypoint")
        ] = None,
        no_tty: NoTtyOpt = False,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Run a one-off command on a service."""
        target = load_target(project, runtime, services=[service])
        check_services(target, [service])
        code = run_oneoff(
            target,
            service,
            list(command or []),
            remove=rm,
            no_deps=no_deps,
            environment=parse_env(env or []),
            workdir=workdir,
            entrypoint=entrypoint.split() if entrypoint else None,
        )
        if code:
            raise SystemExit(code)
