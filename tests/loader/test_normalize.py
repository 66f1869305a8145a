"""The post-merge stages against the reference's own output on the real-world corpus.

For every valid single-file corpus case that needs no include/extends/merge (and no
`--project-directory`), the file goes through parse -> interpolate -> canonical ->
set_defaults -> resolve_paths -> normalize -> profiles -> resolve_environment ->
prune_unused, and the result must equal the reference's `config` output as data.

The result must equal expected.yaml read as data (the model the reference printed)
AND expected.json once `json_view` applies what Go's JSON encoder does differently:
`command`/`entrypoint` always present (null when unset), value structs never omitted
(`ipam: {}`, `deploy.resources: {}`, `deploy.placement: {}`, watch `exec`), nested
`x-*` extensions and the top-level `models` section left out. Those differences are
the renderer's business; json_view documents them.

Run `python -m tests.loader.test_normalize` for a per-case report with differences.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from composer.loader.canonical import canonical
from composer.loader.defaults import normalize, prune_unused, set_defaults, to_model
from composer.loader.environment import resolve_environment
from composer.loader.paths import resolve_paths
from tests.helpers import clean_env

CORPUS = Path(
    os.environ.get("COMPOSER_CORPUS") or Path(__file__).resolve().parents[3] / "shared" / "corpus"
)
PROJECT = "corpus"


class Unsupported(Exception):
    """The case needs a stage these tests do not run (include, extends, several files)."""


def _escape(value: Any) -> Any:
    """The reference prints every `$` as `$$`, in keys and values."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {_escape(k): _escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _drop_extensions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_extensions(v) for k, v in value.items() if not str(k).startswith("x-")}
    if isinstance(value, list):
        return [_drop_extensions(v) for v in value]
    return value


def json_view(project: dict[str, Any]) -> dict[str, Any]:
    """The model as `config --format json` prints it (see module doc)."""
    out: dict[str, Any] = {}
    for key, value in project.items():
        if key == "models":
            continue
        out[key] = value if str(key).startswith("x-") else _drop_extensions(value)
    for service in (out.get("services") or {}).values():
        if not isinstance(service, dict):
            continue
        service.setdefault("command", None)
        service.setdefault("entrypoint", None)
        deploy = service.get("deploy")
        if isinstance(deploy, dict):
            deploy.setdefault("resources", {})
            deploy.setdefault("placement", {})
        for trigger in (service.get("develop") or {}).get("watch") or ():
            trigger.setdefault("exec", {}).setdefault("command", None)
    for network in (out.get("networks") or {}).values():
        if isinstance(network, dict):
            network.setdefault("ipam", {})
    return out


def _unordered(data: Any, paths: list[str]) -> Any:
    for dotted in paths:
        node = data
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        last = parts[-1]
        if isinstance(node, dict) and isinstance(node.get(last), list):
            node[last] = sorted(node[last], key=json.dumps)
    return data


def _environment(
    folder: Path, working_dir: Path, meta: dict[str, Any], env_files: list[str]
) -> dict[str, str]:
    """Process env (PATH, HOME=/tmp, the case's vars) over the project's .env (or the
    --env-file files, relative to the folder the reference ran in)."""
    from composer.loader.dotenv import read_env_file

    process = clean_env(meta.get("env"))
    files = [folder / f for f in env_files] or [working_dir / ".env"]
    dotenv: dict[str, str] = {}
    for path in files:
        if not path.is_file():
            continue

        def lookup(key: str) -> str | None:
            return process.get(key, dotenv.get(key))

        values = read_env_file(str(path), lookup=lookup)
        dotenv.update({k: v for k, v in values.items() if v is not None})
    environment = {**dotenv, **process}
    environment["COMPOSE_PROJECT_NAME"] = PROJECT
    return environment


