"""The typed project: bound once from the canonical dict at the end of the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from composer.models.base import CanonicalModel, bind
from composer.models.resources import Config, Network, Secret, Volume
from composer.models.service import Service

if TYPE_CHECKING:
    from composer.loader.pipeline import LoadedProject


class Project(CanonicalModel):
    name: str = ""
    services: dict[str, Service] = Field(default_factory=dict)
    networks: dict[str, Network] = Field(default_factory=dict)
    volumes: dict[str, Volume] = Field(default_factory=dict)
    secrets: dict[str, Secret] = Field(default_factory=dict)
    configs: dict[str, Config] = Field(default_factory=dict)

    @field_validator("services", mode="before")
    @classmethod
    def _name_services(cls, value: Any) -> Any:
        # A service's name is its key; the canonical form does not repeat it.
        if not isinstance(value, Mapping):
            return value
        return {
            key: {**service, "name": key} if isinstance(service, Mapping) else service
            for key, service in value.items()
        }

    @field_validator("networks", "volumes", "secrets", "configs", mode="before")
    @classmethod
    def _empty_resources(cls, value: Any) -> Any:
        # `networks: {front: }` declares a resource with every default.
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return {key: {} if entry is None else entry for key, entry in value.items()}
        return value

    @classmethod
    def from_mapping(cls, project: Mapping[str, Any], name: str = "") -> Project:
        """Bind a canonical project dict; `name` when the dict has none.
        Raises BindError (a ComposerError) with the key path of a bad value."""
        data = project
        if name and not project.get("name"):
            data = {**project, "name": name}
        return bind(cls, data)

    @classmethod
    def from_loaded(cls, loaded: LoadedProject) -> Project:
        return cls.from_mapping(loaded.project, name=loaded.name)

    def service(self, name: str) -> Service:
        return self.services[name]
