"""The orchestrator: plans and conditions as data, then real processes through the
process backend (order, parallel levels, conditions, required/restart, --wait,
abort/exit codes, one-offs, down)."""

from __future__ import annotations

import socket
import sys
import textwrap
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from composer.errors import ComposerError
from composer.graph import build_graph
from composer.loader.options import LoadOptions
from composer.loader.pipeline import load_project
from composer.orchestrator import conditions as cond
from composer.orchestrator.engine import Event, Orchestrator, UpOptions
from composer.orchestrator.plan import (
    plan_stop,
    plan_up,
    replicas,
    with_services_enabled,
)
from composer.runtimes.base import (
    CREATED,
    EXITED,
    HEALTHY,
    RUNNING,
    STARTING,
    UNHEALTHY,
    InstanceRef,
    InstanceState,
    ProjectSpec,
)
from composer.runtimes.process.backend import ProcessBackend

PY = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_ok(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def load_spec(directory: Path, name: str, text: str) -> ProjectSpec:
    (directory / "compose.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    loaded = load_project(
        LoadOptions(files=[str(directory / "compose.yaml")], project_name=name, environ={})
    )
    return ProjectSpec(loaded.name, loaded.working_dir, tuple(loaded.files), loaded.project)


class Recorder:
    """Collects events with a timestamp, thread-safe (the orchestrator emits from workers)."""

    def __init__(self) -> None:
        self.events: list[tuple[float, Event]] = []
        self.lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self.lock:
            self.events.append((time.monotonic(), event))

    def index(self, service: str, status: str) -> int:
        for position, (_, event) in enumerate(self.events):
            if event.service == service and event.status == status:
                return position
        raise AssertionError(f"no {status} event for {service}: {self.statuses()}")

    def statuses(self) -> list[str]:
        return [f"{e.instance or e.kind}:{e.status}" for _, e in self.events]

    def warnings(self) -> list[str]:
        return [e.detail for _, e in self.events if e.kind == "warning"]


@pytest.fixture
def project_name() -> str:
    return f"orch-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def backend(tmp_path: Path, project_name: str) -> Iterator[ProcessBackend]:
    backend = ProcessBackend(tmp_path / "state", backoff_base=0.05)
    try:
        yield backend
    finally:
        for state in backend.instances(project_name):
            backend.remove(ProjectSpec(project_name, str(tmp_path), (), {}), state.ref)
        backend.close()


def alive_pids(backend: ProcessBackend, project: str) -> list[int]:
    return [r.pid for r in backend.state(project).records() if r.pid and r.alive()]


# ---------------------------------------------------------------- plans (pure data)


def state(
    project: str, service: str, index: int = 1, status: str = RUNNING, **kw: object
) -> InstanceState:
    return InstanceState(ref=InstanceRef(project, service, index), status=status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("service", "override", "expected"),
    [
        ({}, None, 1),
        ({"deploy": {"replicas": 3}}, None, 3),
        ({"scale": 2}, None, 2),
        ({"deploy": {"replicas": 3}}, 0, 0),
        ({"scale": 2}, 5, 5),
    ],
)
def test_replicas(service: dict[str, object], override: int | None, expected: int) -> None:
    declared = build_graph({"services": {"s": service}}).nodes["s"]["replicas"]
    assert replicas(declared, override) == expected


def test_plan_up_decides_per_instance() -> None:
    project = {
        "services": {
            "db": {"command": ["x"]},
            "web": {
                "command": ["y"],
                "deploy": {"replicas": 2},
                "depends_on": {"db": {"condition": "service_started", "required": True}},
            },
            "cache": {"command": ["z"]},
        }
    }
    existing = [
        state("p", "db", config_hash="same"),
        state("p", "web", 1, EXITED, config_hash="same"),
        state("p", "web", 3, RUNNING, config_hash="same"),
        state("p", "cache", config_hash="old"),
        state("p", "gone"),
    ]
    plan = plan_up(
        "p", project, existing, hash_of=lambda name, svc: "new" if name == "cache" else "same"
    )
    assert [r.name for r in plan.actions["db"].keep] == ["p-db-1"]
    assert [r.name for r in plan.actions["web"].start] == ["p-web-1"]
    assert [r.name for r in plan.actions["web"].create] == ["p-web-2"]
    assert [r.name for r in plan.actions["web"].remove] == ["p-web-3"]
    assert [r.name for r in plan.actions["cache"].recreate] == ["p-cache-1"]
    assert [o.ref.name for o in plan.orphans] == ["p-gone-1"]
    assert plan.levels == [["cache", "db"], ["web"]]


def test_plan_up_selection_and_no_deps() -> None:
    project = {
        "services": {
            "db": {"command": ["x"]},
            "web": {
                "command": ["y"],
                "depends_on": {"db": {"condition": "service_started", "required": True}},
            },
            "other": {"command": ["z"]},
        }
    }
    assert plan_up("p", project, [], services=["web"]).selected == {"web", "db"}
    assert plan_up("p", project, [], services=["web"], no_deps=True).selected == {"web"}
    with pytest.raises(ComposerError, match="no such service"):
        plan_up("p", project, [], services=["nope"])
    assert plan_up("p", project, [], scale={"web": 3}).actions["web"].scale == 3


def test_plan_stop_orders_dependents_first_and_unknown_before_all() -> None:
    project: dict[str, Any] = {
        "services": {
            "db": {},
            "api": {"depends_on": {"db": {"condition": "service_started", "required": True}}},
            "front": {"depends_on": {"api": {"condition": "service_started", "required": True}}},
        }
    }
    graph = build_graph(project, "p")
    levels = plan_stop(graph, [state("p", n) for n in ("db", "api", "front", "orphan")])
    assert [[s.ref.service for s in level] for level in levels] == [
        ["orphan"],
        ["front"],
        ["api"],
        ["db"],
    ]


def test_with_services_enabled_switches_on_the_profiles_of_named_services() -> None:
    project: dict[str, Any] = {"services": {"web": {}}}
    disabled = {
        "debug": {"profiles": ["dev"], "depends_on": {"tool": {"condition": "service_started"}}},
        "tool": {"profiles": ["dev", "ops"]},
        "other": {"profiles": ["ops"]},
    }
    enabled = with_services_enabled(project, disabled, ["debug"])
    assert sorted(enabled["services"]) == ["debug", "tool", "web"]
    assert with_services_enabled(project, disabled, ["web"]) == project


def test_missing_required_dependency_is_an_error_optional_a_warning(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          extra:
            image: alpine
            command: sleep 300
            profiles: [debug]
          app:
            image: alpine
            command: sleep 300
            depends_on:
              extra:
                condition: service_started
                required: false
        """,
    )
    events = Recorder()
    Orchestrator(backend, events).up(spec)
    assert "app is missing dependency extra" in events.warnings()
    app = backend.inspect(spec, InstanceRef(project_name, "app"))
    assert app is not None and app.status == RUNNING


# ---------------------------------------------------------------- conditions (pure data)

HC = {"healthcheck": {"test": ["CMD", "true"]}}


@pytest.mark.parametrize(
    ("condition", "service", "states", "done", "failure"),
    [
        (cond.SERVICE_STARTED, {}, [(RUNNING, None, None)], True, None),
        (cond.SERVICE_STARTED, {}, [(EXITED, None, 0)], True, None),
        (cond.SERVICE_STARTED, {}, [(CREATED, None, None)], False, None),
        (cond.SERVICE_HEALTHY, HC, [(RUNNING, HEALTHY, None)], True, None),
        (cond.SERVICE_HEALTHY, HC, [(RUNNING, STARTING, None)], False, None),
        (cond.SERVICE_HEALTHY, HC, [(RUNNING, UNHEALTHY, None)], False, "is unhealthy"),
        (cond.SERVICE_HEALTHY, HC, [(EXITED, None, 3)], False, "exited (3)"),
        (cond.SERVICE_HEALTHY, {}, [(RUNNING, None, None)], False, "no healthcheck"),
        (
            cond.SERVICE_HEALTHY,
            {"healthcheck": {"test": ["NONE"]}},
            [(RUNNING, None, None)],
            False,
            "no healthcheck",
        ),
        (cond.SERVICE_COMPLETED, {}, [(EXITED, None, 0), (EXITED, None, 0)], True, None),
        (cond.SERVICE_COMPLETED, {}, [(EXITED, None, 0), (RUNNING, None, None)], False, None),
        (cond.SERVICE_COMPLETED, {}, [(EXITED, None, 2)], False, "exit 2"),
        (cond.RUNNING_OR_HEALTHY, {}, [(RUNNING, None, None)], True, None),
        (cond.RUNNING_OR_HEALTHY, HC, [(RUNNING, STARTING, None)], False, None),
        (cond.RUNNING_OR_HEALTHY, {}, [(EXITED, None, 1)], False, "exited (1)"),
    ],
)
def test_condition_table(
    condition: str,
    service: dict[str, object],
    states: list[tuple[str, str | None, int | None]],
    done: bool,
    failure: str | None,
) -> None:
    observed = [
        state("p", "s", i + 1, status, health=health, exit_code=code)
        for i, (status, health, code) in enumerate(states)
    ]
    result = cond.check(condition, observed, service)
    assert result.done is done
    if failure is None:
        assert result.failure is None
    else:
        assert result.failure is not None and failure in result.failure


def test_unknown_condition_is_an_error() -> None:
    with pytest.raises(ComposerError, match="unsupported depends_on condition"):
        cond.check("service_whatever", [], {})


def test_restart_selection_follows_restart_true_edges() -> None:
    project = {
        "services": {
            "db": {},
            "api": {"depends_on": {"db": {"condition": "service_started", "restart": True}}},
            "ui": {"depends_on": {"api": {"condition": "service_started", "restart": True}}},
            "batch": {"depends_on": {"db": {"condition": "service_started"}}},
        }
    }
    graph = build_graph(project, "p")
    assert cond.restart_selection(graph, ["db"]) == {"db", "api", "ui"}
    assert cond.restart_selection(graph, ["db"], no_deps=True) == {"db"}
    assert cond.restart_selection(graph, []) == {"db", "api", "ui", "batch"}


# ---------------------------------------------------------------- real processes


def three_levels(port: int) -> str:
    return f"""
        services:
          migrate:
            image: alpine
            command: sh -c 'echo migrated; exit 0'
          web:
            image: python
            command: {PY} -m http.server {port} --bind 127.0.0.1
            depends_on:
              migrate:
                condition: service_completed_successfully
            healthcheck:
              test: ["CMD", "{PY}", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/')"]
              interval: 1s
              start_interval: 100ms
              start_period: 20s
          worker:
            image: alpine
            command: sleep 300
            deploy:
              replicas: 2
            depends_on:
              web:
                condition: service_healthy
        """


def test_up_respects_levels_and_conditions(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    port = free_port()
    spec = load_spec(tmp_path, project_name, three_levels(port))
    events = Recorder()
    result = Orchestrator(backend, events).up(spec, UpOptions(wait=True, wait_timeout=30))
    assert [r.name for r in result.refs] == [
        f"{project_name}-migrate-1",
        f"{project_name}-web-1",
        f"{project_name}-worker-1",
        f"{project_name}-worker-2",
    ]
    # migrate completed before web started; web was healthy before a worker started
    assert events.index("migrate", "Exited") < events.index("web", "Starting")
    assert events.index("web", "Healthy") < events.index("worker", "Starting")
    assert http_ok(port)
    states = {s.ref.name: s for s in backend.instances(project_name)}
    assert states[f"{project_name}-migrate-1"].status == EXITED
    assert states[f"{project_name}-web-1"].health == HEALTHY
    assert sum(s.status == RUNNING for s in states.values()) == 3

    # a second up keeps what runs (the one-shot migration runs again, as in the reference)
    again = Recorder()
    Orchestrator(backend, again).up(spec)
    statuses = {e.status for _, e in again.events if e.service in ("web", "worker")}
    assert "Running" in statuses and not statuses & {"Creating", "Starting", "Recreate"}

    pids = alive_pids(backend, project_name)
    Orchestrator(backend).down(spec)
    assert backend.instances(project_name) == []
    assert pids and not any(_exists(p) for p in pids)
    assert not http_ok(port)


def _exists(pid: int) -> bool:
    """A live, non-zombie process with this pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


def test_services_of_a_level_start_in_parallel(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    services = "".join(
        f"""
          prep{i}:
            image: alpine
            command: sleep 1
          app{i}:
            image: alpine
            command: sleep 300
            depends_on:
              prep{i}:
                condition: service_completed_successfully
        """
        for i in range(4)
    )
    spec = load_spec(
        tmp_path, project_name, "services:" + textwrap.indent(textwrap.dedent(services), "  ")
    )
    started = time.monotonic()
    Orchestrator(backend).up(spec)
    elapsed = time.monotonic() - started
    # four one-second waits, in parallel
    assert elapsed < 3.0, elapsed
    assert len(alive_pids(backend, project_name)) == 4


def test_optional_dependency_failure_only_warns(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          opt:
            image: alpine
            command: sh -c 'exit 1'
          app:
            image: alpine
            command: sleep 300
            depends_on:
              opt:
                condition: service_completed_successfully
                required: false
        """,
    )
    events = Recorder()
    Orchestrator(backend, events).up(spec)
    assert any('optional dependency "opt"' in w and "exit 1" in w for w in events.warnings())
    app = backend.inspect(spec, InstanceRef(project_name, "app"))
    assert app is not None and app.status == RUNNING


def test_failed_dependency_reports_exit_code_and_last_output(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          setup:
            image: alpine
            command: sh -c 'echo preparing; echo boom >&2; exit 7'
          app:
            image: alpine
            command: sleep 300
            depends_on:
              setup:
                condition: service_completed_successfully
        """,
    )
    with pytest.raises(cond.DependencyFailed) as failure:
        Orchestrator(backend).up(spec)
    message = str(failure.value)
    assert "didn't complete successfully: exit 7" in message
    assert "exited with code 7" in message
    assert "boom" in message and "preparing" in message
    # made, never started: as the reference leaves it (its create pass comes first)
    app = backend.inspect(spec, InstanceRef(project_name, "app"))
    assert app is not None and app.status == CREATED


def test_restart_true_restarts_dependents(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          db:
            image: alpine
            command: sleep 300
          api:
            image: alpine
            command: sleep 300
            depends_on:
              db:
                condition: service_started
                restart: true
          batch:
            image: alpine
            command: sleep 300
            depends_on:
              db:
                condition: service_started
        """,
    )
    orchestrator = Orchestrator(backend)
    orchestrator.up(spec)
    before = {s.ref.service: s.pid for s in backend.instances(project_name)}
    restarted = orchestrator.restart(spec, ["db"], timeout=2)
    assert sorted(r.service for r in restarted) == ["api", "db"]
    after = {s.ref.service: s.pid for s in backend.instances(project_name)}
    assert after["db"] != before["db"] and after["api"] != before["api"]
    assert after["batch"] == before["batch"]


def test_wait_timeout(tmp_path: Path, project_name: str, backend: ProcessBackend) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          sick:
            image: alpine
            command: sleep 300
            healthcheck:
              test: ["CMD", "false"]
              interval: 1s
              start_period: 60s
              start_interval: 100ms
        """,
    )
    started = time.monotonic()
    with pytest.raises(ComposerError, match=r"application not healthy after 1s"):
        Orchestrator(backend).up(spec, UpOptions(wait=True, wait_timeout=1))
    assert time.monotonic() - started < 5


def test_watch_abort_and_exit_code_from(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          prep:
            image: alpine
            command: sh -c 'exit 0'
          server:
            image: alpine
            command: sleep 300
          tests:
            image: alpine
            command: sh -c 'sleep 0.5; exit 3'
            depends_on:
              prep:
                condition: service_completed_successfully
              server:
                condition: service_started
        """,
    )
    events = Recorder()
    orchestrator = Orchestrator(backend, events)
    result = orchestrator.up(spec)
    code = orchestrator.watch(
        spec, result.refs, abort_on_exit=True, exit_code_from="tests", stop_services=result.services
    )
    assert code == 3
    server = backend.inspect(spec, InstanceRef(project_name, "server"))
    assert server is not None and server.status == EXITED  # stopped by the abort
    # prep's exit 0 (a completed dependency) did not abort
    assert any(e.detail == "Aborting on container exit..." for _, e in events.events)


def test_run_oneoff_streams_output_and_returns_exit_code(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          db:
            image: alpine
            command: sleep 300
          tool:
            image: alpine
            command: sh -c 'echo default'
            depends_on: [db]
        """,
    )
    lines: list[str] = []
    code = Orchestrator(backend).run_oneoff(
        spec,
        "tool",
        ["sh", "-c", "echo one; echo two; exit 4"],
        on_line=lambda line: lines.append(line.text),
    )
    assert code == 4
    assert lines == ["one", "two"]
    names = {s.ref.name: s for s in backend.instances(project_name)}
    assert f"{project_name}-db-1" in names  # the dependency was started
    assert not any(s.ref.oneoff for s in names.values())  # --rm


def test_scale_down_and_recreate_on_change(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    text = """
        services:
          w:
            image: alpine
            command: sleep {n}
        """
    spec = load_spec(tmp_path, project_name, text.format(n=300))
    orchestrator = Orchestrator(backend)
    orchestrator.up(spec, UpOptions(scale={"w": 3}))
    assert len(alive_pids(backend, project_name)) == 3
    orchestrator.up(spec, UpOptions(scale={"w": 1}))
    assert [s.ref.index for s in backend.instances(project_name)] == [1]
    pid = backend.instances(project_name)[0].pid
    changed = load_spec(tmp_path, project_name, text.format(n=301))
    events = Recorder()
    Orchestrator(backend, events).up(changed)
    assert "Recreate" in {e.status for _, e in events.events}
    assert backend.instances(project_name)[0].pid != pid


class _StuckRemoval(ProcessBackend):
    """The real process backend, except that removing `stuck` instances fails (what an
    engine answering 409 or a permission error looks like to the orchestrator)."""

    def remove(self, spec: ProjectSpec, ref: InstanceRef, **kwargs: Any) -> None:
        if ref.service == "stuck":
            raise ComposerError(f"cannot remove {ref.name}: device busy", code="remove")
        super().remove(spec, ref, **kwargs)


def test_down_reports_every_failed_removal_and_removes_the_rest(
    tmp_path: Path, project_name: str
) -> None:
    backend = _StuckRemoval(tmp_path / "state", backoff_base=0.05)
    spec = load_spec(
        tmp_path,
        project_name,
        """
        services:
          stuck:
            image: alpine
            command: sleep 300
            scale: 2
          fine:
            image: alpine
            command: sleep 300
        """,
    )
    Orchestrator(backend).up(spec)
    with pytest.raises(ComposerError) as failed:
        Orchestrator(backend).down(spec)
    message = str(failed.value)
    assert message.startswith("down failed:")
    assert f"cannot remove {project_name}-stuck-1" in message
    assert f"cannot remove {project_name}-stuck-2" in message
    left = sorted(s.ref.name for s in backend.instances(project_name))
    assert left == [f"{project_name}-stuck-1", f"{project_name}-stuck-2"]
    for name in left:  # stopped before the failed removal
        assert not [s for s in backend.instances(project_name) if s.ref.name == name][0].running
    for state in backend.instances(project_name):
        ProcessBackend.remove(backend, spec, state.ref)


def test_a_service_whose_dependency_could_not_be_created_is_not_tried(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    """The process runtime refuses a named volume when it creates the instance: the
    dependent is then not created at all (its own error would only repeat the
    dependency's), while an independent service still comes up."""
    spec = load_spec(
        tmp_path,
        project_name,
        f"""
        services:
          broken:
            image: alpine
            command: {PY} -c "import time; time.sleep(60)"
            volumes: [data:/data]
          after:
            image: alpine
            command: {PY} -c "import time; time.sleep(60)"
            depends_on: [broken]
          other:
            image: alpine
            command: {PY} -c "import time; time.sleep(60)"
        volumes:
          data: {{}}
        """,
    )
    with pytest.raises(ComposerError) as failed:
        Orchestrator(backend).up(spec)
    message = str(failed.value)
    assert message.startswith('service "broken" mounts volume "data"'), message
    assert '"after"' not in message
    states = {s.ref.service: s for s in backend.instances(project_name)}
    assert sorted(states) == ["other"] and states["other"].running
    Orchestrator(backend).down(spec)
    assert backend.instances(project_name) == []


def test_no_start_creates_without_starting_and_reports_what_runs(
    tmp_path: Path, project_name: str, backend: ProcessBackend
) -> None:
    text = """
        services:
          db:
            image: alpine
            command: sleep 300
          web:
            image: alpine
            command: sleep {n}
            depends_on: [db]
        """
    spec = load_spec(tmp_path, project_name, text.format(n=300))
    events = Recorder()
    Orchestrator(backend, events).up(spec, UpOptions(no_start=True, wait=True))
    assert {s.ref.service: s.status for s in backend.instances(project_name)} == {
        "db": CREATED,
        "web": CREATED,
    }
    assert alive_pids(backend, project_name) == []
    assert not [s for s in events.statuses() if s.endswith(("Starting", "Started", "Running"))]

    Orchestrator(backend).up(spec, UpOptions(services=("db",)))
    events = Recorder()
    changed = load_spec(tmp_path, project_name, text.format(n=301))
    Orchestrator(backend, events).up(changed, UpOptions(no_start=True))
    # the running, unchanged db is reported Running (as the reference's create does);
    # the changed web is recreated and left created
    assert f"{project_name}-db-1:Running" in events.statuses()
    assert f"{project_name}-web-1:Recreated" in events.statuses()
    states = {s.ref.service: s.status for s in backend.instances(project_name)}
    assert states == {"db": RUNNING, "web": CREATED}


def test_always_recreate_deps_recreates_the_named_services_dependencies() -> None:
    project = {
        "name": "p",
        "services": {
            "db": {"image": "x"},
            "web": {"image": "x", "depends_on": {"db": {"condition": "service_started"}}},
        },
    }
    existing = [state("p", "db"), state("p", "web")]
    plan = plan_up("p", project, existing, services=["web"], recreate_dependencies=True)
    assert plan.actions["db"].recreate == [InstanceRef("p", "db", 1)]
    assert plan.actions["web"].keep == [InstanceRef("p", "web", 1)]
    # without named services nothing is a dependency of them (as in the reference)
    plan = plan_up("p", project, existing, recreate_dependencies=True)
    assert plan.actions["db"].recreate == [] and plan.actions["db"].keep
