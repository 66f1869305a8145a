"""The Docker backend on a real engine: containers, networks, volumes, images, logs.

Every test works on a uniquely named project written to tmp_path and runs
composer-test/busybox:latest (scripts/build-test-images.sh builds it FROM scratch;
no registry is needed). The `project` fixture removes every container, network,
volume and image labelled with the project afterwards, whatever the test did.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from composer.errors import ComposerError
from composer.runtimes.base import EXITED, HEALTHY, RUNNING
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.engine import DockerBackend
from composer.runtimes.protocol import Backend
from tests.docker.support import (
    BUSYBOX,
    Project,
    anonymous_volumes,
    engine_client,
    existing_volumes,
    free_port,
    http_get,
    leftovers,
    up_resources,
    wait_for,
)

pytestmark = pytest.mark.docker


# --------------------------------------------------------------------------- tests


def test_it_is_a_backend(backend: DockerBackend) -> None:
    assert isinstance(backend, Backend)
    assert backend.capabilities.networks and backend.capabilities.volumes
    assert backend.capabilities.build and backend.capabilities.supervises


def test_create_start_inspect_stop_remove(project: Project, backend: DockerBackend) -> None:
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sh", "-c", "echo started; exec sleep 600"]
            init: true
            labels: {{team: core}}
            volumes: [/scratch]
        """
    )
    spec = project.spec()
    ref = project.ref("app")
    assert backend.inspect(spec, ref) is None
    up_resources(backend, spec)
    created = backend.create(spec, ref)
    assert created.status == "created" and created.ref == ref
    assert created.config_hash == backend.service_hash("app", spec.service("app"))
    assert backend.start(spec, ref) is None  # (no look after the start: inspect's job)
    started = backend.inspect(spec, ref)
    assert started is not None
    assert started.status == RUNNING and started.pid and started.started_at
    info = engine_client().inspect_container(f"{project.name}-app-1")
    assert info["Config"]["Labels"]["team"] == "core"
    assert info["Config"]["Labels"][lb.PROJECT] == project.name
    assert [s.ref for s in backend.instances(project.name)] == [ref]
    assert backend.instances(project.name, include_stopped=False)[0].running
    t0 = time.monotonic()
    backend.stop(spec, ref)
    assert time.monotonic() - t0 < 8  # init forwards SIGTERM: no 10 s grace wait
    stopped = backend.inspect(spec, ref)
    assert stopped is not None and stopped.status == EXITED and stopped.exit_code == 143
    assert backend.instances(project.name, include_stopped=False) == []
    anonymous = anonymous_volumes(project.name)
    assert len(anonymous) == 1
    backend.remove(spec, ref, volumes=True)  # `down -v`: anonymous volumes go too
    assert backend.inspect(spec, ref) is None and backend.instances(project.name) == []
    volume_names = {v["Name"] for v in engine_client().volumes().get("Volumes") or []}
    assert not anonymous & volume_names
    backend.remove(spec, ref)  # removing twice is fine
    backend.stop(spec, ref)


def test_published_port_answers_and_health_is_reported(
    project: Project, backend: DockerBackend
) -> None:
    port = free_port()
    project.write(
        f"""
        services:
          web:
            image: {BUSYBOX}
            command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
            init: true
            ports: ["127.0.0.1:{port}:8080"]
            healthcheck:
              test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"]
              interval: 500ms
              timeout: 2s
              retries: 3
        """
    )
    spec = project.spec()
    ref = project.ref("web")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    state = backend.inspect(spec, ref)
    assert state is not None
    assert [(p.url, p.target_port, p.published_port, p.protocol) for p in state.publishers] == [
        ("127.0.0.1", 8080, port, "tcp")
    ]
    assert wait_for(lambda: (s := backend.inspect(spec, ref)) and s.health == HEALTHY)
    assert wait_for(lambda: http_get(port)).strip() == "hello from composer-test/busybox"


