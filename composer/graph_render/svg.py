"""A standalone SVG 1.1 drawing made by Composer itself (no Graphviz).

Layout: one row per start level, dependents on top so every arrow points down to
what it needs (as in the DOT and Mermaid views); boxes left to right by name in a
row, rows centred. Edges are curves from the bottom of a box to the top of its
dependency, coloured and labelled by condition, dashed when optional. Text widths
are estimated for a monospace font, so no font metrics are needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from composer.graph_render import EdgeView, GraphView, ServiceView
from composer.graph_render.layout import Layout, Node, layout

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
FONT_SIZE = 12
CHAR_WIDTH = 7.3  # about 0.6em for common monospace fonts
LINE_HEIGHT = 16
PAD_X, PAD_Y = 12, 9
MIN_BOX_WIDTH = 110
MARGIN = 20
GUTTER = 76  # left column holding the "level n" captions
LABEL_SIZE = 10
LABEL_CHAR_WIDTH = 6.1
LABEL_SLOTS = (0.0, -15.0, 15.0, -30.0, 30.0)  # label offsets tried within a row gap

# condition -> (stroke colour, marker id)
CONDITION_STYLES = {
    "service_started": ("#555555", "arrow-started"),
    "service_healthy": ("#2e7d32", "arrow-healthy"),
    "service_completed_successfully": ("#1565c0", "arrow-completed"),
}
OTHER_STYLE = ("#8e24aa", "arrow-other")


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _box_size(service: ServiceView) -> tuple[float, float]:
    lines = [service.name, *service.details()]
    width = max(MIN_BOX_WIDTH, max(len(line) for line in lines) * CHAR_WIDTH + 2 * PAD_X)
    height = len(lines) * LINE_HEIGHT + 2 * PAD_Y - 4
    return width, height


Point = tuple[float, float]


def _bezier(p: Point, q: Point, t: float) -> Point:
    """The point at t of the vertical S-curve from p down to q (control points half
    the height below p and above q)."""
    bend = (q[1] - p[1]) / 2
    u = 1 - t
    c1, c2 = (p[0], p[1] + bend), (q[0], q[1] - bend)
    x = u**3 * p[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * q[0]
    y = u**3 * p[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * q[1]
    return x, y


def _x_at(p: Point, q: Point, y: float) -> float:
    """The curve's x where it crosses height y (y grows monotonically along it)."""
    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        if _bezier(p, q, middle)[1] < y:
            low = middle
        else:
            high = middle
    return _bezier(p, q, (low + high) / 2)[0]


@dataclass
class _Drawn:
    """One route as points: pairs of (leaving, entering) per row gap it crosses."""

    edge: EdgeView
    steps: list[tuple[Point, Point]]
    label_at: Point = (0.0, 0.0)


def _routes(plan: Layout) -> list[_Drawn]:
    drawn = []
    for route in plan.routes:
        steps = []
        for step in range(len(route.keys) - 1):
            upper, lower = plan.nodes[route.keys[step]], plan.nodes[route.keys[step + 1]]
            steps.append(
                (
                    (route.xs[2 * step], upper.y + upper.height),
                    (route.xs[2 * step + 1], lower.y),
                )
            )
        drawn.append(_Drawn(route.edge, steps))
    return drawn


def _place_labels(drawn: list[_Drawn]) -> None:
    """Each label sits on the curve where it enters the dependency; labels that would
    overlap in the same gap move up or down along their own curve."""
    by_gap: dict[float, list[_Drawn]] = {}
    for item in drawn:
        by_gap.setdefault(item.steps[-1][1][1], []).append(item)
    for items in by_gap.values():
        taken: dict[float, list[tuple[float, float]]] = {}
        nominal = []
        for item in items:
            p, q = item.steps[-1]
            middle = (p[1] + q[1]) / 2
            nominal.append((_x_at(p, q, middle), item, middle))
        nominal.sort(key=lambda entry: (entry[0], entry[1].edge.source, entry[1].edge.target))
        for _, item, middle in nominal:
            p, q = item.steps[-1]
            half = _label_width(item.edge) / 2
            chosen = (middle, _x_at(p, q, middle))
            for offset in LABEL_SLOTS:
                y = middle + offset
                x = _x_at(p, q, y)
                spans = taken.setdefault(offset, [])
                if all(x + half + 4 < left or x - half - 4 > right for left, right in spans):
                    spans.append((x - half, x + half))
                    chosen = (y, x)
                    break
            item.label_at = (chosen[1], chosen[0])


def _label_width(edge: EdgeView) -> float:
    return len(edge.label()) * LABEL_CHAR_WIDTH + 6


def _defs() -> list[str]:
    lines = ["  <defs>"]
    for color, marker in [*CONDITION_STYLES.values(), OTHER_STYLE]:
        lines.append(
            f'    <marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{color}"/></marker>'
        )
    lines.append("  </defs>")
    return lines


