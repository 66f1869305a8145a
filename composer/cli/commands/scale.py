"""`composer scale SERVICE=N...`: set how many instances the named services run,
as `docker compose scale` does: `up -d SERVICE... --scale SERVICE=N` (what is
missing is created and started, what is beyond N is stopped and removed, changed
instances are recreated), the services' dependencies included unless `--no-deps`.
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import bring_up, check_services, load_target
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, Argument, Command, Option
from composer.errors import ComposerError
from composer.orchestrator.events import UpOptions


def parse_replicas(values: list[str]) -> dict[str, int]:
    """`web=3` arguments, with the reference's errors."""
    if not values:
        raise ComposerError(
            "requires at least 1 arg(s), only received 0",
            code="usage",
            hint="name a service and its count: composer scale web=3",
        )
    counts: dict[str, int] = {}
    for value in values:
        name, sep, count = value.partition("=")
        if not sep or not name or not count:
            raise ComposerError(f"invalid scale specifier: {value}", code="usage")
        try:
            counts[name] = int(count)
        except ValueError:
            raise ComposerError(
                f"invalid scale specifier: can't parse replica value as int: {value}",
                code="usage",
            ) from None
    return counts


def scale(
    project: ProjectArgs, *, replicas: list[str] | None, no_deps: bool, runtime: str | None
) -> None:
    counts = parse_replicas(list(replicas or []))
    names = sorted(counts)
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    bring_up(target, UpOptions(services=tuple(names), no_deps=no_deps, scale=counts))


COMMANDS = (
    Command(
        "scale",
        "Scale services: SERVICE=REPLICAS...",
        f"{__name__}:scale",
        arguments=(Argument("replicas", "SERVICE=REPLICAS pairs", metavar="SERVICE=REPLICAS..."),),
        options=(Option("no_deps", ("--no-deps",), FLAG, "Don't start linked services"), RUNTIME),
    ),
)
