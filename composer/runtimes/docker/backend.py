"""Where composer.runtimes.select looks for the Docker backend (DOCKER_BACKEND_MODULE)."""

from __future__ import annotations

from composer.runtimes.docker.connection import engine_available
from composer.runtimes.docker.engine import DockerBackend, service_hash

__all__ = ["DockerBackend", "engine_available", "service_hash"]