def run_case(folder: Path) -> tuple[Any, Any]:
    """(ours, expected) for one valid case, as comparable data: the YAML view and,
    when the reference could render JSON, the JSON view side by side."""
    from composer.loader.interpolation import interpolate
    from composer.loader.profiles import apply_profiles
    from composer.loader.yaml import parse_documents

    meta = json.loads((folder / "case.json").read_text())
    files = meta["files"]
    if len(files) != 1:
        raise Unsupported("several -f files (needs merge)")
    args = list(meta.get("args") or [])
    profiles: list[str] = []
    env_files: list[str] = []
    while args:
        flag = args.pop(0)
        if flag == "--profile":
            profiles.append(args.pop(0))
        elif flag == "--env-file":
            env_files.append(args.pop(0))
        else:
            raise Unsupported(f"CLI flag {flag}")
    if meta.get("config_args"):
        raise Unsupported("config flags")
    main_file = folder / files[0]
    working_dir = main_file.parent
    text = main_file.read_text()
    docs = parse_documents(text, str(main_file))
    if len(docs) != 1:
        raise Unsupported("several YAML documents")
    cfg = docs[0]
    if "include" in cfg or any(
        isinstance(s, dict) and "extends" in s for s in (cfg.get("services") or {}).values()
    ):
        raise Unsupported("include/extends")
    environment = _environment(folder, working_dir, meta, env_files)
    if not profiles and environment.get("COMPOSE_PROFILES"):
        profiles = [p for p in environment["COMPOSE_PROFILES"].split(",") if p]
    warnings: list[str] = []
    cfg = interpolate(cfg, environment.get, warnings=warnings)
    cfg.pop("version", None)
    cfg.pop("name", None)
    project = canonical(cfg, warnings=warnings)
    project = _unicity(project)
    project = set_defaults(project)
    project = resolve_paths(project, str(working_dir), home="/tmp")
    project = normalize(project, project_name=PROJECT, lookup=environment.get)
    project, _ = apply_profiles(project, profiles)
    project = resolve_environment(project, environment.get, warnings=warnings)
    project = prune_unused(to_model(project))
    ours = _escape(_plain({"name": PROJECT, **project}))
    expected_text = (folder / "expected.yaml").read_text().replace("${CASE_DIR}", str(folder))
    expected = _plain(parse_documents(expected_text, "expected.yaml")[0])
    unordered = list(meta.get("unordered_paths") or [])
    # build.ssh comes out of a Go map: its order is random in the reference
    unordered += [f"services.{name}.build.ssh" for name in expected.get("services") or {}]
    ours_all: dict[str, Any] = {"yaml": _unordered(ours, unordered)}
    expected_all: dict[str, Any] = {"yaml": _unordered(expected, unordered)}
    json_file = folder / "expected.json"
    if json_file.is_file():
        expected_json = json.loads(json_file.read_text().replace("${CASE_DIR}", str(folder)))
        ours_all["json"] = _unordered(json_view(_plain(ours)), unordered)
        expected_all["json"] = _unordered(expected_json, unordered)
    return ours_all, expected_all


def _unicity(project: dict[str, Any]) -> dict[str, Any]:
    """The merge stage's duplicate removal (ports repeated by a range), when available."""
    try:
        from composer.loader.merge import enforce_unicity
    except ImportError:
        return project
    return enforce_unicity(project)  # type: ignore[no-any-return]


def _valid_cases() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    found = []
    for folder in sorted(CORPUS.iterdir()):
        meta_file = folder / "case.json"
        if meta_file.is_file() and (folder / "expected.yaml").is_file():
            found.append(folder)
    return found


