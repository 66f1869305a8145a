"""The project options every command takes, accepted before and after the subcommand.

`composer -f a.yml config` and `composer config -f a.yml` mean the same; when both
are given, lists (-f, --profile, --env-file) add up and single values given after
the subcommand win.
"""

from __future__ import annotations

from typing import Annotated

import typer

from composer.cli.project_args import ProjectArgs

__all__ = [
    "EnvFileOpt",
    "FilesOpt",
    "ProfileOpt",
    "ProjectArgs",
    "ProjectDirOpt",
    "ProjectNameOpt",
    "global_args",
]

FilesOpt = Annotated[
    list[str] | None,
    typer.Option("--file", "-f", help="Compose configuration files (repeatable; - for stdin)"),
]
ProjectNameOpt = Annotated[str | None, typer.Option("--project-name", "-p", help="Project name")]
ProfileOpt = Annotated[
    list[str] | None, typer.Option("--profile", help="Profile to enable (repeatable)")
]
EnvFileOpt = Annotated[
    list[str] | None, typer.Option("--env-file", help="Alternate environment file (repeatable)")
]
ProjectDirOpt = Annotated[
    str | None,
    typer.Option(
        "--project-directory",
        help="Alternate working directory (default: folder of the first file)",
    ),
]


def global_args(ctx: typer.Context) -> ProjectArgs:
    """The options given before the subcommand (stored by the root callback)."""
    root = ctx.find_root()
    value = root.obj if isinstance(root.obj, ProjectArgs) else None
    return value or ProjectArgs()
