"""canonical(): one file's short syntax rewritten to the long syntax the merge expects.

Expectations follow compose-go v2.9.1's transform package; the ones that show in
`config` output were confirmed on the reference binary (see test_normalize.py for
whole files compared with the binary).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from composer.errors import ComposerError
from composer.loader.canonical import TRANSFORMS, PatternTable, Walk, canonical
from composer.loader.yaml import parse_documents
from composer.source import YList


def _service(**attrs: Any) -> dict[str, Any]:
    return canonical({"services": {"s": attrs}})["services"]["s"]  # type: ignore[no-any-return]


def test_depends_on_list_becomes_mapping_with_defaults() -> None:
    assert _service(depends_on=["db", "cache"])["depends_on"] == {
        "db": {"condition": "service_started", "required": True},
        "cache": {"condition": "service_started", "required": True},
    }


def test_depends_on_mapping_gets_missing_defaults_only() -> None:
    got = _service(depends_on={"db": {"condition": "service_healthy"}, "x": {"required": False}})
    assert got["depends_on"] == {
        "db": {"condition": "service_healthy", "required": True},
        "x": {"required": False, "condition": "service_started"},
    }


def test_depends_on_entry_must_be_a_mapping() -> None:
    with pytest.raises(ComposerError, match=r"services\.s\.depends_on\.db: unsupported value"):
        _service(depends_on={"db": "yes"})


def test_build_string_is_the_context() -> None:
    assert _service(build="./app")["build"] == {"context": "./app"}


def test_build_children_are_transformed() -> None:
    build = _service(
        build={
            "context": ".",
            "secrets": ["s"],
            "additional_contexts": ["a=../a"],
            "ssh": ["default", "k=./key"],
        }
    )["build"]
    assert build["secrets"] == [{"source": "s"}]
    assert build["additional_contexts"] == {"a": "../a"}
    assert build["ssh"] == {"default": None, "k": "./key"}


def test_build_errors_use_the_reference_wording() -> None:
    with pytest.raises(ComposerError, match="invalid value foo, expected key=value"):
        _service(build={"additional_contexts": ["foo"]})
    with pytest.raises(ComposerError, match='invalid ssh key "foo"'):
        _service(build={"ssh": ["foo"]})


def test_env_file_forms() -> None:
    assert _service(env_file="a.env")["env_file"] == [{"path": "a.env", "required": True}]
    assert _service(env_file=["a.env", {"path": "b.env", "required": False}])["env_file"] == [
        {"path": "a.env", "required": True},
        {"path": "b.env", "required": False},
    ]


def test_string_or_list_attributes() -> None:
    assert _service(dns="8.8.8.8")["dns"] == ["8.8.8.8"]
    assert _service(label_file="l.txt")["label_file"] == ["l.txt"]


def test_extends_and_networks_and_models() -> None:
    assert _service(extends="base")["extends"] == {"service": "base"}
    assert _service(networks=["a", "b"])["networks"] == {"a": None, "b": None}
    assert _service(models=["m"])["models"] == {"m": None}


def test_gpus_all() -> None:
    assert _service(gpus="all")["gpus"] == [{"count": "all"}]


def test_file_mounts() -> None:
    svc = _service(secrets=["s", {"source": "t", "target": "/x"}], configs=["c"])
    assert svc["secrets"] == [{"source": "s"}, {"source": "t", "target": "/x"}]
    assert svc["configs"] == [{"source": "c"}]


def test_devices() -> None:
    assert _service(devices=["/dev/a", "/dev/b:/dev/c", "/dev/d:/dev/e:r"])["devices"] == [
        {"source": "/dev/a", "target": "/dev/a", "permissions": "rwm"},
        {"source": "/dev/b", "target": "/dev/c", "permissions": "rwm"},
        {"source": "/dev/d", "target": "/dev/e", "permissions": "r"},
    ]
    with pytest.raises(
        ComposerError, match="confusing device mapping, please use long syntax: a:b:c:d"
    ):
        _service(devices=["a:b:c:d"])


def test_ports_expand_ranges_and_keep_mappings() -> None:
    ports = _service(ports=[80, "8000-8001:90-91", "7000-7009:70", {"target": 22}])["ports"]
    assert ports == [
        {"target": 80},
        {"mode": "ingress", "target": 90, "published": "8000", "protocol": "tcp"},
        {"mode": "ingress", "target": 91, "published": "8001", "protocol": "tcp"},
        {"mode": "ingress", "target": 70, "published": "7000-7009", "protocol": "tcp"},
        {"target": 22},
    ]


def test_port_error_names_the_entry() -> None:
    with pytest.raises(ComposerError) as caught:
        _service(ports=["80", "a:80"])
    assert caught.value.message == "invalid hostPort: a"
    assert caught.value.path == "services.s.ports[1]"


def test_ports_kept_verbatim_without_interpolation() -> None:
    cfg = {"services": {"s": {"ports": ["${P:-80}:80", 81], "ulimits": {"nofile": "${N}"}}}}
    got = canonical(cfg, skip_interpolation=True)["services"]["s"]
    assert got["ports"] == ["${P:-80}:80", 81]
    assert got["ulimits"] == {"nofile": "${N}"}


def test_volume_short_syntax() -> None:
    volumes = _service(volumes=["./data:/data:ro", "db:/var/lib/db", "/anon/"])["volumes"]
    assert volumes == [
        {
            "type": "bind",
            "source": "./data",
            "target": "/data",
            "read_only": True,
            "bind": {"create_host_path": True},
        },
        {"type": "volume", "source": "db", "target": "/var/lib/db", "volume": {}},
        {"type": "volume", "target": "/anon", "volume": {}},
    ]


def test_volume_with_unresolved_variable_keeps_colons_inside_braces() -> None:
    got = canonical(
        {"services": {"s": {"volumes": ["${SRC:-./x}:/y:ro"]}}}, skip_interpolation=True
    )
    assert got["services"]["s"]["volumes"] == [
        {"type": "volume", "source": "${SRC:-./x}", "target": "/y", "read_only": True, "volume": {}}
    ]


def test_watch_path_lists_expand_after_the_single_paths() -> None:
    watch = _service(
        develop={
            "watch": [{"path": ["a", "b"], "action": "sync"}, {"path": "c", "action": "rebuild"}]
        }
    )["develop"]["watch"]
    assert watch == [
        {"path": "c", "action": "rebuild"},
        {"path": "a", "action": "sync"},
        {"path": "b", "action": "sync"},
    ]


def test_external_name_is_deprecated_and_adopted() -> None:
    warnings: list[str] = []
    got = canonical({"networks": {"n": {"external": {"name": "real"}}}}, warnings=warnings)
    assert got["networks"]["n"] == {"external": True, "name": "real"}
    assert warnings == [
        "networks.n: external.name is deprecated. Please set name and external: true"
    ]


def test_external_name_conflict() -> None:
    with pytest.raises(
        ComposerError, match="volumes.v: name and external.name conflict; only use name"
    ):
        canonical({"volumes": {"v": {"name": "a", "external": {"name": "b"}}}})


def test_null_resources_and_include() -> None:
    got = canonical({"volumes": {"v": None}, "include": ["other.yaml", {"path": "x.yaml"}]})
    assert got == {"volumes": {"v": None}, "include": [{"path": "other.yaml"}, {"path": "x.yaml"}]}


def test_other_attributes_are_untouched() -> None:
    service = {
        "image": "x",
        "command": "echo hi",
        "environment": ["A=1"],
        "x-extra": {"ports": "not-a-port"},
    }
    assert _service(**copy.deepcopy(service)) == service


def test_idempotent() -> None:
    cfg = {
        "services": {
            "s": {
                "build": "./app",
                "depends_on": ["db"],
                "ports": ["80:80", 81],
                "volumes": ["./a:/b"],
                "env_file": "e.env",
                "devices": ["/dev/a"],
                "gpus": "all",
                "networks": ["n"],
                "develop": {"watch": [{"path": ["a", "b"], "action": "sync"}]},
            }
        },
        "networks": {"n": {"external": {"name": "real"}}},
    }
    once = canonical(copy.deepcopy(cfg))
    assert canonical(copy.deepcopy(once)) == once


def test_locations_follow_the_new_entries() -> None:
    doc = parse_documents(
        "services:\n  s:\n    ports:\n      - '80-81:80-81'\n      - 90\n", "c.yaml"
    )[0]
    ports = canonical(doc)["services"]["s"]["ports"]
    assert isinstance(ports, YList)
    assert [loc.line for loc in ports.locs] == [4, 4, 5]  # type: ignore[union-attr]


def test_every_pattern_is_reachable() -> None:
    table = PatternTable(TRANSFORMS)
    for pattern in TRANSFORMS:
        node = table.root
        for part in pattern.split("."):
            node = PatternTable.child(node, "x" if part == "*" else part)  # type: ignore[assignment]
            assert node is not None, pattern
        assert node["handler"] is TRANSFORMS[pattern]


def test_walk_only_descends_where_patterns_lead() -> None:
    seen: list[tuple[Any, ...]] = []

    def record(value: Any, path: tuple[Any, ...], walk: Walk, node: dict[str, Any]) -> Any:
        seen.append(path)
        return value

    Walk(PatternTable({"a.*.b": record})).run({"a": {"x": {"b": 1}, "y": [1]}, "z": {"b": 2}})
    assert seen == [("a", "x", "b")]
