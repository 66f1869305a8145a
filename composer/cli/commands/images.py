"""`composer images [SERVICE...]`: the image of every container of the project,
stopped ones and one-offs included, as `docker compose images` lists them:
`CONTAINER  REPOSITORY  TAG  PLATFORM  IMAGE ID  SIZE  CREATED`, `--format json`
(the reference's array) or `-q` (each image id once, without `sha256:`).

Needs an image runtime (Docker, through the backend's `project_images`): the process
runtime runs host commands and has no images, so it is refused there, as `build`.
"""

from __future__ import annotations

import time

from composer.cli import console
from composer.cli.commands.runtime_common import close_backend, image_backend, load_target
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.docker.listing import ImageSummary

HEADERS = ["CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE ID", "SIZE", "CREATED"]
FORMATS = ("table", "json")


def unique_ids(found: list[ImageSummary]) -> list[str]:
    """`-q`: each image id once, in listing order, without its `sha256:`."""
    ids = [image.id.partition(":")[2] if ":" in image.id else image.id for image in found]
    return list(dict.fromkeys(ids))


def as_json(found: list[ImageSummary]) -> str:
    """The reference's array on one line and an empty line after it (`null` for
    none: Go's nil slice)."""
    from composer.runtimes.docker.ps import go_json

    if not found:
        return "null\n\n"
    return go_json([image.json() for image in found], escape_html=False) + "\n\n"


def as_table(found: list[ImageSummary], now: float) -> str:
    from composer.runtimes.psformat import tabulate

    return tabulate([HEADERS] + [image.cells(now) for image in found], minwidth=20, padding=3)


def images(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    quiet: bool,
    output_format: str | None,
    runtime: str | None,
) -> None:
    output_format = output_format or "table"
    if output_format not in FORMATS:
        raise UsageError(
            f'invalid value for --format: "{output_format}"', code="usage", hint="use table or json"
        )
    target = load_target(project, runtime, by_name=True)
    backend = image_backend(target, "images")
    try:
        # names of no service select nothing, as in the reference
        found: list[ImageSummary] = backend.project_images(target.name, list(services or []))
    finally:
        close_backend(backend)
    if quiet:
        console.out("".join(f"{ident}\n" for ident in unique_ids(found)))
    elif output_format == "json":
        console.out(as_json(found))
    else:
        console.out(as_table(found, time.time()))


COMMANDS = (
    Command(
        "images",
        "List the images of the project's containers.",
        f"{__name__}:images",
        arguments=(Argument("services", "Services (default: all)"),),
        options=(
            Option("quiet", ("--quiet", "-q"), FLAG, "Only display image IDs"),
            Option("output_format", ("--format",), TEXT, "table or json"),
            RUNTIME,
        ),
    ),
)
