"""`composer exec SERVICE CMD...` and `composer run [--rm] SERVICE [CMD...]`.

exec runs a command with a running instance's environment and directory. run
starts the service's dependencies through the project's owner, then one new
one-off instance in this process, streams its output and returns its exit code.
Both pass our stdin on (unless `-i=false`) and give a pseudo-terminal when ours is
one (unless `-T`), as the reference does (composer/cli/terminal.py); the process
runtime's commands read our stdin themselves and get no pseudo-terminal of their own.
"""

from __future__ import annotations

import os
import sys
import threading

from composer.cli import console
from composer.cli.commands.runtime_common import (
    LogPrinter,
    Target,
    bring_up,
    check_services,
    close_backend,
    is_process,
    key_values,
    load_target,
    make_backend,
    project_lock,
)
from composer.cli.progress import PlainProgress, open_progress
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, INT, LIST, RUNTIME, TEXT, Argument, Command, Option
from composer.errors import UsageError
from composer.orchestrator.events import UpOptions
from composer.runtimes.base import InstanceRef

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.runtimes.base import Interactive, ProjectSpec

ENV = Option("env", ("--env", "-e"), LIST, "Set environment variables (KEY=VAL)")
WORKDIR = Option("workdir", ("--workdir", "-w"), TEXT, "Working directory of the command")
NO_TTY = Option(
    "no_tty",
    ("--no-TTY", "--no-tty", "-T"),
    FLAG,
    "Disable pseudo-TTY allocation (default: one when stdin and stdout are terminals)",
)
INTERACTIVE = Option(
    "interactive",
    ("--interactive", "-i"),
    FLAG,
    "Keep STDIN open (default true; -i=false to give none)",
    default=True,
)
SERVICE = Argument("service", "Service", many=False, required=True)


def parse_env(values: list[str]) -> dict[str, str]:
    """`-e KEY=VAL` (or `-e KEY` taking this shell's value)."""
    for value in values:
        if not value.partition("=")[0]:
            raise UsageError(f"invalid --env value {value!r}", code="usage", hint="use KEY=VALUE")
    return key_values(values, os.environ)


def _dependencies(target: Target, service: str) -> list[str]:
    from composer.graph import build_graph

    graph = build_graph(dict(target.spec.project), target.name)
    return sorted(graph.successors(service)) if service in graph else []


def run_oneoff(
    target: Target,
    service: str,
    command: list[str],
    *,
    remove: bool,
    no_deps: bool,
    environment: dict[str, str],
    workdir: str | None,
    entrypoint: list[str] | None,
    service_ports: bool = False,
    settings: dict[str, Any] | None = None,
    detach: bool = False,
    interactive: Interactive | None = None,
    remove_orphans: bool = False,
) -> int:
    from composer.orchestrator.engine import Orchestrator

    deps = [] if no_deps else _dependencies(target, service)
    if deps:
        bring_up(target, UpOptions(services=tuple(deps), remove_orphans=remove_orphans))
    backend = make_backend(target)
    orchestrator = Orchestrator(backend, PlainProgress(quiet=True))
    if remove_orphans and not deps:  # (the dependencies' `up` removed them otherwise)
        with project_lock(target), open_progress(target.progress) as events:
            Orchestrator(backend, events).remove_orphans(target.spec)  # the same backend
    printer = LogPrinter(prefix=False, color=False)
    cancel = threading.Event()

    def started(spec: ProjectSpec, ref: InstanceRef) -> None:
        """`run -d`: the container's id (the instance's name on a runtime without ids)."""
        identify = getattr(backend, "container_id", None)
        sys.stdout.write(f"{identify(spec, ref) if callable(identify) else ref.name}\n")
        sys.stdout.flush()

    try:
        return orchestrator.run_oneoff(
            target.spec,
            service,
            command or None,
            remove=remove,
            no_deps=no_deps,
            start_dependencies=False,
            on_line=printer.line,
            cancel=cancel,
            environment=environment,
            workdir=workdir,
            entrypoint=entrypoint,
            service_ports=service_ports,
            settings=settings,
            on_started=started if detach else None,
            interactive=interactive,
        )
    except KeyboardInterrupt:
        cancel.set()
        return 130
    finally:
        close_backend(backend)


