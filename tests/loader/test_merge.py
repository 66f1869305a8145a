"""Merging Compose files (composer.loader.merge / unicity) and path patterns (composer.tree).

Unit tests state the expected result of each rule; the differential tests merge the
fixture pairs in fixtures/merge/<rule>/ (written in canonical long syntax, so no
canonicaliser is involved) and compare with what the reference prints for
`-f base.yaml -f override.yaml config`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from composer.errors import MergeError
from composer.loader.merge import MERGE_RULES, clean, enforce_unicity, merge, merge_service
from composer.loader.tags import RESET, Override
from composer.loader.unicity import UNIQUE_KEYS, port_key, unique_list
from composer.loader.yaml import parse_documents
from composer.source import Location, YList, YMap, locate
from composer.tree import PathPattern, PatternTable, go_path
from tests.reference import reference_binary, run_reference

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "merge"


def load(text: str, file: str) -> Any:
    return parse_documents(text, file)[0]


def merge_files(*docs: Any) -> Any:
    """What the pipeline does: merge each file into the project, then unicity."""
    project: Any = YMap()
    for doc in docs:
        project = enforce_unicity(merge(project, doc))
    return project


def merge_texts(*texts: str) -> Any:
    return merge_files(*(load(text, f"f{i}.yaml") for i, text in enumerate(texts)))


def web(*texts: str) -> Any:
    return merge_texts(*texts)["services"]["web"]


# ------------------------------------------------------------------ composer.tree


def test_path_pattern_matches_same_length_only() -> None:
    pattern = PathPattern("services.*.ports")
    assert pattern.matches(("services", "web", "ports"))
    assert not pattern.matches(("services", "web", "ports", 0))
    assert not pattern.matches(("services", "web"))
    assert not pattern.matches(("networks", "web", "ports"))
    assert PathPattern("services.*.ports.*").matches(("services", "web", "ports", 3))
    assert PathPattern(("a", "b.c")).matches(("a", "b.c"))


def test_pattern_table_prefers_leftmost_exact_part() -> None:
    table = PatternTable({"a.*.c": "star-middle", "*.b.c": "star-first", "a.b.*": "star-last"})
    assert table.match(("a", "b", "c")) == "star-last"
    assert table.match(("a", "x", "c")) == "star-middle"
    assert table.match(("z", "b", "c")) == "star-first"
    assert table.match(("z", "x", "c")) is None
    assert ("a", "x", "c") in table
    assert ("a", "x") not in table


def test_cursor_is_dead_where_no_pattern_can_match() -> None:
    table = PatternTable({"services.*.ports": 1, "networks.*.labels": 2})
    root = table.root
    assert root and not root.matched
    web_cursor = root.child("services").child("web")
    assert web_cursor and not web_cursor.matched
    ports = web_cursor.child("ports")
    assert ports.matched and ports.value == 1
    assert str(ports.pattern) == "services.*.ports"
    assert not web_cursor.child("image")
    assert not root.child("volumes")
    assert not ports.child(0)
    # transitions are cached and cursors interned: two services share one cursor
    assert root.child("services").child("db") is web_cursor


def test_pattern_table_rejects_duplicates_and_renders_go_paths() -> None:
    with pytest.raises(ValueError):
        PatternTable([("a.b", 1), ("a.b", 2)])
    assert go_path(("services", "web", "ports", 0)) == "services.web.ports.[0]"


def test_rule_tables_compile() -> None:
    assert len(PatternTable(MERGE_RULES)) == len(MERGE_RULES)
    assert len(PatternTable(UNIQUE_KEYS)) == len(UNIQUE_KEYS)


# ------------------------------------------------------------------ default rules


def test_mappings_merge_scalars_replace_lists_append() -> None:
    result = merge_texts(
        "services: {web: {image: a, restart: always, deploy: {resources: {limits: {cpus: '1'}}},"
        " security_opt: [a]}}",
        "services: {web: {restart: 'no', deploy: {resources: {limits: {memory: 1g}}},"
        " security_opt: [b, a]}, db: {image: pg}}",
    )
    assert result["services"]["web"] == {
        "image": "a",
        "restart": "no",
        "deploy": {"resources": {"limits": {"cpus": "1", "memory": "1g"}}},
        "security_opt": ["a", "b", "a"],
    }
    assert result["services"]["db"] == {"image": "pg"}


def test_null_override_keeps_base_but_not_for_replace_rules() -> None:
    service = web(
        "services: {web: {image: a, command: [x], environment: {A: '1'}, ports: [{target: 80}]}}",
        "services: {web: {image: null, command: null, environment: null, ports: null}}",
    )
    assert service == {
        "image": "a",
        "command": None,
        "environment": {"A": "1"},
        "ports": [{"target": 80}],
    }
    assert merge_texts("services: {web: {image: a}}", "services: {web: }")["services"] == {
        "web": {"image": "a"}
    }
    assert merge_texts("services: {web: }", "services: {web: {image: a}}")["services"] == {
        "web": {"image": "a"}
    }


def test_extensions_merge_recursively() -> None:
    result = merge_texts("x-a: {l: [1], m: {a: 1}}", "x-a: {l: [2], m: {b: 2}}")
    assert result == {"x-a": {"l": [1, 2], "m": {"a": 1, "b": 2}}}


def test_type_mismatch_is_an_error_located_in_the_override() -> None:
    base = load("services: {web: {ports: [{target: 80}]}}", "base.yaml")
    over = load("services:\n  web:\n    ports:\n      a: 1\n", "over.yaml")
    with pytest.raises(MergeError) as caught:
        merge(base, over)
    assert caught.value.message == "cannot override services.web.ports"
    assert caught.value.location == Location("over.yaml", 4, 7)
    with pytest.raises(MergeError) as caught:
        merge(base, load("services:\n  web:\n    ports: '80'\n", "over.yaml"))
    assert caught.value.location == Location("over.yaml", 3, 12)
    # a scalar base is simply replaced by a mapping or a list
    assert merge({"x": 1}, {"x": [1]}) == {"x": [1]}


# ------------------------------------------------------------------ special rules


def test_command_entrypoint_healthcheck_test_are_replaced() -> None:
    service = web(
        "services: {web: {command: [a, b], entrypoint: [sh],"
        " healthcheck: {test: [CMD, x], interval: 1s}}}",
        "services: {web: {command: [c], entrypoint: [], healthcheck: {test: [NONE]}}}",
    )
    assert service == {
        "command": ["c"],
        "entrypoint": [],
        "healthcheck": {"test": ["NONE"], "interval": "1s"},
    }


def test_key_value_collections() -> None:
    # two mappings: key by key, the override's null included
    assert web(
        "services: {web: {environment: {A: '1', B: '2'}, labels: {x: a}}}",
        "services: {web: {environment: {B: '3', C: null}, labels: {y: b}}}",
    ) == {"environment": {"A": "1", "B": "3", "C": None}, "labels": {"x": "a", "y": "b"}}
    # mixed forms: sequences appended (mapping as sorted KEY=value), unicity by key
    assert web(
        "services: {web: {environment: [A=1, B, C=3]}}",
        "services: {web: {environment: {C: 4, B: null, D: true, A: 1.5}}}",
    ) == {"environment": ["A=1.5", "B", "C=4", "D=true"]}
    assert web(
        "services: {web: {build: {context: ., args: {A: '1'}}}}",
        "services: {web: {build: {args: [A=2, B=3]}}}",
    ) == {"build": {"context": ".", "args": ["A=2", "B=3"]}}


def test_string_or_list_attributes_append_and_dedupe() -> None:
    assert web(
        "services: {web: {dns: 1.1.1.1, tmpfs: [/run], env_file: [{path: a.env, required: true}]}}",
        "services: {web: {dns: [8.8.8.8, 1.1.1.1], tmpfs: /run, "
        "env_file: [{path: b.env, required: false}, {path: a.env, required: false}]}}",
    ) == {
        "dns": ["1.1.1.1", "8.8.8.8"],
        "tmpfs": ["/run"],
        "env_file": [{"path": "a.env", "required": False}, {"path": "b.env", "required": False}],
    }


def test_extra_hosts_skip_entries_the_base_already_has() -> None:
    assert web(
        "services: {web: {extra_hosts: {a: 1.1.1.1, b: [2.2.2.2, 3.3.3.3]}}}",
        "services: {web: {extra_hosts: [a=1.1.1.1, b=4.4.4.4, 'b:2.2.2.2']}}",
    ) == {"extra_hosts": ["a=1.1.1.1", "b=2.2.2.2", "b=3.3.3.3", "b=4.4.4.4", "b:2.2.2.2"]}


def test_mapping_to_sequence_prints_floats_as_go_does() -> None:
    """`key=value` uses Go's %v: exponent form from 1e6 on (as docker compose v2.40.3
    prints for these extra_hosts)."""
    assert web(
        "services: {web: {extra_hosts: [h=1.2.3.4]}}",
        "services: {web: {extra_hosts: {x: 1000000.0, y: 123456789.5, z: 1.5e-7}}}",
    ) == {"extra_hosts": ["h=1.2.3.4", "x=1e+06", "y=1.234567895e+08", "z=1.5e-07"]}


def test_depends_on_networks_build_short_forms() -> None:
    service = web(
        "services: {web: {depends_on: [db], networks: [front, back], build: ./app}}",
        "services: {web: {depends_on: {db: {condition: service_healthy}, cache: "
        "{condition: service_started, required: false}}, networks: {front: {aliases: [w]}},"
        " build: {dockerfile: Dev}}}",
    )
    assert service == {
        "depends_on": {
            "db": {"condition": "service_healthy", "required": True},
            "cache": {"condition": "service_started", "required": False},
        },
        "networks": {"front": {"aliases": ["w"]}, "back": None},
        "build": {"context": "./app", "dockerfile": "Dev"},
    }
    # a short override resets the condition to service_started, as in compose-go
    assert web(
        "services: {web: {depends_on: {db: {condition: service_healthy, restart: true}}}}",
        "services: {web: {depends_on: [db]}}",
    ) == {"depends_on": {"db": {"condition": "service_started", "restart": True, "required": True}}}


def test_logging_merges_options_only_for_the_same_driver() -> None:
    base = "services: {web: {logging: {driver: json-file, options: {a: '1'}}}}"
    assert web(base, "services: {web: {logging: {options: {b: '2'}}}}")["logging"] == {
        "driver": "json-file",
        "options": {"a": "1", "b": "2"},
    }
    assert web(base, "services: {web: {logging: {driver: json-file, options: {b: '2'}}}}")[
        "logging"
    ] == {"driver": "json-file", "options": {"a": "1", "b": "2"}}
    assert web(base, "services: {web: {logging: {driver: syslog}}}")["logging"] == {
        "driver": "syslog"
    }
    assert web(
        "services: {web: {logging: {options: {a: '1'}}}}",
        "services: {web: {logging: {driver: syslog, options: {b: '2'}}}}",
    )["logging"] == {"options": {"a": "1", "b": "2"}, "driver": "syslog"}


def test_ulimits_entries_are_replaced() -> None:
    assert web(
        "services: {web: {ulimits: {nofile: {soft: 1, hard: 2}, nproc: 10, core: 0}}}",
        "services: {web: {ulimits: {nofile: {soft: 3, hard: 4}, nproc: {soft: 5, hard: 6}}}}",
    ) == {"ulimits": {"nofile": {"soft": 3, "hard": 4}, "nproc": {"soft": 5, "hard": 6}, "core": 0}}


def test_ipam_config_reproduces_compose_go_subnet_matching() -> None:
    def config(base: str, over: str) -> Any:
        result = merge_texts(
            f"networks: {{n: {{ipam: {{config: {base}}}}}}}",
            f"networks: {{n: {{ipam: {{config: {over}}}}}}}",
        )
        return result["networks"]["n"]["ipam"]["config"]

    assert config("[{subnet: s1, gateway: g1}]", "[{subnet: s1, ip_range: r1}]") == [
        {"subnet": "s1", "gateway": "g1", "ip_range": "r1"}
    ]
    assert config("[{subnet: s1}, {subnet: s2}]", "[{subnet: s3}]") == [{"subnet": "s3"}]
    assert config(
        "[{subnet: s0}, {subnet: s1}]", "[{subnet: s1, gateway: g1}, {subnet: s0, gateway: g0}]"
    ) == [
        {"subnet": "s0", "gateway": "g0"},
        {"subnet": "s0", "gateway": "g0"},
    ]
    assert config("[]", "[{subnet: s1}]") == []
    with pytest.raises(MergeError, match="networks.n.ipam.config: unexpected type"):
        config("[{subnet: s1}]", "null")


# ------------------------------------------------------------------ unicity


def test_unicity_keeps_first_position_and_last_value() -> None:
    items = YList(
        [{"target": "/a", "source": "1"}, {"target": "/b"}, {"target": "/a", "source": "2"}]
    )
    items.locs = [Location("a", 1, 1), Location("a", 2, 1), Location("b", 9, 1)]
    result = unique_list(items, UNIQUE_KEYS["services.*.volumes"], ("services", "web", "volumes"))
    assert result == [{"target": "/a", "source": "2"}, {"target": "/b"}]
    assert isinstance(result, YList) and result.locs == [Location("b", 9, 1), Location("a", 2, 1)]
    unchanged = [{"target": "/a"}]
    assert unique_list(unchanged, UNIQUE_KEYS["services.*.volumes"], ()) is unchanged


def test_port_keys_follow_go_formatting() -> None:
    assert port_key({"target": 80, "published": "8080"}) == "0.0.0.0:8080:80/tcp"
    assert port_key({"target": 80, "published": 8080}) == "0.0.0.0:%!s(int=8080):80/tcp"
    assert port_key({"target": 80}) == "0.0.0.0:%!s(<nil>):80/tcp"
    assert port_key({"target": "80", "host_ip": "::1", "protocol": "udp"}) == (
        "::1:%!s(<nil>):%!d(string=80)/udp"
    )
    assert port_key(80) == "80"
    assert port_key("8080:80") == "8080:80"


def test_unicity_tables_and_untouched_lists() -> None:
    project = load(
        """
