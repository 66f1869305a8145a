"""What `composer config` does, apart from parsing its options.

Kept free of Typer so the fast path (composer/cli/entry.py) can run `config`
without paying for the CLI framework's import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from composer.cli import console
from composer.cli.project_args import ProjectArgs
from composer.errors import ComposerError, UsageError


@dataclass
class ConfigFlags:
    """The `config` options, one attribute per flag (names as in the CLI)."""

    output_format: str = "yaml"
    output: str | None = None
    quiet: bool = False
    services: bool = False
    volumes: bool = False
    networks: bool = False
    models: bool = False
    images: bool = False
    profiles: bool = False
    hash: str | None = None
    variables: bool = False
    environment: bool = False
    no_interpolate: bool = False
    no_normalize: bool = False
    no_path_resolution: bool = False
    no_consistency: bool = False
    no_env_resolution: bool = False  # `env_file` kept, not read
    # `config SERVICE...`: only these services and their dependencies
    selected: list[str] = field(default_factory=list)
    sources: bool = False  # YAML with a `# file:line` comment per value


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


def _image_of(project: str, name: str, service: dict[str, Any]) -> str:
    image = service.get("image")
    return image if image else f"{project}-{name}"


def run_config(args: ProjectArgs, flags: ConfigFlags) -> None:
    """Load the project and print what the flags ask for."""
    from composer.loader.pipeline import load_project
    from composer.loader.profiles import all_profiles

    if flags.output_format not in ("yaml", "json"):
        raise UsageError(
            f"unsupported format {flags.output_format!r}", code="usage", hint="use yaml or json"
        )
    options = args.load_options(
        interpolate=not flags.no_interpolate,
        normalize=not flags.no_normalize,
        resolve_paths=not flags.no_path_resolution,
        consistency=not flags.no_consistency,
        # The reference's `config --hash` hashes the service with its env files unread.
        keep_env_files=flags.no_env_resolution or bool(flags.hash),
    )
    output = flags.output
    if flags.variables:
        from composer.cli.commands.variables import variables_table
        from composer.runtimes.psformat import tabulate

        _write(tabulate(variables_table(options), minwidth=20, padding=3), output)
        return

    if flags.sources:
        from composer.cli.config_sources import write_sources

        write_sources(options, flags, _write)
        return

    loaded = load_project(options)
    if flags.selected and not flags.services:
        loaded = _select(loaded, options, flags.selected)
    for warning in loaded.warnings:
        console.warn(warning)
    project = loaded.project
    service_map: dict[str, Any] = project.get("services") or {}
    if flags.quiet:
        return
    if flags.services:
        from composer.dependencies import dependency_order

        _write(_lines(dependency_order(service_map)), output)
    elif flags.volumes:
        _write(_lines(list((project.get("volumes") or {}).keys())), output)
    elif flags.networks:
        _write(_lines(list((project.get("networks") or {}).keys())), output)
    elif flags.models:  # the model of each (the reference's order varies: a Go map)
        models = project.get("models") or {}
        _write(
            _lines([str(m["model"]) for _, m in sorted(models.items()) if m.get("model")]), output
        )
    elif flags.images:
        images = [_image_of(loaded.name, n, s) for n, s in sorted(service_map.items())]
        _write(_lines(images), output)
    elif flags.profiles:
        _write(_lines(all_profiles(project, loaded.disabled_services)), output)
    elif flags.hash:  # the reference ignores an empty --hash
        from composer.hashing import service_hash

        # As the reference: names sorted, taken verbatim (no trimming), exit 1 if absent.
        wanted = flags.hash
        names = sorted(service_map) if wanted == "*" else sorted(wanted.split(","))
        rows = []
        for name in names:
            if name not in service_map:
                why = "disabled" if name in loaded.disabled_services else "not found"
                raise ComposerError(f"no such service: {name}: {why}", code="no-such-service")
            rows.append(f"{name} {service_hash(name, service_map[name])}")
        _write(_lines(rows), output)
    elif flags.environment:
        _write(_lines([f"{k}={v}" for k, v in sorted(loaded.environment.items())]), output)
    else:
        from composer.render import dump_json, dump_yaml, render_json, render_yaml

        as_json = flags.output_format == "json"
        if not loaded.bound:
            # --no-interpolate: the reference prints its raw map, keys sorted, `$` as written
            text = dump_json(project) if as_json else dump_yaml(project)
        else:
            text = render_json(project) if as_json else render_yaml(project)
        _write(text, output)


def _select(loaded: Any, options: Any, names: list[str]) -> Any:
    """Keep the named services and what they depend on, as `config SERVICE...` does.

    A named service that a profile switched off is switched on (with its profiles, as
    the reference does); resources only the dropped services used are pruned.
    """
    from composer.dependencies import dependency_edges
    from composer.loader.defaults import prune_unused
    from composer.loader.pipeline import load_project

    services = loaded.project.get("services") or {}
    for name in names:
        if name not in services and name not in loaded.disabled_services:
            raise ComposerError(f"no such service: {name}", code="no-such-service")
    extra = sorted(
        {
            p
            for n in names
            if n in loaded.disabled_services
            for p in loaded.disabled_services[n].get("profiles") or []
        }
    )
    if extra:
        options.profiles = [*options.profiles, *extra]
        loaded = load_project(options)
        services = loaded.project.get("services") or {}
    keep: set[str] = set()
    todo = [n for n in names if n in services]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        todo.extend(d for d in dependency_edges(services[name]) if d in services)
    for name in [n for n in services if n not in keep]:
        del services[name]
    loaded.project = prune_unused(loaded.project)
    return loaded
