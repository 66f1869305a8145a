"""Typed views of the project's top-level resources: networks, volumes, secrets, configs.

`name` is the resolved engine name the canonical form carries (`proj_default`).
"""

from __future__ import annotations

from pydantic import Field

from composer.models.base import CanonicalModel


class Network(CanonicalModel):
    name: str | None = None
    driver: str | None = None
    external: bool = False
    internal: bool = False
    labels: dict[str, str] = Field(default_factory=dict)
    driver_opts: dict[str, str] = Field(default_factory=dict)


class Volume(CanonicalModel):
    name: str | None = None
    driver: str | None = None
    external: bool = False
    labels: dict[str, str] = Field(default_factory=dict)
    driver_opts: dict[str, str] = Field(default_factory=dict)


class Secret(CanonicalModel):
    """A secret from a file, an environment variable, or external to the project."""

    name: str | None = None
    file: str | None = None
    environment: str | None = None
    external: bool = False
    labels: dict[str, str] = Field(default_factory=dict)


class Config(Secret):
    """Like a secret, plus inline `content`."""

    content: str | None = None
