"""`composer build [SERVICE...]`: build the images of the services with a `build:`
section, as `docker compose build` does (every time: the engine's layer cache
makes an unchanged build quick; `--no-cache` skips it).

Named services must exist; those without `build:` are skipped, as the reference
skips them. Needs an image runtime (Docker): the process runtime has no images.
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import check_services, image_backend, load_target
from composer.cli.progress import QUIET, open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, Argument, Command, Option


def build(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    no_cache: bool,
    quiet: bool,
    runtime: str | None,
) -> None:
    names = list(services or [])
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    from composer.runtimes.docker.images import ImageRequest

    backend = image_backend(target, "build")
    backend.images = ImageRequest(build=True, no_cache=no_cache)
    chosen = names or sorted(target.services())
    buildable = [n for n in chosen if (target.services().get(n) or {}).get("build") is not None]
    try:
        with open_progress(QUIET if quiet else target.progress) as events:
            backend.on_event = events
            for name in buildable:
                backend.ensure_image(target.spec, name)
    finally:
        backend.close()


COMMANDS = (
    Command(
        "build",
        "Build the images of the services that have a build section.",
        f"{__name__}:build",
        arguments=(Argument("services", "Services to build (default: all)"),),
        options=(
            Option("no_cache", ("--no-cache",), FLAG, "Do not use the engine's layer cache"),
            Option("quiet", ("--quiet", "-q"), FLAG, "Print nothing but errors"),
            RUNTIME,
        ),
    ),
)
