"""The Docker runtime: service instances as containers, interoperable with `docker compose`.

Modules: labels (Docker Compose v2's names, labels and hashes), translate (a service
as engine create arguments, pure), images (pull/build decisions and calls),
connection (reaching the engine), states (inspect -> InstanceState), changes (which
fields changed), engine (DockerBackend). The `docker` SDK is imported on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DockerBackend", "engine_available"]


def __getattr__(name: str) -> Any:
    if name == "DockerBackend":
        from composer.runtimes.docker.engine import DockerBackend

        return DockerBackend
    if name == "engine_available":
        from composer.runtimes.docker.connection import engine_available

        return engine_available
    raise AttributeError(name)
