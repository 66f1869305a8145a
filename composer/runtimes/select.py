"""Choosing the runtime: --runtime auto|process|docker, else $COMPOSER_RUNTIME, else auto.

`auto` means Docker when an engine answers where the Docker CLI would look
($DOCKER_HOST with the TLS variables, else $DOCKER_CONTEXT or the CLI's current
context, else /var/run/docker.sock) and the Docker backend is installed, otherwise
the built-in process runtime. Asking for `docker` explicitly without a backend is an
error that says so, rather than a silent fallback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from composer.errors import ComposerError, UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from pathlib import Path

    from composer.runtimes.protocol import Backend

AUTO, PROCESS, DOCKER = "auto", "process", "docker"
RUNTIMES = (AUTO, PROCESS, DOCKER)
DOCKER_BACKEND_MODULE = "composer.runtimes.docker.backend"
PROBE_TIMEOUT = 1.0


def docker_engine_answers(
    env: Mapping[str, str] | None = None, timeout: float = PROBE_TIMEOUT
) -> bool:
    """True when a Docker engine answers /_ping at the address the Docker CLI would
    use (connection.engine_available). A unix socket that does not exist is answered
    at once, without loading the SDK, so `auto` stays cheap where there is no engine."""
    from composer.runtimes.docker.connection import engine_address, engine_available

    env = os.environ if env is None else env
    address = engine_address(env)
    if address.startswith("unix://") and not os.path.exists(address[len("unix://") :]):
        return False
    try:
        return engine_available(timeout, env)
    except ImportError:  # the `docker` SDK is not installed
        return False


def docker_backend_available() -> bool:
    """Whether this installation has the Docker backend (it is imported here, as
    `make_backend` needs it next)."""
    try:
        __import__(DOCKER_BACKEND_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name is not None and DOCKER_BACKEND_MODULE.startswith(missing.name):
            return False
        raise
    return True


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
        if docker_engine_answers(env) and docker_backend_available():
            return DOCKER
        return PROCESS
    if value == DOCKER and not docker_backend_available():
        raise ComposerError(
            "the docker runtime is not available in this version of composer",
            code="runtime-unavailable",
            hint="use --runtime process (or COMPOSER_RUNTIME=process) to run services as host processes",
        )
    return value


def make_backend(
    runtime: str,
    env: Mapping[str, str] | None = None,
    *,
    build: bool | None = None,
    pull: str | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> Backend:
    """A backend object for a resolved runtime name. `build` (--build True, --no-build
    False) and `pull` (--pull POLICY) concern images; runtimes without images ignore
    them (the CLI says so). `confirm(question)` answers what a backend must ask before
    it destroys data (None: no, with a warning)."""
    if runtime == PROCESS:
        from composer.runtimes.process.backend import ProcessBackend

        return ProcessBackend(state_root_path(env))  # type: ignore[return-value]
    if runtime == DOCKER:
        __import__(DOCKER_BACKEND_MODULE)
        module = sys.modules[DOCKER_BACKEND_MODULE]
        images = None
        if build is not None or pull is not None:
            from composer.runtimes.docker.images import ImageRequest

            images = ImageRequest(build=build, pull=pull)
        backend: Backend = module.DockerBackend(env=env, images=images, confirm=confirm)
        return backend
    raise UsageError(f'unknown runtime "{runtime}"', code="runtime")


def state_root_path(env: Mapping[str, str] | None = None) -> Path:
    from composer.runtimes.process import state_root

    return state_root(env).absolute()  # the supervisor runs from "/"
