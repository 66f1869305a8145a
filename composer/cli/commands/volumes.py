"""`composer volumes [SERVICE...]`: the project's volumes, as `docker compose volumes`
lists them: `DRIVER  VOLUME NAME`, `--format json` (one object per line), a Go
template (`table TEMPLATE` with the reference's column titles) or `-q` (names).

Every volume labelled with the project; with services named, only those their
running containers mount. The process runtime makes no volumes (it refuses volume
mounts), so it lists none.
"""

from __future__ import annotations

from composer.cli import console
from composer.cli.commands.runtime_common import (
    check_services,
    close_backend,
    load_target,
    make_backend,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, Argument, Command, Option

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

DEFAULT_TABLE = "table {{.Driver}}\t{{.Name}}"
# The Docker CLI's volume context titles (`<no value>` for any other field).
TITLES = {
    "Name": "VOLUME NAME",
    "Driver": "DRIVER",
    "Scope": "SCOPE",
    "Mountpoint": "MOUNTPOINT",
    "Labels": "LABELS",
    "Links": "LINKS",
    "Size": "SIZE",
    "Availability": "AVAILABILITY",
    "Group": "GROUP",
    "Status": "STATUS",
}


def volumes(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    quiet: bool,
    output_format: str | None,
    runtime: str | None,
) -> None:
    from composer.cli.gotemplate import checked_format, render_rows

    output_format = checked_format(output_format)
    names = list(services or [])
    target = load_target(project, runtime, by_name=True)
    check_services(target, names)
    backend = make_backend(target)
    try:
        listing = getattr(backend, "project_volumes", None)
        rows: list[dict[str, Any]] = listing(target.name, names) if callable(listing) else []
    finally:
        close_backend(backend)
    if quiet:
        console.out("".join(f"{row['Name']}\n" for row in rows))
    elif output_format == "json":
        from composer.runtimes.docker.ps import go_json

        console.out("".join(go_json(row) + "\n" for row in rows))
    else:
        chosen = DEFAULT_TABLE if output_format == "table" else output_format
        console.out(render_rows(chosen, rows, TITLES, kind="*formatter.volumeContext"))


COMMANDS = (
    Command(
        "volumes",
        "List the project's volumes.",
        f"{__name__}:volumes",
        arguments=(Argument("services", "Services whose volumes to list"),),
        options=(
            Option(
                "output_format",
                ("--format",),
                TEXT,
                "table, json, or a Go template ('table TEMPLATE' for columns)",
            ),
            Option("quiet", ("--quiet", "-q"), FLAG, "Only display volume names"),
            RUNTIME,
        ),
    ),
)
