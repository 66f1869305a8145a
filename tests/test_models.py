"""The typed models (composer/models): every canonical project binds without losing a
field, typed values come out right, bad values name their path, and pydantic stays
off the `config` path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from composer.cli.fastpath import parse_call
from composer.errors import ComposerError
from composer.graph import build_graph
from composer.healthchecks import service_has_healthcheck
from composer.loader.options import LoadOptions
from composer.loader.pipeline import LoadedProject, load_project
from composer.models import BindError, Project, Service
from composer.orchestrator import conditions as cond
from composer.orchestrator.plan import plan_up, replicas, with_services_enabled
from composer.runtimes.base import RUNNING, InstanceRef, InstanceState, ProjectSpec
from tests.corpus import cases, corpus_dir
from tests.helpers import clean_process
from tests.test_fixtures_differential import fixtures


def round_trip(project: Project) -> dict[str, Any]:
    """The bound project dumped back: what was set plus the extras, minus the service
    names binding adds (the canonical form keys services by name instead)."""
    data = project.model_dump(exclude_unset=True)
    for service in data.get("services", {}).values():
        service.pop("name", None)
    return data


# ---------------------------------------------------------------- corpus and fixtures

VALID_CASES = [c for c in cases() if not c.invalid and (c.folder / "expected.json").is_file()]


@pytest.mark.skipif(corpus_dir() is None, reason="no ../shared/corpus")
@pytest.mark.parametrize("case", VALID_CASES, ids=[c.name for c in VALID_CASES])
def test_every_corpus_expectation_binds_without_loss(case: Any) -> None:
    expected = json.loads(case.expected("expected.json"))
    project = Project.from_mapping(expected)
    assert sorted(project.services) == sorted(expected.get("services") or {})
    assert round_trip(project) == expected


def test_corpus_cases_are_found_when_the_corpus_is_there() -> None:
    if corpus_dir() is None:
        pytest.skip("no ../shared/corpus")
    assert len(VALID_CASES) > 100


def _load_fixture(fixture: Any) -> LoadedProject | None:
    """The fixture's project as `config` loads it; None when it is not a bound canonical
    project (rejected input, --no-interpolate) or the fast parser cannot take its args."""
    if fixture.meta.get("expect_error"):
        return None
    parsed = parse_call(fixture.argv([]))
    if parsed is None or parsed.command.name != "config":
        return None
    flags = parsed.values
    if flags["no_interpolate"]:
        return None
    with clean_process(fixture.cwd, fixture.env, fixture.stdin):
        options = parsed.project.load_options(
            normalize=not flags["no_normalize"],
            resolve_paths=not flags["no_path_resolution"],
            consistency=not flags["no_consistency"],
        )
        return load_project(options)


FIXTURES = fixtures()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_every_feature_fixture_binds_without_loss(fixture: Any) -> None:
    loaded = _load_fixture(fixture)
    if loaded is None:
        pytest.skip("not a bound canonical project")
    project = Project.from_loaded(loaded)
    assert project.name == loaded.name
    assert round_trip(project) == loaded.project


# ---------------------------------------------------------------- typed values

COMPOSE = """
services:
  web:
    image: nginx
    build: .
    command: serve --port 80
    environment: [A=1, B]
    ports: ["127.0.0.1:8080:80/udp", "9000-9001:90"]
    volumes: ["./data:/data:ro", "cache:/cache"]
    depends_on:
      db: {condition: service_healthy, restart: true}
      seed: {condition: service_completed_successfully, required: false}
    deploy: {replicas: 3}
    stop_grace_period: 1m
  db:
    image: postgres
    depends_on: [seed]
    healthcheck:
      test: [CMD, pg_isready]
      interval: 90s
      retries: 4
  seed:
    image: busybox
    scale: 2
    healthcheck: {disable: true}
volumes:
  cache: {}
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedProject:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    return load_project(
        LoadOptions(
            files=[str(tmp_path / "compose.yaml")],
            project_name="shop",
            environ={"PATH": "/usr/bin"},
            cwd=str(tmp_path),
        )
    )