def diff(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Readable differences between two data trees."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in list(ours) + [k for k in theirs if k not in ours]:
            where = f"{path}.{key}" if path else str(key)
            if key not in theirs:
                out.append(f"{where}: extra {json.dumps(ours[key], default=str)[:120]}")
            elif key not in ours:
                out.append(f"{where}: missing {json.dumps(theirs[key], default=str)[:120]}")
            else:
                out += diff(ours[key], theirs[key], where)
        return out
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        out = []
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            out += diff(a, b, f"{path}[{i}]")
        return out
    if ours != theirs or type(ours) is not type(theirs):
        mine, other = (json.dumps(v, default=str)[:120] for v in (ours, theirs))
        return [f"{path}: ours {mine} != {other}"]
    return []


_CASES = _valid_cases()


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus folder absent")
@pytest.mark.parametrize("folder", _CASES, ids=[f.name for f in _CASES])
def test_corpus_case(folder: Path) -> None:
    try:
        ours, expected = run_case(folder)
    except Unsupported as why:
        pytest.skip(str(why))
    assert diff(ours, expected) == []


# ---------------------------------------------------------------- stage by stage


def test_set_defaults() -> None:
    project = {
        "services": {
            "s": {
                "build": {"dockerfile": "D"},
                "secrets": [{"source": "a"}, {"source": "b", "target": "/b"}],
                "ports": [{"target": 80}],
                "gpus": [{"driver": "nvidia"}, {"device_ids": ["0"]}],
            }
        }
    }
    s = set_defaults(project)["services"]["s"]
    assert s["build"] == {"dockerfile": "D", "context": "."}
    assert s["secrets"] == [
        {"source": "a", "target": "/run/secrets/a"},
        {"source": "b", "target": "/b"},
    ]
    assert s["ports"] == [{"target": 80, "protocol": "tcp", "mode": "ingress"}]
    assert s["gpus"] == [{"driver": "nvidia", "count": "all"}, {"device_ids": ["0"]}]


def _normalized(project: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    return normalize(project, project_name="p", lookup=(env or {}).get)


def test_default_network_only_when_used() -> None:
    got = _normalized(
        {
            "services": {
                "a": {"image": "x"},
                "b": {"network_mode": "host"},
                "c": {"provider": {"type": "t"}},
            }
        }
    )
    assert got["services"]["a"]["networks"] == {"default": None}
    assert "networks" not in got["services"]["b"]
    assert "networks" not in got["services"]["c"]
    assert got["networks"] == {"default": {"name": "p_default"}}
    assert "networks" not in _normalized({"services": {"b": {"network_mode": "host"}}})


def test_resource_names() -> None:
    got = _normalized(
        {
            "volumes": {"v": None, "w": {"external": True}, "x": {"name": "explicit"}},
            "secrets": {"s": {"file": "/f"}},
            "configs": {"c": {"external": True, "name": "n"}},
        }
    )
    assert got["volumes"] == {
        "v": {"name": "p_v"},
        "w": {"name": "w", "external": True},
        "x": {"name": "explicit"},
    }
    assert got["secrets"]["s"]["name"] == "p_s"
    assert got["configs"]["c"]["name"] == "n"


def test_implied_dependencies() -> None:
    got = _normalized(
        {
            "services": {
                "a": {
                    "links": ["db:database", "cache"],
                    "volumes_from": ["data:ro", "container:c"],
                    "ipc": "service:ipc",
                },
            }
        }
    )
    assert got["services"]["a"]["depends_on"] == {
        "db": {"condition": "service_started", "restart": True, "required": True},
        "cache": {"condition": "service_started", "restart": True, "required": True},
        "ipc": {"condition": "service_started", "restart": True, "required": True},
        "data": {"condition": "service_started", "required": True},
    }


def test_build_environment_and_pull_policy() -> None:
    got = _normalized(
        {
            "services": {
                "a": {
                    "pull_policy": "if_not_present",
                    "build": {"context": "/c", "args": ["A", "B=1", "HOME"]},
                    "environment": {"X": None, "HOME": None, "Y": 2},
                }
            }
        },
        {"HOME": "/home/me"},
    )["services"]["a"]
    assert got["pull_policy"] == "missing"
    assert got["build"] == {
        "context": "/c",
        "dockerfile": "Dockerfile",
        "args": {"B": "1", "HOME": "/home/me"},
    }
    assert got["environment"] == {"X": None, "HOME": "/home/me", "Y": "2"}


def test_model_omits_zero_values_but_keeps_pointers() -> None:
    got = to_model(
        {
            "services": {
                "a": {
                    "privileged": False,
                    "init": False,
                    "cap_add": [],
                    "command": [],
                    "deploy": {"replicas": 0, "resources": {}, "placement": {"constraints": []}},
                    "volumes": [{"type": "volume", "target": "/v", "volume": {}}],
                    "x-ext": {"privileged": False},
                }
            }
        }
    )["services"]["a"]
    assert got == {
        "init": False,
        "command": [],
        "deploy": {"replicas": 0},
        "volumes": [{"type": "volume", "target": "/v", "volume": {}}],
        "x-ext": {"privileged": False},
    }


def test_model_error_uses_the_decoder_wording() -> None:
    from composer.errors import ComposerError

    with pytest.raises(ComposerError) as caught:
        to_model({"services": {"a": {"healthcheck": {"interval": "10x"}}}})
    assert caught.value.message == (
        "decoding failed due to the following error(s):\n\n"
        '\'services[a].healthcheck.interval\' time: unknown unit "x" in duration "10x"'
    )


def test_prune_unused() -> None:
    project = {
        "services": {
            "a": {
                "networks": {"front": None},
                "volumes": [{"type": "volume", "source": "data"}, {"type": "bind", "source": "/x"}],
                "secrets": [{"source": "s"}],
                "build": {"secrets": [{"source": "b"}]},
                "configs": [{"source": "c"}],
                "models": {"m": None},
            }
        },
        "networks": {"front": {}, "back": {}},
        "volumes": {"data": {}, "other": {}},
        "secrets": {"s": {}, "b": {}, "unused": {}},
        "configs": {"c": {}},
        "models": {"m": {}, "n": {}},
    }
    assert prune_unused(project) == {
        "services": project["services"],
        "networks": {"front": {}},
        "volumes": {"data": {}},
        "secrets": {"s": {}, "b": {}},
        "configs": {"c": {}},
        "models": {"m": {}},
    }
    assert prune_unused({"services": {}, "volumes": {"v": {}}}) == {"services": {}}


def test_resolve_paths() -> None:
    project = {
        "services": {
            "a": {
                "build": {
                    "context": ".",
                    "additional_contexts": {"x": "../x", "y": "docker-image://y", "z": "https://z"},
                },
                "volumes": [
                    {"type": "bind", "source": "./d/../e"},
                    {"type": "bind", "source": "~/h"},
                    {"type": "bind", "source": "C:\\w"},
                    {"type": "volume", "source": "named"},
                ],
                "env_file": [{"path": "e.env"}],
            },
            "b": {"build": {"context": "git@github.com:a/b.git"}},
        },
        "secrets": {"s": {"file": "~/s"}},
        "volumes": {"v": {"driver": "local", "driver_opts": {"o": "bind", "device": "./dev"}}},
    }
    got = resolve_paths(project, "/proj", home="/home/me")
    a = got["services"]["a"]
    assert a["build"] == {
        "context": "/proj",
        "additional_contexts": {"x": "/x", "y": "docker-image://y", "z": "https://z"},
    }
    assert [v["source"] for v in a["volumes"]] == ["/proj/e", "/home/me/h", "C:\\w", "named"]
    assert a["env_file"] == [{"path": "/proj/e.env"}]
    assert got["services"]["b"]["build"]["context"] == "git@github.com:a/b.git"
    assert got["secrets"]["s"]["file"] == "/home/me/s"
    assert got["volumes"]["v"]["driver_opts"]["device"] == "/proj/dev"


def test_resolve_environment(tmp_path: Path) -> None:
    (tmp_path / "e1.env").write_text("A=fromfile\nB=fromfile\nC=${X}-${D}\nE\nF=\n")
    (tmp_path / "l.txt").write_text("L1=v1\nL2=${L1}x\n")
    project = {
        "services": {
            "a": {
                "env_file": [
                    {"path": str(tmp_path / "e1.env"), "required": True},
                    {"path": str(tmp_path / "no.env"), "required": False},
                ],
                "environment": {"B": "fromenv", "D": "dval", "G": None, "HOME": None},
                "label_file": [str(tmp_path / "l.txt")],
                "labels": {"L2": "override"},
            }
        }
    }
    env = {"X": "xx", "HOME": "/tmp"}
    got = resolve_environment(project, env.get)["services"]["a"]
    assert got == {
        "environment": {
            "A": "fromfile",
            "B": "fromenv",
            "C": "xx-dval",
            "D": "dval",
            "F": "",
            "G": None,
            "HOME": "/tmp",
        },
        "labels": {"L1": "v1", "L2": "override"},
    }


def test_missing_env_file_is_an_error() -> None:
    from composer.errors import ComposerError

    with pytest.raises(
        ComposerError,
        match="env file /nope.env not found: stat /nope.env: no such file or directory",
    ):
        no_env: dict[str, str] = {}
        resolve_environment(
            {"services": {"a": {"env_file": [{"path": "/nope.env", "required": True}]}}}, no_env.get
        )


# ---------------------------------------------------------------- whole files vs the binary

_SAMPLES = {
    "short-syntax": """
services:
  a:
    image: x
    command: echo "hello world" 'a b' c\\ d
    mem_limit: 50M
    shm_size: 64m
    privileged: false
    init: false
    cpus: "0.25"
    stop_grace_period: 90s
    ulimits: {nofile: 1024, nproc: {soft: 1, hard: 2}}
    healthcheck: {test: curl x, interval: 1h30m, timeout: 1.5s}
    ports: [3000-3002, "127.0.0.1:5000-5001:6000-6001/udp", "[::1]:80:80", 8080,
            {target: 81, published: 8081, host_ip: 0.0.0.0, app_protocol: http, name: web}]
    volumes:
      - ./data:/data:ro,z
      - vol:/v:nocopy
      - ~/x:/home
      - /anon
      - {type: tmpfs, target: /t, tmpfs: {size: 10m}}
      - {type: volume, source: vol, target: /sub, volume: {subpath: a/b, nocopy: false}}
    environment: [A, B=, C=1, HOME]
    expose: [80, "90", "100-110/tcp"]
    extra_hosts: ["a:1.2.3.4", "b=::1", "c:[::2]", "a:5.6.7.8"]
    tmpfs: /run
    dns: 8.8.8.8
    sysctls: [net.core.somaxconn=1024]
    labels: ["a=b", "c"]
    devices: ["/dev/a", "/dev/b:/dev/c", "/dev/d:/dev/e:r"]
    logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}
    cap_add: []
    group_add: [1234, staff]
    blkio_config: {weight: 300, device_read_bps: [{path: /dev/sda, rate: 12mb}]}
    annotations: ["com.x=1"]
    x-custom: {a: 1}
    links: ["db:database"]
    depends_on: [db]
    pull_policy: if_not_present
    deploy:
      replicas: 2
      labels: [a=b]
      update_config: {parallelism: 2, delay: 10s, monitor: 0s, max_failure_ratio: 0.3}
      placement: {constraints: [], max_replicas_per_node: 1}
      resources:
        limits: {cpus: 0.25, memory: 50M}
        reservations: {memory: 20M, devices: [{capabilities: [gpu]}]}
      restart_policy: {delay: 5s, max_attempts: 0, window: 120s}
  db:
    image: db
    build: {context: ./db, args: [A, B=1], additional_contexts: ["x=../x", "y=docker-image://y"]}
    networks: [front, back]
    gpus: all
    command: ""
    entrypoint: []
    secrets: [s, {source: s, target: /x, mode: 0o440}]
    configs: [c]
networks:
  front:
    driver: bridge
    ipam: {config: [{subnet: 172.16.238.0/24}]}
    enable_ipv6: false
    internal: false
  back: {external: true}
  unused:
volumes:
  vol: {driver: local, driver_opts: {type: none, o: bind, device: ./vdata}}
  unused2:
secrets:
  s: {file: ./s}
configs:
  c: {content: hello}
x-top: {a: b}
""",
    "environment": """
services:
  a:
    image: x
    env_file: [e1.env, {path: missing.env, required: false}]
    environment: {B: fromenv, D: dval, G: null, X: null, HOME: null}
    label_file: ./l.txt
    labels: {L2: override}
  b:
    image: x
    environment: [E, F=, HOME]
    labels: ["a.b=1"]
""",
}
_FILES = {"e1.env": "A=fromfile\nB=fromfile\nC=${X}-${D}\nE\nF=\n", "l.txt": "L1=v1\nL2=${L1}x\n"}


def _pipeline(text: str, folder: Path, env: dict[str, str]) -> Any:
    from composer.loader.interpolation import interpolate
    from composer.loader.yaml import parse_documents

    environment = {**env, "COMPOSE_PROJECT_NAME": "proj"}
    cfg = parse_documents(text, str(folder / "compose.yaml"))[0]
    cfg = interpolate(cfg, environment.get, warnings=[])
    project = canonical(cfg)
    project = set_defaults(project)
    project = resolve_paths(project, str(folder), home=env["HOME"])
    project = normalize(project, project_name="proj", lookup=environment.get)
    project = resolve_environment(project, environment.get)
    return _escape(_plain({"name": "proj", **prune_unused(project)}))


@pytest.mark.reference
@pytest.mark.parametrize("sample", list(_SAMPLES))
def test_sample_matches_reference(sample: str, tmp_path: Path) -> None:
    from composer.loader.yaml import parse_documents
    from tests.reference import reference_binary, run_reference

    if reference_binary() is None:
        pytest.skip("reference binary not installed")
    text = _SAMPLES[sample]
    (tmp_path / "compose.yaml").write_text(text)
    for name, content in _FILES.items():
        (tmp_path / name).write_text(content)
    env = {"HOME": "/tmp", "X": "xx"}
    result = run_reference(["-p", "proj", "-f", "compose.yaml", "config"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    theirs = _plain(parse_documents(result.stdout, "expected.yaml")[0])
    ours = _pipeline(text, tmp_path, {"PATH": os.environ.get("PATH", ""), **env})
    assert diff(ours, theirs) == []


def test_thousand_services_normalize() -> None:
    """canonical + normalize of 1,000 busy services: ~0.1 s here; fail past 1 s."""

    def service(i: int) -> dict[str, Any]:
        return {
            "image": f"nginx:{i}",
            "build": {"context": f"./app{i}", "args": ["A=1", "B"]},
            "command": f"sh -c 'echo {i} && sleep 1'",
            "ports": [f"{10000 + i}:80", f"127.0.0.1:{20000 + i}:9000/udp"],
            "volumes": [f"./data{i}:/data:ro", "vol:/v", "/anon"],
            "environment": ["A=1", f"B={i}", "HOME"],
            "depends_on": ["svc0"],
            "networks": ["front"],
            "healthcheck": {"test": "curl localhost", "interval": "30s", "retries": 3},
            "labels": ["a=b", f"c={i}"],
            "mem_limit": "512m",
            "deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "256M"}}},
            "secrets": ["s"],
        }

    project = {
        "services": {f"svc{i}": service(i) for i in range(1000)},
        "networks": {"front": None},
        "volumes": {"vol": None},
        "secrets": {"s": {"file": "./s"}},
    }
    result = canonical(project)
    result = normalize(set_defaults(result), project_name="p", lookup={"HOME": "/h"}.get)
    assert result["services"]["svc7"]["ports"][1]["published"] == "20007"


def report() -> int:
    """Print pass/fail/skip per case with the differences; exit 1 on failures."""
    passed = failed = skipped = 0
    for folder in _CASES:
        try:
            ours, expected = run_case(folder)
        except Unsupported as why:
            skipped += 1
            print(f"SKIP {folder.name}: {why}")
            continue
        except Exception as error:  # noqa: BLE001 - a report, not a test
            failed += 1
            print(f"FAIL {folder.name}: {type(error).__name__}: {error}")
            continue
        problems = diff(ours, expected)
        if problems:
            failed += 1
            print(f"FAIL {folder.name}")
            for line in problems[:15]:
                print(f"    {line}")
        else:
            passed += 1
            print(f"PASS {folder.name}")
    print(f"\n{passed} passed, {failed} failed, {skipped} skipped (of {len(_CASES)} valid cases)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(report())
