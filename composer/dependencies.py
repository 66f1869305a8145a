"""Which services a service needs first: the edges every ordering is built from.

Kept free of the graph so `config --services` stays fast; composer.graph builds
its ServiceGraph from the same edges.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def dependency_edges(service: dict[str, Any]) -> list[str]:
    """Services this one needs started first (depends_on, links, shared namespaces, volumes_from)."""
    edges = list((service.get("depends_on") or {}).keys())
    for attr in ("network_mode", "ipc", "pid"):
        value = service.get(attr) or ""
        if isinstance(value, str) and value.startswith("service:"):
            edges.append(value[len("service:") :])
    for link in service.get("links") or []:
        edges.append(str(link).split(":", 1)[0])
    for entry in service.get("volumes_from") or []:
        if isinstance(entry, str) and not entry.startswith("container:"):
            edges.append(entry.split(":", 1)[0])
    return edges


def dependency_order(services: dict[str, Any]) -> list[str]:
    """Service names with every dependency before its dependents; ties alphabetical."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str, stack: set[str]) -> None:
        if name in seen or name in stack or name not in services:
            return
        stack.add(name)
        service = services[name]
        for dep in sorted(dependency_edges(service) if isinstance(service, dict) else []):
            visit(dep, stack)
        stack.discard(name)
        seen.add(name)
        order.append(name)

    for name in sorted(services):
        visit(name, set())
    return order
