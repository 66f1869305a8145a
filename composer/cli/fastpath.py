"""A framework-free parser for the common `composer [opts] config [opts]` call.

`config` runs in pre-commit hooks and CI loops, where start-up time dominates: the
Typer app costs ~100 ms to import. This parser knows exactly the options of the
project and of `config` (tests/test_cli_fastpath.py checks the tables against the
Typer command) and gives up (returns None) on anything else: help, unknown options,
other commands. Typer then handles the call as usual.
"""

from __future__ import annotations

from composer.cli.config_run import ConfigFlags
from composer.cli.project_args import ProjectArgs

FLAG, VALUE, LIST = "flag", "value", "list"

# option -> (attribute of ProjectArgs, kind)
PROJECT_OPTIONS: dict[str, tuple[str, str]] = {
    "-f": ("files", LIST),
    "--file": ("files", LIST),
    "-p": ("project_name", VALUE),
    "--project-name": ("project_name", VALUE),
    "--profile": ("profiles", LIST),
    "--env-file": ("env_files", LIST),
    "--project-directory": ("project_directory", VALUE),
}

# option -> (attribute of ConfigFlags, kind)
CONFIG_OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("output_format", VALUE),
    "-o": ("output", VALUE),
    "--output": ("output", VALUE),
    "-q": ("quiet", FLAG),
    "--quiet": ("quiet", FLAG),
    "--services": ("services", FLAG),
    "--volumes": ("volumes", FLAG),
    "--networks": ("networks", FLAG),
    "--images": ("images", FLAG),
    "--profiles": ("profiles", FLAG),
    "--hash": ("hash", VALUE),
    "--variables": ("variables", FLAG),
    "--environment": ("environment", FLAG),
    "--no-interpolate": ("no_interpolate", FLAG),
    "--no-normalize": ("no_normalize", FLAG),
    "--no-path-resolution": ("no_path_resolution", FLAG),
    "--no-consistency": ("no_consistency", FLAG),
    "--sources": ("sources", FLAG),
}


def _apply(target: object, attr: str, kind: str, value: str | None) -> None:
    if kind == FLAG:
        setattr(target, attr, True)
    elif kind == VALUE:
        setattr(target, attr, value)
    else:
        getattr(target, attr).append(value)


def parse_config_call(argv: list[str]) -> tuple[ProjectArgs, ConfigFlags] | None:
    """(project args, config flags) for a plain `config` call, or None to let Typer parse."""
    project = ProjectArgs()
    flags = ConfigFlags()
    seen_command = False
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "config" and not seen_command:
            seen_command = True
            continue
        if not token.startswith("-") or token == "-":
            return None  # a positional argument: not ours
        name, has_value, inline = token.partition("=")
        table = {**PROJECT_OPTIONS, **(CONFIG_OPTIONS if seen_command else {})}
        if name not in table:
            return None
        attr, kind = table[name]
        target: object = project if name in PROJECT_OPTIONS else flags
        if kind == FLAG:
            if has_value:
                return None
            _apply(target, attr, kind, None)
            continue
        if has_value:
            value = inline
        else:
            if index >= len(argv):
                return None
            value = argv[index]
            index += 1
        _apply(target, attr, kind, value)
    if not seen_command or flags.output_format not in ("yaml", "json"):
        return None
    return project, flags
