"""Choosing the runtime: --runtime auto|process|docker, else $COMPOSER_RUNTIME, else auto.

`auto` means Docker when an engine answers (at $DOCKER_HOST, else
/var/run/docker.sock) and the Docker backend is installed, otherwise the built-in
process runtime. Asking for `docker` explicitly without a backend is an error that
says so, rather than a silent fallback.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from composer.errors import ComposerError, UsageError
from composer.runtimes.base import Backend

AUTO, PROCESS, DOCKER = "auto", "process", "docker"
RUNTIMES = (AUTO, PROCESS, DOCKER)
DEFAULT_SOCKET = "/var/run/docker.sock"
DOCKER_BACKEND_MODULE = "composer.runtimes.docker.backend"
PING = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"


def _ping(family: int, address: str | tuple[str, int], timeout: float) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(PING)
            return sock.recv(64).startswith(b"HTTP/1.")
    except OSError:
        return False


def docker_engine_answers(env: Mapping[str, str] | None = None, timeout: float = 0.5) -> bool:
    """True when a Docker engine answers /_ping at DOCKER_HOST or the default socket."""
    env = os.environ if env is None else env
    host = env.get("DOCKER_HOST") or f"unix://{DEFAULT_SOCKET}"
    url = urlparse(host)
    if url.scheme == "unix":
        path = url.path or DEFAULT_SOCKET
        return Path(path).exists() and _ping(socket.AF_UNIX, path, timeout)
    if url.scheme in ("tcp", "http", "https"):
        if not url.hostname:
            return False
        port = url.port or (2376 if env.get("DOCKER_TLS_VERIFY") else 2375)
        return _ping(socket.AF_INET, (url.hostname, port), timeout)
    return False  # ssh:// and others: not probed


def docker_backend_available() -> bool:
    try:
        return importlib.util.find_spec(DOCKER_BACKEND_MODULE) is not None
    except ModuleNotFoundError:
        return False


def requested_runtime(option: str | None, env: Mapping[str, str] | None = None) -> str:
    """The runtime asked for: the option, else $COMPOSER_RUNTIME, else auto (validated)."""
    env = os.environ if env is None else env
    value = (option or env.get("COMPOSER_RUNTIME") or AUTO).strip().lower()
    if value not in RUNTIMES:
        raise UsageError(
            f'unknown runtime "{value}"',
            code="runtime",
            hint="use --runtime auto, process or docker (or COMPOSER_RUNTIME)",
        )
    return value


def resolve_runtime(option: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`process` or `docker`: what `auto` (or the explicit choice) means here and now."""
    value = requested_runtime(option, env)
    if value == AUTO:
        if docker_backend_available() and docker_engine_answers(env):
            return DOCKER
        return PROCESS
    if value == DOCKER and not docker_backend_available():
        raise ComposerError(
            "the docker runtime is not available in this version of composer",
            code="runtime-unavailable",
            hint="use --runtime process (or COMPOSER_RUNTIME=process) to run services as host processes",
        )
    return value


def make_backend(runtime: str, env: Mapping[str, str] | None = None) -> Backend:
    """A backend object for a resolved runtime name."""
    if runtime == PROCESS:
        from composer.runtimes.process.backend import ProcessBackend

        return ProcessBackend(state_root_path(env))  # type: ignore[return-value]
    if runtime == DOCKER:
        module = importlib.import_module(DOCKER_BACKEND_MODULE)
        backend: Backend = module.DockerBackend()
        return backend
    raise UsageError(f'unknown runtime "{runtime}"', code="runtime")


def state_root_path(env: Mapping[str, str] | None = None) -> Path:
    from composer.runtimes.process.state import state_root

    return state_root(env).absolute()  # the supervisor runs from "/"
