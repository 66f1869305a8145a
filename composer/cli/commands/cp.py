"""`composer cp SERVICE:SRC DEST` and `composer cp SRC SERVICE:DEST`: files between
the host and a service's instances, as `docker compose cp` copies them.

Into a service: every instance of it (one-offs too with `--all`), or the one of
`--index`. Out of a service: its first instance (lowest index; with `--all`,
one-offs after the others), or the one of `--index`. Stopped instances count, as
in the reference. Each copy is reported as the reference reports it
(` p-web-1 copy f.txt to p-web-1:/tmp/ Copying`, then `Copied`); the copying rules
(trailing `/`, `/.`, `-` for a tar on stdin or stdout) are the Docker CLI's
(composer/runtimes/copying.py), on either runtime.
"""

from __future__ import annotations

import sys

from composer.cli.commands.runtime_common import (
    close_backend,
    is_process,
    load_target,
    make_backend,
)
from composer.cli.progress import open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, RUNTIME, Argument, Command, Option
from composer.errors import ComposerError
from composer.orchestrator.events import SERVICE, Event

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any, BinaryIO

    from composer.runtimes.base import InstanceRef, InstanceState

COPYING, COPIED = "Copying", "Copied"
PARALLEL = 8  # instances copied to at once


def split_cp_arg(arg: str) -> tuple[str, str]:
    """splitCpArg: (service, path), the service '' for a host path: an absolute one,
    one without `:`, or one whose part before `:` starts with `.` (`./a:b`)."""
    if arg.startswith("/"):
        return "", arg
    service, colon, path = arg.partition(":")
    if not colon or service.startswith("."):
        return "", arg
    return service, path


def copy_targets(
    states: list[InstanceState], service: str, *, index: int, oneoffs: bool, into: bool
) -> list[InstanceRef]:
    """The instances a copy goes to (`into`) or comes from, as the reference picks
    its containers; stopped ones included."""
    if index > 0:
        found = [s.ref for s in states if s.ref.service == service and not s.ref.oneoff]
        found = [ref for ref in found if ref.index == index]
        if not found:
            raise ComposerError(
                f'service "{service}" is not running container #{index}', code="cp-no-container"
            )
        return found[:1]
    refs = sorted(
        (s.ref for s in states if s.ref.service == service and (oneoffs or not s.ref.oneoff)),
        key=lambda ref: (ref.oneoff, ref.index, ref.slug),
    )
    if not refs:
        raise ComposerError(
            f'no container found for service "{service}"',
            code="cp-no-container",
            hint=f"create it first: composer up -d {service}",
        )
    return refs if into else refs[:1]


def cp(
    project: ProjectArgs,
    *,
    source: str,
    destination: str,
    index: int | None,
    all: bool,
    follow_link: bool,
    archive: bool,
    runtime: str | None,
) -> None:
    if not source:
        raise ComposerError("source can not be empty", code="cp-usage")
    if not destination:
        raise ComposerError("destination can not be empty", code="cp-usage")
    from_service, source_path = split_cp_arg(source)
    to_service, destination_path = split_cp_arg(destination)
    if from_service and to_service:
        raise ComposerError("copying between services is not supported", code="cp-usage")
    if not from_service and not to_service:
        raise ComposerError(
            "unknown copy direction",
            code="cp-usage",
            hint="name the service on one side: `cp web:/path .` or `cp file web:/path`",
        )
    into = bool(to_service)
    service = to_service or from_service
    from composer.runtimes.copying import copy_into, copy_out

    target = load_target(project, runtime, by_name=True)
    backend = make_backend(target)
    try:
        refs = copy_targets(
            backend.instances(target.name), service, index=index or 0, oneoffs=all, into=into
        )
        with _stdin(source_path if into else "", len(refs)) as opened:

            def copy(ref: InstanceRef) -> None:
                name = ref.name
                if into:
                    text = f"copy {source_path} to {name}:{destination_path}"
                else:
                    text = f"copy {name}:{source_path} to {destination_path}"
                events(Event(SERVICE, service, name, text, COPYING))
                files = backend.files(target.spec, ref)
                if into:
                    stream = opened()
                    try:
                        copy_into(
                            files,
                            source_path,
                            destination_path,
                            follow_link=follow_link,
                            copy_uid_gid=archive,
                            stdin=stream,
                        )
                    finally:
                        if stream is not None and stream is not sys.stdin.buffer:
                            stream.close()
                else:
                    copy_out(
                        files,
                        source_path,
                        destination_path,
                        follow_link=follow_link,
                        stdout=sys.stdout.buffer,
                    )
                events(Event(SERVICE, service, name, text, COPIED))

            from composer.orchestrator.fanout import fan_out

            # A process instance's files are this host's: copies to several instances
            # write the same files, so one after the other rather than over each other.
            parallel = 1 if is_process(target) else PARALLEL
            with open_progress(target.progress, title="Copying") as events:
                failures = fan_out(refs, copy, parallel)
    finally:
        close_backend(backend)
    if failures:
        raise failures[0][1]
    sys.stdout.flush()


class _stdin:  # noqa: N801 - used as a context manager, like open()
    """The tar `-` reads from stdin, for each instance it is copied to: stdin itself
    for one; a copy of it for several, each read from the start (the reference's
    parallel copies would share one stream and each get a part of it)."""

    def __init__(self, source: str, count: int) -> None:
        self.wanted = source == "-"
        self.count = count
        self.path: str | None = None

    def __enter__(self) -> Any:
        if not self.wanted:
            return lambda: None
        if self.count <= 1:
            return lambda: sys.stdin.buffer
        import shutil
        import tempfile

        with tempfile.NamedTemporaryFile(prefix="composer-cp-", delete=False) as spool:
            self.path = spool.name
            shutil.copyfileobj(sys.stdin.buffer, spool)
        return self._open

    def _open(self) -> BinaryIO:
        assert self.path is not None
        return open(self.path, "rb")  # noqa: SIM115 - read to its end by the copy

    def __exit__(self, *exc: object) -> None:
        if self.path is not None:
            import os

            os.unlink(self.path)


COMMANDS = (
    Command(
        "cp",
        "Copy files/folders between a service container and the local filesystem.",
        f"{__name__}:cp",
        arguments=(
            Argument(
                "source",
                "SERVICE:SRC_PATH, or a host path (- for a tar on stdin)",
                many=False,
                required=True,
                metavar="SRC",
            ),
            Argument(
                "destination",
                "a host path (- for a tar on stdout), or SERVICE:DEST_PATH",
                many=False,
                required=True,
                metavar="DEST",
            ),
        ),  # fmt: skip
        options=(
            Option("index", ("--index",), INT, "Index of the instance if the service has several"),
            Option("all", ("--all",), FLAG, "Include one-off instances (made by `run`)"),
            Option(
                "follow_link",
                ("--follow-link", "-L"),
                FLAG,
                "Always follow symbol link in SRC_PATH",
            ),
            Option(
                "archive", ("--archive", "-a"), FLAG, "Archive mode (copy all uid/gid information)"
            ),
            RUNTIME,
        ),
    ),
)
