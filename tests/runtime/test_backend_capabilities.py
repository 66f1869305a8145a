"""Optional backend capabilities the orchestrator and the CLI use when a backend has
them (found with getattr, never by type): progress events, recreate reasons,
anonymous volumes on `down -v`, images (`--build`/`--pull`, `down --rmi`), `ps`
rows, and the choice of runtime. An in-memory backend stands in for an engine."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from composer.cli.app import main
from composer.cli.progress import PlainProgress
from composer.orchestrator.engine import Orchestrator
from composer.orchestrator.events import IMAGE, RECREATE, WARNING, Event, UpOptions
from composer.orchestrator.plan import plan_up, recreate_for_images
from composer.runtimes import select
from composer.runtimes.base import (
    CREATED,
    EXITED,
    RUNNING,
    Capabilities,
    InstanceRef,
    InstanceState,
    LogLine,
    ProjectSpec,
    accepts_keyword,
)

PROJECT = "capab"


class MemoryBackend:
    """Instances as dicts; records the calls the orchestrator makes."""

    name = "memory"
    capabilities = Capabilities(networks=False, volumes=False, build=False, supervises=True)

    def __init__(self) -> None:
        self.states: dict[InstanceRef, InstanceState] = {}
        self.calls: list[tuple[Any, ...]] = []

    def service_hash(self, name: str, service: Mapping[str, Any]) -> str:
        return json.dumps(service, sort_keys=True)

    def ensure_network(self, spec: ProjectSpec, key: str) -> bool:
        return False

    def ensure_volume(self, spec: ProjectSpec, key: str) -> bool:
        return False

    def remove_network(self, spec: ProjectSpec, key: str) -> bool:
        return False

    def remove_volume(self, spec: ProjectSpec, key: str) -> bool:
        return False

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        self.calls.append(("create", ref.name))
        state = InstanceState(
            ref, CREATED, config_hash=self.service_hash(ref.service, spec.service(ref.service))
        )
        self.states[ref] = state
        return state

    def start(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        self.states[ref].status = RUNNING
        return self.states[ref]

    def stop(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None = None) -> None:
        if ref in self.states:
            self.states[ref].status = EXITED
            self.states[ref].exit_code = 0

    def remove(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        self.calls.append(("remove", ref.name))
        self.states.pop(ref, None)

    def inspect(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState | None:
        return self.states.get(ref)

    def instances(self, project: str, *, include_stopped: bool = True) -> list[InstanceState]:
        return sorted(self.states.values(), key=lambda s: s.ref)

    def logs(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        *,
        follow: bool = False,
        tail: int | None = None,
    ) -> Iterator[LogLine]:
        return iter(())

    def exec(self, spec: ProjectSpec, ref: InstanceRef, command: list[str], **kw: Any) -> int:
        return 0


class ImageBackend(MemoryBackend):
    """A backend with the Docker runtime's optional extras."""

    name = "images"

    def __init__(self) -> None:
        super().__init__()
        self.on_event: Any = None
        self.image_ids = {"web": "sha256:1", "db": "sha256:a"}

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        state = super().create(spec, ref)
        state.image = self.ensure_image(spec, ref.service)
        return state

    def ensure_image(self, spec: ProjectSpec, service: str) -> str:
        if self.on_event is not None:
            self.on_event(Event(IMAGE, service, f"img-{service}", "Pulled"))
        return self.image_ids[service]

    def recreate_reason(self, spec: ProjectSpec, ref: InstanceRef) -> str:
        # what the backend can only know while the old instance still exists
        assert ref in self.states
        return "environment.FOO changed"

    def remove(self, spec: ProjectSpec, ref: InstanceRef, *, volumes: bool = False) -> None:
        self.calls.append(("remove", ref.name, volumes))
        self.states.pop(ref, None)

    def remove_images(self, spec: ProjectSpec, which: str) -> list[str]:
        self.calls.append(("remove_images", which))
        return [f"{PROJECT}-web"]


def spec_of(foo: str = "1") -> ProjectSpec:
    project = {
        "services": {
            "web": {"image": "web", "environment": {"FOO": foo}, "depends_on": {"db": {}}},
            "db": {"image": "db"},
        }
    }
    return ProjectSpec(PROJECT, "/tmp", (), project)


def events_of(backend: MemoryBackend) -> tuple[Orchestrator, list[Event]]:
    seen: list[Event] = []
    return Orchestrator(backend, seen.append), seen  # type: ignore[arg-type]


def test_the_orchestrator_wires_a_silent_backend_to_its_sink() -> None:
    backend = ImageBackend()
    orchestrator, seen = events_of(backend)
    orchestrator.up(spec_of())
    images = [str(e.instance) for e in seen if e.kind == IMAGE]
    assert sorted(images[:2]) == ["img-db", "img-web"]
    # a listener set by the caller stays; without a sink nothing is wired
    mine = ImageBackend()
    mine.on_event = print
    Orchestrator(mine, lambda event: None)  # type: ignore[arg-type]
    assert mine.on_event is print
    quiet = ImageBackend()
    Orchestrator(quiet)  # type: ignore[arg-type]
    assert quiet.on_event is None


