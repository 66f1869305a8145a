"""`composer config`: the flat, canonical project, printed as the reference prints it."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer

from composer.cli import console
from composer.cli.project_options import (
    EnvFileOpt,
    FilesOpt,
    ProfileOpt,
    ProjectDirOpt,
    ProjectNameOpt,
    global_args,
)
from composer.errors import ComposerError, UsageError


class OutputFormat(enum.StrEnum):
    yaml = "yaml"
    json = "json"


def _tabulate(rows: list[list[str]]) -> str:
    """Columns like Go's tabwriter(minwidth=20, padding=3): the last column unpadded."""
    widths: list[int] = []
    for row in rows:
        for index, cell in enumerate(row[:-1]):
            width = max(20, len(cell) + 3)
            if index >= len(widths):
                widths.append(width)
            else:
                widths[index] = max(widths[index], width)
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("".join(cells) + row[-1])
    return "\n".join(lines) + "\n"


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            raise ComposerError(f"cannot write {output}: {error.strerror}", code="output") from None
    else:
        console.out(text)


def _lines(items: list[str]) -> str:
    return "".join(f"{item}\n" for item in items)


def register(app: typer.Typer) -> None:
    @app.command("config")
    def config(
        ctx: typer.Context,
        file: FilesOpt = None,
        project_name: ProjectNameOpt = None,
        profile: ProfileOpt = None,
        env_file: EnvFileOpt = None,
        project_directory: ProjectDirOpt = None,
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
    ) -> None:
        """Parse, resolve and render the Compose files in canonical form."""
        from composer.loader.pipeline import load_project
        from composer.loader.profiles import all_profiles

        args = global_args(ctx).combined(file, project_name, profile, env_file, project_directory)
        options = args.load_options(
            interpolate=not no_interpolate,
            normalize=not no_normalize,
            resolve_paths=not no_path_resolution,
            consistency=not no_consistency,
        )
        if variables:
            from composer.cli.commands.variables import variables_table

            _write(_tabulate(variables_table(options)), output)
            return

        loaded = load_project(options)
        for warning in loaded.warnings:
            console.warn(warning)
        project = loaded.project
        service_map: dict[str, Any] = project.get("services") or {}
        if quiet:
            return
        if services:
            from composer.dependencies import dependency_order

            _write(_lines(dependency_order(service_map)), output)
        elif volumes:
            _write(_lines(list((project.get("volumes") or {}).keys())), output)
        elif networks:
            _write(_lines(list((project.get("networks") or {}).keys())), output)
        elif images:
            _write(
                _lines([_image_of(loaded.name, n, s) for n, s in sorted(service_map.items())]),
                output,
            )
        elif profiles:
            _write(_lines(all_profiles(project, loaded.disabled_services)), output)
        elif hash_ is not None:
            from composer.hashing import service_hash

            names = sorted(service_map) if hash_ == "*" else [n.strip() for n in hash_.split(",")]
            rows = []
            for name in names:
                if name not in service_map:
                    raise UsageError(f'no such service: "{name}"', code="no-such-service")
                rows.append(f"{name} {service_hash(name, service_map[name])}")
            _write(_lines(rows), output)
        elif environment:
            env = loaded.environment
            _write(_lines([f"{k}={v}" for k, v in sorted(env.items())]), output)
        else:
            from composer.render import dump_json, dump_yaml, render_json, render_yaml

            fmt = output_format or OutputFormat.yaml
            if not loaded.bound:
                # --no-interpolate: the reference prints its raw map, keys sorted, `$` as written
                text = dump_json(project) if fmt == OutputFormat.json else dump_yaml(project)
            else:
                text = render_json(project) if fmt == OutputFormat.json else render_yaml(project)
            _write(text, output)


def _image_of(project: str, name: str, service: dict[str, Any]) -> str:
    image = service.get("image")
    return image if image else f"{project}-{name}"