def exec_(
    project: ProjectArgs,
    *,
    service: str,
    command: list[str],
    index: int,
    env: list[str] | None,
    workdir: str | None,
    no_tty: bool,
    interactive: bool,
    detach: bool,
    user: str | None,
    privileged: bool,
    runtime: str | None,
) -> int:
    from composer.cli import terminal

    target = load_target(project, runtime, by_name=True)
    check_services(target, [service])
    backend = make_backend(target)
    ref = InstanceRef(target.name, service, index)
    sys.stdout.flush()
    return backend.exec(
        target.spec,
        ref,
        list(command),
        environment=parse_env(env or []),
        workdir=workdir,
        user=user,
        privileged=privileged,
        interactive=terminal.interactive(stdin=interactive, tty=terminal.wants_tty(no_tty)),
        detach=detach,
    )


def env_from_files(paths: list[str]) -> dict[str, str]:
    """`--env-from-file`: the variables the files set, read as `env_file`s are (a
    later file wins; `${VAR}` from this shell), relative paths from here."""
    from composer.loader.dotenv import read_env_files

    def check(path: str) -> None:
        if not os.path.isfile(path):
            raise UsageError(
                f"cannot read --env-from-file {path}: no such file",
                code="usage",
                hint="give the path of a KEY=VALUE file, relative to this directory",
            )

    return read_env_files(paths, dict(os.environ), check=check)


def run_settings(
    working_dir: str,
    *,
    name: str | None,
    user: str | None,
    labels: list[str],
    volumes: list[str],
    publish: list[str],
    cap_add: list[str],
    cap_drop: list[str],
) -> dict[str, Any]:
    """`run`'s options as service settings in long syntax (orchestrator/oneoff.py):
    `-v`/`-p` read by the loader's own short-syntax readers, a relative bind source
    taken against the project directory, as the file's own are."""
    from composer.errors import ComposerError
    from composer.loader.units import parse_port, parse_volume

    mounts = []
    for text in volumes:
        try:
            mount = parse_volume(text)
        except ComposerError as exc:
            raise UsageError(f"invalid --volume {text!r}: {exc.message}", code="usage") from None
        source = str(mount.get("source") or "")
        if mount.get("type") == "bind" and source and not os.path.isabs(source):
            mount["source"] = os.path.normpath(os.path.join(working_dir, source))
        mounts.append(mount)
    ports = []
    for text in publish:
        try:
            ports.extend(parse_port(text))
        except ComposerError as exc:
            raise UsageError(f"invalid --publish {text!r}: {exc.message}", code="usage") from None
    return {
        "container_name": name,
        "user": user,
        "labels": dict(
            (key, value) for key, _, value in (label.partition("=") for label in labels)
        ),
        "volumes": mounts,
        "ports": ports,
        "cap_add": cap_add,
        "cap_drop": cap_drop,
    }


def run(
    project: ProjectArgs,
    *,
    service: str,
    command: list[str] | None,
    rm: bool,
    no_deps: bool,
    env: list[str] | None,
    workdir: str | None,
    entrypoint: str | None,
    no_tty: bool,
    name: str | None,
    user: str | None,
    label: list[str] | None,
    volume: list[str] | None,
    publish: list[str] | None,
    service_ports: bool,
    cap_add: list[str] | None,
    cap_drop: list[str] | None,
    detach: bool,
    interactive: bool,
    env_from_file: list[str] | None,
    use_aliases: bool,
    build: bool,
    pull: str | None,
    quiet: bool,
    quiet_build: bool,
    quiet_pull: bool,
    remove_orphans: bool,
    runtime: str | None,
) -> int:
    """`quiet_pull` and `quiet_build` leave out layer and build progress, which
    Composer never shows (as `up`'s); `quiet` leaves out the dependencies' and the
    image's progress, not the command's output (as the reference's `-q`)."""
    from composer.cli import terminal
    from composer.cli.commands.up import image_target

    target = image_target(
        project, runtime, [service], build=build, no_build=False, pull=pull, assume_yes=False
    )
    environment = env_from_files(list(env_from_file or []))
    environment.update(parse_env(env or []))
    if quiet:
        target.progress = "quiet"
    if is_process(target) and use_aliases:
        console.warn("--use-aliases has no effect on the process runtime")
    if detach and rm and is_process(target):
        raise UsageError(
            "--rm with --detach needs the Docker runtime: a detached process one-off "
            "is not removed when it exits",
            code="usage",
            hint="run it detached without --rm and remove it later (composer rm, or down)",
        )
    settings = run_settings(
        target.spec.working_dir,
        name=name,
        user=user,
        labels=list(label or []),
        volumes=list(volume or []),
        publish=list(publish or []),
        cap_add=list(cap_add or []),
        cap_drop=list(cap_drop or []),
    )
    settings["remove_on_exit"] = detach and rm  # the engine removes it (AutoRemove)
    settings["use_aliases"] = use_aliases
    tty = terminal.wants_tty(no_tty)
    # as the reference's one-offs (OpenStdin and Tty whatever the service says); a
    # detached process one-off must not hold on to this terminal's stdin
    settings["stdin_open"] = interactive and not (detach and is_process(target))
    settings["tty"] = tty
    return run_oneoff(
        target,
        service,
        list(command or []),
        remove=rm,
        no_deps=no_deps,
        environment=environment,
        workdir=workdir,
        entrypoint=entrypoint.split() if entrypoint else None,
        service_ports=service_ports,
        settings=settings,
        detach=detach,
        interactive=None if detach else terminal.interactive(stdin=interactive, tty=tty),
        remove_orphans=remove_orphans,
    )


