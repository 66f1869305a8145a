"""`composer up`: create and start the services, attached (logs, Ctrl-C stops) or not.

Process runtime: detached, the project is handed to its owner (the detached
supervisor, started when none answers), which runs the orchestrator and stays.
Attached, this process becomes the owner (it serves the project's socket while it
runs), or, when an owner already exists, asks it to converge and then attaches.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

from composer import golang
from composer.cli import console
from composer.cli.commands.runtime_common import (
    LogPrinter,
    Target,
    bring_up,
    check_services,
    close_backend,
    is_process,
    load_target,
    make_backend,
    owner,
    project_lock,
)
from composer.cli.progress import open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, LIST, RUNTIME, TEXT, TIMEOUT, Argument, Command, Option
from composer.errors import ComposerError, UsageError
from composer.orchestrator.events import CONTAINER, Event, EventSink, UpOptions, ref_from_dict

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.cli.attach import Attachment
    from composer.cli.commands.watch import Watcher
    from composer.runtimes.protocol import Backend
    from composer.watch.rules import WatchRule

DETACH_CONFLICT = (
    "--detach cannot be combined with --abort-on-container-exit, "
    "--abort-on-container-failure, --attach, --attach-dependencies or --watch"
)
WATCH_NONE = (
    "none of the selected services is configured for watch, see "
    "https://docs.docker.com/compose/how-tos/file-watch/"
)
PULL_POLICIES = ("always", "missing", "never")


def check_image_options(build: bool, no_build: bool, pull: str | None) -> None:
    """`--build`/`--no-build`/`--pull` as the reference checks them (same messages)."""
    if build and no_build:
        raise UsageError("--build and --no-build are incompatible", code="usage")
    if pull is not None and pull not in PULL_POLICIES:
        raise UsageError(
            f'invalid --pull option "{pull}"', code="usage", hint="use always, missing or never"
        )


def parse_scale(values: list[str]) -> dict[str, int]:
    """`--scale web=3` options as a mapping."""
    scale: dict[str, int] = {}
    for value in values:
        name, sep, count = value.partition("=")
        if not sep or not name or not count.strip().isdigit():
            raise UsageError(
                f'invalid --scale option "{value}". Should be SERVICE=NUM', code="scale"
            )
        scale[name] = int(count)
    return scale


class Attach:
    """How the attached part of `up` behaves once the services started."""

    def __init__(
        self,
        *,
        abort_on_exit: bool,
        abort_on_failure: bool,
        exit_code_from: str | None,
        prefix: bool,
        color: bool | None,
        timestamps: bool,
        timeout: float | None,
        attach_to: set[str] | None = None,
        not_attached: set[str] | None = None,
        watch: list[WatchRule] | None = None,
    ) -> None:
        self.watch = watch or []  # `--watch`: the develop.watch rules followed meanwhile
        self.attach_to = attach_to or set()  # services whose logs are shown (none: all)
        self.not_attached = not_attached or set()  # `--no-attach`
        self.abort_on_exit = abort_on_exit
        self.abort_on_failure = abort_on_failure
        self.exit_code_from = exit_code_from
        self.logs = LogPrinter(prefix=prefix, color=color, timestamps=timestamps, errors=sys.stderr)
        self.timeout = timeout


def run_attached(target: Target, options: UpOptions, attach: Attach) -> int:
    """Start the services and follow their logs from their start (attached between
    the create and start passes, as the reference), report their exits, stop them on
    Ctrl-C (twice: kill)."""
    from composer.cli.attach import Attachment
    from composer.orchestrator.engine import Orchestrator

    progress = open_progress(target.progress)
    backend = make_backend(target)
    attachment = Attachment(
        backend, target.spec, attach.logs, progress, attach.attach_to, attach.not_attached
    )
    orchestrator = Orchestrator(backend, attachment.sink)
    cancel = threading.Event()
    server = None
    selected: list[str] | None = None
    files = _file_watch(target, backend, attach, attachment) if attach.watch else None
    try:
        try:
            with project_lock(target):
                client = owner(target) if is_process(target) else None
                if client is None:
                    if is_process(target):
                        from composer.runtimes.process.supervisor import ControlServer

                        server = ControlServer(
                            target.root, target.name, backend, spec=target.spec
                        ).start()
                    result = orchestrator.up(
                        target.spec, options, cancel=cancel, on_start=attachment.begin
                    )
                    refs, selected = result.refs, result.services
                else:  # the owner ran it: attach now, each log from its start
                    raw = client.request("up", target.spec, options.to_dict(), on_event=progress)
                    refs = [ref_from_dict(r) for r in raw["refs"]]
                    selected = list(raw["services"])
                    attachment.begin(refs)
                    attachment.follow_all()
            attachment.begin(refs)  # (nothing to start: not called by `up`)
            if files is not None:
                threading.Thread(target=files.run, args=(True, cancel.is_set), daemon=True).start()
            watcher = Orchestrator(
                backend, _watch_sink(target.name, attach.logs, progress, attachment)
            )
            # awaited: the named services' instances (all without names); their
            # dependencies' logs may show (--attach-dependencies), as the reference
            named = set(options.services)
            awaited = [r for r in refs if not named or r.service in named]
            code = watcher.watch(
                target.spec,
                awaited,
                abort_on_exit=attach.abort_on_exit,
                abort_on_failure=attach.abort_on_failure,
                exit_code_from=attach.exit_code_from,
                stop_services=selected,
                stop_timeout=attach.timeout,
                cancel=cancel,
            )
            while files is not None and code != 130:  # the files are watched until Ctrl-C
                time.sleep(3600)
            return code
        except KeyboardInterrupt:
            cancel.set()
            progress.close()
            sys.stderr.write("Gracefully stopping... (press Ctrl+C again to force)\n")
            sys.stderr.flush()
            try:
                orchestrator.stop(target.spec, selected, timeout=attach.timeout)
            except KeyboardInterrupt:
                orchestrator.kill(target.spec, selected)
            return 130
    finally:
        progress.close()
        attachment.join(timeout=2.0)
        if server is not None:
            server.close()
        close_backend(backend)


def _file_watch(
    target: Target, backend: Backend, attach: Attach, attachment: Attachment
) -> Watcher:
    """`up --watch`: the watcher of the rules, its lines among the logs (the
    reference's `⦿` mark), each restarted or recreated instance's log followed again.
    Made before the services start, so that what changes meanwhile is seen."""
    from composer.cli.commands.watch import Watcher

    logs = attach.logs
    mark = "\033[92m        ⦿ \033[0m" if logs.color else "        ⦿ "

    def say(text: str) -> None:
        logs.note(mark + text)

    def changed(service: str, since: float) -> None:
        for ref in attachment.refs:
            if ref.service == service:
                attachment.refollow(ref, since)

    files = Watcher(target, backend, attach.watch, say=say, after=changed)
    say("Watch enabled")
    return files


def _watch_sink(
    project: str, logs: LogPrinter, events: EventSink, attachment: Attachment
) -> Callable[[Event], None]:
    """Exits of attached instances as `web-1 exited with code 0` lines (like the
    logs), after the instance's last lines; the rest as progress."""
    prefix = f"{project}-"

    def sink(event: Event) -> None:
        if event.kind == CONTAINER and event.status == "Exited" and event.instance:
            name = event.instance
            if not attachment.attached(name):
                return
            if "restarting" not in event.detail:
                attachment.drain(name)
            logs.status(name[len(prefix) :] if name.startswith(prefix) else name, event.detail)
            return
        events(event)

    return sink


def _watch_rules(target: Target, names: list[str]) -> list[WatchRule]:
    """`up --watch`: the rules of the named services, checked before anything starts
    (the reference says it has none only after creating the containers)."""
    from composer.cli.commands.watch import check_rules
    from composer.watch.rules import watch_rules

    rules = watch_rules(target.spec.project, names)
    if not rules:
        raise ComposerError(WATCH_NONE, code="watch-none")
    check_rules(rules)
    return rules


def image_target(
    project: ProjectArgs,
    runtime: str | None,
    names: list[str],
    *,
    build: bool,
    no_build: bool,
    pull: str | None,
    assume_yes: bool,
) -> Target:
    """The project `up`, `create` and `run` act on, with how its images are found."""
    check_image_options(build, no_build, pull)
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    target.build = True if build else (False if no_build else None)
    target.pull = pull
    target.assume_yes = assume_yes
    if is_process(target) and (build or no_build or pull):
        console.warn("--build, --no-build and --pull have no effect on the process runtime")
    return target


def up(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    detach: bool,
    wait: bool,
    wait_timeout: int | None,
    abort_on_container_exit: bool,
    abort_on_container_failure: bool,
    exit_code_from: str | None,
    no_deps: bool,
    no_start: bool,
    scale: list[str] | None,
    force_recreate: bool,
    no_recreate: bool,
    build: bool,
    no_build: bool,
    pull: str | None,
    remove_orphans: bool,
    timeout: int | None,
    no_log_prefix: bool,
    no_color: bool,
    timestamps: bool,
    attach: list[str] | None,
    no_attach: list[str] | None,
    attach_dependencies: bool,
    always_recreate_deps: bool,
    quiet_pull: bool,
    quiet_build: bool,
    watch: bool,
    menu: bool,
    renew_anon_volumes: bool,
    runtime: str | None,
    assume_yes: bool,
) -> int:
    """`quiet_pull` leaves out layer progress and `quiet_build` build steps, which
    Composer never shows: the reference's `--quiet-pull` still prints the ` web
    Pulling ` lines, as Composer."""
    names = list(services or [])
    if exit_code_from and not abort_on_container_failure:
        abort_on_container_exit = True
    if wait:
        detach = True
    attaching = abort_on_container_exit or abort_on_container_failure or attach
    if detach and (attaching or attach_dependencies or watch):
        raise UsageError(DETACH_CONFLICT, code="usage")
    if force_recreate and no_recreate:
        raise UsageError("--force-recreate and --no-recreate are incompatible", code="usage")
    if always_recreate_deps and no_recreate:
        raise UsageError("--always-recreate-deps and --no-recreate are incompatible", code="usage")
    target = image_target(
        project,
        runtime,
        names,
        build=build,
        no_build=no_build,
        pull=pull,
        assume_yes=assume_yes,
    )
    if exit_code_from:
        check_services(target, [exit_code_from])
    if not detach and (menu or golang.parse_bool(os.environ.get("COMPOSE_MENU", "")) is True):
        console.warn(MENU_MISSING)
    rules = _watch_rules(target, names) if watch else []
    options = UpOptions(
        services=tuple(names),
        no_deps=no_deps,
        scale=parse_scale(scale or []),
        wait=wait,
        wait_timeout=float(wait_timeout) if wait_timeout is not None else None,
        force_recreate=force_recreate,
        no_recreate=no_recreate,
        remove_orphans=remove_orphans,
        timeout=float(timeout) if timeout is not None else None,
        no_start=no_start,
        always_recreate_deps=always_recreate_deps,
        renew_anon_volumes=renew_anon_volumes,
    )
    if no_start:  # nothing runs, so nothing to attach to or wait for (as the reference)
        bring_up(target, options, spawn=False)  # created instances need no owner
        return 0
    if detach:
        bring_up(target, options)
        return 0
    return run_attached(
        target,
        options,
        Attach(
            abort_on_exit=abort_on_container_exit,
            abort_on_failure=abort_on_container_failure,
            exit_code_from=exit_code_from,
            prefix=not no_log_prefix,
            color=False if no_color else None,
            timestamps=timestamps,
            timeout=options.timeout,
            # the named services' logs, theirs and their dependencies' with
            # --attach-dependencies, or those of --attach, as the reference
            attach_to=set(attach or ([] if attach_dependencies else names)),
            not_attached=set(no_attach or []),
            watch=rules,
        ),
    )


def create(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    scale: list[str] | None,
    force_recreate: bool,
    no_recreate: bool,
    build: bool,
    no_build: bool,
    pull: str | None,
    remove_orphans: bool,
    quiet_pull: bool,
    runtime: str | None,
    assume_yes: bool,
) -> int:
    """`composer create`: `up --no-start` under the reference's own name
    (`quiet_pull`: as up's, no layer progress, which Composer never shows)."""
    if force_recreate and no_recreate:
        raise UsageError("--force-recreate and --no-recreate are incompatible", code="usage")
    names = list(services or [])
    target = image_target(
        project,
        runtime,
        names,
        build=build,
        no_build=no_build,
        pull=pull,
        assume_yes=assume_yes,
    )
    options = UpOptions(
        services=tuple(names),
        scale=parse_scale(scale or []),
        force_recreate=force_recreate,
        no_recreate=no_recreate,
        remove_orphans=remove_orphans,
        no_start=True,
    )
    bring_up(target, options, spawn=False)  # created instances need no owner
    return 0


# `up --menu` (or COMPOSE_MENU=true), attached: the reference's keyboard shortcuts
# under the logs (`w` Enable Watch; more with Docker Desktop). Accepted, so that
# scripts written for the reference run, and said, since nothing here reads keys.
MENU_MISSING = (
    "the navigation menu (--menu, COMPOSE_MENU) is not available in Composer: up runs "
    "attached without it (up --watch follows the develop.watch rules)"
)

QUIET_PULL = Option("quiet_pull", ("--quiet-pull",), FLAG, "Pull without layer progress")
ASSUME_YES = Option(
    "assume_yes",
    ("--yes", "-y"),
    FLAG,
    'Assume "yes" to every question (recreate a volume whose configuration changed)',
)
CONVERGE_OPTIONS = (
    Option("scale", ("--scale",), LIST, "SERVICE=NUM instances"),
    Option("force_recreate", ("--force-recreate",), FLAG, "Recreate even when unchanged"),
    Option("no_recreate", ("--no-recreate",), FLAG, "Keep existing instances even when changed"),
    Option("build", ("--build",), FLAG, "Build images before starting (docker)"),
    Option("no_build", ("--no-build",), FLAG, "Never build a missing image (docker)"),
    Option("pull", ("--pull",), TEXT, "Pull images: always, missing or never (docker)"),
    Option(
        "remove_orphans",
        ("--remove-orphans",),
        FLAG,
        "Remove instances of undefined services",
    ),
)


COMMANDS = (
    Command(
        "up",
        "Create and start containers (here: processes) for the services.",
        f"{__name__}:up",
        arguments=(Argument("services", "Services to start"),),
        options=(
            Option("detach", ("--detach", "-d"), FLAG, "Run in the background"),
            Option(
                "wait", ("--wait",), FLAG, "Wait for services to be running|healthy (implies -d)"
            ),
            Option("wait_timeout", ("--wait-timeout",), INT, "Maximum seconds to --wait"),
            Option(
                "abort_on_container_exit",
                ("--abort-on-container-exit",),
                FLAG,
                "Stop all when any container stops",
            ),
            Option(
                "abort_on_container_failure",
                ("--abort-on-container-failure",),
                FLAG,
                "Stop all when any container fails",
            ),
            Option(
                "exit_code_from",
                ("--exit-code-from",),
                TEXT,
                "Return the exit code of SERVICE (implies --abort-on-container-exit)",
            ),
            Option("no_deps", ("--no-deps",), FLAG, "Don't start linked services"),
            Option("no_start", ("--no-start",), FLAG, "Create the services without starting them"),
            QUIET_PULL,
            Option("quiet_build", ("--quiet-build",), FLAG, "Build without build progress"),
            Option(
                "watch",
                ("--watch", "-w"),
                FLAG,
                "Follow the develop.watch rules while attached (composer watch)",
            ),
            Option(
                "menu", ("--menu",), FLAG, "Accepted as the reference's; no menu here (a warning)"
            ),
            Option(
                "renew_anon_volumes",
                ("--renew-anon-volumes", "-V"),
                FLAG,
                "New anonymous volumes for recreated containers (the old ones are removed)",
            ),
            Option(
                "always_recreate_deps",
                ("--always-recreate-deps",),
                FLAG,
                "Recreate the named services' dependencies",
            ),
            ASSUME_YES,
            *CONVERGE_OPTIONS,
            TIMEOUT,
            Option("no_log_prefix", ("--no-log-prefix",), FLAG, "Don't print prefix in logs"),
            Option("no_color", ("--no-color",), FLAG, "Monochrome output"),
            Option("timestamps", ("--timestamps",), FLAG, "Show timestamps"),
            Option("attach", ("--attach",), LIST, "Show the logs of this service (repeatable)"),
            Option("no_attach", ("--no-attach",), LIST, "Don't show the logs of this service"),
            Option(
                "attach_dependencies",
                ("--attach-dependencies",),
                FLAG,
                "Show the logs of the named services' dependencies too",
            ),
            RUNTIME,
        ),
    ),
    Command(
        "create",
        "Create containers (here: process records) for the services, without starting them.",
        f"{__name__}:create",
        arguments=(Argument("services", "Services to create"),),
        options=(*CONVERGE_OPTIONS, QUIET_PULL, ASSUME_YES, RUNTIME),
    ),
)
