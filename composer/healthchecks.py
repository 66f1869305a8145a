"""Whether a service has a healthcheck, read from its normalized mapping.

One rule for everyone who asks: `up --wait` and `depends_on: service_healthy`
(composer/orchestrator/conditions.py) decide with it before anything has bound a
typed model (importing pydantic costs ~0.1 s of CPU, taken from the engine while it
starts containers on a small machine), the typed model's `Healthcheck.enabled` and
the process runtime's prober use it too.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def is_enabled(check: Mapping[str, Any] | None) -> bool:
    """An enabled test: present, not `disable: true`, not empty, not `["NONE"]` (a
    string test is a shell command, as Docker reads it)."""
    if not check or check.get("disable"):
        return False
    test = check.get("test")
    if not test:
        return False
    return isinstance(test, str) or str(test[0]) != "NONE"


def service_has_healthcheck(service: Mapping[str, Any]) -> bool:
    return is_enabled(service.get("healthcheck"))
