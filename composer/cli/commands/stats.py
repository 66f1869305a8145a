"""`composer stats [SERVICE]`: the resource use of the project's containers, as
`docker compose stats` prints it: `CONTAINER ID  NAME  CPU %  MEM USAGE / LIMIT
MEM %  NET I/O  BLOCK I/O  PIDS`, `--format json` (one object per line) or a Go
template (`table TEMPLATE` with the reference's titles). Running containers (all with
`-a`), one-offs included, newest first; a name of no service selects nothing.

`--no-stream` prints one sample; without it the table is redrawn in place (cursor
home, each line cleared to its end, the rest of the screen cleared) until Ctrl-C.

The backend's `project_stats` makes the rows: Docker asks the engine
(docker/stats.py, the Docker CLI's arithmetic); the process runtime reads each
instance's process group from /proc (process/stats.py: NET I/O `--`, host processes
having no network of their own). A backend without it refuses (`no-stats`).
"""

from __future__ import annotations

import time

from composer.cli import console
from composer.cli.commands.runtime_common import close_backend, load_target, make_backend
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_TABLE = (
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}"
    "\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
)
# The Docker CLI's stats context titles (`<no value>` for any other field).
TITLES = {
    "Container": "CONTAINER",
    "Name": "NAME",
    "ID": "CONTAINER ID",
    "CPUPerc": "CPU %",
    "MemUsage": "MEM USAGE / LIMIT",
    "MemPerc": "MEM %",
    "NetIO": "NET I/O",
    "BlockIO": "BLOCK I/O",
    "PIDs": "PIDS",
}
TICK = 0.5  # the reference's refresh period; a sample itself takes about a second
KIND = "*container.statsContext"  # the Go type the reference names in field errors


def render(rows: list[dict[str, str]], output_format: str) -> str:
    """The rows as `--format` asks: the default table, JSON lines or a template."""
    if output_format == "json":
        from composer.runtimes.docker.ps import go_json

        return "".join(go_json(row) + "\n" for row in rows)
    from composer.cli.gotemplate import render_rows

    chosen = DEFAULT_TABLE if output_format == "table" else output_format
    return render_rows(chosen, rows, TITLES, kind=KIND)


def redraw(text: str) -> str:
    """One refresh of the streamed table: cursor home, every line cleared past its
    end, then the rest of the screen (what a shorter table leaves behind)."""
    return "\033[H" + "".join(f"{line}\033[K\n" for line in text.splitlines()) + "\033[J"


def stats(
    project: ProjectArgs,
    *,
    service: str | None,
    all_: bool,
    no_stream: bool,
    no_trunc: bool,
    output_format: str | None,
    runtime: str | None,
) -> None:
    from composer.cli.gotemplate import checked_format

    output_format = checked_format(output_format)
    target = load_target(project, runtime, by_name=True)
    backend = make_backend(target)
    try:
        sample: Callable[..., list[dict[str, str]]] | None = getattr(backend, "project_stats", None)
        if not callable(sample):
            raise ComposerError(
                "stats: this runtime does not measure its instances",
                code="no-stats",
                hint="pass --runtime docker or --runtime process",
            )
        while True:
            started = time.monotonic()
            rows = sample(target.name, service, all=all_, trunc=not no_trunc)
            text = render(rows, output_format)
            if no_stream:
                console.out(text)
                return
            console.out(redraw(text), flush=True)  # a pipe sees each frame as it comes
            time.sleep(max(0.0, TICK - (time.monotonic() - started)))
    finally:
        close_backend(backend)


COMMANDS = (
    Command(
        "stats",
        "Display the resource usage of the project's containers.",
        f"{__name__}:stats",
        arguments=(Argument("service", "Service (default: all)", many=False),),
        options=(
            Option("all_", ("--all", "-a"), FLAG, "Show all containers (default: running)"),
            Option(
                "output_format",
                ("--format",),
                TEXT,
                "table, json (one object per line), or a Go template ('table TEMPLATE')",
            ),
            Option("no_stream", ("--no-stream",), FLAG, "Print one sample and exit"),
            Option("no_trunc", ("--no-trunc",), FLAG, "Don't truncate container IDs"),
            RUNTIME,
        ),
    ),
)