services:
  web:
    expose: [80, "80", "81"]
    secrets: [s, {source: s, target: /run/secrets/s, uid: "1"}, {source: t}]
    configs: [c, {source: c, target: /c, mode: 1}]
    devices: ["/dev/a:/dev/b", {source: /dev/c, target: /dev/b}]
    volumes: ["/x:/data", {type: volume, source: v, target: /data}]
    links: ["db:x", "db"]
    security_opt: [a, a]
    networks: {front: {aliases: [a, b, a]}}
networks:
  front: {labels: [a=1, a=2]}
""",
        "f.yaml",
    )
    service = enforce_unicity(project)["services"]["web"]
    assert service["expose"] == ["80", "81"]
    assert service["secrets"] == [
        {"source": "s", "target": "/run/secrets/s", "uid": "1"},
        {"source": "t"},
    ]
    assert service["configs"] == [{"source": "c", "target": "/c", "mode": 1}]
    assert service["devices"] == [{"source": "/dev/c", "target": "/dev/b"}]
    assert service["volumes"] == [{"type": "volume", "source": "v", "target": "/data"}]
    assert service["links"] == ["db:x", "db"]
    assert service["security_opt"] == ["a", "a"]
    assert service["networks"]["front"]["aliases"] == ["a", "b"]
    assert enforce_unicity(project)["networks"]["front"]["labels"] == ["a=2"]


def test_unicity_can_skip_what_an_earlier_pass_checked() -> None:
    shared = YList(["a", "a"])  # (contrived: an earlier pass would have deduplicated it)
    earlier = {"services": {"web": {"dns": shared, "cap_add": ["X"]}}}
    later = {"services": {"web": {"dns": shared, "cap_add": ["X", "X"]}}}
    result = enforce_unicity(later, previous=earlier)
    assert result["services"]["web"]["dns"] is shared
    assert result["services"]["web"]["cap_add"] == ["X"]
    assert enforce_unicity(later)["services"]["web"]["dns"] == ["a"]
    assert later["services"]["web"]["cap_add"] == ["X", "X"]  # input untouched


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("dns", "[1]", "services.web.dns.[0]: unexpected type int"),
        (
            "cap_add",
            "[{a: 1}]",
            "services.web.cap_add.[0]: unexpected type map[string]interface {}",
        ),
        (
            "volumes",
            "[{type: bind}]",
            "service volume services.web.volumes.[0] is missing a mount target",
        ),
        (
            "ports",
            "[{published: 80}]",
            "service ports services.web.ports.[0] is missing a target port",
        ),
        (
            "env_file",
            "[{required: true}]",
            "environment path attribute services.web.env_file.[0] is missing",
        ),
        ("expose", "[1.5]", "services.web.expose.[0]: unsupported expose value %!s(float64=1.5)"),
        (
            "devices",
            "[{source: /a}]",
            "service device services.web.devices.[0] is missing a mount target",
        ),
    ],
)
def test_unicity_errors_match_the_reference(attribute: str, value: str, message: str) -> None:
    project = load(f"services:\n  web:\n    {attribute}: {value}\n", "f.yaml")
    with pytest.raises(MergeError) as caught:
        enforce_unicity(project)
    assert caught.value.message == message
    assert caught.value.location == Location("f.yaml", 3, 8 + len(attribute))


# ------------------------------------------------------------------ merge tags


def test_reset_removes_key_service_and_list_items() -> None:
    result = merge_texts(
        "services: {web: {image: a, ports: [{target: 80}], environment: {A: '1', B: '2'},"
        " cap_add: [X, Y]}, debug: {image: d}}",
        """
