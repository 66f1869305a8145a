"""Restart policies and the capped exponential backoff between restarts.

`restart:` wins; without it `deploy.restart_policy` is used (condition none ->
"no", on-failure -> "on-failure", any -> "always"; `max_attempts` caps the
restarts, `delay` is the wait before each restart instead of the backoff).
`unless-stopped` behaves like `always` here (there is no daemon restart to tell
them apart); neither restarts an instance that was stopped explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from composer.errors import ComposerError
from composer.runtimes.process.durations import seconds

NO = "no"
ALWAYS = "always"
ON_FAILURE = "on-failure"
UNLESS_STOPPED = "unless-stopped"

_RESTART = re.compile(r"^(no|always|unless-stopped|on-failure)(?::(\d+))?$")
_CONDITIONS = {"none": NO, "on-failure": ON_FAILURE, "any": ALWAYS}


@dataclass(frozen=True)
class RestartPolicy:
    mode: str = NO
    max_restarts: int | None = None  # None: unlimited
    delay: float | None = None  # fixed wait (deploy.restart_policy.delay), else backoff

    def should_restart(self, exit_code: int | None, restart_count: int, stopped: bool) -> bool:
        """Whether an instance that just exited gets started again."""
        if stopped or self.mode == NO:
            return False
        if self.max_restarts is not None and restart_count >= self.max_restarts:
            return False
        if self.mode == ON_FAILURE:
            return exit_code != 0  # an unknown exit code (None) counts as a failure
        return True


def parse_restart(service_name: str, service: Mapping[str, Any]) -> RestartPolicy:
    """The policy of a service: `restart`, else `deploy.restart_policy`, else "no"."""
    restart = service.get("restart")
    if restart:
        match = _RESTART.match(str(restart))
        if match is None or (match.group(2) and match.group(1) != ON_FAILURE):
            raise ComposerError(
                f'service "{service_name}": invalid restart policy "{restart}"',
                code="process-restart-policy",
                path=("services", service_name, "restart"),
                hint='use "no", "always", "on-failure", "on-failure:N" or "unless-stopped"',
            )
        limit = int(match.group(2)) if match.group(2) else None
        return RestartPolicy(match.group(1), limit)
    policy = (service.get("deploy") or {}).get("restart_policy") or {}
    if not policy:
        return RestartPolicy()
    condition = str(policy.get("condition") or "any")
    mode = _CONDITIONS.get(condition)
    if mode is None:
        raise ComposerError(
            f'service "{service_name}": invalid restart condition "{condition}"',
            code="process-restart-policy",
            path=("services", service_name, "deploy", "restart_policy", "condition"),
            hint='use "none", "on-failure" or "any"',
        )
    attempts = policy.get("max_attempts")
    delay = policy.get("delay")
    return RestartPolicy(
        mode,
        int(attempts) if attempts else None,
        seconds(delay, 0.0) if delay is not None else None,
    )


class Backoff:
    """Waits that double from `base` up to `cap`; back to `base` after a long enough run."""

    def __init__(self, base: float = 0.1, cap: float = 10.0, reset_after: float = 10.0) -> None:
        self.base = base
        self.cap = cap
        self.reset_after = reset_after
        self.attempt = 0

    def next_delay(self, ran_for: float) -> float:
        """The wait before the next start, given how long the last run lasted."""
        if ran_for >= self.reset_after:
            self.attempt = 0
        delay = min(self.base * (2**self.attempt), self.cap)
        self.attempt += 1
        return delay
