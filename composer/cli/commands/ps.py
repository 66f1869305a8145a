"""`composer ps`: the project's instances as a table or as the reference's JSON lines.

`--format json` prints one JSON object per line (NDJSON, compact, with Go's
escaping, as Docker Compose v2.40 does), with the reference's keys in Go's sorted
order: Name, Service, State, Health, ExitCode, Publishers [{URL, TargetPort,
PublishedPort, Protocol}], ... A backend that can describe its instances itself
(`ps_rows`, the Docker runtime: image, command, mounts, networks as the engine has
them) supplies the rows; otherwise they are made from the instance states.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from composer.cli import console
from composer.cli.commands.runtime_common import (
    Target,
    check_services,
    close_backend,
    load_target,
    make_backend,
    named_only,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, LIST, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError
from composer.runtimes.base import CREATED, EXITED, PAUSED, RESTARTING, RUNNING, InstanceState
from composer.runtimes.psformat import created_at, ellipsis, human_duration, tabulate

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

HEADERS = ("NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS")
HEALTH_SUFFIX = {
    "healthy": " (healthy)",
    "unhealthy": " (unhealthy)",
    "starting": " (health: starting)",
}

FORMATS = ("table", "json")
# Column titles of `--format 'table {{.Field}}...'`: the reference's; it has none
# for the other fields (Go then prints `<no value>`, and so does Composer).
TITLES = {
    "ID": "CONTAINER ID",
    "Name": "NAME",
    "Image": "IMAGE",
    "Command": "COMMAND",
    "CreatedAt": "CREATED AT",
    "RunningFor": "CREATED",
    "Ports": "PORTS",
    "State": "STATE",
    "Status": "STATUS",
    "Size": "SIZE",
    "Labels": "LABELS",
    "Service": "SERVICE",
    "Project": "PROJECT",
}


def _command(service: Mapping[str, Any]) -> str:
    parts = [*(service.get("entrypoint") or []), *(service.get("command") or [])]
    return " ".join(str(p) for p in parts)


def _status(state: InstanceState, now: float) -> str:
    since = human_duration(max(0.0, now - state.started_at)) if state.started_at else ""
    if state.status == RUNNING:
        return f"Up {since}".rstrip() + HEALTH_SUFFIX.get(state.health or "", "")
    if state.status == PAUSED:  # as `docker ps` shows it: health is not shown then
        return f"Up {since}".rstrip() + " (Paused)"
    if state.status == RESTARTING:
        return f"Restarting ({state.exit_code or 0})"
    if state.status == EXITED:
        return f"Exited ({state.exit_code if state.exit_code is not None else 0})"
    if state.status == CREATED:
        return "Created"
    return state.status.capitalize()


def _ports(state: InstanceState) -> str:
    return ", ".join(
        f"{p.url}:{p.published_port}->{p.target_port}/{p.protocol}"
        if p.url
        else f"{p.target_port}/{p.protocol}"
        for p in state.publishers
    )


def row(target: Target, state: InstanceState, now: float, *, trunc: bool = True) -> dict[str, Any]:
    """One instance with the keys of `docker compose ps --format json` (for backends
    without `ps_rows`; Docker's rows come from the engine); `trunc` as the engine's."""
    import hashlib  # OpenSSL's: ~3 ms, only for the rows made here

    service: Mapping[str, Any] = target.services().get(state.ref.service) or {}
    created = state.started_at or 0.0
    labels = {
        "com.docker.compose.project": state.ref.project,
        "com.docker.compose.service": state.ref.service,
        "com.docker.compose.container-number": str(state.ref.index),
        "com.docker.compose.oneoff": "True" if state.ref.oneoff else "False",
        **{str(k): str(v) for k, v in (service.get("labels") or {}).items()},
    }
    data = {
        "Command": json.dumps(
            ellipsis(_command(service), 20) if trunc else _command(service), ensure_ascii=False
        ),
        "CreatedAt": created_at(created),
        "ExitCode": state.exit_code or 0,
        "Health": state.health or "",
        "ID": hashlib.sha256(state.ref.name.encode()).hexdigest()[: 12 if trunc else None],
        "Image": str(service.get("image") or ""),
        "Labels": ",".join(f"{k}={v}" for k, v in labels.items()),
        "LocalVolumes": "0",
        "Mounts": "",
        "Name": state.ref.name,
        "Names": state.ref.name,
        "Networks": "",
        "Ports": _ports(state),
        "Project": state.ref.project,
        "Publishers": [
            {
                "URL": p.url,
                "TargetPort": p.target_port,
                "PublishedPort": p.published_port,
                "Protocol": p.protocol,
            }
            for p in state.publishers
        ],
        "RunningFor": (human_duration(max(0.0, now - created)) + " ago") if created else "",
        "Service": state.ref.service,
        "Size": "0B",
        "State": state.status,
        "Status": _status(state, now),
    }
    return dict(sorted(data.items()))


def go_json(value: Any) -> str:
    """json.Marshal's text: compact, UTF-8, `<`, `>`, `&` escaped as Go does."""
    from composer.runtimes.docker.ps import go_json as marshal

    return marshal(value)


def list_rows(
    target: Target, services: list[str], *, all: bool, no_trunc: bool = False
) -> list[dict[str, Any]]:
    """The `ps --format json` objects of the project's instances, sorted by name;
    `no_trunc`: whole ids and commands (`--no-trunc`, and the ids of `ps -q`)."""
    from composer.orchestrator.engine import Orchestrator

    backend = make_backend(target)
    try:
        describe = getattr(backend, "ps_rows", None)
        if callable(describe):
            rows: list[dict[str, Any]] = describe(target.name, services, all=all, no_trunc=no_trunc)
            return rows
        states = Orchestrator(backend).ps(target.name, services, all=all)
        now = time.time()
        return [row(target, s, now, trunc=not no_trunc) for s in states]
    finally:
        close_backend(backend)


def table(rows: list[dict[str, Any]]) -> str:
    """Docker's tabwriter layout (minwidth 10, padding 3): every cell but the last
    padded, so a line whose last cell is empty ends in spaces, as the reference's does."""
    cells = [list(HEADERS)] + [
        [
            r["Name"],
            r["Image"],
            r["Command"],
            r["Service"],
            r["RunningFor"],
            r["Status"],
            r["Ports"],
        ]
        for r in rows
    ]
    return tabulate(cells, minwidth=10, padding=3)


def go_bool(option: str, value: str) -> bool:
    """A `--flag=VALUE` as Go's strconv.ParseBool reads it, with the reference's error."""
    from composer.golang import parse_bool

    parsed = parse_bool(value)
    if parsed is not None:
        return parsed
    raise ComposerError(
        f'invalid argument "{value}" for "{option}" flag: strconv.ParseBool: parsing '
        f'"{value}": invalid syntax',
        code="usage",
    )


def filter_states(value: str | None) -> list[str]:
    """`--filter status=X` (the one filter the reference knows), its errors' words."""
    if value is None:
        return []
    key, sep, wanted = value.partition("=")
    if not sep:
        raise ComposerError("arguments to --filter should be in form KEY=VAL", code="usage")
    if key != "status":
        raise ComposerError(
            "unknown filter name", code="usage", hint="the only filter is status=STATE"
        )
    return [wanted]


def ps(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    all_: bool,
    output_format: str | None,
    quiet: bool,
    show_services: bool,
    status: list[str] | None,
    filter_: str | None,
    no_trunc: bool,
    orphans: str | None,
    runtime: str | None,
) -> None:
    status = [*(status or []), *filter_states(filter_)]
    with_orphans = go_bool("--orphans", orphans) if orphans is not None else True
    from composer.cli.gotemplate import checked_format

    output_format = checked_format(output_format)
    names = list(services or [])
    target = load_target(project, runtime, by_name=True)
    check_services(target, names)
    rows = list_rows(target, names, all=all_ or bool(status), no_trunc=quiet or no_trunc)
    if status:
        rows = [r for r in rows if r["State"] in status]
    # services the file no longer defines (named without a file: the project is
    # what its containers say, as the reference's projectOrName)
    if not with_orphans and target.loaded and not named_only(project):
        rows = [r for r in rows if r["Service"] in target.services()]
    if quiet:
        console.out("".join(f"{r['ID']}\n" for r in rows))
    elif show_services:
        seen = list(dict.fromkeys(r["Service"] for r in rows))
        console.out("\n".join(seen) + "\n")
    elif output_format not in FORMATS:
        from composer.cli.gotemplate import render_rows

        console.out(render_rows(output_format, rows, TITLES))
    elif output_format == "json":
        console.out("".join(go_json(r) + "\n" for r in rows))
    else:
        console.out(table(rows))


COMMANDS = (
    Command(
        "ps",
        "List the project's containers (here: processes).",
        f"{__name__}:ps",
        arguments=(Argument("services", "Services to list"),),
        options=(
            Option("all_", ("--all", "-a"), FLAG, "Show stopped instances and one-offs too"),
            Option(
                "output_format",
                ("--format",),
                TEXT,
                "table, json (one object per line), or a Go template ('table TEMPLATE' for columns)",
            ),
            Option("quiet", ("--quiet", "-q"), FLAG, "Only display IDs"),
            Option("show_services", ("--services",), FLAG, "Display services"),
            Option("status", ("--status",), LIST, "Filter by state (running, exited, ...)"),
            Option("filter_", ("--filter",), TEXT, "Filter by a property: status=STATE"),
            Option("no_trunc", ("--no-trunc",), FLAG, "Don't truncate ids and commands"),
            Option(
                "orphans",
                ("--orphans",),
                TEXT,
                "--orphans=false: leave out services the file no longer defines",
            ),
            RUNTIME,
        ),
    ),
)