def _box(index: int, node: Node, service: ServiceView) -> list[str]:
    dashed = ' stroke-dasharray="5 3"' if service.profiles else ""
    lines = [
        f'  <g class="service" id="service-{index}">',
        f"    <title>{_escape(service.name)}</title>",
        f'    <rect x="{_num(node.x)}" y="{_num(node.y)}" width="{_num(node.width)}" '
        f'height="{_num(node.height)}" rx="6" ry="6" fill="#f5f7fa" stroke="#37474f" '
        f'stroke-width="1.5"{dashed}/>',
    ]
    baseline = node.y + PAD_Y + FONT_SIZE - 1
    for number, line in enumerate([service.name, *service.details()]):
        weight = ' font-weight="bold"' if number == 0 else ""
        fill = "#263238" if number == 0 else "#607d8b"
        lines.append(
            f'    <text x="{_num(node.centre)}" y="{_num(baseline + number * LINE_HEIGHT)}" '
            f'text-anchor="middle" fill="{fill}"{weight}>{_escape(line)}</text>'
        )
    lines.append("  </g>")
    return lines


def _path(steps: list[tuple[Point, Point]]) -> str:
    """S-curves across row gaps joined by straight runs down through waypoint rows."""
    first = steps[0][0]
    parts = [f"M {_num(first[0])} {_num(first[1])}"]
    for number, (p, q) in enumerate(steps):
        if number:
            parts.append(f"L {_num(p[0])} {_num(p[1])}")
        bend = (q[1] - p[1]) / 2
        parts.append(
            f"C {_num(p[0])} {_num(p[1] + bend)} {_num(q[0])} {_num(q[1] - bend)} "
            f"{_num(q[0])} {_num(q[1])}"
        )
    return " ".join(parts)


def _edge(index: int, item: _Drawn) -> list[str]:
    edge = item.edge
    color, marker = CONDITION_STYLES.get(edge.condition, OTHER_STYLE)
    dashed = ' stroke-dasharray="6 4"' if not edge.required else ""
    label = edge.label()
    x, y = item.label_at
    width = _label_width(edge)
    required = "required" if edge.required else "optional"
    return [
        f'  <g class="edge" id="edge-{index}">',
        f"    <title>{_escape(f'{edge.source} -> {edge.target} ({edge.summary()})')}</title>",
        f"    <desc>{_escape(f'{edge.kind}, {required}')}</desc>",
        f'    <path d="{_path(item.steps)}" fill="none" stroke="{color}" stroke-width="1.5"'
        f'{dashed} marker-end="url(#{marker})"/>',
        f'    <rect x="{_num(x - width / 2)}" y="{_num(y - 8)}" width="{_num(width)}" '
        f'height="14" rx="3" ry="3" fill="#ffffff" fill-opacity="0.85"/>',
        f'    <text x="{_num(x)}" y="{_num(y + 3)}" text-anchor="middle" '
        f'font-size="{LABEL_SIZE}" fill="{color}">{_escape(label)}</text>',
        "  </g>",
    ]


def render(view: GraphView) -> str:
    sizes = {service.name: _box_size(service) for service in view.services}
    plan = layout(view, sizes.__getitem__, margin_left=MARGIN + GUTTER)
    drawn = _routes(plan)
    _place_labels(drawn)
    # Labels of curves near the sides may stick out of the rows: widen the canvas.
    label_spans = [
        (
            item.label_at[0] - _label_width(item.edge) / 2,
            item.label_at[0] + _label_width(item.edge) / 2,
        )
        for item in drawn
    ]
    left = min([0.0, *(span[0] - MARGIN for span in label_spans)])
    right = max(
        [MARGIN * 2 + GUTTER + max(plan.width, 160.0), *(span[1] + MARGIN for span in label_spans)]
    )
    width = right - left
    height = plan.height + 2 * MARGIN if plan.rows else 2 * MARGIN + LINE_HEIGHT
    title = f"{view.name or 'project'}: service dependencies"
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="{_num(left)} 0 {_num(width)} {_num(height)}" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">',
        f"  <title>{_escape(title)}</title>",
        *_defs(),
        f'  <rect x="{_num(left)}" y="0" width="{_num(width)}" height="{_num(height)}" '
        'fill="#ffffff"/>',
        f'  <g transform="translate(0,{MARGIN})">',
    ]
    if not view.services:
        lines.append(f'  <text x="{MARGIN}" y="{FONT_SIZE}" fill="#607d8b">no services</text>')
    for row in plan.rows:
        lines.append(
            f'  <text class="level" x="{MARGIN}" y="{_num(row.top + row.height / 2 + 4)}" '
            f'fill="#90a4ae">level {row.level}</text>'
        )
    for index, item in enumerate(drawn):
        lines.extend(_edge(index, item))
    for index, service in enumerate(view.services):
        lines.extend(_box(index, plan.nodes[service.name], service))
    lines.append("  </g>")
    lines.append("</svg>")
    return "\n".join(lines) + "\n"
