"""Finding and reaching the Docker engine: DOCKER_HOST, TLS variables, the context.

The address is what the Docker CLI would use: $DOCKER_HOST (with DOCKER_TLS_VERIFY
and DOCKER_CERT_PATH), else the endpoint of $DOCKER_CONTEXT or of the CLI's current
context, else the default socket. Every failure to connect is one ComposerError
naming the address that was tried. The `docker` SDK is imported only here, on use:
the usual calls go through the lean client of wire.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from composer.errors import ComposerError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

DEFAULT_HOST = "unix:///var/run/docker.sock"
DEFAULT_TIMEOUT = 60
POOL_SIZE = 64  # log streams each hold a connection


class EngineUnreachable(ComposerError):
    """No Docker engine answers at the configured address."""


def cli_config(env: Mapping[str, str]) -> dict[str, Any]:
    """The Docker CLI's config.json ($DOCKER_CONFIG, else ~/.docker); {} when there is
    none or it is no JSON object. Read with os.path: pathlib costs ~3 ms to import."""
    folder = env.get("DOCKER_CONFIG") or os.path.join(
        os.path.expanduser(env.get("HOME") or "~"), ".docker"
    )
    try:
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _context_host(env: Mapping[str, str]) -> tuple[str, Any] | None:
    """Host and TLS config of $DOCKER_CONTEXT or the CLI's current context (not default)."""
    name = env.get("DOCKER_CONTEXT") or cli_config(env).get("currentContext")
    if not name or name == "default":
        return None
    try:
        from docker.context import ContextAPI

        context = ContextAPI.get_context(name)
    except Exception:  # noqa: BLE001 - a broken context store falls back to the default
        return None
    if context is None or not context.Host:
        return None
    return str(context.Host), context.TLSConfig


def client_arguments(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`docker.APIClient` keyword arguments for this environment."""
    from docker.utils import kwargs_from_env

    env = os.environ if env is None else env
    kwargs: dict[str, Any] = kwargs_from_env(environment=dict(env))
    if not env.get("DOCKER_HOST"):
        found = _context_host(env)
        if found is not None:
            kwargs["base_url"], tls = found
            if tls:
                kwargs["tls"] = tls
    kwargs.setdefault("base_url", DEFAULT_HOST)
    return kwargs


def engine_address(env: Mapping[str, str] | None = None) -> str:
    """The address a client would dial, for messages (`unix:///var/run/docker.sock`)."""
    env = os.environ if env is None else env
    if env.get("DOCKER_HOST"):
        return env["DOCKER_HOST"]
    found = _context_host(env)
    return found[0] if found else DEFAULT_HOST


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Error while fetching server API version: ",):
        text = text.replace(marker, "")
    if "FileNotFoundError" in text or "No such file" in text:
        return "the socket does not exist"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused"
    if "Permission denied" in text or "PermissionError" in text:
        return "permission denied"
    return text


def unreachable(address: str, exc: BaseException) -> EngineUnreachable:
    return EngineUnreachable(
        f"cannot connect to the Docker engine at {address}: {_reason(exc)}",
        code="docker-unreachable",
        hint="start dockerd (scripts/docker-engine.sh), set DOCKER_HOST, "
        "or run the services as host processes with --runtime process",
    )


def connect(env: Mapping[str, str] | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A client with the SDK APIClient's methods: the lean WireClient (composer/
    runtimes/docker/wire.py, the SDK behind it for streams) where it can reach the
    engine, else the SDK's own client. Both ask the engine for its API version here
    (unless DOCKER_API_VERSION says it), so an unreachable engine is one error now."""
    from composer.runtimes.docker.wire import WireClient, lean_address

    env = os.environ if env is None else env
    address = lean_address(env, lambda: _context_host(env))
    if address is None:
        return connect_sdk(env, timeout=timeout)
    client = WireClient(
        address,
        version=env.get("DOCKER_API_VERSION"),
        timeout=timeout,
        make_sdk=lambda: connect_sdk(env, timeout=timeout),
    )
    try:
        client.api_version  # noqa: B018 - negotiated now, as the SDK does: one clear error
    except ConnectionError as exc:
        raise unreachable(engine_address(env), exc) from None
    return client


def connect_sdk(env: Mapping[str, str] | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A connected `docker.APIClient` (API version negotiated); EngineUnreachable if not."""
    import docker
    import docker.errors
    import requests

    env = os.environ if env is None else env
    address = engine_address(env)
    try:
        kwargs = client_arguments(env)
        version = env.get("DOCKER_API_VERSION") or "auto"
        return docker.APIClient(version=version, timeout=timeout, max_pool_size=POOL_SIZE, **kwargs)
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise unreachable(address, exc) from None


def engine_available(timeout: float = 1.0, env: Mapping[str, str] | None = None) -> bool:
    """True when an engine answers /_ping at the configured address within `timeout`."""
    try:
        client = connect(env, timeout=timeout)
    except ComposerError:
        return False
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False
    finally:
        client.close()
