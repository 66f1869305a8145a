"""`composer attach SERVICE`: this terminal's streams to a running instance, as
`docker compose attach` does: its output from now on, our stdin to it (unless
`--no-stdin`, and only when it keeps stdin open), raw mode when it has a TTY.

Without a TTY the signals we get (Ctrl-C, SIGTERM) go to the instance (`--sig-proxy`,
default true); with one, Ctrl-C is a key the instance reads and the engine's detach
keys (ctrl-p ctrl-q, or `--detach-keys`) leave it running. The exit code is the
instance's when it ended, 0 when we detached.
"""

from __future__ import annotations

import contextlib
import signal

from composer.cli.commands.runtime_common import (
    check_services,
    close_backend,
    load_target,
    make_backend,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError
from composer.runtimes.base import InstanceRef

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from collections.abc import Iterator

    from composer.runtimes.base import ProjectSpec
    from composer.runtimes.protocol import Backend

PROXIED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def attach(
    project: ProjectArgs,
    *,
    service: str,
    index: int,
    no_stdin: bool,
    sig_proxy: bool,
    detach_keys: str | None,
    runtime: str | None,
) -> int:
    from composer.cli import terminal

    target = load_target(project, runtime, by_name=True)
    check_services(target, [service])
    backend = make_backend(target)
    ref = InstanceRef(target.name, service, index)
    try:
        current = backend.inspect(target.spec, ref)
        if current is None or not current.running:
            suffix = f" container #{index}" if index != 1 else ""
            raise ComposerError(
                f'service "{service}" is not running{suffix}',
                code="not-running",
                hint=f"start it first (composer up -d {service})",
            )
        streams = backend.attach(target.spec, ref, stdin=not no_stdin, detach_keys=detach_keys)
        try:
            with _proxied_signals(backend, target.spec, ref, sig_proxy and not streams.tty):
                terminal.relay(streams, stdin=not no_stdin)
        finally:
            streams.close()
        ended = backend.inspect(target.spec, ref)
        if ended is not None and not ended.running:
            return ended.exit_code or 0
        return 0
    finally:
        close_backend(backend)


@contextlib.contextmanager
def _proxied_signals(
    backend: Backend, spec: ProjectSpec, ref: InstanceRef, enabled: bool
) -> Iterator[None]:
    """While attached, the signals we get go to the instance instead of ending us."""
    if not enabled:
        yield
        return

    def forward(number: int, _frame: object) -> None:
        with contextlib.suppress(ComposerError):
            backend.kill(spec, ref, signal.Signals(number).name)

    previous = {number: signal.signal(number, forward) for number in PROXIED_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


COMMANDS = (
    Command(
        "attach",
        "Attach this terminal's input and output to a service's running instance.",
        f"{__name__}:attach",
        arguments=(Argument("service", "Service", many=False, required=True),),
        options=(
            Option("index", ("--index",), INT, "Instance index (of a scaled service)", default=1),
            Option("no_stdin", ("--no-stdin",), FLAG, "Do not attach STDIN"),
            Option(
                "sig_proxy",
                ("--sig-proxy",),
                FLAG,
                "Send the signals we get to the instance (default true; --sig-proxy=false)",
                default=True,
            ),
            Option(
                "detach_keys",
                ("--detach-keys",),
                TEXT,
                "Keys that detach from a TTY instance (default ctrl-p,ctrl-q)",
            ),
            RUNTIME,
        ),
    ),
)
