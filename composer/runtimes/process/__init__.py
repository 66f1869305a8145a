"""The built-in process runtime: each service instance runs as a process on this host.

`ProcessBackend` is imported on first use: other runtimes import the light modules
of this package (state paths) and must not pay for the backend's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from composer.runtimes.process.backend import ProcessBackend

__all__ = ["ProcessBackend"]


def __getattr__(name: str) -> Any:
    if name == "ProcessBackend":
        from composer.runtimes.process.backend import ProcessBackend

        return ProcessBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
