"""The Typer app, built from the command declarations (composer/cli/spec.py).

It parses what the fast path declines (help, usage errors, unusual spellings) and
renders help. Every command gets the project options right after its arguments,
accepted before and after the subcommand: lists (-f, --profile, --env-file) add up
and single values given after the subcommand win. Only this package prints or
exits: every ComposerError becomes one message on stderr and exit code 1 (2 for
bad usage); nothing shows a Python traceback.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from composer.cli.commands import MODULES
from composer.cli.guard import run_guarded
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, LIST, PROJECT_OPTIONS, TEXT, Argument, Command, Option
from composer.cli.spec import project_args as combined_project_args

KIND_TYPES: dict[str, Any] = {FLAG: bool, TEXT: str | None, INT: int | None, LIST: list[str] | None}
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def _option_parameter(option: Option) -> inspect.Parameter:
    kind = int if option.kind == INT and option.default is not None else KIND_TYPES[option.kind]
    annotation: Any = Annotated[kind, typer.Option(*option.names, help=option.help)]  # type: ignore[valid-type]
    return inspect.Parameter(option.dest, _KEYWORD, default=option.initial, annotation=annotation)


def _argument_parameter(argument: Argument) -> inspect.Parameter:
    kind: Any = list[str] if argument.many else str
    info = typer.Argument(help=argument.help, metavar=argument.metavar)
    if argument.required:
        return inspect.Parameter(argument.dest, _KEYWORD, annotation=Annotated[kind, info])
    return inspect.Parameter(
        argument.dest, _KEYWORD, default=None, annotation=Annotated[kind | None, info]
    )


def _with_signature(function: Callable[..., Any], params: list[inspect.Parameter]) -> None:
    function.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    function.__annotations__ = {p.name: p.annotation for p in params}


def _global_args(ctx: typer.Context) -> ProjectArgs:
    """The project options given before the subcommand (stored by the root callback)."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, ProjectArgs) else ProjectArgs()


def typer_command(command: Command) -> Callable[..., None]:
    """A function whose signature Typer reads as `command`'s arguments and options
    (project options right after the arguments, as in every command's help)."""
    params = [inspect.Parameter("ctx", _KEYWORD, annotation=typer.Context)]
    params += [_argument_parameter(a) for a in command.arguments]
    if command.project_options:
        params += [_option_parameter(o) for o in PROJECT_OPTIONS]
    params += [_option_parameter(o) for o in command.options]
    project_dests = [o.dest for o in PROJECT_OPTIONS] if command.project_options else []

    def invoke(ctx: typer.Context, **values: Any) -> None:
        own = {dest: values.pop(dest) for dest in project_dests}
        code = command.call(combined_project_args(own, _global_args(ctx)), values)
        if code:
            raise typer.Exit(code)

    _with_signature(invoke, params)
    invoke.__doc__ = command.help
    invoke.__name__ = command.name.replace("-", "_")
    return invoke


def _root(ctx: typer.Context, **values: Any) -> None:
    """Composer: Docker Compose files, validated, merged and run."""
    ctx.obj = combined_project_args(values)


_with_signature(
    _root,
    [
        inspect.Parameter("ctx", _KEYWORD, annotation=typer.Context),
        *(_option_parameter(o) for o in PROJECT_OPTIONS),
    ],
)

# How exec and run read their command: options end at the service name.
PASS_THROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": False}


def build_app() -> typer.Typer:
    """The Typer app with every declared command, in the order of MODULES."""
    app = typer.Typer(
        name="composer",
        help="Validate, merge and run Compose files.",
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    seen: set[str] = set()
    for module in dict.fromkeys(MODULES.values()):
        for command in importlib.import_module(module).COMMANDS:
            if command.name in seen:
                continue
            seen.add(command.name)
            settings = None if command.interspersed else PASS_THROUGH
            app.command(command.name, hidden=command.hidden, context_settings=settings)(
                typer_command(command)
            )
    return app


app = build_app()


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