services:
  web:
    ports: !reset []
    environment: {B: !reset }
    cap_add: [!reset X, Z]
    new: !reset
  debug: !reset
""",
    )
    assert result["services"] == {
        "web": {"image": "a", "environment": {"A": "1"}, "cap_add": ["X", "Y", "Z"]}
    }


def test_reset_in_a_later_file_can_be_set_again() -> None:
    service = web(
        "services: {web: {image: a, ports: [{target: 80}]}}",
        "services: {web: {ports: !reset []}}",
        "services: {web: {ports: [{target: 81}]}}",
    )
    assert service == {"image": "a", "ports": [{"target": 81}]}


def test_override_replaces_wholesale_and_markers_never_reach_the_result() -> None:
    result = merge_texts(
        """
services:
  web:
    image: a
    ports: !override [{target: 80}]
    logging: {driver: d, options: {a: '1', b: '2'}}
    environment: {A: '1'}
""",
        """
services:
  web:
    ports: !override [{target: 81}]
    logging: {options: !override {c: '3'}}
    environment: !override {B: !reset , C: '3'}
    labels: {x: !override {y: !reset }}
""",
    )
    assert result["services"]["web"] == {
        "image": "a",
        "ports": [{"target": 81}],
        "logging": {"driver": "d", "options": {"c": "3"}},
        "environment": {"C": "3"},
        "labels": {"x": {}},
    }
    # !override in the first file is only unwrapped: the next file appends as usual
    assert web(
        "services: {web: {ports: !override [{target: 80}]}}",
        "services: {web: {ports: [{target: 81}]}}",
    ) == {"ports": [{"target": 80}, {"target": 81}]}


def test_clean_returns_the_same_object_without_markers() -> None:
    data = {"a": [1, {"b": 2}], "c": {"d": None}}
    assert clean(data) is data
    marked = {"a": [1, RESET, Override({"b": RESET, "c": 1})], "d": RESET}
    assert clean(marked) == {"a": [1, {"c": 1}]}
    assert marked["d"] is RESET  # the input is left as it was


# ------------------------------------------------------------------ extends


def test_merge_service_applies_service_rules_and_resets() -> None:
    base = load(
        "image: a\ncommand: [x]\nports: [{target: 80}]\nlabels: {a: '1'}\ncap_add: !override [X]\n",
        "base.yaml",
    )
    child = load(
        "command: [y]\nports: [{target: 81}]\nlabels: {b: '2'}\ncap_add: !reset\n", "child.yaml"
    )
    merged = merge_service(base, child)
    assert merged == {
        "image": "a",
        "command": ["y"],
        "ports": [{"target": 80}, {"target": 81}],
        "labels": {"a": "1", "b": "2"},
    }
    with pytest.raises(MergeError, match="cannot override services.x.ports"):
        merge_service({"ports": []}, {"ports": "80"})
    with pytest.raises(MergeError, match="cannot override services.web.ports"):
        merge_service({"ports": []}, {"ports": "80"}, name="web")


# ------------------------------------------------------------------ positions & purity


def test_positions_point_at_the_file_that_contributed_each_value() -> None:
    base = load(
        """services:
  web:
    image: a
    restart: always
    ports:
      - {target: 80}
    environment:
      A: "1"
