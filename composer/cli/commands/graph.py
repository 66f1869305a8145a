"""`composer graph`: the service dependency graph as text, Mermaid, DOT, JSON or SVG."""

from __future__ import annotations

from typing import Any

from composer.cli import console
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, TEXT, Argument, Command, Option
from composer.errors import ComposerError, UsageError
from composer.graph_render import FORMATS


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


def graph(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    output_format: str,
    output: str | None,
    no_deps: bool,
) -> None:
    if output_format not in FORMATS:
        raise UsageError(
            f'invalid value for --format: "{output_format}"',
            code="usage",
            hint="use " + ", ".join(FORMATS),
        )
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
    _write(render(dependency_graph, output_format), output)


COMMANDS = (
    Command(
        "graph",
        "Show which services start before which, in levels, with each dependency's condition.",
        f"{__name__}:graph",
        arguments=(
            Argument("services", "Only these services and what they depend on", metavar="SERVICE"),
        ),
        options=(
            Option(
                "output_format",
                ("--format",),
                TEXT,
                "Output format: " + ", ".join(FORMATS),
                default="text",
            ),
            Option("output", ("--output", "-o"), TEXT, "Write to FILE"),
            Option("no_deps", ("--no-deps",), FLAG, "With SERVICE: leave out their dependencies"),
        ),
    ),
)
