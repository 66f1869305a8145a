"""Layered layout for the SVG view: rows by start level, few crossings, no edge
running through a box.

The classic recipe (Sugiyama) cut down to what service graphs need: an edge that
skips levels gets a thin invisible waypoint in every row it crosses, so it passes
between boxes; a few barycentre sweeps order each row after its neighbours; rows
are centred. Sizes only, no drawing: svg.py turns the result into elements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from composer.graph_render import EdgeView, GraphView

GAP_X = 36.0  # between two boxes in a row
GAP_WAYPOINT = 14.0  # next to a waypoint
WAYPOINT_WIDTH = 8.0
GAP_Y = 96.0  # between rows: room for curves and staggered labels
SWEEPS = 4


@dataclass
class Node:
    """A service box, or a waypoint (`service` None) of an edge crossing a row."""

    key: str
    level: int
    width: float
    height: float
    service: str | None
    x: float = 0.0  # left
    y: float = 0.0  # top

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class Row:
    level: int
    top: float
    height: float
    keys: list[str] = field(default_factory=list)


@dataclass
class Route:
    """One dependency: the node keys from the dependent down to its dependency, and
    the x where it leaves / enters each of them."""

    edge: EdgeView
    keys: list[str]
    xs: list[float] = field(default_factory=list)


@dataclass
class Layout:
    nodes: dict[str, Node]
    rows: list[Row]  # top to bottom (highest level first)
    routes: list[Route]
    width: float  # of the widest row
    height: float


def _waypoint_key(index: int, level: int) -> str:
    return f"\0{index}:{level}"  # NUL cannot occur in a service name


def _order_rows(
    order: dict[int, list[str]],
    above: dict[str, list[str]],
    below: dict[str, list[str]],
    top_level: int,
) -> None:
    """Barycentre sweeps: sort each row by the mean position of its neighbours in the
    row just swept (ties keep the current order, so the result is deterministic)."""

    def barycentre(
        key: str, linked_to: list[str], reference: dict[str, int], current: int
    ) -> tuple[float, int]:
        linked = [reference[n] for n in linked_to if n in reference]
        return (sum(linked) / len(linked) if linked else float(current)), current

    def sweep(levels: range, neighbours: dict[str, list[str]], step: int) -> None:
        for level in levels:
            reference = {key: i for i, key in enumerate(order.get(level + step, []))}
            row = order.get(level, [])
            keyed = [
                (barycentre(key, neighbours.get(key, []), reference, i), key)
                for i, key in enumerate(row)
            ]
            keyed.sort()
            row[:] = [key for _, key in keyed]

    for iteration in range(SWEEPS):
        if iteration % 2 == 0:  # downwards: order by the row above
            sweep(range(top_level - 1, -1, -1), above, 1)
        else:  # upwards: order by the row below
            sweep(range(1, top_level + 1), below, -1)


def _spread(
    node: Node, ends: list[tuple[int, int]], far_x: Callable[[tuple[int, int]], float]
) -> dict[tuple[int, int], float]:
    """x positions along one side of a box for several edge ends, ordered by where the
    other end lies so neighbouring edges do not cross at the box."""
    if node.service is None:
        return {end: node.centre for end in ends}
    ordered = sorted(ends, key=lambda end: (far_x(end), end))
    count = len(ordered)
    return {end: node.x + node.width * (i + 1) / (count + 1) for i, end in enumerate(ordered)}


def layout(
    view: GraphView, box_size: Callable[[str], tuple[float, float]], margin_left: float = 0.0
) -> Layout:
    """Place every service of `view`; `box_size(name)` gives a box's (width, height)."""
    nodes: dict[str, Node] = {}
    order: dict[int, list[str]] = {}
    for level, names in enumerate(view.levels):
        for name in names:  # already sorted: the initial order
            width, height = box_size(name)
            nodes[name] = Node(name, level, width, height, name)
            order.setdefault(level, []).append(name)
    top_level = len(view.levels) - 1

    routes: list[Route] = []
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for index, edge in enumerate(view.edges):
        source, target = nodes[edge.source], nodes[edge.target]
        keys = [edge.source]
        for level in range(source.level - 1, target.level, -1):
            key = _waypoint_key(index, level)
            nodes[key] = Node(key, level, WAYPOINT_WIDTH, 0.0, None)
            order.setdefault(level, []).append(key)
            keys.append(key)
        keys.append(edge.target)
        for upper, lower in zip(keys, keys[1:], strict=False):
            below.setdefault(upper, []).append(lower)
            above.setdefault(lower, []).append(upper)
        routes.append(Route(edge, keys))

    _order_rows(order, above, below, top_level)

    # Rows top to bottom; widths with the smaller gaps next to waypoints; centred.
    rows: list[Row] = []
    widths: list[float] = []
    top = 0.0
    for level in range(top_level, -1, -1):
        keys = order.get(level, [])
        height = max((nodes[k].height for k in keys if nodes[k].service is not None), default=0)
        width = 0.0
        for i, key in enumerate(keys):
            if i:
                waypoint = nodes[key].service is None or nodes[keys[i - 1]].service is None
                width += GAP_WAYPOINT if waypoint else GAP_X
            width += nodes[key].width
        rows.append(Row(level, top, height, keys))
        widths.append(width)
        top += height + GAP_Y
    content = max(widths, default=0.0)
    for row, width in zip(rows, widths, strict=True):
        x = margin_left + (content - width) / 2
        for i, key in enumerate(row.keys):
            node = nodes[key]
            if i:
                waypoint = node.service is None or nodes[row.keys[i - 1]].service is None
                x += GAP_WAYPOINT if waypoint else GAP_X
            node.x = x
            node.y = row.top + (row.height - node.height) / 2 if node.service else row.top
            if node.service is None:
                node.height = row.height
            x += node.width

    _anchor(routes, nodes)
    height = rows[-1].top + rows[-1].height if rows else 0.0
    return Layout(nodes, rows, routes, content, height)


def _anchor(routes: list[Route], nodes: dict[str, Node]) -> None:
    """Where each route leaves its dependent's bottom and enters each next node's top."""
    leaving: dict[str, list[tuple[int, int]]] = {}
    entering: dict[str, list[tuple[int, int]]] = {}
    for r, route in enumerate(routes):
        for step in range(len(route.keys) - 1):
            leaving.setdefault(route.keys[step], []).append((r, step))
            entering.setdefault(route.keys[step + 1], []).append((r, step))

    def lower_x(end: tuple[int, int]) -> float:
        return nodes[routes[end[0]].keys[end[1] + 1]].centre

    def upper_x(end: tuple[int, int]) -> float:
        return nodes[routes[end[0]].keys[end[1]]].centre

    start: dict[tuple[int, int], float] = {}
    finish: dict[tuple[int, int], float] = {}
    for key, ends in leaving.items():
        start.update(_spread(nodes[key], ends, lower_x))
    for key, ends in entering.items():
        finish.update(_spread(nodes[key], ends, upper_x))
    for r, route in enumerate(routes):
        # xs holds pairs per step: (leaving x at the upper node, entering x at the lower one)
        route.xs = [
            x for step in range(len(route.keys) - 1) for x in (start[(r, step)], finish[(r, step)])
        ]