COMMANDS = (
    Command(
        "exec",
        "Execute a command in a running service instance.",
        f"{__name__}:exec_",
        arguments=(SERVICE, Argument("command", "Command and arguments", required=True)),
        options=(
            Option("index", ("--index",), INT, "Instance index", default=1),
            ENV,
            WORKDIR,
            NO_TTY,
            INTERACTIVE,
            Option("detach", ("--detach", "-d"), FLAG, "Run the command in the background"),
            Option("user", ("--user", "-u"), TEXT, "Run the command as this user"),
            Option("privileged", ("--privileged",), FLAG, "Give extended privileges"),
            RUNTIME,
        ),
        interspersed=False,
    ),
    Command(
        "run",
        "Run a one-off command on a service.",
        f"{__name__}:run",
        arguments=(SERVICE, Argument("command", "Command and arguments (default: the service's)")),
        options=(
            Option("rm", ("--rm",), FLAG, "Remove the instance when it exits"),
            Option("detach", ("--detach", "-d"), FLAG, "Run in the background, print its id"),
            Option("no_deps", ("--no-deps",), FLAG, "Don't start linked services"),
            ENV,
            WORKDIR,
            Option("entrypoint", ("--entrypoint",), TEXT, "Override the entrypoint"),
            NO_TTY,
            INTERACTIVE,
            Option("name", ("--name",), TEXT, "Name the one-off container"),
            Option("user", ("--user", "-u"), TEXT, "Run as this user (name or uid[:gid])"),
            Option("label", ("--label", "-l"), LIST, "Add a label (KEY=VALUE)"),
            Option("volume", ("--volume", "-v"), LIST, "Bind or mount a volume (short syntax)"),
            Option("publish", ("--publish", "-p"), LIST, "Publish a port (short syntax)"),
            Option(
                "service_ports",
                ("--service-ports",),
                FLAG,
                "Publish the service's ports (left out by default)",
            ),
            Option("cap_add", ("--cap-add",), LIST, "Add a Linux capability"),
            Option("cap_drop", ("--cap-drop",), LIST, "Drop a Linux capability"),
            Option(
                "env_from_file",
                ("--env-from-file",),
                LIST,
                "Set environment variables from a file (repeatable; -e wins)",
            ),
            Option(
                "use_aliases",
                ("--use-aliases",),
                FLAG,
                "Answer to the service's name and aliases on its networks",
            ),
            Option("build", ("--build",), FLAG, "Build the image before starting (docker)"),
            Option("pull", ("--pull",), TEXT, "Pull the image: always, missing or never (docker)"),
            Option("quiet", ("--quiet", "-q"), FLAG, "No progress output (the command's stays)"),
            Option("quiet_build", ("--quiet-build",), FLAG, "Build without build progress"),
            Option("quiet_pull", ("--quiet-pull",), FLAG, "Pull without layer progress"),
            Option(
                "remove_orphans",
                ("--remove-orphans",),
                FLAG,
                "Remove containers of services the files no longer define",
            ),
            RUNTIME,
        ),
        interspersed=False,
    ),
)
