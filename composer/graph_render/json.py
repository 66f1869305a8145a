"""JSON for tools: services with their level, edges with every attribute, the levels."""

from __future__ import annotations

import json
from typing import Any

from composer.graph_render import GraphView


def render(view: GraphView) -> str:
    data: dict[str, Any] = {
        "project": view.name,
        "services": [
            {
                "name": service.name,
                "level": service.level,
                "profiles": service.profiles,
                "replicas": service.replicas,
                "image": service.image,
            }
            for service in view.services
        ],
        "edges": [edge.as_dict() for edge in view.edges],
        "levels": view.levels,
        "missing": [edge.as_dict() for edge in view.missing],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
