"""`composer port SERVICE PRIVATE_PORT`: the host address a container port is
published on, as `docker compose port` prints it (`127.0.0.1:18080`).

What CI scripts use to find a port the engine chose (`ports: ["8080"]`). The
instance (`--index`, default 1) must be running; the port is matched with its
protocol (`--protocol`, default tcp). Works on any runtime: the answer comes from
the instance's publishers, as `ps` shows them.
"""

from __future__ import annotations

from composer.cli import console
from composer.cli.commands.runtime_common import check_services, load_target, make_backend
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import INT, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError, UsageError
from composer.runtimes.base import InstanceRef, Publisher

PROTOCOLS = ("tcp", "udp", "sctp")


def parse_private_port(text: str) -> int:
    """A port number as the reference reads it (no `/proto` suffix: that is
    `--protocol`)."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise UsageError(
            f'invalid port "{text}"',
            code="usage",
            hint="give the container port alone, e.g. `port web 80 --protocol udp`",
        )
    return int(text)


def published_on(publishers: list[Publisher], port: int, protocol: str) -> Publisher | None:
    """The first publisher of `port`/`protocol` (an exposed, unpublished port counts,
    with port 0, as the reference counts it)."""
    for publisher in publishers:
        if publisher.target_port == port and publisher.protocol == protocol:
            return publisher
    return None


def port(
    project: ProjectArgs,
    *,
    service: str,
    private_port: str,
    protocol: str | None,
    index: int,
    runtime: str | None,
) -> int:
    protocol = protocol or "tcp"
    if protocol not in PROTOCOLS:
        raise UsageError(f'invalid protocol "{protocol}"', code="usage", hint="use tcp or udp")
    number = parse_private_port(private_port)
    target = load_target(project, runtime, by_name=True)
    check_services(target, [service])
    wanted = InstanceRef(target.name, service, index)  # not a one-off
    instances = make_backend(target).instances(target.name)
    state = next((s for s in instances if s.running and s.ref == wanted), None)
    if state is None:
        suffix = f" container #{index}" if index != 1 else ""
        raise ComposerError(
            f'service "{service}" is not running{suffix}',
            code="not-running",
            hint=f"start it first: composer up -d {service}",
        )
    found = published_on(state.publishers, number, protocol)
    if found is None:
        listed = ", ".join(f"{p.published_port}/{p.protocol}" for p in state.publishers)
        raise ComposerError(
            f"no port {number}/{protocol} for container {state.ref.name}: {listed}",
            code="no-such-port",
        )
    console.out(f"{found.url}:{found.published_port}\n")
    return 0


COMMANDS = (
    Command(
        "port",
        "Print the host address a container port is published on.",
        f"{__name__}:port",
        arguments=(
            Argument("service", "Service", many=False, required=True, metavar="SERVICE"),
            Argument(
                "private_port", "Container port", many=False, required=True, metavar="PRIVATE_PORT"
            ),
        ),
        options=(
            Option("protocol", ("--protocol",), TEXT, "tcp or udp (default tcp)"),
            Option("index", ("--index",), INT, "Instance index", default=1),
            RUNTIME,
        ),
    ),
)
