"""Attached `up`: following the instances' output from the moment they start.

The reference attaches to its containers once they are made and before it starts
them: their first lines show while the next services still wait on conditions, and
the start steps are not listed (only `Attaching to web-1, db-1`, then the logs).
`Attachment` does the same over any backend: the orchestrator calls `begin` between
its create and start passes, and each instance's log is followed from its `Started`
(from the start of its output) or its `Running` (a kept one: new lines only).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Iterator

from composer.cli.commands.runtime_common import LogPrinter, display_name
from composer.errors import ComposerError
from composer.orchestrator.events import CONTAINER, Event, EventSink
from composer.runtimes.base import InstanceRef, LogLine

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from composer.runtimes.base import ProjectSpec
    from composer.runtimes.protocol import Backend

# What the start pass reports, left out once attached (the reference shows none).
START_STEPS = frozenset({"Starting", "Started", "Running", "Waiting", "Healthy", "Exited"})


class Attachment:
    """The attached instances, their log threads, and the progress events that are
    shown once attached."""

    def __init__(
        self,
        backend: Backend,
        spec: ProjectSpec,
        logs: LogPrinter,
        progress: EventSink,
        services: set[str],
        excluded: set[str] | None = None,
    ) -> None:
        self.backend = backend
        self.spec = spec
        self.logs = logs
        self.progress = progress
        self.services = services  # services (none: all) whose output is shown
        self.excluded = excluded or set()  # `up --no-attach`
        self.begun = False
        self.refs: list[InstanceRef] = []
        self._by_name: dict[str, InstanceRef] = {}
        self._threads: dict[InstanceRef, threading.Thread] = {}
        self._followed: set[InstanceRef] = set()
        self._starting: dict[InstanceRef, float] = {}  # when each start began
        # lines read of each log without times (the process runtime's), from its start
        self._read: dict[InstanceRef, int] = {}
        self._lock = threading.Lock()

    def begin(self, refs: list[InstanceRef]) -> None:
        """`Attaching to ...`: from now on the start steps are not shown. The live
        block ends here (logs would be drawn over); later events are lines."""
        with self._lock:
            if self.begun:
                return
            self.begun = True
            self.refs = [
                r
                for r in refs
                if (not self.services or r.service in self.services)
                and r.service not in self.excluded
            ]
            self._by_name = {r.name: r for r in self.refs}
        close = getattr(self.progress, "close", None)
        if callable(close):
            close()
        if self.refs:  # on stdout, before the logs, as the reference writes it
            names = ", ".join(display_name(r) for r in self.refs)
            self.logs.note(f"Attaching to {names}")

    def sink(self, event: Event) -> None:
        """The orchestrator's events: before `begin` all are shown; after it, the
        start steps are not, and `Started`/`Running` start following that log."""
        if not self.begun or event.kind != CONTAINER or event.status not in START_STEPS:
            self.progress(event)
            return
        ref = self._by_name.get(event.instance or "")
        if ref is not None and event.status == "Starting":
            self._starting[ref] = time.time()
        elif ref is not None and event.status in ("Started", "Running"):
            since = self._starting.get(ref) or time.time()  # (Running: from now on)
            self.follow(ref, new_only=event.status == "Running", since=since)

    def follow(
        self,
        ref: InstanceRef,
        *,
        new_only: bool = False,
        since: float | None = None,
        timeless_skip: int = 0,
    ) -> None:
        """Print the instance's lines as they come (`new_only`: not what it said
        before; `since`: what it said from its start on, not what an earlier run of
        it said, or, where lines have no times, all but the first `timeless_skip`),
        on a thread of its own, once per instance."""
        with self._lock:
            if ref in self._followed:
                return
            self._followed.add(ref)

        def lines() -> Iterator[LogLine]:
            tail = 0 if new_only else None
            if since is not None:
                try:
                    yield from self.backend.logs(
                        self.spec, [ref], follow=True, tail=tail, since=since
                    )
                    return
                except ComposerError as exc:  # logs without times (the process runtime)
                    if exc.code != "process-log-times":
                        raise
                # counted as they are read, so that following it again after a
                # restart (refollow) starts after them
                skip = timeless_skip
                if tail == 0:  # from its end: after what is there now
                    skip = sum(1 for _ in self.backend.logs(self.spec, [ref]))
                self._read[ref] = skip
                found = self.backend.logs(self.spec, [ref], follow=True)
                for line in itertools.islice(found, skip, None):
                    self._read[ref] += 1
                    yield line
                return
            yield from self.backend.logs(self.spec, [ref], follow=True, tail=tail)

        def pump() -> None:
            with contextlib.suppress(Exception):  # the stream ends with the instance
                for line in lines():
                    self.logs.line(line)

        thread = threading.Thread(target=pump, name=f"composer-logs-{ref.name}", daemon=True)
        thread.start()
        self._threads[ref] = thread

    def refollow(self, ref: InstanceRef, since: float) -> None:
        """Follow the instance again, from `since` (`up --watch` restarted or
        recreated it then: the engine ended the stream of its earlier run)."""
        if ref not in self._by_name.values():
            return
        earlier = self._threads.get(ref)
        if earlier is not None:
            earlier.join(timeout=0.5)  # the engine ends a stream when its container stops
            if earlier.is_alive():
                return  # a log that outlives restarts (the process runtime's file)
        with self._lock:
            self._followed.discard(ref)
        # (where lines carry no time: after those the earlier follower had read)
        self.follow(ref, since=since, timeless_skip=self._read.get(ref, 0))

    def follow_all(self) -> None:
        """Every attached instance from its first line (when `up` ran elsewhere, in
        the process project's owner, and `begin` came after it)."""
        for ref in self.refs:
            self.follow(ref)

    def attached(self, name: str) -> bool:
        """Whether the instance (by container name) is one whose output is shown."""
        return name in self._by_name

    def drain(self, name: str, timeout: float = 2.0) -> None:
        """Wait (a little) for an exited instance's last lines, so that they come
        before its `exited with code` line, as in the reference."""
        ref = self._by_name.get(name)
        thread = self._threads.get(ref) if ref is not None else None
        if thread is not None:
            thread.join(timeout=timeout)

    def join(self, timeout: float) -> None:
        for thread in list(self._threads.values()):
            thread.join(timeout=timeout)
