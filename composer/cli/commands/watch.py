"""`composer watch [SERVICE...]`: bring the services up (unless `--no-up`), then follow
the files of their `develop.watch` rules and act on each batch of changes as the
reference does:

* `sync`: changed files are copied into every running instance of the service, and
  the ones deleted are removed there (composer/watch/sync.py);
* `sync+restart`: the same, then the service is restarted;
* `sync+exec`: the same, then `exec.command` runs in each instance (its output here);
* `restart`: the service is restarted;
* `rebuild`: its image is built again and the service recreated with it (any other
  change of the same batch is then part of the new image).

Changes are polled (composer/watch/scanner.py; a tree that takes long to walk is
walked less often, so a watch costs at most ~20 % of a core) and gathered until the
files have been quiet for QUIET_PERIOD, as the reference's debounce, so saving ten
files makes one batch. The reference's messages go to stdout (`Watch enabled`, `Syncing service
"app" after 2 changes were detected`, `service(s) ["app"] restarted`, ...). Ctrl-C
ends the watch and leaves the services running (exit 130).
"""

from __future__ import annotations

import copy
import os
import sys
import time
from collections.abc import Callable

from composer.cli.commands.runtime_common import (
    Target,
    bring_up,
    check_services,
    close_backend,
    is_process,
    load_target,
    make_backend,
    running_refs,
)
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, RUNTIME, Argument, Command, Option
from composer.errors import ComposerError
from composer.orchestrator.events import UpOptions
from composer.watch import rules as wr
from composer.watch.scanner import Snapshot, changes, snapshot

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.base import InstanceRef
    from composer.runtimes.protocol import Backend

POLL_INTERVAL = 0.25  # seconds between two looks at the files
QUIET_PERIOD = 0.5  # a batch ends when nothing changed for this long
SCAN_SHARE = 4  # the pause after a look, in times the look took (large trees)
NONE_CONFIGURED = (
    "none of the selected services is configured for watch, consider setting a 'develop' section"
)


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Watched:
    """One rule with its path filter and the files as last seen."""

    def __init__(self, rule: wr.WatchRule, build_context: str | None) -> None:
        self.rule = rule
        self.filter = wr.PathFilter(rule, build_context)
        self.seen: Snapshot = self.look()

    def look(self) -> Snapshot:
        return snapshot(self.rule.path, self.filter.prunes)

    def changed(self) -> set[str]:
        """The followed paths that changed since the last look."""
        now = self.look()
        found = {path for path in changes(self.seen, now) if self.filter.follows(path)}
        self.seen = now
        return found


def _build_context(target: Target, service: str) -> str | None:
    build = (target.services().get(service) or {}).get("build")
    if isinstance(build, dict) and build.get("context"):
        context = str(build["context"])
        return context if os.path.isabs(context) else os.path.join(target.spec.working_dir, context)
    return None


