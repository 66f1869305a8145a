"""Every subcommand declared once, as data: its options, its argument, its runner.

Two parsers read these declarations. The fast one (composer/cli/fastpath.py) needs
no CLI framework and runs the usual calls; Typer (composer/cli/typer_app.py builds
its commands from the same declarations) renders help and parses whatever the fast
one declines. Importing Typer and building its commands costs ~80 ms, which is a
third of a Docker `down`: the commands CI loops and pre-commit hooks run must not
pay it. Runners live in modules free of Typer and take the parsed values as keyword
arguments named after `dest`, the same on both paths.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from composer.cli.project_args import ProjectArgs
from composer.record import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

FLAG, TEXT, INT, LIST = "flag", "text", "int", "list"


class Option(NamedTuple):
    """One option: its names (`--timeout`, `-t`), what it holds and its help line.

    FLAG is False unless given (or its default), `--flag=false` as Go reads it; TEXT,
    INT and LIST are None unless given (LIST
    collects repeats in order, a repeated TEXT or INT keeps the last)."""

    dest: str
    names: tuple[str, ...]
    kind: str
    help: str = ""
    default: Any = None  # the value when not given (FLAG: False unless True here)

    @property
    def initial(self) -> Any:
        return bool(self.default) if self.kind == FLAG else self.default


class Argument(NamedTuple):
    """A positional argument: one value, or (`many`, last only) all the rest."""

    dest: str
    help: str
    many: bool = True
    required: bool = False
    metavar: str | None = None


class Command(NamedTuple):
    """A subcommand: `runner` ("module:function") is imported on first call and
    called as runner(project, **values) (without `project` when the command takes
    no project options); it returns an exit code or None for 0."""

    name: str
    help: str
    runner: str
    options: tuple[Option, ...] = ()
    arguments: tuple[Argument, ...] = ()
    project_options: bool = True
    hidden: bool = False
    # False: options end at the first argument, the rest is passed through as
    # arguments (`exec web ls -l`).
    interspersed: bool = True

    def option_table(self) -> dict[str, Option]:
        """Every name of every option -> the option."""
        return option_table(self.options)

    def defaults(self) -> dict[str, Any]:
        """The values of a call that gives no option and no argument."""
        values: dict[str, Any] = {o.dest: o.initial for o in self.options}
        values.update({a.dest: None for a in self.arguments})
        return values

    def call(self, project: ProjectArgs, values: Mapping[str, Any]) -> int:
        module, _, function = self.runner.partition(":")
        runner: Callable[..., int | None] = getattr(import_module(module), function)
        code = runner(project, **values) if self.project_options else runner(**values)
        return code or 0


def import_module(name: str) -> Any:
    """The module `name`, imported on first use (importlib.import_module without
    importing importlib and warnings: ~0.5 ms of each command's start)."""
    __import__(name)
    return sys.modules[name]


def option_table(options: tuple[Option, ...]) -> dict[str, Option]:
    """Every name of each option (`--file`, `-f`) -> the option."""
    return {name: option for option in options for name in option.names}


# The project options every project command takes, before or after its name (no
# command may use these dests for options of its own).
PROJECT_OPTIONS: tuple[Option, ...] = (
    Option("file", ("--file", "-f"), LIST, "Compose configuration files (repeatable; - for stdin)"),
    Option("project_name", ("--project-name", "-p"), TEXT, "Project name"),
    Option("profile", ("--profile",), LIST, "Profile to enable (repeatable)"),
    Option("env_file", ("--env-file",), LIST, "Alternate environment file (repeatable)"),
    Option(
        "project_directory",
        ("--project-directory",),
        TEXT,
        "Alternate working directory (default: folder of the first file)",
    ),
    Option(
        "progress",
        ("--progress",),
        TEXT,
        "Progress output: auto, tty, plain, json or quiet (default: $COMPOSE_PROGRESS, else auto)",
    ),
    Option(
        "ansi",
        ("--ansi",),
        TEXT,
        'ANSI control characters: "never", "always" or "auto" (default: $COMPOSE_ANSI)',
    ),
    Option(
        "parallel",
        ("--parallel",),
        INT,
        "Max parallelism, -1 for unlimited (default: $COMPOSE_PARALLEL_LIMIT)",
    ),
)

RUNTIME = Option(
    "runtime",
    ("--runtime",),
    TEXT,
    "Where services run: auto, process or docker (default: $COMPOSER_RUNTIME, else auto)",
)
TIMEOUT = Option("timeout", ("--timeout", "-t"), INT, "Shutdown timeout in seconds")


def project_args(values: Mapping[str, Any], base: ProjectArgs | None = None) -> ProjectArgs:
    """`base` (the options given before the subcommand) plus these project options:
    lists add up, single values given later win."""
    return (base or ProjectArgs()).combined(
        values.get("file"),
        values.get("project_name"),
        values.get("profile"),
        values.get("env_file"),
        values.get("project_directory"),
        values.get("progress"),
        values.get("ansi"),
        values.get("parallel"),
    )
