"""composer.graph's own ServiceGraph against networkx, the oracle, on random graphs.

ServiceGraph replaced networkx on the runtime path (its import cost every `up`);
networkx stays a test dependency so levels, descendants, cycles and subgraphs are
checked against it on small random DAGs and graphs with cycles.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.errors import ConsistencyError
from composer.graph import ServiceGraph, descendants, find_cycle, start_levels

nx = pytest.importorskip("networkx")

# Names whose sorted order differs from the order they are drawn (inserted) in.
POOL = ["web", "api", "db", "cache", "queue", "worker", "proxy", "auth", "mail", "b", "a", "z"]

Spec = tuple[list[str], list[tuple[str, str]]]


@st.composite
def graph_specs(draw: st.DrawFn, acyclic: bool) -> Spec:
    """Nodes in insertion order and edges; acyclic ones only point to earlier nodes."""
    names = draw(st.lists(st.sampled_from(POOL), unique=True, max_size=12))
    pairs = [
        (source, target)
        for i, source in enumerate(names)
        for j, target in enumerate(names)
        if j < i or not acyclic
    ]
    if not pairs:
        return names, []
    return names, draw(st.lists(st.sampled_from(pairs), unique=True, max_size=30))


DAGS = graph_specs(acyclic=True)
ANY = st.one_of(graph_specs(acyclic=True), graph_specs(acyclic=False))
SETTINGS = settings(max_examples=300, deadline=None)


def _both(spec: Spec) -> tuple[ServiceGraph, Any]:
    names, edges = spec
    ours, theirs = ServiceGraph(name="p", missing=[]), nx.DiGraph(name="p", missing=[])
    for graph in (ours, theirs):
        for name in names:
            graph.add_node(name, image=name.upper())
        for source, target in edges:
            graph.add_edge(source, target, label=f"{source}>{target}")
    return ours, theirs


def _nx_levels(graph: Any) -> list[list[str]] | None:
    try:
        return [sorted(level) for level in nx.topological_generations(graph.reverse())]
    except nx.NetworkXUnfeasible:
        return None


def _nx_has_cycle(graph: Any) -> bool:
    try:
        nx.find_cycle(graph, orientation="original")
    except nx.NetworkXNoCycle:
        return False
    return True


@SETTINGS
@given(spec=DAGS)
def test_start_levels_of_a_dag_are_networkx_generations(spec: Spec) -> None:
    ours, theirs = _both(spec)
    assert start_levels(ours) == _nx_levels(theirs)
    assert find_cycle(ours) is None


@SETTINGS
@given(spec=ANY)
def test_a_cycle_is_found_exactly_when_networkx_finds_one(spec: Spec) -> None:
    ours, theirs = _both(spec)
    cycle = find_cycle(ours)
    assert (cycle is not None) == _nx_has_cycle(theirs)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert len(set(cycle[:-1])) == len(cycle) - 1  # a simple cycle
        assert all(theirs.has_edge(a, b) for a, b in zip(cycle, cycle[1:], strict=False))


@SETTINGS
@given(spec=ANY)
def test_start_levels_raise_exactly_when_networkx_does(spec: Spec) -> None:
    ours, theirs = _both(spec)
    expected = _nx_levels(theirs)
    if expected is None:
        with pytest.raises(ConsistencyError, match="dependency cycle detected: ") as raised:
            start_levels(ours)
        assert " -> ".join(find_cycle(ours) or ["?"]) in str(raised.value)
    else:
        assert start_levels(ours) == expected


@SETTINGS
@given(spec=ANY)
def test_descendants_match_networkx(spec: Spec) -> None:
    ours, theirs = _both(spec)
    for name in spec[0]:
        assert descendants(ours, name) == nx.descendants(theirs, name)


@SETTINGS
@given(spec=ANY)
def test_views_iterate_like_networkx(spec: Spec) -> None:
    ours, theirs = _both(spec)
    assert list(ours) == list(theirs) == list(ours.nodes)
    assert len(ours) == len(theirs)
    assert ours.edges(data=True) == list(theirs.edges(data=True))
    assert list(ours.edges) == list(theirs.edges)
    assert ours.number_of_edges() == theirs.number_of_edges()
    for name in spec[0]:
        assert ours.nodes[name] == theirs.nodes[name]
        assert list(ours.successors(name)) == list(theirs.successors(name))
        assert list(ours.predecessors(name)) == list(theirs.predecessors(name))
        assert ours.out_edges(name, data=True) == list(theirs.out_edges(name, data=True))
    for source, target in spec[1]:
        assert (source, target) in ours.edges and ours.has_edge(source, target)
        assert ours.edges[source, target] == theirs.edges[source, target]
    for source in spec[0]:
        for target in spec[0]:
            assert ours.has_edge(source, target) == theirs.has_edge(source, target)


@SETTINGS
@given(spec=ANY, keep=st.sets(st.sampled_from([*POOL, "ghost"])))
def test_subgraph_matches_networkx_and_stands_alone(spec: Spec, keep: set[str]) -> None:
    ours, theirs = _both(spec)
    sub, expected = ours.subgraph(keep), theirs.subgraph(keep)
    assert set(sub) == set(expected)
    assert sorted(sub.edges(data=True)) == sorted(expected.edges(data=True))
    assert {n: sub.nodes[n] for n in sub} == {n: expected.nodes[n] for n in expected}
    assert sub.graph == theirs.graph
    copy = sub.copy()
    assert copy.edges(data=True) == sub.edges(data=True) and list(copy) == list(sub)
    copy.graph["missing"] = ["changed"]
    for name in copy:
        copy.nodes[name]["image"] = "changed"
    for source, target in list(copy.edges):
        copy.edges[source, target]["label"] = "changed"
    copy.add_edge("new", "newer")
    assert sub.graph["missing"] == [] and "new" not in sub
    assert sorted(sub.edges(data=True)) == sorted(expected.edges(data=True))
    assert {n: sub.nodes[n] for n in sub} == {n: expected.nodes[n] for n in expected}


@SETTINGS
@given(spec=ANY)
def test_answers_do_not_depend_on_insertion_order(spec: Spec) -> None:
    names, edges = spec
    ours, _ = _both(spec)
    backwards, _ = _both((names[::-1], edges[::-1]))
    assert find_cycle(backwards) == find_cycle(ours)
    if find_cycle(ours) is None:
        assert start_levels(backwards) == start_levels(ours)
