"""`composer logs`: the instances' output, prefixed `web-1  | ` (coloured on a terminal).

Reads the log files through the backend, so it works from any shell and after the
supervisor is gone; `-f` follows until every followed instance has stopped.
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import (
    LogPrinter,
    check_services,
    display_name,
    load_target,
    make_backend,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import UsageError


def parse_tail(value: str) -> int | None:
    """`--tail N` or `all`."""
    if value == "all":
        return None
    if not value.isdigit():
        raise UsageError(f"invalid --tail value {value!r}", code="usage", hint='a number or "all"')
    return int(value)


def logs(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    follow: bool,
    tail: str,
    timestamps: bool,
    no_log_prefix: bool,
    no_color: bool,
    index: int | None,
    runtime: str | None,
) -> None:
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


COMMANDS = (
    Command(
        "logs",
        "View output from containers (here: processes).",
        f"{__name__}:logs",
        arguments=(Argument("services", "Services to show"),),
        options=(
            Option("follow", ("--follow", "-f"), FLAG, "Follow log output"),
            Option(
                "tail",
                ("--tail", "-n"),
                TEXT,
                "Lines from the end of each log, or all",
                default="all",
            ),
            Option("timestamps", ("--timestamps", "-t"), FLAG, "Show timestamps"),
            Option("no_log_prefix", ("--no-log-prefix",), FLAG, "Don't print prefix in logs"),
            Option("no_color", ("--no-color",), FLAG, "Monochrome output"),
            Option("index", ("--index",), INT, "Instance index of the service"),
            RUNTIME,
        ),
    ),
)
