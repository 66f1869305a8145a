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

from composer.cli.commands.runtime_common import (
    LogPrinter,
    Target,
    bring_up,
    check_services,
    close_backend,
    load_target,
    make_backend,
)
from composer.cli.progress import PlainProgress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, LIST, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import UsageError
from composer.orchestrator.events import UpOptions
from composer.runtimes.base import InstanceRef

ENV = Option("env", ("--env", "-e"), LIST, "Set environment variables (KEY=VAL)")
WORKDIR = Option("workdir", ("--workdir", "-w"), TEXT, "Working directory of the command")
NO_TTY = Option("no_tty", ("--no-TTY", "-T"), FLAG, "Accepted for compatibility (no TTY is used)")
SERVICE = Argument("service", "Service", many=False, required=True)


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
    orchestrator = Orchestrator(backend, PlainProgress(quiet=True))
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
        close_backend(backend)


def exec_(
    project: ProjectArgs,
    *,
    service: str,
    command: list[str],
    index: int,
    env: list[str] | None,
    workdir: str | None,
    no_tty: bool,
    runtime: str | None,
) -> int:
    target = load_target(project, runtime, by_name=True)
    check_services(target, [service])
    backend = make_backend(target)
    ref = InstanceRef(target.name, service, index)
    sys.stdout.flush()
    return backend.exec(
        target.spec, ref, list(command), environment=parse_env(env or []), workdir=workdir
    )


def run(
    project: ProjectArgs,
    *,
    service: str,
    command: list[str] | None,
    rm: bool,
    no_deps: bool,
    env: list[str] | None,
    workdir: str | None,
    entrypoint: str | None,
    no_tty: bool,
    runtime: str | None,
) -> int:
    target = load_target(project, runtime, services=[service])
    check_services(target, [service])
    return run_oneoff(
        target,
        service,
        list(command or []),
        remove=rm,
        no_deps=no_deps,
        environment=parse_env(env or []),
        workdir=workdir,
        entrypoint=entrypoint.split() if entrypoint else None,
    )


COMMANDS = (
    Command(
        "exec",
        "Execute a command in a running service instance.",
        f"{__name__}:exec_",
        arguments=(SERVICE, Argument("command", "Command and arguments", required=True)),
        options=(
            Option("index", ("--index",), INT, "Instance index", default=1),
            ENV,
            WORKDIR,
            NO_TTY,
            RUNTIME,
        ),
        interspersed=False,
    ),
    Command(
        "run",
        "Run a one-off command on a service.",
        f"{__name__}:run",
        arguments=(SERVICE, Argument("command", "Command and arguments (default: the service's)")),
        options=(
            Option("rm", ("--rm",), FLAG, "Remove the instance when it exits"),
            Option("no_deps", ("--no-deps",), FLAG, "Don't start linked services"),
            ENV,
            WORKDIR,
            Option("entrypoint", ("--entrypoint",), TEXT, "Override the entrypoint"),
            NO_TTY,
            RUNTIME,
        ),
        interspersed=False,
    ),
)
