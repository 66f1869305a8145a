"""Typed view of one canonical service: the fields the orchestrator and runtimes read.

Every other field of the canonical form stays available in `model_extra`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, StrictInt

from composer.healthchecks import is_enabled
from composer.loader.units import parse_duration
from composer.models.base import CanonicalModel, bind

SERVICE_STARTED = "service_started"


class Port(CanonicalModel):
    """One entry of `ports` in long syntax (`published` may be a range, "8000-8002")."""

    target: int
    published: str | None = None
    host_ip: str | None = None
    protocol: str | None = None
    mode: str | None = None


class Dependency(CanonicalModel):
    """One `depends_on` entry; the defaults are what the short syntax means."""

    condition: str = SERVICE_STARTED
    required: bool = True
    restart: bool = False


class Healthcheck(CanonicalModel):
    """Durations stay Go duration strings as printed; `seconds` converts one."""

    test: list[str] | None = None
    interval: str | None = None
    timeout: str | None = None
    start_period: str | None = None
    start_interval: str | None = None
    retries: int | None = None
    disable: bool = False

    @property
    def enabled(self) -> bool:
        """An enabled test: not disabled, not `["NONE"]`, not empty (healthchecks.is_enabled)."""
        return is_enabled({"test": self.test, "disable": self.disable})

    def seconds(self, field: str, default: float) -> float:
        """Duration `field` (interval, timeout, start_period, start_interval) in
        seconds; `default` when unset."""
        return duration_seconds(getattr(self, field), default)


class Deploy(CanonicalModel):
    replicas: StrictInt | None = None


class Mount(CanonicalModel):
    """One entry of `volumes` in long syntax."""

    type: str | None = None
    source: str | None = None
    target: str | None = None
    read_only: bool = False


class Build(CanonicalModel):
    context: str | None = None
    dockerfile: str | None = None


class ServiceNetwork(CanonicalModel):
    aliases: list[str] | None = None


class Service(CanonicalModel):
    """A service of the canonical project; `name` is its key in `services`."""

    name: str = ""
    image: str | None = None
    build: Build | None = None
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    environment: dict[str, str | None] = Field(default_factory=dict)
    working_dir: str | None = None
    user: str | None = None
    ports: list[Port] = Field(default_factory=list)
    depends_on: dict[str, Dependency] = Field(default_factory=dict)
    healthcheck: Healthcheck | None = None
    restart: str | None = None
    deploy: Deploy | None = None
    scale: StrictInt | None = None
    stop_signal: str | None = None
    stop_grace_period: str | None = None
    profiles: list[str] = Field(default_factory=list)
    volumes: list[Mount] = Field(default_factory=list)
    networks: dict[str, ServiceNetwork | None] = Field(default_factory=dict)

    @classmethod
    def bind(cls, data: Mapping[str, Any], name: str = "") -> Service:
        """One service mapping bound on its own (errors name `services.<name>`)."""
        values = dict(data)
        values.setdefault("name", name)
        return bind(cls, values, prefix=("services", name) if name else ())

    @property
    def replicas(self) -> int:
        """How many instances run without --scale: deploy.replicas, then scale, else 1."""
        for value in (self.deploy.replicas if self.deploy else None, self.scale):
            if value is not None:
                return max(0, value)
        return 1

    @property
    def has_build(self) -> bool:
        return self.build is not None

    @property
    def has_healthcheck(self) -> bool:
        return self.healthcheck is not None and self.healthcheck.enabled

    def stop_grace_seconds(self, default: float = 10.0) -> float:
        return duration_seconds(self.stop_grace_period, default)


def as_service(service: Service | Mapping[str, Any], name: str = "") -> Service:
    """`service` itself when already typed, else bound."""
    return service if isinstance(service, Service) else Service.bind(service, name)


def duration_seconds(value: str | None, default: float) -> float:
    """A Go duration string in seconds; `default` when unset."""
    if value is None or value == "":
        return default
    return parse_duration(value) / 1e9
