"""Typed pydantic models of the canonical project, for the orchestrator and runtimes.

Bound from the loader's canonical dict at the end of the pipeline (`Project.from_loaded`);
the loader and `composer config` never import this package, so pydantic stays off
their path.
"""

from __future__ import annotations

from composer.models.base import BindError
from composer.models.project import Project
from composer.models.resources import Config, Network, Secret, Volume
from composer.models.service import (
    Build,
    Dependency,
    Deploy,
    Healthcheck,
    Mount,
    Port,
    Service,
    ServiceNetwork,
    as_service,
)

__all__ = [
    "BindError",
    "Build",
    "Config",
    "Dependency",
    "Deploy",
    "Healthcheck",
    "Mount",
    "Network",
    "Port",
    "Project",
    "Secret",
    "Service",
    "ServiceNetwork",
    "Volume",
    "as_service",
]
