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
    local_orchestrator,
    owner,
    project_lock,
)
from composer.cli.project_options import (
    EnvFileOpt,
    FilesOpt,
    ProfileOpt,
    ProjectDirOpt,
    ProjectNameOpt,
    global_args,
)


def run_down(target: Target, *, timeout: float | None, remove_orphans: bool, volumes: bool) -> None:
    events = EventPrinter()
    args = {"timeout": timeout, "remove_orphans": remove_orphans, "volumes": volumes}
    with project_lock(target):
        client = owner(target) if is_process(target) else None
        if client is not None:
            client.request("down", target.spec if target.loaded else None, args, on_event=events)
        else:
            local_orchestrator(target, events).down(
                target.spec, timeout=timeout, remove_orphans=remove_orphans, volumes=volumes
            )
        if is_process(target) and owner(target) is None:
            from composer.runtimes.process.supervisor import forget_project

            forget_project(target.root, target.name)


def register(app: typer.Typer) -> None:
    @app.command("down")
    def down(
        ctx: typer.Context,
        file: FilesOpt = None,
        project_name: ProjectNameOpt = None,
        profile: ProfileOpt = None,
        env_file: EnvFileOpt = None,
        project_directory: ProjectDirOpt = None,
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
        args = global_args(ctx).combined(file, project_name, profile, env_file, project_directory)
        target = load_target(args, runtime, by_name=True)
        run_down(
            target,
            timeout=float(timeout) if timeout is not None else None,
            remove_orphans=remove_orphans,
            volumes=volumes,
        )