def test_typed_values(loaded: LoadedProject) -> None:
    project = Project.from_loaded(loaded)
    web, db, seed = (project.services[n] for n in ("web", "db", "seed"))
    assert web.name == "web" and web.has_build and not db.has_build
    assert web.command == ["serve", "--port", "80"] and web.entrypoint is None
    assert web.environment == {"A": "1", "B": None}
    first, ranged = web.ports
    assert (first.target, first.published, first.host_ip, first.protocol) == (
        80,
        "8080",
        "127.0.0.1",
        "udp",
    )
    assert (ranged.target, ranged.published) == (90, "9000-9001")
    assert [(m.type, m.target, m.read_only) for m in web.volumes] == [
        ("bind", "/data", True),
        ("volume", "/cache", False),
    ]
    assert web.depends_on["db"].condition == "service_healthy" and web.depends_on["db"].restart
    assert not web.depends_on["seed"].required
    assert (db.depends_on["seed"].condition, db.depends_on["seed"].required) == (
        "service_started",
        True,
    )
    assert web.stop_grace_seconds() == 60.0 and db.stop_grace_seconds() == 10.0
    assert (web.replicas, db.replicas, seed.replicas) == (3, 1, 2)
    assert db.healthcheck is not None and db.healthcheck.interval == "1m30s"
    assert db.healthcheck.seconds("interval", 30.0) == 90.0
    assert db.healthcheck.seconds("timeout", 30.0) == 30.0
    assert db.healthcheck.retries == 4
    assert db.has_healthcheck and not seed.has_healthcheck and not web.has_healthcheck
    assert project.volumes["cache"].name == "shop_cache"
    assert project.networks["default"].name == "shop_default"


def test_fields_the_models_do_not_name_are_kept(loaded: LoadedProject) -> None:
    web = Project.from_loaded(loaded).services["web"]
    bind = web.volumes[0].model_extra
    assert bind is not None and bind["bind"] == {"create_host_path": True}
    assert web.build is not None and web.build.context is not None
    assert web.build.model_extra == {}  # canonical build: context and dockerfile only
    assert web.deploy is not None and web.deploy.replicas == 3
    assert web.networks == {"default": None}


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({}, 1),
        ({"scale": 2}, 2),
        ({"deploy": {"replicas": 3}}, 3),
        ({"deploy": {"replicas": 3}, "scale": 2}, 3),  # plan.replicas: deploy first
        ({"deploy": {}, "scale": 2}, 2),
        ({"scale": -1}, 0),
    ],
)
def test_replicas_rule(service: dict[str, Any], expected: int) -> None:
    assert Service.bind(service).replicas == expected
    declared = build_graph({"services": {"s": service}}).nodes["s"]["replicas"]
    assert replicas(declared) == expected  # the orchestrator's rule is the model's
    assert replicas(declared, 5) == 5


# ---------------------------------------------------------------- binding errors


@pytest.mark.parametrize(
    ("project", "path"),
    [
        ({"services": {"web": {"ports": [{"target": "http"}]}}}, "services.web.ports[0].target"),
        (
            {"services": {"web": {"depends_on": {"db": {"required": "x"}}}}},
            "services.web.depends_on.db.required",
        ),
        ({"services": {"web": {"scale": True}}}, "services.web.scale"),
        ({"services": {"web": {"command": "echo hi"}}}, "services.web.command"),
        ({"services": {"web": {"healthcheck": {"test": [1]}}}}, "services.web.healthcheck.test[0]"),
        ({"networks": {"front": {"external": "maybe"}}}, "networks.front.external"),
    ],
)
def test_a_bad_value_names_its_path(project: dict[str, Any], path: str) -> None:
    with pytest.raises(ComposerError) as info:
        Project.from_mapping(project)
    assert isinstance(info.value, BindError)
    assert info.value.path == path
    assert info.value.code == "model-binding"
    assert path in str(info.value)


def test_a_bad_value_in_a_loaded_project_points_at_the_file(loaded: LoadedProject) -> None:
    loaded.project["services"]["web"]["ports"][0]["target"] = "http"
    with pytest.raises(BindError) as info:
        Project.from_loaded(loaded)
    assert info.value.path == "services.web.ports[0].target"
    assert info.value.location is not None
    assert (
        info.value.location.file.endswith("compose.yaml") and info.value.location.line == 8
    )  # the `ports:` line


def test_models_are_frozen(loaded: LoadedProject) -> None:
    web = Project.from_loaded(loaded).services["web"]
    with pytest.raises(ValueError, match="frozen"):
        web.image = "other"  # type: ignore[misc]


# ---------------------------------------------------------------- the orchestrator reads them


def test_project_spec_binds_once(loaded: LoadedProject) -> None:
    spec = ProjectSpec(loaded.name, loaded.working_dir, tuple(loaded.files), loaded.project)
    assert spec.model is spec.model
    assert spec.model.service("db").has_healthcheck


