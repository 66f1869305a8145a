"""Root of the command line: global project options and the subcommands.

Only this package prints or exits. Every ComposerError becomes one message on
stderr and exit code 1 (2 for bad usage); nothing shows a Python traceback.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.exceptions import TyperException

from composer.cli import console
from composer.cli.commands import config as config_cmd
from composer.cli.commands import graph as graph_cmd
from composer.cli.project_options import (
    EnvFileOpt,
    FilesOpt,
    ProfileOpt,
    ProjectArgs,
    ProjectDirOpt,
    ProjectNameOpt,
)
from composer.errors import ComposerError, UsageError

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


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map errors to exit codes."""
    try:
        app(args=argv, standalone_mode=False)
    except ComposerError as err:
        console.error(err)
        return 2 if isinstance(err, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else 1
    except typer.Exit as exit_:
        return exit_.exit_code
    except typer.Abort:
        return 130
    except TyperException as exc:  # usage errors: unknown option, bad value ...
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"error: {exc.format_message()}\n")
        return 2 if exc.exit_code == 2 else exc.exit_code
    except Exception as exc:  # a bug of ours: one line, not a traceback (COMPOSER_DEBUG=1 shows it)
        if os.environ.get("COMPOSER_DEBUG"):
            raise
        console.internal_error(exc)
        return 3
    return 0


def run() -> None:
    sys.exit(main())