def test_secrets_and_configs_reach_the_container(project: Project, backend: DockerBackend) -> None:
    (project.root / "s1.txt").write_text("from-file\n")
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            secrets: [s1, s2, {{source: s2, target: /etc/token, mode: 0400}}]
            configs: [c1]
        secrets:
          s1: {{file: ./s1.txt}}
          s2: {{environment: TOKEN}}
        configs:
          c1: {{content: "inline $$HOME"}}
        """
    )
    spec = project.spec(env={"TOKEN": "t0ps3cret"})
    ref = project.ref("app")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    client = engine_client()

    def run(*command: str) -> str:
        exec_id = client.exec_create(f"{project.name}-app-1", list(command))["Id"]
        return str(client.exec_start(exec_id).decode())

    assert run("cat", "/run/secrets/s1") == "from-file\n"
    assert run("cat", "/run/secrets/s2") == "t0ps3cret"
    assert run("cat", "/c1") == "inline $HOME"
    assert run("stat", "-c", "%a", "/run/secrets/s2", "/etc/token", "/c1").split() == [
        "444",
        "400",
        "444",
    ]
    # the file secret is a read-only bind mount
    assert "Read-only file system" in run("sh", "-c", "echo x > /run/secrets/s1 2>&1; true") or run(
        "sh", "-c", "echo x > /run/secrets/s1 || echo refused"
    ).strip().endswith("refused")


def test_logs_and_exec(
    project: Project, backend: DockerBackend, capfd: pytest.CaptureFixture[str]
) -> None:
    project.write(
        f"""
        services:
          talker:
            image: {BUSYBOX}
            init: true
            # (the pauses order the streams: the engine reads stdout and stderr apart)
            command: ["sh", "-c", "echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exec sleep 600"]
        """
    )
    spec = project.spec()
    ref = project.ref("talker")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    wait_for(lambda: len(list(backend.logs(spec, [ref]))) == 3)
    lines = list(backend.logs(spec, [ref]))
    assert [(line.text, line.stream) for line in lines] == [
        ("one", "stdout"),
        ("two", "stderr"),
        ("three", "stdout"),
    ]
    assert all(line.timestamp > 0 and line.ref == ref for line in lines)
    assert [line.text for line in backend.logs(spec, [ref], tail=1)] == ["three"]
    capfd.readouterr()
    code = backend.exec(
        spec, ref, ["sh", "-c", "echo out; echo err >&2; exit 3"], environment={"X": "1"}
    )
    captured = capfd.readouterr()
    assert code == 3 and captured.out == "out\n" and captured.err == "err\n"
    assert backend.exec(spec, ref, ["sh", "-c", 'test "$X" = 1'], environment={"X": "1"}) == 0


def test_following_logs_ends_when_the_container_stops(
    project: Project, backend: DockerBackend
) -> None:
    project.write(
        f"""
        services:
          ticker:
            image: {BUSYBOX}
            command: ["sh", "-c", "for i in 1 2 3; do echo tick $$i; sleep 0.3; done"]
        """
    )
    spec = project.spec()
    ref = project.ref("ticker")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    seen: list[str] = []
    done = threading.Event()

    def follow() -> None:
        for line in backend.logs(spec, [ref], follow=True):
            seen.append(line.text)
        done.set()

    threading.Thread(target=follow, daemon=True).start()
    assert done.wait(15), "the followed stream did not end with the container"
    assert seen == ["tick 1", "tick 2", "tick 3"]


def test_a_consumer_can_stop_following_a_running_container(
    project: Project, backend: DockerBackend
) -> None:
    project.write(
        f"""
        services:
          forever:
            image: {BUSYBOX}
            init: true
            command: ["sh", "-c", "while true; do echo alive; sleep 0.2; done"]
        """
    )
    spec = project.spec()
    ref = project.ref("forever")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    stream = backend.logs(spec, [ref], follow=True)
    assert next(stream).text == "alive"
    t0 = time.monotonic()
    stream.close()  # type: ignore[attr-defined]
    assert time.monotonic() - t0 < 2


def test_exec_in_a_stopped_instance_is_an_error(project: Project, backend: DockerBackend) -> None:
    project.write(f'services:\n  app:\n    image: {BUSYBOX}\n    command: ["true"]\n')
    spec = project.spec()
    up_resources(backend, spec)
    backend.create(spec, project.ref("app"))
    with pytest.raises(ComposerError, match='service "app" is not running'):
        backend.exec(spec, project.ref("app"), ["true"])


def test_networks_and_volumes_are_made_once_and_removed(
    project: Project, backend: DockerBackend
) -> None:
    project.write(
        f"""
        services:
          app: {{image: {BUSYBOX}, networks: [front], volumes: [data:/data]}}
        networks:
          front: {{labels: {{tier: front}}}}
        volumes:
          data: {{}}
        """
    )
    spec = project.spec()
    assert backend.ensure_network(spec, "front") is True
    assert backend.ensure_network(spec, "front") is False
    assert backend.ensure_volume(spec, "data") is True
    assert backend.ensure_volume(spec, "data") is False
    client = engine_client()
    network = client.inspect_network(f"{project.name}_front")
    assert network["Labels"] == {
        "tier": "front",
        lb.NETWORK: "front",
        lb.PROJECT: project.name,
        lb.VERSION: lb.COMPOSE_VERSION,
        lb.CONFIG_HASH: lb.network_hash("front", spec.project["networks"]["front"]),
    }
    volume = client.inspect_volume(f"{project.name}_data")
    assert volume["Labels"][lb.VOLUME] == "data"
    assert backend.project_resources(project.name) == (
        [f"{project.name}_front"],
        [f"{project.name}_data"],
    )
    assert backend.remove_network(spec, "front") is True
    assert backend.remove_network(spec, "front") is False
    assert backend.remove_volume(spec, "data") is True
    assert backend.remove_volume(spec, "data") is False
    assert leftovers(project.name) == {}


def test_external_resources_must_exist(project: Project, backend: DockerBackend) -> None:
    project.write(
        f"""
        services:
          app: {{image: {BUSYBOX}, networks: [outside], volumes: [kept:/data]}}
        networks:
          outside: {{external: true, name: {project.name}-nowhere}}
        volumes:
          kept: {{external: true, name: {project.name}-nothing}}
        """
    )
    spec = project.spec()
    with pytest.raises(
        ComposerError,
        match=f"network {project.name}-nowhere declared as external, but could not be found",
    ):
        backend.ensure_network(spec, "outside")
    with pytest.raises(ComposerError, match=f'external volume "{project.name}-nothing" not found'):
        backend.ensure_volume(spec, "kept")


def test_images_are_built_through_the_sdk(project: Project, backend: DockerBackend) -> None:
    context = project.root / "ctx"
    context.mkdir()
    (context / "hello.txt").write_text("built by composer\n")
    (context / "Dockerfile.app").write_text(
        f"FROM {BUSYBOX} AS base\nARG GREETING=none\nLABEL greeting=$GREETING\n"
        'FROM base AS final\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n'
    )
    project.write(
        """
        services:
          app:
            build:
              context: ./ctx
              dockerfile: Dockerfile.app
              args: {GREETING: hi}
              target: final
              labels: {org.example.built: "yes"}
        """
    )
    spec = project.spec()
    ref = project.ref("app")
    up_resources(backend, spec)
    backend.create(spec, ref)
    image = engine_client().inspect_image(f"{project.name}-app")
    labels = image["Config"]["Labels"]
    assert labels["greeting"] == "hi" and labels["org.example.built"] == "yes"
    assert labels[lb.PROJECT] == project.name and labels[lb.SERVICE] == "app"
    backend.start(spec, ref)
    wait_for(lambda: (s := backend.inspect(spec, ref)) and s.status == EXITED)
    assert [line.text for line in backend.logs(spec, [ref])] == ["built by composer"]
    assert backend.remove_images(spec, "local") == []  # still used by the container
    backend.remove(spec, ref)
    assert backend.remove_images(spec, "local") == [f"{project.name}-app"]


def test_an_inline_dockerfile_is_built(project: Project, backend: DockerBackend) -> None:
    """build.dockerfile_inline: the text is the Dockerfile; the context's files are there."""
    (project.root / "ctx").mkdir()
    (project.root / "ctx" / "note.txt").write_text("from the context\n")
    project.write(
        f"""
        services:
          app:
            build:
              context: ./ctx
              dockerfile_inline: |
                FROM {BUSYBOX}
                COPY note.txt /note.txt
                CMD ["cat", "/note.txt"]
        """
    )
    spec = project.spec()
    ref = project.ref("app")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    wait_for(lambda: (s := backend.inspect(spec, ref)) and s.status == EXITED)
    assert [line.text for line in backend.logs(spec, [ref])] == ["from the context"]