""",
        "base.yaml",
    )
    over = load(
        """services:
  web:
    restart: "no"
    ports:
      - {target: 81}
    environment:
      B: "2"
    user: root
""",
        "override.yaml",
    )
    result = merge_files(base, over)
    path = ("services", "web")
    assert locate(result, (*path, "image")) == Location("base.yaml", 3, 12)
    assert locate(result, (*path, "restart")) == Location("override.yaml", 3, 14)
    assert locate(result, (*path, "user")) == Location("override.yaml", 8, 11)
    assert locate(result, (*path, "ports", 0)) == Location("base.yaml", 6, 9)
    assert locate(result, (*path, "ports", 1)) == Location("override.yaml", 5, 9)
    assert locate(result, (*path, "environment", "A")) == Location("base.yaml", 8, 10)
    assert locate(result, (*path, "environment", "B")) == Location("override.yaml", 7, 10)
    service = result["services"]["web"]
    assert service.key_locs["user"] == Location("override.yaml", 8, 5)
    assert service.loc == Location("base.yaml", 3, 5)
    # a unicity replacement carries the replacing entry's position
    again = merge_files(
        base, load("services:\n  web:\n    ports:\n      - {target: 80}\n", "third.yaml")
    )
    assert locate(again, (*path, "ports", 0)) == Location("third.yaml", 4, 9)


def test_inputs_are_not_modified() -> None:
    base = load(
        "services: {web: {image: a, ports: [{target: 80}], environment: [A=1], networks: [n]}}\n"
        "networks: {n: {ipam: {config: [{subnet: s1}, {subnet: s2}]}}}",
        "base.yaml",
    )
    over = load(
        "services: {web: {ports: [{target: 80, published: '1'}], environment: {B: '2'},"
        " networks: {n: {aliases: [a]}}, dns: !reset }}\n"
        "networks: {n: {ipam: {config: [{subnet: s2, gateway: g}, {subnet: s3}]}}}",
        "over.yaml",
    )
    before = (copy.deepcopy(base), copy.deepcopy(over))
    merge_files(base, over)
    assert (base, over) == before


# ------------------------------------------------------------------ performance


def _big_project(services: int, file: str, variant: int) -> Any:
    lines = ["services:"]
    for i in range(services):
        lines += [
            f"  svc{i}:",
            f"    image: img{i}:{variant}",
            "    environment:",
            f"      A{variant}: '1'",
            "      SHARED: x",
            "    labels: {tier: back}",
            "    ports:",
            f"      - {{mode: ingress, target: {80 + variant}, published: '{8000 + i}',"
            " protocol: tcp}",
            "    volumes:",
            f"      - {{type: bind, source: /src/{i}, target: /data{variant}}}",
            "    depends_on: {db: {condition: service_started, required: true}}",
            "    networks: {front: null, back: {aliases: [a]}}",
            "    command: [run, --fast]",
            "    healthcheck: {test: [CMD, true], interval: 5s}",
            "    deploy: {resources: {limits: {cpus: '1', memory: 1g}}}",
        ]
    return load("\n".join(lines) + "\n", file)


def test_merging_two_thousand_service_files() -> None:
    """Speed is measured in benchmarks/, not asserted here; this checks the big merge's result."""
    base = enforce_unicity(merge(YMap(), _big_project(1000, "a.yaml", 0)))
    over = _big_project(1000, "b.yaml", 1)
    result = enforce_unicity(merge(base, over))
    assert len(result["services"]) == 1000
    assert len(result["services"]["svc7"]["ports"]) == 2


