"""Profiles: services that name profiles run only when one of them is active."""

from __future__ import annotations

from typing import Any


def is_enabled(service: Any, active: list[str]) -> bool:
    """No profiles means always on; `*` activates every profile."""
    names = service.get("profiles") if isinstance(service, dict) else None
    if not names:
        return True
    return "*" in active or any(p in active for p in names)


def apply_profiles(
    project: dict[str, Any], active: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split services into (project with enabled services, disabled services)."""
    services = project.get("services")
    if not isinstance(services, dict):
        return project, {}
    enabled = type(services)()
    for attr in ("loc", "locs", "key_locs"):
        if hasattr(services, attr):
            setattr(enabled, attr, getattr(services, attr))
    disabled: dict[str, Any] = {}
    for name, service in services.items():
        (enabled if is_enabled(service, active) else disabled)[name] = service
    project["services"] = enabled
    return project, disabled


def all_profiles(project: dict[str, Any], disabled: dict[str, Any]) -> list[str]:
    """Every profile named by any service, sorted (for `config --profiles`)."""
    names: set[str] = set()
    for services in (project.get("services") or {}, disabled):
        for service in services.values():
            if isinstance(service, dict):
                names.update(service.get("profiles") or [])
    return sorted(names)
