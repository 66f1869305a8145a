"""Healthchecks run on the host, with Docker's status rules.

`["CMD", args...]` is executed directly, `["CMD-SHELL", cmd]` through `/bin/sh -c`,
`["NONE"]` or `disable: true` means no health. The status starts as `starting`; a
passing probe makes it `healthy`; `retries` consecutive failures make it
`unhealthy`, except that failures while the status is still `starting` and the
instance is inside its `start_period` do not count. During the start period probes
run every `start_interval`, afterwards every `interval`; a probe that outlives
`timeout` fails and its process group is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from composer.errors import ComposerError
from composer.healthchecks import is_enabled
from composer.runtimes.base import HEALTHY, STARTING, UNHEALTHY
from composer.runtimes.process.durations import seconds

# Docker's defaults (a zero value means "use the default" there too).
DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_START_INTERVAL = 5.0
OUTPUT_LIMIT = 4096


@dataclass(frozen=True)
class HealthSpec:
    """A healthcheck reduced to what the prober needs."""

    argv: tuple[str, ...]
    interval: float = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    start_period: float = 0.0
    start_interval: float = DEFAULT_START_INTERVAL


def parse_healthcheck(service_name: str, check: Mapping[str, Any] | None) -> HealthSpec | None:
    """The service's healthcheck, or None when it has none (absent, NONE, disabled)."""
    if check is None or not is_enabled(check):
        return None  # no test inherits the image's healthcheck in Docker; no image here
    test = check["test"]
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    kind, args = str(test[0]), [str(arg) for arg in test[1:]]
    if kind == "CMD-SHELL":
        argv: tuple[str, ...] = ("/bin/sh", "-c", " ".join(args))
    elif kind == "CMD":
        argv = tuple(args)
    else:
        argv = ()
    if not argv:
        raise ComposerError(
            f'service "{service_name}": healthcheck test {list(test)!r} has nothing to run',
            code="process-healthcheck",
            path=("services", service_name, "healthcheck", "test"),
            hint='use ["CMD", "program", "arg", ...] or ["CMD-SHELL", "shell command"]',
        )

    def positive(key: str, default: float) -> float:
        value = seconds(check.get(key), default)
        return value if value > 0 else default

    retries = check.get("retries")
    return HealthSpec(
        argv=argv,
        interval=positive("interval", DEFAULT_INTERVAL),
        timeout=positive("timeout", DEFAULT_TIMEOUT),
        retries=int(retries) if retries else DEFAULT_RETRIES,
        start_period=max(seconds(check.get("start_period"), 0.0), 0.0),
        start_interval=positive("start_interval", DEFAULT_START_INTERVAL),
    )


def next_status(
    status: str, streak: int, passed: bool, in_start_period: bool, retries: int
) -> tuple[str, int]:
    """Docker's transition for one probe result: (new status, new failing streak)."""
    if passed:
        return HEALTHY, 0
    if status == STARTING and in_start_period:
        return status, streak
    streak += 1
    return (UNHEALTHY if streak >= retries else status), streak


class HealthProber:
    """Probes one running process from a daemon thread until stopped."""

    def __init__(
        self,
        spec: HealthSpec,
        *,
        env: Mapping[str, str],
        cwd: str,
        on_change: Callable[[str], None],
    ) -> None:
        self.spec = spec
        self.env = dict(env)
        self.cwd = cwd
        self.on_change = on_change
        self.status = STARTING
        self.streak = 0
        self.last_output = ""
        self.last_exit: int | None = None
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._held = threading.Event()  # paused instance: no probes (its status is kept)
        self._thread = threading.Thread(target=self._run, name="composer-health", daemon=True)

    def start(self) -> HealthProber:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)

    def hold(self, held: bool) -> None:
        """Probe or not: a paused instance answers no probe, and is not unhealthy for
        it (the engine marks it unhealthy, moby/moby#46203; Podman holds its timer)."""
        if held:
            self._held.set()
        else:
            self._held.clear()

    def in_start_period(self) -> bool:
        return time.monotonic() - self.started < self.spec.start_period

    def _delay(self) -> float:
        if self.status == STARTING and self.in_start_period():
            return self.spec.start_interval
        return self.spec.interval

    def _run(self) -> None:
        while not self._stop.wait(self._delay()):
            if self._held.is_set():
                continue
            passed = self.probe()
            if self._stop.is_set():
                return
            status, self.streak = next_status(
                self.status, self.streak, passed, self.in_start_period(), self.spec.retries
            )
            if status != self.status:
                self.status = status
                with contextlib.suppress(Exception):  # a failing callback must not stop probing
                    self.on_change(status)

    def probe(self) -> bool:
        """Run the test once; True when it exits 0 within the timeout."""
        try:
            proc = subprocess.Popen(
                list(self.spec.argv),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            self.last_exit, self.last_output = -1, str(exc)
            return False
        deadline = time.monotonic() + self.spec.timeout
        try:
            while True:
                try:
                    out, _ = proc.communicate(
                        timeout=min(0.05, max(deadline - time.monotonic(), 0))
                    )
                    break
                except subprocess.TimeoutExpired:
                    if self._stop.is_set() or time.monotonic() >= deadline:
                        with contextlib.suppress(ProcessLookupError, PermissionError):
                            os.killpg(proc.pid, signal.SIGKILL)
                        proc.communicate()
                        self.last_exit = -1
                        self.last_output = f"health check exceeded timeout ({self.spec.timeout:g}s)"
                        return False
        finally:
            if proc.poll() is None:  # pragma: no cover - only on unexpected exceptions
                proc.kill()
                proc.wait()
        self.last_exit = proc.returncode
        self.last_output = out.decode("utf-8", "replace")[-OUTPUT_LIMIT:]
        return proc.returncode == 0
