"""Root of the command line: global project options and the subcommands.

Only this package prints or exits. Every ComposerError becomes one message on
stderr and exit code 1 (2 for bad usage); nothing shows a Python traceback.
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from composer.cli.commands import config as config_cmd
from composer.cli.commands import down as down_cmd
from composer.cli.commands import exec_run as exec_run_cmd
from composer.cli.commands import graph as graph_cmd
from composer.cli.commands import lifecycle as lifecycle_cmd
from composer.cli.commands import logs as logs_cmd
from composer.cli.commands import ps as ps_cmd
from composer.cli.commands import up as up_cmd
from composer.cli.commands import validate as validate_cmd
from composer.cli.guard import run_guarded
from composer.cli.project_options import (
    EnvFileOpt,
    FilesOpt,
    ProfileOpt,
    ProjectArgs,
    ProjectDirOpt,
    ProjectNameOpt,
)

app = typer.Typer(
    name="composer",
    help="Validate, merge and run Compose files.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    file: FilesOpt = None,
    project_name: ProjectNameOpt = None,
    profile: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    project_directory: ProjectDirOpt = None,
) -> None:
    """Composer: Docker Compose files, validated, merged and run."""
    ctx.obj = ProjectArgs().combined(file, project_name, profile, env_file, project_directory)


config_cmd.register(app)
graph_cmd.register(app)
up_cmd.register(app)
down_cmd.register(app)
ps_cmd.register(app)
logs_cmd.register(app)
lifecycle_cmd.register(app)
exec_run_cmd.register(app)
validate_cmd.register(app)


def _typer_exit(exc: Exception) -> int | None:
    """Exit codes for Typer's own exceptions (usage errors, --help, Ctrl-C)."""
    if isinstance(exc, typer.Exit):
        return exc.exit_code
    if isinstance(exc, typer.Abort):
        return 130
    if isinstance(exc, TyperException):
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"error: {exc.format_message()}\n")
        return exc.exit_code
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the full CLI and map every outcome to an exit code."""
    return run_guarded(lambda: app(args=argv, standalone_mode=False), extra=_typer_exit)


def run() -> None:
    sys.exit(main())
