"""A framework-free parser for the usual calls of every subcommand.

`composer [project options] COMMAND [options] [arguments]`, read against the
command's declaration (composer/cli/spec.py): long options as `--name value` or
`--name=value`, short ones as `-n value`, flags alone, repeats of list options.
Anything else (help, unknown or combined short options, `--`, a missing or
non-numeric value, missing arguments) gives None, and Typer, built from the same
declarations, parses the call and says what is wrong. So both paths accept the
same calls and give the runner the same values (tests/test_cli_fastpath.py).
"""

from __future__ import annotations

from composer.cli.commands import MODULES
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import (
    FLAG,
    INT,
    LIST,
    PROJECT_OPTIONS,
    Command,
    Option,
    import_module,
    option_table,
    project_args,
)
from composer.record import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

PROJECT_TABLE = option_table(PROJECT_OPTIONS)


class Call(NamedTuple):
    """A parsed call: the command, its project options and its values."""

    command: Command
    project: ProjectArgs
    values: dict[str, Any]

    def run(self) -> int:
        return self.command.call(self.project, self.values)


def find_command(name: str) -> Command | None:
    """The declaration of subcommand `name` (importing only its module)."""
    module = MODULES.get(name)
    if module is None:
        return None
    commands: tuple[Command, ...] = import_module(module).COMMANDS
    return next((c for c in commands if c.name == name), None)


def _take_option(
    table: dict[str, Option], argv: list[str], index: int, values: dict[str, Any]
) -> int | None:
    """Read the option at argv[index] into `values`; the next index, or None when
    this call is not one the fast path reads."""
    name, has_inline, inline = argv[index].partition("=")
    option = table.get(name)
    if option is None or (has_inline and not name.startswith("--") and option.kind != FLAG):
        return None
    if option.kind == FLAG:  # `--flag`, or `--flag=false` / `-f=false` as Go's flags take
        if has_inline:
            from composer.cli.commands.ps import go_bool

            short = [n for n in option.names if not n.startswith("--")]
            long = [n for n in option.names if n.startswith("--")][:1]
            values[option.dest] = go_bool(", ".join(short + long), inline)  # (its error)
        else:
            values[option.dest] = True
        return index + 1
    if has_inline:
        raw, following = inline, index + 1
    elif index + 1 < len(argv):
        raw, following = argv[index + 1], index + 2
    else:
        return None
    value: Any = raw
    if option.kind == INT:
        try:
            value = int(raw)
        except ValueError:
            return None
    if option.kind == LIST:
        values.setdefault(option.dest, []).append(value)
    else:
        values[option.dest] = value
    return following


def _is_option(token: str) -> bool:
    return token.startswith("-") and token != "-"


def _assign_arguments(command: Command, positionals: list[str], values: dict[str, Any]) -> bool:
    """Give each declared argument its share of the positionals; False when they
    do not fit (too many, or a required one missing)."""
    rest = list(positionals)
    for argument in command.arguments:
        if argument.many:
            taken, rest = rest, []
        else:
            taken, rest = rest[:1], rest[1:]
        if argument.required and not taken:
            return False
        if taken:
            values[argument.dest] = taken if argument.many else taken[0]
    return not rest


def parse_call(argv: list[str]) -> Call | None:
    """The call `argv` makes, or None to let Typer parse it."""
    before: dict[str, Any] = {}
    index = 0
    while index < len(argv) and _is_option(argv[index]):
        following = _take_option(PROJECT_TABLE, argv, index, before)
        if following is None:
            return None
        index = following
    if index >= len(argv):
        return None
    command = find_command(argv[index])
    if command is None:
        return None
    index += 1
    table = command.option_table()
    if command.project_options:
        table = {**PROJECT_TABLE, **table}
    elif before:
        return None
    given: dict[str, Any] = {}
    positionals: list[str] = []
    while index < len(argv):
        token = argv[index]
        if positionals and not command.interspersed:
            positionals.extend(argv[index:])
            break
        if token == "--" or token == "-" and not command.arguments:
            return None
        if _is_option(token):
            following = _take_option(table, argv, index, given)
            if following is None:
                return None
            index = following
            continue
        positionals.append(token)
        index += 1
    values = command.defaults()
    if not _assign_arguments(command, positionals, values):
        return None
    own = {o.dest: given.pop(o.dest, None) for o in PROJECT_OPTIONS}
    values.update(given)
    return Call(command, project_args(own, project_args(before)), values)
