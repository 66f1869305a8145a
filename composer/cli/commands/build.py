"""`composer build [SERVICE...]`: build the images of the services with a `build:`
section, as `docker compose build` does (every time: the engine's layer cache
makes an unchanged build quick; `--no-cache` skips it).

Named services must exist; those without `build:` are skipped, as the reference
skips them. Needs an image runtime (Docker): the process runtime has no images.
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import (
    check_services,
    image_backend,
    key_values,
    load_target,
)
from composer.cli.progress import QUIET, open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, LIST, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError


def build(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    no_cache: bool,
    quiet: bool,
    build_arg: list[str] | None,
    pull: bool,
    memory: str | None,
    with_dependencies: bool,
    runtime: str | None,
) -> None:
    """`--build-arg` and `--pull` apply to the build sections as the reference applies
    them (a `KEY` without `=` takes the project environment's value, or is left out);
    `--memory` limits the build container (the engine's classic builder)."""
    names = list(services or [])
    limit = _memory(memory)
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    from composer.runtimes.docker.images import ImageRequest, with_build_options

    chosen = names or sorted(target.services())
    if with_dependencies and names:
        from composer.graph import build_graph, select

        chosen = sorted(select(build_graph(dict(target.spec.project), target.spec.name), names))
    services_now = with_build_options(
        target.services(), chosen, key_values(build_arg or [], target.spec.environment), pull
    )
    spec = target.spec.replace(project={**target.spec.project, "services": services_now})
    backend = image_backend(target, "build")
    backend.images = ImageRequest(build=True, no_cache=no_cache, memory=limit)
    buildable = [n for n in chosen if (services_now.get(n) or {}).get("build") is not None]
    try:
        with open_progress(QUIET if quiet else target.progress) as events:
            backend.on_event = events
            for name in buildable:
                backend.ensure_image(spec, name)
    finally:
        backend.close()


def _memory(text: str | None) -> int | None:
    """`-m/--memory` as the reference reads it (go-units sizes), refused as its flag
    parser refuses a bad one."""
    if text is None:
        return None
    from composer.loader.units import SizeError, parse_bytes

    try:
        return parse_bytes(text)
    except SizeError as exc:
        raise ComposerError(  # exit 1, as the reference's flag errors
            f'invalid argument "{text}" for "-m, --memory" flag: {exc.message}', code="usage"
        ) from None


COMMANDS = (
    Command(
        "build",
        "Build the images of the services that have a build section.",
        f"{__name__}:build",
        arguments=(Argument("services", "Services to build (default: all)"),),
        options=(
            Option("no_cache", ("--no-cache",), FLAG, "Do not use the engine's layer cache"),
            Option("quiet", ("--quiet", "-q"), FLAG, "Print nothing but errors"),
            Option("build_arg", ("--build-arg",), LIST, "KEY=VALUE (or KEY) build-time variable"),
            Option("pull", ("--pull",), FLAG, "Always attempt to pull a newer base image"),
            Option("memory", ("--memory", "-m"), TEXT, "Memory limit of the build container"),
            Option(
                "with_dependencies",
                ("--with-dependencies",),
                FLAG,
                "Also build the services' dependencies (transitively)",
            ),
            RUNTIME,
        ),
    ),
)
