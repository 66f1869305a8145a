"""`composer down`: stop and remove the project's instances, from any shell.

Goes through the project's owner when one answers (it then exits); otherwise acts
on the state records directly, which is what makes `down` work after the
supervisor was killed with SIGKILL.
"""

from __future__ import annotations

from typing import Annotated

import typer

from composer.cli.commands.runtime_common import (
    EventPrinter,
    RuntimeOpt,
    Target,
    is_process,
    load_target,
    owner,
    owner_or_local,
    project_lock,
)
from composer.cli.project_options import ProjectArgs, project_command


def run_down(target: Target, *, timeout: float | None, remove_orphans: bool, volumes: bool) -> None:
    events = EventPrinter()
    args = {"timeout": timeout, "remove_orphans": remove_orphans, "volumes": volumes}
    with project_lock(target):
        owner_or_local(
            target,
            "down",
            args,
            lambda local: local.down(
                target.spec, timeout=timeout, remove_orphans=remove_orphans, volumes=volumes
            ),
            events=events,
            send_spec=target.loaded,
        )
        if is_process(target) and owner(target) is None:
            from composer.runtimes.process.supervisor import forget_project

            forget_project(target.root, target.name)


def register(app: typer.Typer) -> None:
    @app.command("down")
    @project_command
    def down(
        project: ProjectArgs,
        timeout: Annotated[
            int | None, typer.Option("--timeout", "-t", help="Shutdown timeout in seconds")
        ] = None,
        remove_orphans: Annotated[
            bool,
            typer.Option("--remove-orphans", help="Remove instances of services not in the file"),
        ] = False,
        volumes: Annotated[
            bool, typer.Option("--volumes", "-v", help="Remove named volumes too")
        ] = False,
        runtime: RuntimeOpt = None,
    ) -> None:
        """Stop and remove containers (here: processes) and networks."""
        target = load_target(project, runtime, by_name=True)
        run_down(
            target,
            timeout=float(timeout) if timeout is not None else None,
            remove_orphans=remove_orphans,
            volumes=volumes,
        )