def test_images_are_ensured_before_any_instance_is_created() -> None:
    backend = ImageBackend()
    orchestrator, seen = events_of(backend)
    orchestrator.up(spec_of())
    kinds = [e.kind for e in seen]
    assert kinds.index(IMAGE) < kinds.index("container")
    assert kinds[: kinds.index("container")] == [IMAGE, IMAGE]


def test_recreate_carries_the_backends_reason() -> None:
    backend = ImageBackend()
    orchestrator, seen = events_of(backend)
    orchestrator.up(spec_of("1"))
    seen.clear()
    orchestrator.up(spec_of("2"))
    recreates = [(e.instance, e.detail) for e in seen if e.status == RECREATE]
    assert recreates == [(f"{PROJECT}-web-1", "environment.FOO changed")]


def test_a_new_image_recreates_and_says_so_unless_no_recreate() -> None:
    backend = ImageBackend()
    orchestrator, seen = events_of(backend)
    orchestrator.up(spec_of())
    backend.image_ids["db"] = "sha256:b"  # rebuilt or pulled anew
    seen.clear()
    orchestrator.up(spec_of(), UpOptions(no_recreate=True))
    assert not [e for e in seen if e.status == RECREATE]
    orchestrator.up(spec_of())
    recreates = [(e.instance, e.detail) for e in seen if e.status == RECREATE]
    assert recreates == [(f"{PROJECT}-db-1", "image changed")]
    seen.clear()
    orchestrator.up(spec_of(), UpOptions(force_recreate=True))
    details = {e.detail for e in seen if e.status == RECREATE}
    assert details == {"--force-recreate"}


def test_down_v_asks_for_anonymous_volumes_where_remove_takes_them() -> None:
    backend = ImageBackend()
    orchestrator, _ = events_of(backend)
    orchestrator.up(spec_of())
    orchestrator.down(spec_of(), volumes=True)
    removals = [c for c in backend.calls if c[0] == "remove"]
    assert sorted(removals) == [
        ("remove", f"{PROJECT}-db-1", True),
        ("remove", f"{PROJECT}-web-1", True),
    ]
    # a recreate keeps them (the replacement inherits them)
    orchestrator.up(spec_of("1"))
    backend.calls.clear()
    orchestrator.up(spec_of("2"))
    assert ("remove", f"{PROJECT}-web-1", False) in backend.calls
    # a backend whose remove has no such keyword is called as the protocol says
    plain = MemoryBackend()
    orchestrator, _ = events_of(plain)
    orchestrator.up(spec_of())
    orchestrator.down(spec_of(), volumes=True)
    assert ("remove", f"{PROJECT}-web-1") in plain.calls


def test_down_rmi_removes_images_or_says_there_are_none() -> None:
    backend = ImageBackend()
    orchestrator, seen = events_of(backend)
    orchestrator.up(spec_of())
    orchestrator.down(spec_of(), images="local")
    assert ("remove_images", "local") in backend.calls
    assert [(e.kind, e.instance, e.status) for e in seen if e.kind == IMAGE][-1] == (
        IMAGE,
        f"{PROJECT}-web",
        "Removed",
    )
    plain = MemoryBackend()
    orchestrator, seen = events_of(plain)
    orchestrator.down(spec_of(), images="all")
    assert any(
        e.kind == WARNING and "--rmi all: the memory runtime has no images" in e.detail
        for e in seen
    )


class PacedBackend(MemoryBackend):
    """A backend that asks for its stops to be paced (as the Docker runtime does)."""

    capabilities = MemoryBackend.capabilities._replace(stop_spacing=0.04)

    def __init__(self) -> None:
        super().__init__()
        self.stopped_at: list[float] = []

    def stop(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None = None) -> None:
        self.stopped_at.append(time.monotonic())
        super().stop(spec, ref, timeout)


def independent_services(count: int) -> ProjectSpec:
    services = {f"s{n}": {"image": "web"} for n in range(count)}
    return ProjectSpec(PROJECT, "/tmp", (), {"services": services})


@pytest.mark.parametrize("command", ["down", "stop"])
def test_stops_of_one_level_go_out_at_the_backends_pace(command: str) -> None:
    backend = PacedBackend()
    orchestrator, _ = events_of(backend)
    spec = independent_services(4)
    orchestrator.up(spec)
    begun = time.monotonic()
    getattr(orchestrator, command)(spec)
    assert len(backend.stopped_at) == 4
    for index, moment in enumerate(sorted(backend.stopped_at)):
        assert moment >= begun + index * 0.04