def test_plan_and_conditions_read_what_the_models_read(loaded: LoadedProject) -> None:
    """Plans and conditions read the mappings (no pydantic on `up`); the typed models
    give the same answers."""
    plan = plan_up("shop", loaded.project, [], hash_of=lambda name, service: None)
    project = Project.from_loaded(loaded)
    scales = {n: a.scale for n, a in plan.actions.items()}
    assert scales == {"web": 3, "db": 1, "seed": 2}
    assert scales == {name: s.replicas for name, s in project.services.items()}
    running = [InstanceState(InstanceRef("shop", "seed"), RUNNING)]
    # seed's healthcheck is disabled: service_healthy can never hold
    result = cond.check(cond.SERVICE_HEALTHY, running, loaded.project["services"]["seed"])
    assert result.failure is not None and "no healthcheck" in result.failure
    for name, service in loaded.project["services"].items():
        assert service_has_healthcheck(service) == project.services[name].has_healthcheck


@pytest.mark.parametrize(
    ("check", "enabled"),
    [
        (None, False),
        ({}, False),
        ({"test": ["CMD", "true"]}, True),
        ({"test": ["CMD-SHELL", "true"]}, True),
        ({"test": "curl -f http://localhost"}, True),
        ({"test": ["NONE"]}, False),
        ({"test": []}, False),
        ({"test": ["CMD", "true"], "disable": True}, False),
        ({"interval": "5s"}, False),  # no test: the image's, which a service does not show
    ],
)
def test_healthcheck_rule_is_the_models(check: dict[str, Any] | None, enabled: bool) -> None:
    service: dict[str, Any] = (
        {"image": "x"} if check is None else {"image": "x", "healthcheck": check}
    )
    assert service_has_healthcheck(service) is enabled
    if not isinstance((check or {}).get("test"), str):  # the model's test is a list
        assert Service.bind(service, "web").has_healthcheck is enabled


def test_plan_up_reports_a_bad_value_with_its_path() -> None:
    project = {"services": {"web": {"deploy": {"replicas": "3"}}}}
    with pytest.raises(ComposerError, match=r"services\.web\.deploy\.replicas"):
        plan_up("p", project, [])


def test_with_services_enabled_reads_the_profiles() -> None:
    disabled = {
        "tool": {"profiles": ["dev"]},
        "lint": {"profiles": ["dev", "ci"]},
        "other": {"profiles": ["ops"]},
    }
    enabled = with_services_enabled({"services": {}}, disabled, ["tool"])
    assert sorted(enabled["services"]) == ["lint", "tool"]  # every service of profile dev


def test_up_decisions_bind_no_model(tmp_path: Path) -> None:
    """Plans, profile switching and conditions read mappings: `up` never imports
    pydantic, whose import takes ~0.1 s of CPU from the engine starting containers."""
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    code = (
        "import sys\n"
        "from composer.loader.options import LoadOptions\n"
        "from composer.loader.snapshot import _load\n"
        "from composer.orchestrator import conditions as cond\n"
        "from composer.orchestrator.plan import plan_up, with_services_enabled\n"
        "from composer.runtimes.base import RUNNING, InstanceRef, InstanceState\n"
        "loaded = _load(LoadOptions(files=[]))\n"
        "project = loaded.project\n"
        "plan_up('shop', with_services_enabled(project, {'tool': {'image': 'x', 'profiles': ['dev']}}, ['tool']), [])\n"
        "state = InstanceState(InstanceRef('shop', 'db'), RUNNING)\n"
        "for condition in cond.CONDITIONS:\n"
        "    cond.check(condition, [state], project['services']['db'])\n"
        "sys.exit(3 if 'pydantic' in sys.modules or 'composer.models' in sys.modules else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- pydantic stays off `config`


# The installed typer (0.29) coerces parameters with pydantic itself, so on the Typer
# path only Composer's own models can be kept out; the fast path has no pydantic at all.
@pytest.mark.parametrize(
    ("entry", "banned"),
    [("composer.cli.entry", "pydantic"), ("composer.cli.app", "composer.models")],
    ids=["fast-path", "typer-path"],
)
def test_config_does_not_import_pydantic(tmp_path: Path, entry: str, banned: str) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    code = (
        "import sys\n"
        f"from {entry} import main\n"
        "assert main(['config', '--format', 'json']) == 0\n"
        f"sys.exit(3 if {banned!r} in sys.modules else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["services"]["web"]["deploy"]["replicas"] == 3