# ------------------------------------------------------------------ against the reference


def _stringify_published(ports: Any) -> Any:
    return [{**p, "published": str(p["published"])} if "published" in p else p for p in ports]


def _key_value_mapping(items: Any) -> Any:
    if isinstance(items, dict):
        return items
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        out[key] = value if sep else None
    return out


@dataclass
class Case:
    """How to compare one fixture pair: which paths, after which normalisation."""

    paths: list[tuple[Hashable, ...]] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    config_args: list[str] = field(default_factory=list)
    yaml_output: bool = False
    error: str | None = None
    normalize: dict[tuple[Hashable, ...], Callable[[Any], Any]] = field(default_factory=dict)


W = ("services", "web")
CASES: dict[str, Case] = {
    "replace-command": Case(
        [
            (*W, "command"),
            (*W, "entrypoint"),
            (*W, "healthcheck"),
            ("services", "worker", "command"),
        ]
    ),
    "environment-by-key": Case([(*W, "environment")]),
    "environment-list-and-mapping": Case(
        [(*W, "environment")], normalize={(*W, "environment"): _key_value_mapping}
    ),
    "labels-annotations-sysctls": Case(
        [(*W, "labels"), (*W, "annotations"), (*W, "sysctls"), (*W, "deploy", "labels")]
    ),
    "build-mapping": Case([(*W, "build")]),
    "depends-on": Case([(*W, "depends_on")]),
    "networks-service": Case([(*W, "networks")]),
    "logging-same-driver": Case([(*W, "logging")]),
    "logging-driver-change": Case([(*W, "logging")]),
    "ulimits-replace": Case([(*W, "ulimits")]),
    "volumes-by-target": Case([(*W, "volumes")]),
    "ports-by-key": Case([(*W, "ports")], normalize={(*W, "ports"): _stringify_published}),
    "secrets-configs-by-target": Case([(*W, "secrets"), (*W, "configs")]),
    "env-file-by-path": Case(
        [(*W, "env_file")],
        config_args=["--no-normalize", "--no-interpolate", "--no-path-resolution"],
    ),
    "unique-string-lists": Case(
        [
            (*W, key)
            for key in ("profiles", "dns", "dns_search", "dns_opt", "cap_add", "cap_drop", "tmpfs")
            + ("expose", "links")
        ],
        args=["--profile", "a"],
    ),
    "appended-lists": Case(
        [
            (*W, "security_opt"),
            (*W, "group_add"),
            (*W, "external_links"),
            (*W, "device_cgroup_rules"),
            (*W, "deploy", "placement", "constraints"),
        ]
    ),
    "devices-by-target": Case([(*W, "devices")]),
    "extra-hosts": Case([(*W, "extra_hosts")], normalize={(*W, "extra_hosts"): sorted}),
    "extra-hosts-mapping": Case([(*W, "extra_hosts")], normalize={(*W, "extra_hosts"): sorted}),
    "short-forms": Case(
        [
            (*W, "build", "context"),
            (*W, "build", "args"),
            (*W, "depends_on"),
            (*W, "networks"),
            (*W, "dns"),
            (*W, "tmpfs"),
        ]
    ),
    "extensions": Case([("x-common",), (*W, "x-meta")], yaml_output=True),
    "top-level-resources": Case(
        [
            ("networks", "front", "driver"),
            ("networks", "front", "driver_opts"),
            ("networks", "front", "labels"),
            ("networks", "front", "attachable"),
            ("volumes", "data", "driver_opts"),
            ("volumes", "data", "labels"),
            ("secrets", "token", "file"),
            ("secrets", "token", "labels"),
            ("configs", "conf", "labels"),
        ]
    ),
    "ipam-config-by-subnet": Case([("networks", "front", "ipam", "config")]),
    "reset": Case(
        [(*W, "ports"), (*W, "environment"), (*W, "dns"), (*W, "cap_add"), ("services", "debug")]
    ),
    "tags-in-first-file": Case([(*W, "ports"), (*W, "dns"), (*W, "environment")]),
    "override-tag": Case([(*W, "ports"), (*W, "environment"), (*W, "logging")]),
    "null-and-new-services": Case(
        [
            (*W, "image"),
            (*W, "restart"),
            (*W, "ports"),
            ("services", "db", "image"),
            ("services", "cache", "image"),
            ("services", "cache", "environment"),
        ]
    ),
    "type-mismatch": Case(error="cannot override services.web.deploy.resources"),
}

