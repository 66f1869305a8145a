"""The project options every command takes, accepted before and after the subcommand.

`composer -f a.yml config` and `composer config -f a.yml` mean the same; when both
are given, lists (-f, --profile, --env-file) add up and single values given after
the subcommand win. `project_command` declares them once for every subcommand.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

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
    "project_command",
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


# The options in the order they are listed in each command's help.
_PROJECT_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("file", FilesOpt),
    ("project_name", ProjectNameOpt),
    ("profile", ProfileOpt),
    ("env_file", EnvFileOpt),
    ("project_directory", ProjectDirOpt),
)
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def _is_argument(annotation: Any) -> bool:
    extras = getattr(annotation, "__metadata__", ())
    return any(isinstance(extra, typer.models.ArgumentInfo) for extra in extras)


def project_command(command: Callable[..., None]) -> Callable[..., None]:
    """Give a Typer command the project options, right after its arguments (declared
    with `Annotated[..., typer.Argument(...)]`).

    The command declares `project: ProjectArgs` instead of the five options and gets
    them added to the ones given before the subcommand. Typer reads the wrapper's
    signature, so `composer CMD -f x` and each command's help are as if declared there.
    """
    hints = typing.get_type_hints(command, include_extras=True)
    own = [
        param.replace(annotation=hints.get(param.name, param.annotation), kind=_KEYWORD)
        for param in inspect.signature(command).parameters.values()
        if param.name != "project"
    ]
    split = max((i + 1 for i, p in enumerate(own) if _is_argument(p.annotation)), default=0)
    added = [
        inspect.Parameter(name, _KEYWORD, default=None, annotation=annotation)
        for name, annotation in _PROJECT_OPTIONS
    ]
    ctx = inspect.Parameter("ctx", _KEYWORD, annotation=typer.Context)
    params = [ctx, *own[:split], *added, *own[split:]]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        ctx = kwargs.pop("ctx")
        values = [kwargs.pop(name) for name, _ in _PROJECT_OPTIONS]
        command(project=global_args(ctx).combined(*values), **kwargs)

    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper
