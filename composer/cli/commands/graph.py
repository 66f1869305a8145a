"""`composer graph`: the service dependency graph as text, Mermaid, DOT, JSON or SVG."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer

from composer.cli import console
from composer.cli.project_options import ProjectArgs, project_command
from composer.errors import ComposerError, UsageError


class GraphFormat(enum.StrEnum):
    text = "text"
    mermaid = "mermaid"
    dot = "dot"
    json = "json"
    svg = "svg"


def _write(text: str, output: str | None) -> None:
    if not output:
        console.out(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise ComposerError(f"cannot write {output}: {error.strerror}", code="output") from None


def _check_enabled(names: list[str], disabled: dict[str, Any]) -> None:
    """A service named on the command line but switched off by profiles gets a hint."""
    for name in names:
        if name not in disabled:
            continue
        service = disabled[name] if isinstance(disabled[name], dict) else {}
        options = " or ".join(f"--profile {p}" for p in service.get("profiles") or [])
        raise UsageError(
            f'service "{name}" is not enabled by the active profiles',
            code="service-disabled",
            hint=f"enable it with {options}" if options else None,
        )


def register(app: typer.Typer) -> None:
    @app.command("graph")
    @project_command
    def graph(
        project: ProjectArgs,
        services: Annotated[
            list[str] | None,
            typer.Argument(metavar="SERVICE", help="Only these services and what they depend on"),
        ] = None,
        output_format: Annotated[
            GraphFormat, typer.Option("--format", help="Output format")
        ] = GraphFormat.text,
        output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE")] = None,
        no_deps: Annotated[
            bool, typer.Option("--no-deps", help="With SERVICE: leave out their dependencies")
        ] = False,
    ) -> None:
        """Show which services start before which, in levels, with each dependency's condition."""
        from composer.graph import build_graph, select
        from composer.graph_render import render
        from composer.loader.pipeline import load_project

        loaded = load_project(project.load_options())
        for warning in loaded.warnings:
            console.warn(warning)
        dependency_graph = build_graph(loaded.project, name=loaded.name)
        if services:
            _check_enabled(services, loaded.disabled_services)
            keep = select(dependency_graph, services, with_dependencies=not no_deps)
            subgraph = dependency_graph.subgraph(keep).copy()
            subgraph.graph["missing"] = [
                entry for entry in dependency_graph.graph["missing"] if entry[0] in keep
            ]
            dependency_graph = subgraph
        _write(render(dependency_graph, output_format.value), output)
