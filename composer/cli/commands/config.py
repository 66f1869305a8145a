"""`composer config`: the flat, canonical project, printed as the reference prints it.

The work is in composer/cli/config_run.py; this module declares the command.
"""

from __future__ import annotations

from typing import Any

from composer.cli.config_run import ConfigFlags, run_config
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, TEXT, Argument, Command, Option


def config(
    project: ProjectArgs,
    *,
    service_names: list[str] | None,
    output_format: str | None,
    **flags: Any,
) -> None:
    """The option dests are ConfigFlags' fields."""
    selected = list(service_names or [])
    run_config(
        project, ConfigFlags(output_format=output_format or "yaml", selected=selected, **flags)
    )


COMMANDS = (
    Command(
        "config",
        "Parse, resolve and render the Compose files in canonical form.",
        f"{__name__}:config",
        arguments=(
            Argument(
                "service_names",
                "Only these services (and what they depend on)",
                metavar="[SERVICE]...",
            ),
        ),
        options=(
            Option("output_format", ("--format",), TEXT, "Output format: yaml or json"),
            Option("output", ("--output", "-o"), TEXT, "Write to FILE"),
            Option("quiet", ("--quiet", "-q"), FLAG, "Only validate"),
            Option("services", ("--services",), FLAG, "Print the service names"),
            Option("volumes", ("--volumes",), FLAG, "Print the volume names"),
            Option("networks", ("--networks",), FLAG, "Print the network names"),
            Option("models", ("--models",), FLAG, "Print the model names"),
            Option("images", ("--images",), FLAG, "Print the image names"),
            Option("profiles", ("--profiles",), FLAG, "Print the profile names"),
            Option("hash", ("--hash",), TEXT, "Print the config hash of SERVICE (or *)"),
            Option("variables", ("--variables",), FLAG, "Print the variables the model uses"),
            Option("environment", ("--environment",), FLAG, "Print the interpolation environment"),
            Option("no_interpolate", ("--no-interpolate",), FLAG, "Don't interpolate variables"),
            Option("no_normalize", ("--no-normalize",), FLAG, "Don't normalize the model"),
            Option(
                "no_path_resolution", ("--no-path-resolution",), FLAG, "Don't resolve file paths"
            ),
            Option("no_consistency", ("--no-consistency",), FLAG, "Don't check consistency"),
            Option(
                "no_env_resolution",
                ("--no-env-resolution",),
                FLAG,
                "Don't read the services' env files (keep env_file)",
            ),
            Option(
                "sources",
                ("--sources",),
                FLAG,
                "Comment each value with the file:line it came from",
            ),
        ),
    ),
)
