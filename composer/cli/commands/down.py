"""`composer down`: stop and remove the project's instances, from any shell.

Goes through the project's owner when one answers (it then exits); otherwise acts
on the state records directly, which is what makes `down` work after the
supervisor was killed with SIGKILL. Known by name only (`-p NAME`, no Compose
file), the networks and volumes to remove are those the backend finds labelled
with the project, when it can look them up (`project_resources`).
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import (
    Target,
    is_process,
    load_target,
    named_only,
    owner,
    owner_or_local,
    project_lock,
)
from composer.cli.progress import open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, TIMEOUT, Command, Option
from composer.errors import UsageError
from composer.orchestrator.events import WARNING, Event
from composer.runtimes.base import ProjectSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.orchestrator.engine import Orchestrator
    from composer.runtimes.protocol import Backend

RMI_MODES = ("local", "all")


def with_labelled_resources(
    backend: Backend, spec: ProjectSpec, *, instead: bool = False
) -> ProjectSpec:
    """The spec with the networks and volumes the backend finds labelled with the
    project (by their full names), so `down` removes them: added to what the spec
    has (a project known by name only), or `instead` of it (`-p` without `-f`: the
    reference then acts on what carries the name, whatever the file declares)."""
    lookup = getattr(backend, "project_resources", None)
    if not callable(lookup):
        return spec
    networks, volumes = lookup(spec.name)
    if not (networks or volumes or instead):
        return spec
    project: dict[str, Any] = dict(spec.project)
    own_networks = {} if instead else project.get("networks") or {}
    own_volumes = {} if instead else project.get("volumes") or {}
    project["networks"] = {**{str(n): {"name": str(n)} for n in networks}, **own_networks}
    project["volumes"] = {**{str(v): {"name": str(v)} for v in volumes}, **own_volumes}
    return spec.replace(project=project)


def run_down(
    target: Target,
    *,
    timeout: float | None,
    remove_orphans: bool,
    volumes: bool,
    images: str | None = None,
    by_name: bool = False,
) -> None:
    """`by_name`: `-p` without `-f`. The file (when there is one) still gives the
    services (stop order, hooks), but what is removed is what carries the project's
    name, as the reference's `down` finds it: every container (services the file no
    longer has included) and the networks and volumes labelled with the project."""
    remove_orphans = remove_orphans or by_name
    args = {"timeout": timeout, "remove_orphans": remove_orphans, "volumes": volumes}

    def local(orchestrator: Orchestrator) -> Any:
        spec = target.spec
        if not target.loaded or by_name:
            spec = with_labelled_resources(orchestrator.backend, spec, instead=target.loaded)
        return orchestrator.down(
            spec, timeout=timeout, remove_orphans=remove_orphans, volumes=volumes, images=images
        )

    with project_lock(target), open_progress(target.progress) as events:
        if images and is_process(target):
            events(Event(WARNING, detail=f"--rmi {images}: the process runtime has no images"))
        owner_or_local(target, "down", args, local, events=events, send_spec=target.loaded)
        if is_process(target) and owner(target) is None:
            from composer.runtimes.process.supervisor import forget_project

            forget_project(target.root, target.name)


def down(
    project: ProjectArgs,
    *,
    timeout: int | None,
    remove_orphans: bool,
    volumes: bool,
    rmi: str | None,
    runtime: str | None,
) -> None:
    if rmi is not None and rmi not in RMI_MODES:
        raise UsageError(f'invalid value for --rmi: "{rmi}"', code="usage")
    target = load_target(project, runtime, by_name=True)
    run_down(
        target,
        timeout=float(timeout) if timeout is not None else None,
        remove_orphans=remove_orphans,
        volumes=volumes,
        images=rmi,
        by_name=named_only(project),
    )


COMMANDS = (
    Command(
        "down",
        "Stop and remove containers (here: processes) and networks.",
        f"{__name__}:down",
        options=(
            TIMEOUT,
            Option(
                "remove_orphans",
                ("--remove-orphans",),
                FLAG,
                "Remove instances of services not in the file",
            ),
            Option(
                "volumes",
                ("--volumes", "-v"),
                FLAG,
                "Remove named volumes (and anonymous ones) too",
            ),
            Option(
                "rmi",
                ("--rmi",),
                TEXT,
                'Remove images: "local" (built, no image: name) or "all" (docker)',
            ),
            RUNTIME,
        ),
    ),
)
