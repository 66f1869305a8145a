"""The built-in process runtime: each service instance runs as a process on this host.

`ProcessBackend` is imported on first use: other runtimes import the light modules
of this package (state paths) and must not pay for the backend's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from composer.runtimes.process.backend import ProcessBackend

__all__ = ["ProcessBackend", "state_root"]


def __getattr__(name: str) -> Any:
    if name == "ProcessBackend":
        from composer.runtimes.process.backend import ProcessBackend

        return ProcessBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def state_root(env: Mapping[str, str] | None = None) -> Path:
    """$COMPOSER_STATE_DIR, else $XDG_RUNTIME_DIR/composer, else ~/.local/state/composer."""
    env = os.environ if env is None else env
    explicit = env.get("COMPOSER_STATE_DIR")
    if explicit:
        return Path(explicit)
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "composer"
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".local" / "state" / "composer"
