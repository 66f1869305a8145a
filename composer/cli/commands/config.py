"""`composer config`: the flat, canonical project, printed as the reference prints it."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from composer.cli.config_run import ConfigFlags, run_config
from composer.cli.project_options import ProjectArgs, project_command


class OutputFormat(enum.StrEnum):
    yaml = "yaml"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("config")
    @project_command
    def config(
        project: ProjectArgs,
        service_names: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="[SERVICE]...", help="Only these services (and what they depend on)"
            ),
        ] = None,
        output_format: Annotated[
            OutputFormat | None, typer.Option("--format", help="Output format")
        ] = None,
        output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only validate")] = False,
        services: Annotated[
            bool, typer.Option("--services", help="Print the service names")
        ] = False,
        volumes: Annotated[bool, typer.Option("--volumes", help="Print the volume names")] = False,
        networks: Annotated[
            bool, typer.Option("--networks", help="Print the network names")
        ] = False,
        images: Annotated[bool, typer.Option("--images", help="Print the image names")] = False,
        profiles: Annotated[
            bool, typer.Option("--profiles", help="Print the profile names")
        ] = False,
        hash_: Annotated[
            str | None, typer.Option("--hash", help="Print the config hash of SERVICE (or *)")
        ] = None,
        variables: Annotated[
            bool, typer.Option("--variables", help="Print the variables the model uses")
        ] = False,
        environment: Annotated[
            bool, typer.Option("--environment", help="Print the interpolation environment")
        ] = False,
        no_interpolate: Annotated[bool, typer.Option("--no-interpolate")] = False,
        no_normalize: Annotated[bool, typer.Option("--no-normalize")] = False,
        no_path_resolution: Annotated[bool, typer.Option("--no-path-resolution")] = False,
        no_consistency: Annotated[bool, typer.Option("--no-consistency")] = False,
        sources: Annotated[
            bool,
            typer.Option("--sources", help="Comment each value with the file:line it came from"),
        ] = False,
    ) -> None:
        """Parse, resolve and render the Compose files in canonical form."""
        run_config(
            project,
            ConfigFlags(
                output_format=output_format.value if output_format else "yaml",
                output=output,
                quiet=quiet,
                services=services,
                volumes=volumes,
                networks=networks,
                images=images,
                profiles=profiles,
                hash=hash_,
                variables=variables,
                environment=environment,
                no_interpolate=no_interpolate,
                no_normalize=no_normalize,
                no_path_resolution=no_path_resolution,
                no_consistency=no_consistency,
                sources=sources,
                selected=list(service_names or []),
            ),
        )