_MISSING = object()


def _at(data: Any, path: tuple[Hashable, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def test_every_fixture_has_a_case() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(CASES)


def _ours(folder: Path) -> Any:
    docs = [
        load((folder / name).read_text(), str(folder / name))
        for name in ("base.yaml", "override.yaml")
    ]
    return merge_files(*docs)


def _reference(folder: Path, case: Case) -> tuple[int, Any, str]:
    argv = ["-p", "proj", *case.args, "-f", "base.yaml", "-f", "override.yaml", "config"]
    argv += case.config_args
    if not case.yaml_output:
        argv += ["--format", "json"]
    done = run_reference(argv, cwd=folder)
    if done.returncode != 0:
        return done.returncode, None, done.stderr
    data = YAML(typ="safe").load(done.stdout) if case.yaml_output else json.loads(done.stdout)
    return 0, data, done.stderr


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_matches_reference(name: str) -> None:
    if reference_binary() is None:
        pytest.skip("reference docker-compose binary not installed")
    case = CASES[name]
    folder = FIXTURES / name
    code, expected, stderr = _reference(folder, case)
    if case.error is not None:
        assert code != 0 and case.error in stderr
        with pytest.raises(MergeError) as caught:
            _ours(folder)
        assert caught.value.message == case.error
        return
    assert code == 0, stderr
    ours = _ours(folder)
    for path in case.paths:
        want, got = _at(expected, path), _at(ours, path)
        fix = case.normalize.get(path)
        if fix is not None:
            want = fix(want) if want is not _MISSING else want
            got = fix(got) if got is not _MISSING else got
        assert got == want, f"{name}: {'.'.join(map(str, path))}"
