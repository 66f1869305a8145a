"""`composer logs`: the instances' output, prefixed `web-1  | ` (coloured on a terminal).

Reads the log files through the backend, so it works from any shell and after the
supervisor is gone; `-f` follows until every followed instance has stopped.
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import (
    LogPrinter,
    check_services,
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
    since: str | None,
    until: str | None,
    runtime: str | None,
) -> None:
    names = list(services or [])
    count = parse_tail(tail)
    window = {}
    if since is not None or until is not None:
        import time

        from composer.cli.logtimes import parse_log_time

        now = time.time()
        for option, value in (("since", since), ("until", until)):
            if value is not None:
                window[option] = parse_log_time(option, value, now)
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
    # Names are registered as their first line comes, as the reference's `logs`
    # does: an instance's prefix is as wide as the longest name seen so far.
    if not refs:
        return
    for line in backend.logs(target.spec, refs, follow=follow, tail=count, **window):
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
            Option(
                "since",
                ("--since",),
                TEXT,
                "Lines since a time (2024-01-02T13:23:37Z) or a duration ago (42m)",
            ),
            Option(
                "until",
                ("--until",),
                TEXT,
                "Lines before a time (2024-01-02T13:23:37Z) or a duration ago (42m)",
            ),
            RUNTIME,
        ),
    ),
)