class CountingBackend(MemoryBackend):
    """Records how many creates ran at once."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.peak = 0
        self.lock = threading.Lock()

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return super().create(spec, ref)


@pytest.mark.parametrize(("limit", "peak"), [("1", 1), ("2", 2), ("-1", 4), ("", 4)])
def test_compose_parallel_limit_bounds_the_steps_at_once(
    monkeypatch: pytest.MonkeyPatch, limit: str, peak: int
) -> None:
    monkeypatch.setenv("COMPOSE_PARALLEL_LIMIT", limit)
    backend = CountingBackend()
    orchestrator, _ = events_of(backend)
    orchestrator.up(independent_services(4))
    assert backend.peak == peak


def test_plan_no_recreate_keeps_changed_instances() -> None:
    existing = [InstanceState(InstanceRef(PROJECT, "db", 1), RUNNING, config_hash="old")]
    plan = plan_up(
        PROJECT, spec_of().project, existing, no_recreate=True, hash_of=lambda n, s: "new"
    )
    assert plan.actions["db"].keep == [InstanceRef(PROJECT, "db", 1)]
    plan = plan_up(PROJECT, spec_of().project, existing, hash_of=lambda n, s: "new")
    assert plan.actions["db"].recreate == [InstanceRef(PROJECT, "db", 1)]


def test_recreate_for_images_moves_only_instances_with_another_image() -> None:
    db = InstanceRef(PROJECT, "db", 1)
    web = InstanceRef(PROJECT, "web", 1)
    existing = [
        InstanceState(db, EXITED, config_hash="h", image="sha256:a"),
        InstanceState(web, RUNNING, config_hash="h"),  # image unknown: never moved
    ]
    plan = plan_up(PROJECT, spec_of().project, existing, hash_of=lambda n, s: "h")
    moved = recreate_for_images(plan, existing, {"db": "sha256:b", "web": "sha256:1"})
    assert moved == [db]
    assert plan.actions["db"].recreate == [db] and not plan.actions["db"].start
    assert plan.actions["web"].keep == [web]


def test_the_printer_shows_a_recreate_reason_in_parentheses() -> None:
    stream = io.StringIO()
    printer = PlainProgress(stream)
    printer(Event("container", "web", "p-web-1", RECREATE, "environment.FOO changed"))
    printer(Event("container", "web", "p-web-1", "Recreated"))
    printer(Event("image", "web", "p-web", "Built"))
    assert stream.getvalue() == (
        " Container p-web-1  Recreate (environment.FOO changed)\n"
        " Container p-web-1  Recreated\n"
        " Image p-web  Built\n"
    )


def test_accepts_keyword() -> None:
    def plain(a: int) -> None: ...
    def keyword(a: int, *, volumes: bool = False) -> None: ...
    def anything(a: int, **kw: Any) -> None: ...

    assert not accepts_keyword(plain, "volumes")
    assert accepts_keyword(keyword, "volumes") and accepts_keyword(anything, "volumes")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["up", "--build", "--no-build"], "--build and --no-build are incompatible"),
        (
            ["up", "--force-recreate", "--no-recreate"],
            "--force-recreate and --no-recreate are incompatible",
        ),
        (["up", "--pull", "sometimes"], 'invalid --pull option "sometimes"'),
        (["up", "--scale", "web"], 'invalid --scale option "web". Should be SERVICE=NUM'),
        (["down", "--rmi", "some"], 'invalid value for --rmi: "some"'),
    ],
)
def test_option_errors_read_like_the_references(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: x\n")
    code = main(["-f", str(tmp_path / "compose.yaml"), *argv, "--runtime", "process"])
    assert code != 0
    assert message in capsys.readouterr().err


def test_auto_asks_the_docker_connection_with_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from composer.runtimes.docker import connection

    asked: list[tuple[float, Mapping[str, str] | None]] = []

    def available(timeout: float = 1.0, env: Mapping[str, str] | None = None) -> bool:
        asked.append((timeout, env))
        return True

    monkeypatch.setattr(connection, "engine_available", available)
    env = {"HOME": "/nonexistent", "DOCKER_HOST": "tcp://10.9.8.7:2376", "DOCKER_TLS_VERIFY": "1"}
    assert select.resolve_runtime("auto", env) == select.DOCKER
    assert asked and asked[0][1] is env
    # a socket that does not exist is answered without asking (no SDK import)
    asked.clear()
    missing = {"HOME": "/nonexistent", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    assert select.resolve_runtime("auto", missing) == select.PROCESS
    assert not asked


def test_auto_falls_back_to_processes_when_nothing_answers() -> None:
    env = {"HOME": "/nonexistent", "DOCKER_HOST": "tcp://127.0.0.1:1"}
    assert select.resolve_runtime("auto", env) == select.PROCESS
