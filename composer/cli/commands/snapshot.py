"""`composer export SERVICE` and `composer commit SERVICE [REPOSITORY[:TAG]]`: a
running instance's filesystem as a tar, or as a new image, as `docker compose
export` and `docker compose commit` make them (composer/runtimes/docker/snapshots.py).

Both act on a running (or paused) instance of the service, its lowest index or the
one of `--index`, and report as the reference does (` p-web-1 export p-web-1 to
out.tar Exporting`; ` p-web-1 Commit p-web-1 Committing`, then `Committed as
sha256:...`). Only Docker has containers to export and images to commit to.
"""

from __future__ import annotations

import sys

from composer.cli.commands.runtime_common import (
    close_backend,
    docker_backend,
    load_target,
    running_refs,
)
from composer.cli.progress import open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, LIST, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError
from composer.orchestrator.events import SERVICE, Event

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.cli.commands.runtime_common import Target
    from composer.runtimes.base import InstanceRef
    from composer.runtimes.docker.engine import DockerBackend

LACKS = "runs this host's processes, not containers"
EXPORTING, COMMIT, COMMITTING = "Exporting", "Commit", "Committing"


def running_instance(
    backend: DockerBackend, target: Target, service: str, index: int | None
) -> InstanceRef:
    """The running (or paused) instance of `service` the command acts on: the one of
    `index`, else the lowest; one-offs never. The reference's error otherwise, naming
    the index when one was given (`service "web" is not running container #3`)."""
    refs = running_refs(backend, target.name, service)
    if index is not None:
        refs = [ref for ref in refs if ref.index == index]
    if not refs:
        suffix = f" container #{index}" if index is not None else ""
        known = service in target.services()
        raise ComposerError(
            f'service "{service}" is not running{suffix}',
            code="not-running",
            hint=f"start it first (composer up -d {service})" if known else None,
        )
    return refs[0]


def export(
    project: ProjectArgs,
    *,
    service: str,
    index: int | None,
    output: str | None,
    runtime: str | None,
) -> None:
    if not output and sys.stdout.isatty():  # a tar is no terminal's business
        raise ComposerError("output option is required when exporting to terminal", code="usage")
    if output:  # checked before the engine is asked, as the Docker CLI checks it
        from composer.runtimes.copying import CopyError, validate_output_path

        try:
            validate_output_path(output)
        except CopyError as exc:
            raise ComposerError(
                f"failed to export container: {exc.message}", code="usage"
            ) from None
    target = load_target(project, runtime, by_name=True)
    backend = docker_backend(target, "export", LACKS)
    try:
        ref = running_instance(backend, target, service, index)
        with open_progress(target.progress) as events:
            text = f"export {ref.name} to {output or ''}"
            events(Event(SERVICE, service, ref.name, text, EXPORTING))
            backend.export(target.spec, ref, output)
    finally:
        close_backend(backend)


def commit(
    project: ProjectArgs,
    *,
    service: str,
    reference: str | None,
    index: int | None,
    author: str | None,
    change: list[str] | None,
    message: str | None,
    pause: bool,
    runtime: str | None,
) -> None:
    target = load_target(project, runtime, by_name=True)
    backend = docker_backend(target, "commit", LACKS)
    try:
        ref = running_instance(backend, target, service, index)
        with open_progress(target.progress) as events:
            text = f"{COMMIT} {ref.name}"
            events(Event(SERVICE, service, ref.name, text, COMMITTING))
            image = backend.commit(
                target.spec,
                ref,
                reference,
                author=author,
                message=message,
                changes=change or (),
                pause=pause,
            )
            events(Event(SERVICE, service, ref.name, text, f"Committed as {image}"))
    finally:
        close_backend(backend)


SERVICE_ARGUMENT = Argument("service", "Service", many=False, required=True)
INDEX = Option("index", ("--index",), INT, "Index of the instance if the service has several")

COMMANDS = (
    Command(
        "export",
        "Export a service's running instance's filesystem as a tar archive.",
        f"{__name__}:export",
        arguments=(SERVICE_ARGUMENT,),
        options=(
            INDEX,
            Option("output", ("--output", "-o"), TEXT, "Write to a file, instead of STDOUT"),
            RUNTIME,
        ),
    ),
    Command(
        "commit",
        "Create a new image from a service's running instance's changes.",
        f"{__name__}:commit",
        arguments=(
            SERVICE_ARGUMENT,
            Argument(
                "reference",
                "Name of the new image (default: an untagged one)",
                many=False,
                metavar="REPOSITORY[:TAG]",
            ),
        ),
        options=(
            INDEX,
            Option("author", ("--author", "-a"), TEXT, 'Author (e.g. "John <john@a.com>")'),
            Option(
                "change", ("--change", "-c"), LIST, "Apply a Dockerfile instruction (repeatable)"
            ),
            Option("message", ("--message", "-m"), TEXT, "Commit message"),
            Option(
                "pause",
                ("--pause", "-p"),
                FLAG,
                "Pause the instance while committing (default true; --pause=false)",
                default=True,
            ),
            RUNTIME,
        ),
    ),
)
