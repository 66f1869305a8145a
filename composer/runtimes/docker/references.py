"""`service:x` references resolved to containers, as the reference resolves them.

Docker Compose replaces, before it hashes a service (its resolveServiceReferences),
`network_mode`/`ipc`/`pid: service:x` with `container:<id of x's first container>`
and each `volumes_from` entry with that id (`container:c` with `c`; a `:ro`/`:rw`
mode is dropped there). The config-hash label therefore names the containers a
service shares with: a container made by one tool is kept by the other only if
both hash the same form, and a service whose partner was recreated hashes anew.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

SHARED_MODES = ("network_mode", "ipc", "pid")
SERVICE_PREFIX = "service:"


def referenced_services(service: Mapping[str, Any]) -> list[str]:
    """The services whose containers `service` shares namespaces or volumes with."""
    names = set()
    for key in SHARED_MODES:
        value = service.get(key)
        if isinstance(value, str) and value.startswith(SERVICE_PREFIX):
            names.add(value[len(SERVICE_PREFIX) :])
    for entry in service.get("volumes_from") or []:
        text = str(entry)
        if not text.startswith("container:"):
            names.add(text.partition(":")[0])
    return sorted(names)


def resolve_references(service: Mapping[str, Any], first_ids: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `service` as the reference hashes it (module doc); a reference to a
    service without a container in `first_ids` is left as written."""
    resolved = dict(service)
    for key in SHARED_MODES:
        value = service.get(key)
        if isinstance(value, str) and value.startswith(SERVICE_PREFIX):
            ident = first_ids.get(value[len(SERVICE_PREFIX) :])
            if ident:
                resolved[key] = "container:" + ident
    if service.get("volumes_from"):
        entries = []
        for entry in service["volumes_from"]:
            parts = str(entry).split(":")
            if parts[0] == "container":
                entries.append(parts[1] if len(parts) > 1 else "")
            else:
                entries.append(first_ids.get(parts[0]) or str(entry))
        resolved["volumes_from"] = entries
    return resolved
