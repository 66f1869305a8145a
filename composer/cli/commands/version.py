"""`composer version [--short] [-f pretty|json]`: which Composer this is, in the
reference's three forms (`Composer version v0.1.0`, `0.1.0`, `{"version":"v0.1.0"}`),
so scripts that ask `docker compose version --short` can ask Composer the same way.
"""

from __future__ import annotations

from composer.cli import console
from composer.cli.spec import FLAG, TEXT, Command, Option


def composer_version() -> str:
    """The installed distribution's version (pyproject.toml's), `unknown` when
    Composer runs from a tree that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("composer")
    except PackageNotFoundError:
        return "unknown"


def show_version(*, output_format: str | None, short: bool) -> None:
    number = composer_version()
    if short:  # the reference's --short wins over --format
        console.out(f"{number}\n")
    elif (output_format or "").lower() == "json":
        console.out(f'{{"version":"v{number}"}}\n')
    else:  # pretty, and any other value, as the reference
        console.out(f"Composer version v{number}\n")


COMMANDS = (
    Command(
        "version",
        "Show the Composer version.",
        f"{__name__}:show_version",
        options=(
            Option("output_format", ("--format", "-f"), TEXT, "pretty (default) or json"),
            Option("short", ("--short",), FLAG, "Only the version number"),
        ),
        project_options=False,
    ),
)