class Watcher:
    """The batches of one watch: what changed, per service, and what to do with it."""

    def __init__(
        self,
        target: Target,
        backend: Backend,
        rules: list[wr.WatchRule],
        *,
        say: Callable[[str], None] = say,
        after: Callable[[str, float], None] | None = None,
    ) -> None:
        self.target = target
        self.backend = backend
        self.watched = [Watched(rule, _build_context(target, rule.service)) for rule in rules]
        self.say = say  # where the messages go (stdout; `up --watch`: among the logs)
        # told of a service restarted or recreated, and since when (`up --watch`
        # follows its log again)
        self.after = after

    # ------------------------------------------------------------ instances
    def _running(self, service: str) -> list[InstanceRef]:
        return running_refs(self.backend, self.target.name, service)

    def _sync(self, rule: wr.WatchRule, paths: set[str]) -> None:
        from composer.watch.sync import plan_sync, put_files

        copies, removals = plan_sync(rule, paths)
        for ref in self._running(rule.service):
            put_files(self.backend.files(self.target.spec, ref), copies)
            if removals:
                self.backend.exec(self.target.spec, ref, ["rm", "-rf", *removals])

    def _exec(self, rule: wr.WatchRule) -> None:
        options = rule.exec_options
        environment = options.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.partition("=")[::2] for item in environment)
        for ref in self._running(rule.service):
            self.backend.exec(
                self.target.spec,
                ref,
                list(rule.command),
                environment={str(k): str(v) for k, v in environment.items() if v is not None},
                workdir=options.get("working_dir"),
                user=options.get("user"),
                privileged=bool(options.get("privileged")),
            )

    def _restart(self, service: str) -> None:
        from composer.cli.commands.runtime_common import owner_or_local, project_lock
        from composer.cli.progress import open_progress

        with project_lock(self.target), open_progress("quiet") as events:
            owner_or_local(
                self.target,
                "restart",
                {"services": [service], "no_deps": True},
                lambda local: local.restart(self.target.spec, [service], no_deps=True),
                events=events,
                spawn=True,
            )

    def _rebuild(self, service: str, prune: bool) -> None:
        """Build the image again and recreate the service with it; the image it
        replaced is removed when nothing else holds it (`--prune`). The process
        runtime has no image: the service is restarted."""
        if is_process(self.target):
            self._restart(service)
            return
        images = getattr(self.backend, "service_image_id", None)
        before = images(self.target.spec, service) if callable(images) else None
        rebuilding = copy.copy(self.target)  # (not the target `up --watch` shares)
        rebuilding.build, rebuilding.progress = True, "quiet"
        bring_up(rebuilding, UpOptions(services=(service,), no_deps=True))
        prune_image = getattr(self.backend, "remove_dangling_image", None)
        if prune and before and callable(prune_image):
            prune_image(before)

    # ------------------------------------------------------------ batches
    def initial_sync(self) -> None:
        """`initial_sync: true`: every followed file of the rule, once, before watching."""
        for watched in self.watched:
            if watched.rule.initial_sync and watched.rule.action in wr.SYNCING:
                self._sync(watched.rule, set(watched.seen))

    def poll(self) -> dict[int, set[str]]:
        """What changed per rule (by position) since the last poll."""
        found = {}
        for position, watched in enumerate(self.watched):
            changed = watched.changed()
            if changed:
                found[position] = changed
        return found

    def apply(self, batch: dict[int, set[str]], prune: bool) -> None:
        """Act on one batch, service by service in the order of their rules."""
        services: list[str] = []
        for position in sorted(batch):
            service = self.watched[position].rule.service
            if service not in services:
                services.append(service)
        for service in services:
            mine = [(self.watched[p].rule, batch[p]) for p in sorted(batch)]
            mine = [(rule, paths) for rule, paths in mine if rule.service == service]
            actions = {rule.action for rule, _ in mine}
            began = time.time()
            if wr.REBUILD in actions:
                self.say(f'Rebuilding service(s) ["{service}"] after changes were detected...')
                self._rebuild(service, prune)
                self.say(f'service(s) ["{service}"] successfully built')
                if self.after is not None:
                    self.after(service, began)
                continue
            syncing = [(rule, paths) for rule, paths in mine if rule.action in wr.SYNCING]
            if syncing:
                count = len(set().union(*(paths for _, paths in syncing)))
                self.say(f'Syncing service "{service}" after {count} changes were detected')
                for rule, paths in syncing:
                    self._sync(rule, paths)
            if actions & {wr.RESTART, wr.SYNC_RESTART}:
                self._restart(service)
                self.say(f'service(s) ["{service}"] restarted')
                if self.after is not None:
                    self.after(service, began)
            for rule, _ in mine:
                if rule.action == wr.SYNC_EXEC:
                    self._exec(rule)

    def run(self, prune: bool, stop: Callable[[], bool] = lambda: False) -> None:
        """Poll, gather a batch until the files are quiet, apply it; until `stop()`."""
        batch: dict[int, set[str]] = {}
        last_change = 0.0
        interval = POLL_INTERVAL
        while not stop():
            time.sleep(interval)
            began = time.monotonic()
            for position, paths in self.poll().items():
                batch.setdefault(position, set()).update(paths)
                last_change = time.monotonic()
            # a large tree is looked at less often: walking it takes at most a fifth
            # of the time (~20 % of a core), however many files it holds
            interval = max(POLL_INTERVAL, (time.monotonic() - began) * SCAN_SHARE)
            if batch and time.monotonic() - last_change >= QUIET_PERIOD:
                pending, batch = batch, {}
                try:
                    self.apply(pending, prune)
                except ComposerError as exc:  # one failed batch does not end the watch
                    sys.stderr.write(f"error: {exc.message}\n")
                    sys.stderr.flush()


def check_rules(found: list[wr.WatchRule]) -> None:
    """Rules Composer cannot follow, refused before anything starts (the loader's
    consistency checks already refused a copying rule without a target, and the
    schema an unknown action: this is for a project saved without them)."""
    for rule in found:
        if rule.action not in (wr.SYNC, wr.REBUILD, wr.RESTART, wr.SYNC_RESTART, wr.SYNC_EXEC):
            raise ComposerError(
                f'service "{rule.service}": unknown watch action {rule.action!r}',
                code="watch-action",
                path=("services", rule.service, "develop", "watch"),
            )
        if rule.action == wr.SYNC_EXEC and not rule.command:
            raise ComposerError(
                f'service "{rule.service}": a sync+exec rule needs exec.command',
                code="watch-exec",
                path=("services", rule.service, "develop", "watch"),
            )


def watch(
    project: ProjectArgs,
    *,
    services: list[str] | None,
    no_up: bool,
    prune: bool,
    quiet: bool,
    runtime: str | None,
) -> int:
    """`quiet` hides build output, which Composer does not show anyway."""
    names = list(services or [])
    target = load_target(project, runtime, services=names)
    check_services(target, names)
    found = wr.watch_rules(target.spec.project, names)
    if not found:
        raise ComposerError(NONE_CONFIGURED, code="watch-none")
    check_rules(found)
    if is_process(target) and any(r.action == wr.REBUILD for r in found):
        from composer.cli import console

        console.warn("the process runtime builds no images: a rebuild rule restarts the service")
    if not no_up:
        bring_up(target, UpOptions(services=tuple(names)))
    backend = make_backend(target)
    try:
        watcher = Watcher(target, backend, found)
        watcher.initial_sync()
        say("Watch enabled")
        try:
            watcher.run(prune)
        except KeyboardInterrupt:
            return 130
    finally:
        close_backend(backend)
    return 0


COMMANDS = (
    Command(
        "watch",
        "Follow the files of develop.watch rules and sync, restart or rebuild services.",
        f"{__name__}:watch",
        arguments=(Argument("services", "Services (default: every one with watch rules)"),),
        options=(
            Option("no_up", ("--no-up",), FLAG, "Do not build and start the services first"),
            Option(
                "prune",
                ("--prune",),
                FLAG,
                "Remove the image a rebuild replaced when it is left dangling (default true)",
                default=True,
            ),
            Option("quiet", ("--quiet",), FLAG, "Hide build output (Composer shows none)"),
            RUNTIME,
        ),
    ),
)
