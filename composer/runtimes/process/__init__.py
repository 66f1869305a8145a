"""The built-in process runtime: each service instance runs as a process on this host."""

from __future__ import annotations

from composer.runtimes.process.backend import ProcessBackend

__all__ = ["ProcessBackend"]
