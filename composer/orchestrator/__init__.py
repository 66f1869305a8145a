"""The one orchestrator: dependency order, conditions, parallelism and `--wait`.

Backends (composer/runtimes/) only create, start, stop and inspect single instances;
this package decides which instances to touch and in what order, for every runtime.
`Orchestrator` is imported on first use (it brings the models and threads along).
"""

from __future__ import annotations

from composer.orchestrator.events import Event, UpOptions, UpResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Event", "Orchestrator", "UpOptions", "UpResult"]


def __getattr__(name: str) -> Any:
    if name == "Orchestrator":
        from composer.orchestrator.engine import Orchestrator

        return Orchestrator
    raise AttributeError(name)
