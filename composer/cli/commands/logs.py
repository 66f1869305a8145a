"""`composer logs`: the instances' output, prefixed `web-1  | ` (coloured on a terminal).

Reads the log files through the backend, so it works from any shell and after the
supervisor is gone; `-f` follows until every followed instance has stopped.
"""

from __future__ import annotations

from typing import Annotated

import typer

from composer.cli.commands.runtime_common import (
    LogPrinter,
    RuntimeOpt,
    check_services,
    display_name,
    load_target,
    make_backend,
)
from composer.cli.project_options import ProjectArgs, project_command
from composer.errors import UsageError


def parse_tail(value: str) -> int | None:
    """`--tail N` or `all`."""
    if value == "all":
        return None
    if not value.isdigit():
        raise UsageError(f"invalid --tail value {value!r}", code="usage", hint='a number or "all"')
    return int(value)


def register(app: typer.Typer) -> None:
    @app.command("logs")
    @project_command
    def logs(
        project: ProjectArgs,
        services: Annotated[list[str] | None, typer.Argument(help="Services to show")] = None,
        follow: Annotated[bool, typer.Option("--follow", "-f", help="Follow log output")] = False,
        tail: Annotated[
            str, typer.Option("--tail", "-n", help="Lines from the end of each log, or all")
        ] = "all",
        timestamps: Annotated[
            bool, typer.Option("--timestamps", "-t", help="Show timestamps")
        ] = False,
        no_log_prefix: Annotated[
            bool, typer.Option("--no-log-prefix", help="Don't print prefix in logs")
        ] = False,
        no_color: Annotated[bool, typer.Option("--no-color", help="Monochrome output")] = False,
        index: Annotated[
            int | None, typer.Option("--index", help="Instance index of the service")
        ] = None,
        runtime: RuntimeOpt = None,
    ) -> None:
        """View output from containers (here: processes)."""
        names = list(services or [])
        count = parse_tail(tail)
        target = load_target(project, runtime, by_name=True)
        check_services(target, names)
        backend = make_backend(target)
        states = backend.instances(target.name)
        refs = sorted(
            s.ref
            for s in states
            if (not names or s.ref.service in names) and (index is None or s.ref.index == index)
        )
        printer = LogPrinter(
            prefix=not no_log_prefix, color=False if no_color else None, timestamps=timestamps
        )
        printer.register([display_name(r) for r in refs])
        if not refs:
            return
        for line in backend.logs(target.spec, refs, follow=follow, tail=count):
            printer.line(line)
