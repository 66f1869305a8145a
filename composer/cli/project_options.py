"""The project options every command takes, accepted before and after the subcommand.

`composer -f a.yml config` and `composer config -f a.yml` mean the same; when both
are given, lists (-f, --profile, --env-file) add up and single values given after
the subcommand win.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Annotated

import typer

from composer.loader.options import LoadOptions

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


@dataclass
class ProjectArgs:
    files: list[str] = field(default_factory=list)
    project_name: str | None = None
    profiles: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    project_directory: str | None = None

    def combined(
        self,
        files: list[str] | None,
        project_name: str | None,
        profiles: list[str] | None,
        env_files: list[str] | None,
        project_directory: str | None,
    ) -> ProjectArgs:
        return ProjectArgs(
            files=[*self.files, *(files or [])],
            project_name=project_name or self.project_name,
            profiles=[*self.profiles, *(profiles or [])],
            env_files=[*self.env_files, *(env_files or [])],
            project_directory=project_directory or self.project_directory,
        )

    def load_options(self, **switches: bool) -> LoadOptions:
        stdin_text = sys.stdin.read() if "-" in self.files else None
        profiles = [p.strip() for value in self.profiles for p in value.split(",") if p.strip()]
        return LoadOptions(
            files=list(self.files),
            project_name=self.project_name,
            project_directory=self.project_directory,
            env_files=list(self.env_files),
            profiles=profiles,
            environ=dict(os.environ),
            cwd=os.getcwd(),
            stdin_text=stdin_text,
            **switches,
        )


def global_args(ctx: typer.Context) -> ProjectArgs:
    """The options given before the subcommand (stored by the root callback)."""
    root = ctx.find_root()
    value = root.obj if isinstance(root.obj, ProjectArgs) else None
    return value or ProjectArgs()
