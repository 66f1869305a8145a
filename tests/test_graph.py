"""The dependency graph and its five views, on projects loaded from real Compose files.

The edges and their attributes are checked against what the reference itself records
in `depends_on` (its normaliser adds the entries implied by links, network_mode,
ipc, pid and volumes_from); levels, selection and cycles against hand-worked answers;
every output format by parsing it back.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from composer.errors import ConsistencyError, UsageError
from composer.graph import (
    build_graph,
    declared_replicas,
    find_cycle,
    select,
    start_levels,
    stop_order,
)
from composer.graph_render import FORMATS, render, view_of
from composer.loader.options import LoadOptions
from composer.loader.pipeline import LoadedProject, load_project
from tests.reference import reference_binary, run_reference

SVG = "{http://www.w3.org/2000/svg}"

# A shop: five levels, every condition, an optional edge, a profile, replicas and an
# edge that skips two levels (proxy -> api).
SHOP = """
services:
  proxy:
    image: traefik
    depends_on: [web, api]
  web:
    image: nginx
    deploy: {replicas: 3}
    depends_on:
      api: {condition: service_healthy, restart: true}
      cache: {condition: service_started}
  api:
    image: app
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
      queue: {condition: service_started, required: false}
  migrate:
    image: app
    depends_on:
      db: {condition: service_healthy}
  db: {image: postgres}
  cache: {image: redis}
  queue: {image: rabbitmq, profiles: [async, full]}
  worker:
    image: app
    profiles: [async]
    depends_on: [queue, db]
"""

# Every kind of implied edge: links, network_mode, ipc, pid, volumes_from.
KINDS = """
services:
  web:
    image: nginx
    links: ["cache:c"]
    depends_on:
      cache: {condition: service_started, required: false}
  cache:
    image: redis
    network_mode: "service:db"
    scale: 2
  db:
    image: postgres
    volumes_from: ["data:ro", "container:other"]
  data:
    image: busybox
  side:
    image: busybox
    ipc: "service:web"
    pid: "service:cache"
"""


def _load(tmp_path: Path, text: str, **options: Any) -> LoadedProject:
    compose = tmp_path / "compose.yaml"
    compose.write_text(text)
    return load_project(
        LoadOptions(
            files=[str(compose)],
            project_name="proj",
            environ={},
            cwd=str(tmp_path),
            **options,
        )
    )


def _graph(tmp_path: Path, text: str, **options: Any) -> Any:
    loaded = _load(tmp_path, text, **options)
    return build_graph(loaded.project, name=loaded.name)


def _edges(graph: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a, b): dict(data) for a, b, data in graph.edges(data=True)}


# --- the graph ----------------------------------------------------------------------


def test_levels_start_with_services_that_need_nothing(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    assert start_levels(graph) == [
        ["cache", "db", "queue"],
        ["migrate", "worker"],
        ["api"],
        ["web"],
        ["proxy"],
    ]


def test_stop_order_is_the_levels_reversed(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    assert stop_order(graph) == [
        ["proxy"],
        ["web"],
        ["api"],
        ["migrate", "worker"],
        ["cache", "db", "queue"],
    ]


def test_every_dependency_is_started_in_an_earlier_level(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    level = {name: i for i, names in enumerate(start_levels(graph)) for name in names}
    for source, target in graph.edges:
        assert level[target] < level[source]
    # and each service sits right above its deepest dependency
    for name in graph:
        needs = [level[t] for t in graph.successors(name)]
        assert level[name] == (max(needs) + 1 if needs else 0)


def test_edges_carry_the_depends_on_attributes(tmp_path: Path) -> None:
    edges = _edges(_graph(tmp_path, SHOP, profiles=["async"]))
    assert edges[("web", "api")] == {
        "kind": "depends_on",
        "kinds": ["depends_on"],
        "condition": "service_healthy",
        "required": True,
        "restart": True,
    }
    assert edges[("api", "migrate")]["condition"] == "service_completed_successfully"
    assert edges[("api", "queue")]["required"] is False
    assert edges[("proxy", "web")]["condition"] == "service_started"
    assert len(edges) == 10


def test_edge_kinds_name_what_implied_the_dependency(tmp_path: Path) -> None:
    graph = _graph(tmp_path, KINDS)
    edges = _edges(graph)
    assert {pair: data["kind"] for pair, data in edges.items()} == {
        ("web", "cache"): "links",
        ("cache", "db"): "network_mode",
        ("db", "data"): "volumes_from",
        ("side", "web"): "ipc",
        ("side", "cache"): "pid",
    }
    assert edges[("web", "cache")]["kinds"] == ["depends_on", "links"]
    # the explicit depends_on entry wins over what links would imply
    assert edges[("web", "cache")]["required"] is False
    assert edges[("cache", "db")]["restart"] is True
    assert edges[("db", "data")]["restart"] is False
    assert graph.nodes["cache"]["replicas"] == 2
    assert graph.nodes["db"]["replicas"] is None


def test_implied_attributes_without_normalisation(tmp_path: Path) -> None:
    """With --no-normalize depends_on lacks the implied entries; the graph still has
    the edges, with the attributes the reference's normaliser would give them."""
    edges = _edges(_graph(tmp_path, KINDS, normalize=False))
    assert set(edges) == {
        ("web", "cache"),
        ("cache", "db"),
        ("db", "data"),
        ("side", "web"),
        ("side", "cache"),
    }
    assert edges[("cache", "db")]["kinds"] == ["network_mode"]
    assert edges[("cache", "db")]["required"] is True
    assert edges[("cache", "db")]["restart"] is True
    assert edges[("db", "data")]["restart"] is False


