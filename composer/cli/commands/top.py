"""`composer top [SERVICE...]`: the processes of the project's running instances in
one table, as `docker compose top` prints it: `SERVICE  #` (the instance number,
empty for a one-off) and then the columns of the engine's `ps -ef` (CMD last), one
line per process, instances in name order. Nothing at all when nothing runs.

Docker asks the engine (GET /containers/{id}/top); the process runtime reads the
same columns from /proc for every process of the instance's process group.
"""

from __future__ import annotations

from composer.cli import console
from composer.cli.commands.runtime_common import close_backend, load_target, make_backend
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import RUNTIME, Argument, Command
from composer.runtimes.base import InstanceProcesses, InstanceRef

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.base import ProjectSpec
    from composer.runtimes.protocol import Backend

WORKERS = 8  # instances asked at once (each is a round trip to the engine)


def top_table(found: list[tuple[InstanceRef, InstanceProcesses]]) -> list[list[str]]:
    """The header and the rows of the reference's collectTop: SERVICE and # first,
    each title in the order first seen, CMD moved last, `-` where an instance has
    no such column."""
    header = ["SERVICE", "#"]
    entries: list[dict[str, str]] = []
    for ref, processes in sorted(found, key=lambda item: item[1].name):
        for process in processes.processes:
            entry = {"SERVICE": ref.service, "#": "" if ref.oneoff else str(ref.index)}
            for title, cell in zip(processes.titles, process, strict=False):
                if title not in header:
                    header.append(title)
                entry[title] = cell
            entries.append(entry)
    if "CMD" in header:
        header.remove("CMD")
        header.append("CMD")
    return [header] + [[entry.get(title, "-") for title in header] for entry in entries]


def instance_processes(
    backend: Backend, spec: ProjectSpec, refs: list[InstanceRef]
) -> list[tuple[InstanceRef, InstanceProcesses]]:
    """Each instance's processes, asked in parallel; instances that stopped meanwhile
    are left out."""
    from composer.orchestrator.fanout import fan_out

    found: dict[InstanceRef, InstanceProcesses | None] = {}

    def ask(ref: InstanceRef) -> None:
        found[ref] = backend.top(spec, ref)

    failures = fan_out(refs, ask, WORKERS)
    if failures:
        raise failures[0][1]
    return [(ref, processes) for ref in refs if (processes := found.get(ref)) is not None]


def top(project: ProjectArgs, *, services: list[str] | None, runtime: str | None) -> None:
    target = load_target(project, runtime, by_name=True)
    wanted = set(services or [])  # names of no service select nothing, as in the reference
    backend = make_backend(target)
    try:
        running = backend.instances(target.name, include_stopped=False)
        refs = [s.ref for s in running if not wanted or s.ref.service in wanted]
        found = instance_processes(backend, target.spec, refs)
    finally:
        close_backend(backend)
    cells = top_table(found)
    if len(cells) > 1:
        from composer.runtimes.psformat import tabulate

        console.out(tabulate(cells, minwidth=4, padding=2))


COMMANDS = (
    Command(
        "top",
        "Display the running processes of the project's instances.",
        f"{__name__}:top",
        arguments=(Argument("services", "Services (default: all)"),),
        options=(RUNTIME,),
    ),
)