def test_a_broken_build_names_the_service(project: Project, backend: DockerBackend) -> None:
    (project.root / "Dockerfile").write_text(f"FROM {BUSYBOX}\nCOPY missing.txt /x\n")
    project.write("services:\n  broken:\n    build: .\n")
    spec = project.spec()
    with pytest.raises(
        ComposerError, match=f'service "broken": failed to build image "{project.name}-broken"'
    ):
        backend.create(spec, project.ref("broken"))


def test_an_unpullable_image_names_the_service_and_the_image(
    project: Project, backend: DockerBackend
) -> None:
    image = f"localhost:1/{project.name}/missing:1.0"
    project.write(f"services:\n  ghost:\n    image: {image}\n")
    spec = project.spec()
    with pytest.raises(ComposerError) as caught:
        backend.create(spec, project.ref("ghost"))
    assert caught.value.message.startswith(f'service "ghost": cannot pull image "{image}": ')
    assert caught.value.code == "image-pull" and caught.value.hint
    assert leftovers(project.name) == {}
    project.write(f"services:\n  ghost:\n    image: {image}\n    pull_policy: never\n")
    with pytest.raises(
        ComposerError, match=f'image "{image}" not found locally and pull_policy is "never"'
    ):
        backend.create(project.spec(), project.ref("ghost"))


