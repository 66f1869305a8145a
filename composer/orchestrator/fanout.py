"""Run one piece of work per item on a few threads and collect what each raised.

Why not `concurrent.futures`: every orchestrated command fans out (stop a level,
start a level), and importing concurrent.futures (with logging and queue) cost each
of them ~3 ms before its first engine call; this needs only `threading`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import TypeVar

    Item = TypeVar("Item")
    Failures = list[tuple[Item, BaseException]]


def fan_out(
    items: Sequence[Item],
    work: Callable[[Item], None],
    max_workers: int,
    cancel: threading.Event | None = None,
) -> Failures[Item]:
    """`work(item)` for every item, at most `max_workers` at a time; (item, what it
    raised) for each failed item, in the order of `items` (items need not be hashable).

    When the waiting thread is interrupted (Ctrl-C), no further item starts,
    `cancel` is set so running work can give up early, and the interruption is
    raised at once; work already running finishes in the background (its threads
    are not daemons, so the process waits for them before it exits)."""
    if len(items) == 1:
        try:
            work(items[0])
        except Exception as exc:  # noqa: BLE001 - collected for the caller
            return [(items[0], exc)]
        return []
    failures: dict[int, BaseException] = {}
    queue = iter(enumerate(items))
    lock = threading.Lock()
    stopped = threading.Event()

    def worker() -> None:
        while not stopped.is_set():
            with lock:
                taken = next(queue, None)
            if taken is None:
                return
            position, item = taken
            try:
                work(item)
            except BaseException as exc:  # noqa: BLE001 - collected for the caller
                with lock:
                    failures[position] = exc

    threads = [threading.Thread(target=worker) for _ in range(min(max_workers, len(items)))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException:
        stopped.set()
        if cancel is not None:
            cancel.set()
        raise
    return [(items[position], failures[position]) for position in sorted(failures)]


class Background:
    """One piece of work on its own thread, started at most once, from any thread
    (`down` removes the networks as soon as the last container has stopped, while
    the containers are still being removed); `join` re-raises what it raised."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # noqa: BLE001 - re-raised by join
            self._failure = exc

    def join(self) -> None:
        """Wait for the work (run it here if it was never started); raise its failure."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._failure is not None:
            raise self._failure


class Pacer:
    """Hands out turns at least `spacing` seconds apart, in the order they are asked
    for, to threads that would otherwise all go at once (the stops of one level on a
    backend whose capabilities ask for `stop_spacing`); a spacing of 0 gives every
    turn at once."""

    def __init__(self, spacing: float) -> None:
        self.spacing = spacing
        self._lock = threading.Lock()
        self._next = 0.0

    @classmethod
    def within(cls, spacing: float, turns: int, spread: float) -> Pacer:
        """A pacer for `turns` turns: `spacing` apart, closer where needed so that
        the last comes at most `spread` seconds after the first."""
        if turns > 1:
            spacing = min(spacing, spread / (turns - 1))
        return cls(spacing)

    def wait_turn(self) -> None:
        if self.spacing <= 0:
            return
        with self._lock:
            now = time.monotonic()
            turn = max(now, self._next)
            self._next = turn + self.spacing
        if turn > now:
            time.sleep(turn - now)
