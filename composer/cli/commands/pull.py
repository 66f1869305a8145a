"""`composer pull [SERVICE...]`: pull the services' images, as `docker compose pull`.

One pull per image, skips said as the reference says them (` db Skipped - Image is
already being pulled by web `), failures on the service's line (` web Error <the
engine's words>`; `Warning` for a service that can be built instead, with the
reference's closing advice to build it). Needs an image runtime (Docker).
"""

from __future__ import annotations

from composer.cli.commands.runtime_common import check_services, image_backend, load_target
from composer.cli.progress import open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import ComposerError
from composer.orchestrator.events import INFO, SERVICE, Event


def pull(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    ignore_buildable: bool,
    ignore_pull_failures: bool,
    include_deps: bool,
    policy: str | None,
    quiet: bool,
    runtime: str | None,
) -> None:
    """`quiet` leaves out layer progress, which Composer does not show anyway: the
    reference's `-q` still prints the services' lines, and so does this."""
    names = list(services or [])
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    from composer.graph import build_graph
    from composer.orchestrator.fanout import fan_out
    from composer.orchestrator.plan import selected_services
    from composer.runtimes.docker.images import ImageError, pull_choices

    backend = image_backend(target, "pull")
    defined = target.services()
    graph = build_graph(dict(target.spec.project), target.name)
    chosen = selected_services(graph, names, no_deps=not include_deps)
    try:
        with open_progress(target.progress) as events:
            backend.on_event = events
            choices = pull_choices(
                defined,
                chosen,
                policy=policy,
                ignore_buildable=ignore_buildable,
                present=backend.has_image,
            )
            for name, skip in choices:
                if skip is not None:
                    events(Event(SERVICE, name, name, skip))
            wanted = [name for name, skip in choices if skip is None]
            failures = fan_out(wanted, lambda name: backend.pull(target.spec, name), 8)
            buildable = sorted(n for n, _ in failures if defined[n].get("build") is not None)
            if buildable:
                events(
                    Event(
                        INFO,
                        detail="WARNING: Some service image(s) must be built from source by "
                        f"running:\n    composer build {' '.join(buildable)}",
                    )
                )
    finally:
        backend.close()
    if failures and not ignore_pull_failures:
        errors = [exc for _, exc in failures]
        if len(errors) == 1 and isinstance(errors[0], ComposerError):
            raise errors[0]
        raise ImageError(
            "pulling images failed:\n" + "\n".join(str(e) for e in errors), code="image-pull"
        )


COMMANDS = (
    Command(
        "pull",
        "Pull the services' images.",
        f"{__name__}:pull",
        arguments=(Argument("services", "Services to pull (default: all)"),),
        options=(
            Option(
                "ignore_buildable", ("--ignore-buildable",), FLAG, "Ignore images that can be built"
            ),
            Option(
                "ignore_pull_failures",
                ("--ignore-pull-failures",),
                FLAG,
                "Pull what it can and ignore images with pull failures",
            ),
            Option(
                "include_deps",
                ("--include-deps",),
                FLAG,
                "Also pull the services the named ones depend on",
            ),
            Option(
                "policy", ("--policy",), TEXT, "Pull policy for every service (missing, always)"
            ),
            Option("quiet", ("--quiet", "-q"), FLAG, "Pull without layer progress"),
            RUNTIME,
        ),
    ),
)