def test_recreate_says_which_fields_changed_and_keeps_anonymous_volumes(
    project: Project, backend: DockerBackend
) -> None:
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            environment: {{MODE: one}}
            volumes: [/cache]
        """
    )
    spec = project.spec()
    ref = project.ref("app")
    up_resources(backend, spec)
    backend.create(spec, ref)
    backend.start(spec, ref)
    assert backend.exec(spec, ref, ["sh", "-c", "echo kept > /cache/file"]) == 0
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "601"]
            init: true
            environment: {{MODE: two}}
            volumes: [/cache]
        """
    )
    changed = project.spec()
    assert backend.changed_fields(changed, ref) == ["command[1]", "environment.MODE"]
    assert backend.recreate_reason(changed, ref) == "command[1], environment.MODE changed"
    backend.stop(changed, ref, 0)
    backend.remove(changed, ref)
    backend.create(changed, ref)
    backend.start(changed, ref)
    assert backend.exec(changed, ref, ["sh", "-c", 'test "$(cat /cache/file)" = kept']) == 0
    assert backend.changed_fields(changed, ref) == []


def test_two_creates_at_once_make_one_container(project: Project) -> None:
    project.write(f'services:\n  app:\n    image: {BUSYBOX}\n    command: ["sleep", "600"]\n')
    spec = project.spec()
    ref = project.ref("app")
    with DockerBackend() as first:
        up_resources(first, spec)
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def create() -> None:
        with DockerBackend() as mine:
            barrier.wait()
            try:
                mine.create(spec, ref)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    client = engine_client()
    containers = client.containers(all=True, filters={"label": [f"{lb.PROJECT}={project.name}"]})
    assert [c["Names"] for c in containers] == [[f"/{project.name}-app-1"]]


def test_orchestrator_up_and_down_of_a_three_service_project(project: Project) -> None:
    from composer.orchestrator import Orchestrator, UpOptions

    port = free_port()
    project.write(
        f"""
        services:
          web:
            image: {BUSYBOX}
            command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
            init: true
            ports: ["127.0.0.1:{port}:8080"]
            volumes: ["./site:/var/www:ro"]
            healthcheck:
              test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"]
              interval: 500ms
              retries: 5
          client:
            image: {BUSYBOX}
            init: true
            environment: {{TARGET: "http://web:8080/"}}
            command: ["sh", "-c", "wget -qO- $$TARGET > /data/page && exec sleep 600"]
            volumes: [data:/data]
            depends_on:
              web: {{condition: service_healthy}}
              job: {{condition: service_completed_successfully}}
          job:
            image: {BUSYBOX}
            command: ["sh", "-c", "echo job done > /data/job"]
            volumes: [data:/data]
        volumes:
          data: {{}}
        """
    )
    (project.root / "site").mkdir()
    (project.root / "site" / "index.html").write_text("served from a bind mount\n")
    spec = project.spec()
    events: list[Any] = []
    with DockerBackend() as backend:
        orchestrator = Orchestrator(backend, events.append)
        result = orchestrator.up(spec, UpOptions(wait=True, wait_timeout=60))
        assert sorted(result.services) == ["client", "job", "web"]
        assert http_get(port) == "served from a bind mount\n"
        client_ref = project.ref("client")
        assert (
            backend.exec(spec, client_ref, ["grep", "-q", "served from a bind mount", "/data/page"])
            == 0
        )
        states = {s.ref.service: s for s in backend.instances(project.name)}
        assert states["web"].health == HEALTHY and states["client"].status == RUNNING
        job = wait_for(
            lambda: (s := backend.inspect(spec, project.ref("job"))) and s.status == EXITED and s
        )
        assert job.exit_code == 0
        # changing one value recreates only that service
        project.write(
            (project.root / "compose.yaml")
            .read_text()
            .replace("http://web:8080/", "http://web:8080/index.html")
        )
        changed = project.spec()

        def started() -> dict[str, float | None]:  # inspect has start times, a listing not
            return {
                s.ref.service: (backend.inspect(spec, s.ref) or s).started_at
                for s in backend.instances(project.name)
            }

        before = started()
        events.clear()
        orchestrator.up(changed, UpOptions(wait=True, wait_timeout=60, timeout=1))
        recreated = {e.instance for e in events if e.status == "Recreated"}
        assert recreated == {f"{project.name}-client-1"}
        after = started()
        assert after["web"] == before["web"] and after["client"] != before["client"]
        anonymous = anonymous_volumes(project.name)
        events.clear()
        orchestrator.down(changed, volumes=True, timeout=1)
    assert existing_volumes(anonymous) == set()  # down -v: anonymous ones too
    assert leftovers(project.name) == {}
    # the network goes once every container has stopped (maybe while they are being
    # removed); the volume once every container is gone
    order = [(e.kind, e.status) for e in events]
    last_stop = max(i for i, step in enumerate(order) if step == ("container", "Stopped"))
    network_gone = order.index(("network", "Removed"))
    last_removed = max(i for i, step in enumerate(order) if step == ("container", "Removed"))
    assert last_stop < order.index(("network", "Removing")) < network_gone
    assert last_removed < order.index(("volume", "Removing"))