@pytest.mark.reference
@pytest.mark.skipif(reference_binary() is None, reason="reference binary not installed")
@pytest.mark.parametrize("text", [SHOP, KINDS], ids=["shop", "kinds"])
def test_edges_match_the_references_depends_on(tmp_path: Path, text: str) -> None:
    (tmp_path / "compose.yaml").write_text(text)
    result = run_reference(
        ["-p", "proj", "--profile", "async", "config", "--format", "json"], cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    expected = {
        (name, target): {
            "condition": dep["condition"],
            "required": dep["required"],
            "restart": dep.get("restart", False),
        }
        for name, service in json.loads(result.stdout)["services"].items()
        for target, dep in (service.get("depends_on") or {}).items()
    }
    graph = _graph(tmp_path, text, profiles=["async"])
    actual = {
        pair: {key: data[key] for key in ("condition", "required", "restart")}
        for pair, data in _edges(graph).items()
    }
    assert actual == expected


def test_dependencies_on_disabled_services_are_listed_not_drawn(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP)  # no profile: queue and worker are off
    assert "queue" not in graph and "worker" not in graph
    assert ("api", "queue") not in graph.edges
    missing = graph.graph["missing"]
    assert [(source, target) for source, target, _ in missing] == [("api", "queue")]
    assert missing[0][2]["required"] is False


def test_profiles_and_replicas_on_the_nodes(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    assert graph.nodes["queue"]["profiles"] == ["async", "full"]
    assert graph.nodes["web"]["replicas"] == 3
    assert graph.nodes["db"]["profiles"] == []


def test_select_adds_transitive_dependencies(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    assert select(graph, ["web"]) == {"web", "api", "cache", "db", "migrate", "queue"}
    assert select(graph, ["migrate", "cache"]) == {"migrate", "db", "cache"}
    assert select(graph, ["db"]) == {"db"}


def test_select_without_dependencies(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    assert select(graph, ["web", "db"], with_dependencies=False) == {"web", "db"}


def test_select_rejects_unknown_services(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP)
    with pytest.raises(UsageError, match='no such service: "nope"'):
        select(graph, ["web", "nope"])


CYCLE = """
services:
  a: {image: x, depends_on: [b]}
  b: {image: x, depends_on: [c]}
  c: {image: x, links: [a]}
  d: {image: x}
"""


def test_the_loader_rejects_cycles_itself(tmp_path: Path) -> None:
    with pytest.raises(ConsistencyError, match="cycle"):
        _load(tmp_path, CYCLE)


def test_find_cycle_on_a_project_loaded_without_consistency(tmp_path: Path) -> None:
    graph = _graph(tmp_path, CYCLE, consistency=False)
    cycle = find_cycle(graph)
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["a", "b", "c"]
    for source, target in zip(cycle, cycle[1:], strict=False):
        assert graph.has_edge(source, target)
    with pytest.raises(ConsistencyError, match=r"dependency cycle detected: \w -> \w -> \w -> \w"):
        start_levels(graph)


def test_find_cycle_is_none_without_a_cycle(tmp_path: Path) -> None:
    assert find_cycle(_graph(tmp_path, SHOP, profiles=["async"])) is None


def test_self_dependency_is_a_cycle(tmp_path: Path) -> None:
    graph = _graph(tmp_path, "services:\n  a: {image: x, depends_on: [a]}\n", consistency=False)
    assert find_cycle(graph) == ["a", "a"]


def test_empty_project(tmp_path: Path) -> None:
    graph = _graph(tmp_path, "services: {}\n")
    assert start_levels(graph) == []
    assert find_cycle(graph) is None
    for fmt in FORMATS:
        assert render(graph, fmt)
    assert render(graph, "text") == "no services\n"
    ET.fromstring(render(graph, "svg").split("\n", 2)[2])  # after the XML and DOCTYPE lines


# --- the views ----------------------------------------------------------------------


def test_text_format(tmp_path: Path) -> None:
    graph = _graph(tmp_path, KINDS)
    assert render(graph, "text") == (
        "level 0: data\n"
        "level 1: db\n"
        "level 2: cache x2\n"
        "level 3: web\n"
        "level 4: side\n"
        "\n"
        "db -> data (service_started, required, via volumes_from)\n"
        "cache -> db (service_started, required, restart, via network_mode)\n"
        "web -> cache (service_started, optional, via links)\n"
        "side -> cache (service_started, required, restart, via pid)\n"
        "side -> web (service_started, required, restart, via ipc)\n"
    )


def test_text_format_shows_profiles_and_missing_dependencies(tmp_path: Path) -> None:
    text = render(_graph(tmp_path, SHOP, profiles=["full"]), "text")
    assert "level 0: cache, db, queue [async,full]\n" in text
    assert "level 3: web x3\n" in text
    assert "web -> api (service_healthy, required, restart)\n" in text
    text = render(_graph(tmp_path, SHOP), "text")
    assert "api -> queue (service_started, optional, not in project)\n" in text


def test_json_format(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    data = json.loads(render(graph, "json"))
    assert data["project"] == "proj"
    assert data["levels"] == start_levels(graph)
    services = {s["name"]: s for s in data["services"]}
    assert set(services) == set(graph)
    assert services["web"] == {
        "name": "web",
        "level": 3,
        "profiles": [],
        "replicas": 3,
        "image": "nginx",
    }
    assert services["worker"]["profiles"] == ["async"]
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert set(edges) == set(graph.edges)
    assert edges[("api", "queue")] == {
        "from": "api",
        "to": "queue",
        "kind": "depends_on",
        "kinds": ["depends_on"],
        "condition": "service_started",
        "required": False,
        "restart": False,
    }
    assert data["missing"] == []


def test_mermaid_format(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    lines = render(graph, "mermaid").splitlines()
    assert lines[0] == "graph TD"
    assert '    svc_web["web<br/>replicas: 3"]' in lines
    assert '    svc_queue["queue<br/>profiles: async, full"]' in lines
    assert "    svc_web -->|service_healthy, restart| svc_api" in lines
    assert "    svc_api -.->|service_started| svc_queue" in lines  # optional: dotted
    assert "    %% level 1: migrate, worker" in lines
    arrows = [line for line in lines if re.search(r" -\.?->\|", line)]
    assert len(arrows) == graph.number_of_edges()


def test_mermaid_ids_avoid_keywords_and_clashes(tmp_path: Path) -> None:
    graph = _graph(tmp_path, "services:\n  end: {image: x}\n  a.b: {image: x}\n  a-b: {image: x}\n")
    lines = render(graph, "mermaid").splitlines()
    assert '    svc_end["end"]' in lines
    node_ids = [line.split("[")[0].strip() for line in lines if line.endswith('"]')]
    assert len(set(node_ids)) == 3


def test_dot_format(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    text = render(graph, "dot")
    assert text.startswith('digraph "proj" {\n')
    assert text.endswith("}\n")
    # one rank=same group per level holding exactly that level's services
    groups = re.findall(r'subgraph "level (\d+)" \{\n    rank=same;\n((?:    .*\n)*?)  \}', text)
    assert [int(level) for level, _ in groups] == list(range(5))
    for (level, body), names in zip(groups, start_levels(graph), strict=True):
        assert re.findall(r'^    "([^"]+)" \[', body, re.M) == names, level
    assert '"web" [label="web\\nreplicas: 3"];' in text
    assert '"web" -> "api" [label="service_healthy, restart", color="#2e7d32"];' in text
    assert '"api" -> "queue" [label="service_started", color="#555555", style=dashed];' in text
    assert len(re.findall(r'^  "[^"]+" -> "[^"]+" \[', text, re.M)) == graph.number_of_edges()


def test_dot_quotes_special_characters(tmp_path: Path) -> None:
    text = r"""services: {a: {image: x, profiles: ['say "hi" \ bye']}}"""
    graph = _graph(tmp_path, text, profiles=["*"])
    assert graph.nodes["a"]["profiles"] == ['say "hi" \\ bye']
    assert r'"a" [label="a\nprofiles: say \"hi\" \\ bye"' in render(graph, "dot")


def _svg(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n')
    assert "<!DOCTYPE svg PUBLIC" in text
    return ET.fromstring(text.encode())


def _services(root: ET.Element) -> dict[str, ET.Element]:
    return {
        g.findtext(f"{SVG}title") or "": g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "service"
    }


def _edges_svg(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    found = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            title = g.findtext(f"{SVG}title") or ""
            match = re.match(r"(\S+) -> (\S+) \(", title)
            assert match, title
            found[(match.group(1), match.group(2))] = g
    return found


def _path_end(path: str) -> tuple[float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return numbers[-2], numbers[-1]


def _rect(g: ET.Element) -> tuple[float, float, float, float]:
    rect = g.find(f"{SVG}rect")
    assert rect is not None
    return tuple(float(rect.get(a) or 0) for a in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _assert_inside_canvas(root: ET.Element) -> None:
    """Every box and label background lies within the viewBox."""
    left, _, width, _ = (float(n) for n in (root.get("viewBox") or "").split())
    for rect in root.iter(f"{SVG}rect"):
        x, w = float(rect.get("x") or 0), float(rect.get("width") or 0)
        assert left <= x and x + w <= left + width, rect.attrib


def test_svg_canvas_holds_labels_of_curves_at_the_side(tmp_path: Path) -> None:
    """web -> db skips cache's row on the right; its long label must not be cut off."""
    text = """
services:
  web:
    image: nginx
    depends_on:
      db: {condition: service_healthy, restart: true}
      cache: {condition: service_started}
  cache: {image: redis, depends_on: [db]}
  db: {image: postgres}
"""
    _assert_inside_canvas(_svg(render(_graph(tmp_path, text), "svg")))


def test_svg_is_standalone_svg_11_with_a_box_per_service_and_an_edge_per_dependency(
    tmp_path: Path,
) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    root = _svg(render(graph, "svg"))
    assert root.tag == f"{SVG}svg"
    assert root.get("version") == "1.1"
    left, top, width, height = (float(n) for n in (root.get("viewBox") or "").split())
    assert top == 0 and width > 0 and height > 0
    _assert_inside_canvas(root)
    boxes = _services(root)
    assert set(boxes) == set(graph)
    edges = _edges_svg(root)
    assert set(edges) == set(graph.edges)
    # labels carry the condition; optional edges are dashed
    assert edges[("api", "migrate")].findtext(f"{SVG}text") == "service_completed_successfully"
    assert edges[("web", "api")].findtext(f"{SVG}text") == "service_healthy, restart"
    path = edges[("api", "queue")].find(f"{SVG}path")
    assert path is not None and path.get("stroke-dasharray")
    # replicas and profiles in the boxes
    texts = [t.text for t in boxes["web"].iter(f"{SVG}text")]
    assert texts == ["web", "replicas: 3"]
    assert [t.text for t in boxes["queue"].iter(f"{SVG}text")] == [
        "queue",
        "profiles: async, full",
    ]
    # every marker an edge refers to is defined
    ids = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for g in edges.values():
        path = g.find(f"{SVG}path")
        assert path is not None
        assert re.fullmatch(r"url\(#(.+)\)", path.get("marker-end") or "").group(1) in ids  # type: ignore[union-attr]


def test_svg_layout_rows_by_level_and_arrows_end_on_their_dependency(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    root = _svg(render(graph, "svg"))
    boxes = {name: _rect(g) for name, g in _services(root).items()}
    levels = start_levels(graph)
    # one row per level, higher levels above, boxes in a row side by side
    for index, names in enumerate(levels):
        centres = {boxes[n][1] + boxes[n][3] / 2 for n in names}
        assert len(centres) == 1, names
        spans = sorted((boxes[n][0], boxes[n][0] + boxes[n][2]) for n in names)
        for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
            assert right < left
        if index:
            assert max(boxes[n][1] + boxes[n][3] for n in names) < min(
                boxes[n][1] for n in levels[index - 1]
            )
    # each arrow ends on the top side of its dependency
    for (source, target), g in _edges_svg(root).items():
        path = g.find(f"{SVG}path")
        assert path is not None
        x, y = _path_end(path.get("d") or "")
        bx, by, bw, _ = boxes[target]
        assert y == pytest.approx(by, abs=0.1), (source, target)
        assert bx < x < bx + bw, (source, target)


def test_svg_edges_skipping_levels_pass_between_boxes(tmp_path: Path) -> None:
    """proxy -> api skips web's row: it runs straight down through a gap in that row."""
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    root = _svg(render(graph, "svg"))
    boxes = {name: _rect(g) for name, g in _services(root).items()}
    path = _edges_svg(root)[("proxy", "api")].find(f"{SVG}path")
    assert path is not None
    runs = re.findall(r"L (-?[\d.]+) (-?[\d.]+)", path.get("d") or "")
    assert len(runs) == 1
    x = float(runs[0][0])
    wx, _, ww, _ = boxes["web"]
    assert not (wx <= x <= wx + ww)


def test_svg_escapes_text(tmp_path: Path) -> None:
    graph = _graph(tmp_path, "services:\n  a: {image: x, profiles: ['p&<q>\"']}\n", profiles=["*"])
    text = render(graph, "svg")
    assert "p&amp;&lt;q&gt;&quot;" in text
    root = _svg(text)
    assert [t.text for t in _services(root)["a"].iter(f"{SVG}text")] == ["a", 'profiles: p&<q>"']


def test_views_share_one_level_computation(tmp_path: Path) -> None:
    graph = _graph(tmp_path, SHOP, profiles=["async"])
    view = view_of(graph)
    assert view.levels == start_levels(graph)
    assert [s.name for s in view.services] == [n for level in view.levels for n in level]


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        render(_graph(tmp_path, SHOP), "png")


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({}, None),
        ({"scale": 2}, 2),
        ({"deploy": {"replicas": 3}}, 3),
        ({"deploy": {"replicas": 0}, "scale": 0}, 0),
        # distinct values never reach here from the loader (the reference refuses
        # them); deploy.replicas is what its consistency check keeps
        ({"deploy": {"replicas": 3}, "scale": 2}, 3),
        ({"deploy": {}}, None),
    ],
)
def test_declared_replicas_is_the_one_reading(
    service: dict[str, Any], expected: int | None
) -> None:
    assert declared_replicas("s", service) == expected


def test_declared_replicas_refuses_what_is_no_integer() -> None:
    with pytest.raises(ConsistencyError, match=r"services\.s\.scale: '2' is not an integer"):
        declared_replicas("s", {"scale": "2"})
