"""`composer events [--json] [--since T] [--until T] [SERVICE...]`: the engine's
events of the project's containers as they happen, as `docker compose events` prints
them (`2024-01-02 03:04:05.123456 container start <id> (image=..., name=...)`, or one
JSON object a line), one-offs left out. Until Ctrl-C, or until `--until`.

Docker only: the process runtime has no event stream to read.
"""

from __future__ import annotations

from composer.cli import console
from composer.cli.commands.runtime_common import (
    close_backend,
    load_target,
    make_backend,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def local_time(nanos: int, fraction: int) -> tuple[str, str]:
    """The event's local time as `2006-01-02 15:04:05` and its `fraction` first
    digits of nanoseconds, and its zone as Go's RFC 3339 writes it (`Z` or `+01:00`)."""
    import time

    moment = time.localtime(nanos // 10**9)
    offset = moment.tm_gmtoff
    zone = (
        "Z"
        if offset == 0
        else f"{'+' if offset > 0 else '-'}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}"
    )
    digits = f"{nanos % 10**9:09d}"[:fraction]
    return time.strftime("%Y-%m-%d %H:%M:%S", moment) + "." + digits, zone


def event_line(event: dict[str, Any]) -> str:
    """The reference's text form (its Event.String(), then Println: an empty line
    after each); attributes sorted, where the reference walks a Go map."""
    when, _ = local_time(event["time_ns"], 6)
    attributes = ", ".join(f"{k}={v}" for k, v in sorted(event["attributes"].items()))
    return f"{when} container {event['action']} {event['id']} ({attributes})\n\n"


def event_json(event: dict[str, Any]) -> str:
    """The reference's `--json` object: Go's sorted keys, the time as RFC 3339 with
    its nanoseconds (trailing zeros dropped, as Go's RFC3339Nano)."""
    from composer.runtimes.docker.ps import go_json

    when, zone = local_time(event["time_ns"], 9)
    stamp = when.replace(" ", "T").rstrip("0").rstrip(".") + zone
    record = {
        "action": event["action"],
        "attributes": dict(sorted(event["attributes"].items())),
        "id": event["id"],
        "service": event["service"],
        "time": stamp,
        "type": "container",
    }
    return go_json(record) + "\n"


def events(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    json_lines: bool,
    since: str | None,
    until: str | None,
    runtime: str | None,
) -> None:
    import time

    from composer.cli.logtimes import parse_log_time

    now = time.time()
    window = {
        option: parse_log_time(option, value, now)
        for option, value in (("since", since), ("until", until))
        if value is not None
    }
    target = load_target(project, runtime, by_name=True)
    backend = make_backend(target)
    try:
        stream = getattr(backend, "project_events", None)
        if not callable(stream):
            raise ComposerError(
                "events needs a Docker engine: the process runtime has no event stream",
                code="no-events",
                hint="pass --runtime docker for a Docker project's events",
            )
        write = event_json if json_lines else event_line
        for event in stream(target.name, list(services or []), **window):
            console.out(write(event), flush=True)
    finally:
        close_backend(backend)


COMMANDS = (
    Command(
        "events",
        "Receive real time events from containers.",
        f"{__name__}:events",
        arguments=(Argument("services", "Services whose events to show"),),
        options=(
            Option("json_lines", ("--json",), FLAG, "Output events as a stream of json objects"),
            Option("since", ("--since",), TEXT, "Show all events created since timestamp"),
            Option("until", ("--until",), TEXT, "Stream events until this timestamp"),
            RUNTIME,
        ),
    ),
)