def test_a_failure_halfway_leaves_what_down_removes(project: Project) -> None:
    from composer.orchestrator import Orchestrator, UpOptions

    project.write(
        f"""
        services:
          base:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            volumes: [data:/data]
          broken:
            image: {BUSYBOX}
            command: ["/no/such/program"]
            depends_on: [base]
        volumes:
          data: {{}}
        """
    )
    spec = project.spec()
    with DockerBackend() as backend:
        orchestrator = Orchestrator(backend)
        with pytest.raises(ComposerError, match="no/such/program"):
            orchestrator.up(spec, UpOptions())
        made = leftovers(project.name)["containers"]
        assert sorted(made) == [f"/{project.name}-base-1", f"/{project.name}-broken-1"]
        orchestrator.down(spec, volumes=True, timeout=1)
    assert leftovers(project.name) == {}


def test_images_come_before_anything_is_created(project: Project) -> None:
    """Like the reference, `up` pulls every image first: an unreachable registry
    fails the command before a network, volume or container exists."""
    from composer.orchestrator import Orchestrator, UpOptions

    project.write(
        f"""
        services:
          base:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            volumes: [data:/data]
          broken:
            image: localhost:1/{project.name}/nope:1
            depends_on: [base]
        volumes:
          data: {{}}
        """
    )
    with DockerBackend() as backend:
        with pytest.raises(ComposerError, match='service "broken": cannot pull image'):
            Orchestrator(backend).up(project.spec(), UpOptions())
    assert leftovers(project.name) == {}


def test_a_listing_tells_what_an_inspect_tells(project: Project) -> None:
    """instances() reads the engine's list alone (one request, like the reference);
    status, health, exit code, hash, image and ports must be what inspect says, for
    a healthy, a starting, an exited and a never started container."""
    from composer.runtimes.docker.states import state_from_inspect, state_from_summary

    project.write(
        f"""
        services:
          healthy:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            ports: ["127.0.0.1::80"]
            expose: ["81"]
            healthcheck: {{test: ["CMD", "true"], interval: 1s}}
          slow:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            healthcheck: {{test: ["CMD", "true"], interval: 1h, start_period: 1h}}
          failed:
            image: {BUSYBOX}
            command: ["sh", "-c", "exit 3"]
          fresh:
            image: {BUSYBOX}
        """
    )
    spec = project.spec()
    with DockerBackend() as backend:
        up_resources(backend, spec)
        for name in ("healthy", "slow", "failed", "fresh"):
            backend.create(spec, project.ref(name))
        for name in ("healthy", "slow", "failed"):
            backend.start(spec, project.ref(name))
        wait_for(
            lambda: (s := backend.inspect(spec, project.ref("healthy"))) and s.health == HEALTHY
        )
        wait_for(lambda: (s := backend.inspect(spec, project.ref("failed"))) and s.status == EXITED)
        client = engine_client()
        try:
            selector = {"label": [f"{lb.PROJECT}={project.name}"]}
            pairs = [
                (state_from_summary(s), state_from_inspect(client.inspect_container(s["Id"])))
                for s in client.containers(all=True, filters=selector)
            ]
        finally:
            client.close()
    fields = ("ref", "status", "health", "exit_code", "config_hash", "image", "publishers")
    seen = {}
    for summary, inspected in pairs:
        assert summary is not None and inspected is not None
        assert {f: getattr(summary, f) for f in fields} == {
            f: getattr(inspected, f) for f in fields
        }
        seen[summary.ref.service] = (summary.status, summary.health, summary.exit_code)
    assert seen == {
        "healthy": ("running", "healthy", None),
        "slow": ("running", "starting", None),
        "failed": ("exited", None, 3),
        "fresh": ("created", None, None),
    }
