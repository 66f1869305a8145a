"""The process runtime with real processes: start, stop, restart, health, logs, ports, state.

No mocks: every test runs sh, sleep or this interpreter. Intervals are a few tens of
milliseconds so the whole file runs in seconds, and the `backend` fixture stops and
removes every instance afterwards, then fails the test if any process of its
(uniquely named) project still lives.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from composer.errors import ComposerError
from composer.hashing import service_hash
from composer.loader.options import LoadOptions
from composer.loader.pipeline import load_project
from composer.runtimes.base import (
    EXITED,
    HEALTHY,
    PAUSED,
    RESTARTING,
    RUNNING,
    STARTING,
    UNHEALTHY,
    InstanceRef,
    InstanceState,
    ProjectSpec,
    Publisher,
)
from composer.runtimes.process import ProcessBackend, state_root
from composer.runtimes.process import logs as logfiles
from composer.runtimes.process.health import next_status, parse_healthcheck
from composer.runtimes.process.proxy import plan_ports
from composer.runtimes.process.restart import Backoff, RestartPolicy, parse_restart
from composer.runtimes.process.state import (
    InstanceRecord,
    ProjectState,
    is_alive,
    proc_stat,
    start_ticks,
)
from composer.runtimes.protocol import Backend
from tests import helpers

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the process runtime reads /proc"
)

PY = sys.executable
HOST_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "SECRET_TOKEN": "must-not-leak",
    "UNSET_ME": "from-host",
}


# --------------------------------------------------------------------------- helpers


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, step: float = 0.02) -> Any:
    """tests.helpers.wait_for with this suite's default patience."""
    return helpers.wait_for(predicate, timeout, step)


free_port = helpers.free_port


def project_pids(project: str) -> list[int]:
    """Live processes whose environment says they belong to `project`."""
    marker = f"COMPOSER_PROJECT={project}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                env = handle.read().split(b"\0")
        except OSError:
            continue
        stat = proc_stat(int(entry))
        if marker in env and stat is not None and stat[0] not in "ZX":
            found.append(int(entry))
    return found


def pid_gone(pid: int) -> bool:
    stat = proc_stat(pid)
    return stat is None or stat[0] in "ZX"


class Project:
    """A project directory, its unique name and a way to build a ProjectSpec."""

    def __init__(self, root: Path) -> None:
        self.name = "t" + uuid.uuid4().hex[:10]
        self.dir = root / "project"
        self.dir.mkdir()
        self.state_dir = root / "state"

    def spec(self, services: dict[str, Any]) -> ProjectSpec:
        project = {"name": self.name, "services": services}
        return ProjectSpec(self.name, str(self.dir), (str(self.dir / "compose.yaml"),), project)

    def ref(self, service: str, index: int = 1) -> InstanceRef:
        return InstanceRef(self.name, service, index)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def make_backend(project: Project) -> Iterator[Callable[[], ProcessBackend]]:
    """Builds ProcessBackend objects over the project's state directory (fast intervals);
    afterwards stops and removes every instance and fails if a process is left."""
    made: list[ProcessBackend] = []

    def make() -> ProcessBackend:
        item = ProcessBackend(
            project.state_dir,
            host_env=HOST_ENV,
            backoff_base=0.05,
            backoff_cap=1.0,
            poll_interval=0.05,
        )
        made.append(item)
        return item

    yield make
    cleaner = ProcessBackend(project.state_dir, host_env=HOST_ENV)
    spec = project.spec({})
    for state in cleaner.instances(project.name):
        cleaner.stop(spec, state.ref, timeout=0.5)
        cleaner.remove(spec, state.ref)
    for item in made:
        item.close()
    left = project_pids(project.name)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind: {left}"


@pytest.fixture
def backend(make_backend: Callable[[], ProcessBackend]) -> ProcessBackend:
    return make_backend()


def look(backend: ProcessBackend, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
    """inspect(), asserting the instance exists."""
    state = backend.inspect(spec, ref)
    assert state is not None, f"{ref.name} does not exist"
    return state


def log_texts(backend: ProcessBackend, spec: ProjectSpec, ref: InstanceRef, **kw: Any) -> list[str]:
    return [line.text for line in backend.logs(spec, [ref], **kw)]


# --------------------------------------------------------------------------- basics


def test_backend_satisfies_the_protocol(backend: ProcessBackend, project: Project) -> None:
    assert isinstance(backend, Backend)
    assert backend.capabilities.networks is False and backend.capabilities.volumes is False
    spec = project.spec({})
    assert backend.ensure_network(spec, "default") is False
    assert backend.ensure_volume(spec, "data") is False


def test_command_environment_and_working_dir(backend: ProcessBackend, project: Project) -> None:
    (project.dir / "sub").mkdir()
    script = "import json, os; print(json.dumps({'env': dict(os.environ), 'cwd': os.getcwd()}))"
    spec = project.spec(
        {
            "app": {
                "entrypoint": [PY, "-c"],
                "command": [script],
                "environment": {"GREETING": "hello", "UNSET_ME": None, "LANG": "de_DE.UTF-8"},
                "working_dir": "sub",
            }
        }
    )
    ref = project.ref("app")
    backend.start(spec, ref)
    wait_for(lambda: look(backend, spec, ref).status == EXITED)
    out = json.loads(log_texts(backend, spec, ref)[0])
    env = out["env"]
    assert out["cwd"] == str(project.dir / "sub")
    assert env["PATH"] == HOST_ENV["PATH"] and env["HOME"] == "/tmp"
    assert env["LANG"] == "de_DE.UTF-8"  # the service's value wins over the host's
    assert env["GREETING"] == "hello"
    assert env["COMPOSER_PROJECT"] == project.name
    assert env["COMPOSER_SERVICE"] == "app"
    assert env["COMPOSER_REPLICA"] == "1"
    assert "SECRET_TOKEN" not in env and "UNSET_ME" not in env


def test_loaded_project_runs(backend: ProcessBackend, project: Project) -> None:
    """A spec straight from the loader: string command split, Go durations, restart."""
    (project.dir / "compose.yaml").write_text(
        textwrap.dedent(
            """
            services:
              job:
                image: busybox
                command: sh -c 'echo "$$COMPOSER_SERVICE-$$COMPOSER_REPLICA"; exit 4'
                restart: on-failure:1
                stop_grace_period: 1m30s
            """
        )
    )
    loaded = load_project(
        LoadOptions(
            files=[str(project.dir / "compose.yaml")],
            project_name=project.name,
            environ=dict(HOST_ENV),
        )
    )
    spec = ProjectSpec(loaded.name, loaded.working_dir, tuple(loaded.files), loaded.project)
    ref = project.ref("job")
    backend.start(spec, ref)
    state = wait_for(lambda: _settled(backend, spec, ref, restarts=1))
    assert (state.exit_code, state.restart_count) == (4, 1)
    assert log_texts(backend, spec, ref) == ["job-1", "job-1"]
    # The recorded hash is `config --hash`'s, so `up` recreates exactly what changed.
    assert state.config_hash == service_hash("job", loaded.project["services"]["job"])


def _settled(backend: ProcessBackend, spec: ProjectSpec, ref: InstanceRef, restarts: int) -> Any:
    state = backend.inspect(spec, ref)
    return state if state and state.status == EXITED and state.restart_count == restarts else None


@pytest.mark.parametrize(
    ("service", "what"),
    [({"image": "postgres:16"}, "only names an image"), ({"build": {"context": "."}}, "builds")],
)
def test_service_without_command_is_refused(
    backend: ProcessBackend, project: Project, service: dict[str, Any], what: str
) -> None:
    spec = project.spec({"db": service})
    with pytest.raises(ComposerError) as info:
        backend.create(spec, project.ref("db"))
    err = info.value
    assert err.code == "process-no-command"
    assert '"db"' in err.message and what in err.message
    assert err.hint is not None and "compose.local.yaml" in err.hint
    assert "composer -f compose.yaml -f compose.local.yaml up" in err.hint
    assert "command:" in err.hint
    assert backend.inspect(spec, project.ref("db")) is None


def test_missing_executable_is_refused_at_create(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec({"app": {"command": ["no-such-program-xyz", "--flag"]}})
    with pytest.raises(ComposerError) as info:
        backend.create(spec, project.ref("app"))
    assert info.value.code == "process-command-not-found"
    assert "no-such-program-xyz" in info.value.message


def test_named_volume_is_refused_and_bind_mount_warned(
    backend: ProcessBackend, project: Project
) -> None:
    volume = {"type": "volume", "source": "data", "target": "/var/lib/data"}
    spec = project.spec({"db": {"command": ["sleep", "1"], "volumes": [volume]}})
    with pytest.raises(ComposerError) as info:
        backend.create(spec, project.ref("db"))
    assert info.value.code == "process-volume-unsupported"
    assert "/var/lib/data" in info.value.message and "!reset" in (info.value.hint or "")

    bind = {"type": "bind", "source": str(project.dir / "conf"), "target": "/etc/app"}
    spec = project.spec({"app": {"command": ["sleep", "1"], "volumes": [bind]}})
    backend.create(spec, project.ref("app"))
    assert any("/etc/app" in warning for warning in backend.warnings)


# --------------------------------------------------------------------------- stop


def test_stop_kills_the_whole_group_including_grandchildren(
    backend: ProcessBackend, project: Project
) -> None:
    spec = project.spec({"app": {"command": ["sh", "-c", "sleep 1000 & echo $!; sleep 1000"]}})
    ref = project.ref("app")
    started = backend.start(spec, ref)
    assert started.status == RUNNING and started.pid
    grandchild = int(wait_for(lambda: log_texts(backend, spec, ref))[0])
    assert not pid_gone(grandchild)
    assert os.getpgid(grandchild) == started.pid  # the same process group
    began = time.monotonic()
    backend.stop(spec, ref, timeout=5)
    assert time.monotonic() - began < 2  # SIGTERM was enough, no waiting for the grace period
    assert pid_gone(started.pid) and pid_gone(grandchild)
    state = backend.inspect(spec, ref)
    assert state is not None
    assert (state.status, state.exit_code, state.pid) == (EXITED, 128 + signal.SIGTERM, None)


def test_stop_escalates_to_sigkill_after_the_grace_period(
    backend: ProcessBackend, project: Project
) -> None:
    spec = project.spec(
        {
            "stubborn": {
                "command": ["sh", "-c", "trap '' TERM; echo ready; sleep 1000"],
                "stop_grace_period": "300ms",
            }
        }
    )
    ref = project.ref("stubborn")
    backend.start(spec, ref)
    wait_for(lambda: log_texts(backend, spec, ref) == ["ready"])
    began = time.monotonic()
    backend.stop(spec, ref)  # no timeout: the service's stop_grace_period
    took = time.monotonic() - began
    assert 0.3 <= took < 3
    state = backend.inspect(spec, ref)
    assert state is not None and state.exit_code == 128 + signal.SIGKILL


def test_stop_sends_the_services_stop_signal(backend: ProcessBackend, project: Project) -> None:
    script = textwrap.dedent(
        """
        import signal, sys, time
        def bye(*_):
            print("bye", flush=True)
            sys.exit(0)
        signal.signal(signal.SIGUSR1, bye)
        print("ready", flush=True)
        time.sleep(1000)
        """
    )
    spec = project.spec({"app": {"command": [PY, "-c", script], "stop_signal": "SIGUSR1"}})
    ref = project.ref("app")
    backend.start(spec, ref)
    wait_for(lambda: "ready" in log_texts(backend, spec, ref))
    backend.stop(spec, ref, timeout=5)
    state = backend.inspect(spec, ref)
    assert state is not None and (state.status, state.exit_code) == (EXITED, 0)
    assert log_texts(backend, spec, ref) == ["ready", "bye"]


# --------------------------------------------------------------------------- exit codes and logs


def test_exit_code_is_recorded_and_logs_are_tailed(
    backend: ProcessBackend, project: Project
) -> None:
    script = "import sys\nfor i in range(1, 6): print(f'line{i}')\nprint('oops', file=sys.stderr)\nsys.exit(7)"
    spec = project.spec({"app": {"command": [PY, "-u", "-c", script]}})
    ref = project.ref("app")
    backend.start(spec, ref)
    state = wait_for(lambda: _settled(backend, spec, ref, restarts=0))
    assert state.exit_code == 7 and state.pid is None
    record = ProjectState(project.state_dir, project.name).read(ref)
    assert record is not None and record.exit_code == 7 and record.status == EXITED
    assert log_texts(backend, spec, ref) == ["line1", "line2", "line3", "line4", "line5", "oops"]
    assert log_texts(backend, spec, ref, tail=2) == ["line5", "oops"]
    assert log_texts(backend, spec, ref, tail=0) == []


def test_logs_follow_until_the_instance_exits(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec(
        {"app": {"command": ["sh", "-c", "echo a; sleep 0.3; echo b; sleep 0.3; printf c"]}}
    )
    ref = project.ref("app")
    backend.start(spec, ref)
    wait_for(lambda: log_texts(backend, spec, ref) == ["a"])
    seen = []
    began = time.monotonic()
    for line in backend.logs(spec, [ref], follow=True, tail=1):
        seen.append((line.text, round(time.monotonic() - began, 1)))
    assert [text for text, _ in seen] == ["a", "b", "c"]  # the last one has no newline
    assert seen[-1][1] >= 0.3  # followed live, not read after the fact


def test_log_rotation_tail_and_follow(tmp_path: Path) -> None:
    rotation = logfiles.Rotation(max_bytes=100, max_files=3)
    path = tmp_path / "app.log"
    fd = logfiles.open_for_child(path)  # what the child writes to: O_APPEND
    follower = logfiles.Follower(path, rotation, offset=0)
    try:
        for n in range(60):
            os.write(fd, f"line {n:02d}\n".encode())  # 8 bytes each
            if n % 7 == 6:
                assert follower.poll()  # reads before each rotation
            logfiles.rotate_if_needed(path, rotation)
        os.write(fd, b"tail")
    finally:
        os.close(fd)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("app.log")] != ["app.log"]
    assert not (tmp_path / "app.log.3").exists()  # three files at most
    assert all(p.stat().st_size <= 100 + 8 for p in logfiles.all_files(path, 3) if p.exists())
    lines = logfiles.tail_lines(path, 5, rotation)
    assert lines == ["line 56", "line 57", "line 58", "line 59", "tail"]
    every = logfiles.tail_lines(path, None, rotation)
    assert every[-2:] == ["line 59", "tail"] and 20 < len(every) < 61  # the oldest were dropped
    numbers = [int(text[5:]) for text in every[:-1]]
    assert numbers == list(range(numbers[0], 60))  # in order, nothing lost in between

    # A follower that starts before a rotation sees every line exactly once.
    path2 = tmp_path / "b.log"
    fd = logfiles.open_for_child(path2)
    follower = logfiles.Follower(path2, rotation, offset=0)
    got: list[str] = []
    try:
        for n in range(40):
            os.write(fd, f"row {n:03d}\n".encode())
            if n % 5 == 4:
                got += follower.poll()
            if n % 11 == 10:
                logfiles.rotate_if_needed(path2, rotation)
    finally:
        os.close(fd)
    got += follower.flush()
    assert got == [f"row {n:03d}" for n in range(40)]


def test_backend_rotates_a_chatty_instance(project: Project) -> None:
    backend = ProcessBackend(
        project.state_dir,
        host_env=HOST_ENV,
        rotation=logfiles.Rotation(max_bytes=2000, max_files=2),
        poll_interval=0.02,
    )
    script = "import time\nfor i in range(300):\n    print(f'{i:04d}' + 'x' * 45, flush=True)\n    time.sleep(0.002)"
    spec = project.spec({"chatty": {"command": [PY, "-c", script]}})
    ref = project.ref("chatty")
    try:
        backend.start(spec, ref)
        wait_for(lambda: look(backend, spec, ref).status == EXITED)
        log = ProjectState(project.state_dir, project.name).log_path(ref)
        assert log.with_name(log.name + ".1").exists()
        lines = log_texts(backend, spec, ref)
        assert 0 < len(lines) < 300 and lines[-1].startswith("0299")
        numbers = [int(line[:4]) for line in lines]
        assert numbers == sorted(numbers)
    finally:
        backend.remove(spec, ref)
        backend.close()
    assert not log.exists()


# --------------------------------------------------------------------------- health


def test_healthcheck_becomes_healthy_and_is_persisted(
    backend: ProcessBackend, project: Project
) -> None:
    spec = project.spec(
        {
            "web": {
                "command": ["sh", "-c", "sleep 0.3; touch ready; sleep 1000"],
                "healthcheck": {"test": ["CMD-SHELL", "test -f ready"], "interval": "50ms"},
            }
        }
    )
    ref = project.ref("web")
    assert backend.start(spec, ref).health == STARTING
    wait_for(lambda: look(backend, spec, ref).health == HEALTHY)
    record = ProjectState(project.state_dir, project.name).read(ref)
    assert record is not None and record.health == HEALTHY


def test_healthcheck_becomes_unhealthy_after_retries(
    backend: ProcessBackend, project: Project
) -> None:
    spec = project.spec(
        {
            "web": {
                "command": ["sleep", "1000"],
                "healthcheck": {"test": ["CMD", "false"], "interval": "50ms", "retries": 3},
            }
        }
    )
    ref = project.ref("web")
    began = time.monotonic()
    backend.start(spec, ref)
    wait_for(lambda: look(backend, spec, ref).health == UNHEALTHY)
    assert time.monotonic() - began >= 0.15  # three failing probes, 50ms apart


def test_a_paused_instance_is_not_probed(backend: ProcessBackend, project: Project) -> None:
    """While paused, the probes are held (a frozen program answers none; the engine
    would call it unhealthy, moby/moby#46203); once unpaused they go on."""
    spec = project.spec(
        {
            "web": {
                "command": ["sleep", "1000"],
                "healthcheck": {"test": ["CMD", "false"], "interval": "50ms", "retries": 1},
            }
        }
    )
    ref = project.ref("web")
    backend.start(spec, ref)
    backend.pause(spec, ref)
    assert look(backend, spec, ref).status == PAUSED
    time.sleep(0.4)  # ~8 probes would have failed
    assert look(backend, spec, ref).health == STARTING
    backend.unpause(spec, ref)
    assert look(backend, spec, ref).status == RUNNING
    wait_for(lambda: look(backend, spec, ref).health == UNHEALTHY)


def test_failures_during_start_period_do_not_count(
    backend: ProcessBackend, project: Project
) -> None:
    spec = project.spec(
        {
            "web": {
                "command": ["sleep", "1000"],
                "healthcheck": {
                    "test": ["CMD-SHELL", "exit 1"],
                    "interval": "50ms",
                    "start_interval": "50ms",
                    "start_period": "800ms",
                    "retries": 1,
                },
            }
        }
    )
    ref = project.ref("web")
    backend.start(spec, ref)
    time.sleep(0.5)  # ~9 failed probes, none counted
    assert look(backend, spec, ref).health == STARTING
    wait_for(lambda: look(backend, spec, ref).health == UNHEALTHY, timeout=3)


def test_health_rules() -> None:
    assert parse_healthcheck("s", {"test": ["NONE"]}) is None
    assert parse_healthcheck("s", {"test": ["CMD", "true"], "disable": True}) is None
    assert parse_healthcheck("s", None) is None
    spec = parse_healthcheck("s", {"test": ["CMD-SHELL", "curl -f localhost"]})
    assert spec is not None and spec.argv == ("/bin/sh", "-c", "curl -f localhost")
    assert (spec.interval, spec.timeout, spec.retries, spec.start_period, spec.start_interval) == (
        30.0,
        30.0,
        3,
        0.0,
        5.0,
    )
    spec = parse_healthcheck("s", {"test": ["CMD", "x", "y"], "interval": "1m30s", "retries": 5})
    assert (
        spec is not None and spec.argv == ("x", "y") and spec.interval == 90 and spec.retries == 5
    )
    # Docker's transitions: failures in the start period keep "starting" and the streak.
    assert next_status(STARTING, 0, False, True, 1) == (STARTING, 0)
    assert next_status(STARTING, 0, False, False, 2) == (STARTING, 1)
    assert next_status(STARTING, 1, False, False, 2) == (UNHEALTHY, 2)
    assert next_status(UNHEALTHY, 2, True, False, 2) == (HEALTHY, 0)
    assert next_status(HEALTHY, 0, False, True, 1) == (UNHEALTHY, 1)  # start period is over


def test_no_healthcheck_means_no_health(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec({"app": {"command": ["sleep", "1000"], "healthcheck": {"disable": True}}})
    assert backend.start(spec, project.ref("app")).health is None


# --------------------------------------------------------------------------- restart


def test_restart_always_backs_off(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec(
        {"crash": {"command": ["sh", "-c", "date +%s.%N; exit 1"], "restart": "always"}}
    )
    ref = project.ref("crash")
    backend.start(spec, ref)
    wait_for(lambda: look(backend, spec, ref).restart_count >= 5)
    backend.stop(spec, ref, timeout=1)
    state = backend.inspect(spec, ref)
    assert state is not None and state.status == EXITED
    starts = [float(text) for text in log_texts(backend, spec, ref)]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert len(gaps) >= 4
    assert gaps[:4] == sorted(gaps[:4])  # 0.05, 0.1, 0.2, 0.4 s (+ start-up time)
    assert gaps[3] >= 0.35
    time.sleep(0.3)
    assert look(backend, spec, ref).restart_count == state.restart_count


def test_on_failure_stops_after_max_restarts(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec(
        {"job": {"command": ["sh", "-c", "echo run; exit 3"], "restart": "on-failure:2"}}
    )
    ref = project.ref("job")
    backend.start(spec, ref)
    state = wait_for(lambda: _settled(backend, spec, ref, restarts=2))
    time.sleep(0.3)
    again = backend.inspect(spec, ref)
    assert again is not None and (again.status, again.restart_count) == (EXITED, 2)
    assert state.exit_code == 3
    assert log_texts(backend, spec, ref) == ["run", "run", "run"]


def test_on_failure_does_not_restart_success(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec({"job": {"command": ["true"], "restart": "on-failure"}})
    ref = project.ref("job")
    backend.start(spec, ref)
    state = wait_for(lambda: _settled(backend, spec, ref, restarts=0))
    assert state.exit_code == 0


def test_deploy_restart_policy_is_used_without_restart(
    backend: ProcessBackend, project: Project
) -> None:
    deploy = {"restart_policy": {"condition": "on-failure", "max_attempts": 1, "delay": "100ms"}}
    spec = project.spec({"job": {"command": ["sh", "-c", "exit 2"], "deploy": deploy}})
    ref = project.ref("job")
    backend.start(spec, ref)
    state = wait_for(lambda: _settled(backend, spec, ref, restarts=1))
    assert state.exit_code == 2


def test_restart_rules() -> None:
    assert parse_restart("s", {}) == RestartPolicy("no")
    assert parse_restart("s", {"restart": "on-failure:5"}) == RestartPolicy("on-failure", 5)
    assert parse_restart("s", {"restart": "unless-stopped"}).mode == "unless-stopped"
    deploy = {"deploy": {"restart_policy": {"condition": "any", "max_attempts": 2, "delay": "2s"}}}
    assert parse_restart("s", deploy) == RestartPolicy("always", 2, 2.0)
    both = {"restart": "no", **deploy}
    assert parse_restart("s", both) == RestartPolicy("no")
    with pytest.raises(ComposerError):
        parse_restart("s", {"restart": "always:3"})
    policy = RestartPolicy("unless-stopped")
    assert policy.should_restart(0, 50, stopped=False)
    assert not policy.should_restart(0, 0, stopped=True)
    assert not RestartPolicy("on-failure", 2).should_restart(1, 2, stopped=False)
    backoff = Backoff(base=0.1, cap=1.0, reset_after=10)
    assert [backoff.next_delay(0.01) for _ in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert backoff.next_delay(12) == 0.1  # ran long enough: back to the base


# --------------------------------------------------------------------------- ports


def test_published_port_is_proxied_to_the_target(backend: ProcessBackend, project: Project) -> None:
    target, published = free_port(), free_port()
    (project.dir / "index.html").write_text("hello from the process runtime")
    port = {"mode": "ingress", "target": target, "published": str(published), "protocol": "tcp"}
    spec = project.spec(
        {
            "web": {
                "command": [PY, "-m", "http.server", str(target), "--bind", "127.0.0.1"],
                "ports": [port],
            }
        }
    )
    ref = project.ref("web")
    state = backend.start(spec, ref)
    assert state.publishers == [Publisher("0.0.0.0", target, published, "tcp")]

    def fetch() -> bytes | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{published}/index.html", timeout=2) as r:
                return bytes(r.read())
        except OSError:
            return None

    assert wait_for(fetch) == b"hello from the process runtime"
    backend.stop(spec, ref, timeout=2)
    with pytest.raises(OSError):  # the proxy went away with the instance
        socket.create_connection(("127.0.0.1", published), timeout=1).close()


def test_port_plans() -> None:
    tcp = {"mode": "ingress", "target": 80, "protocol": "tcp"}
    same = plan_ports("web", {"ports": [{**tcp, "published": "80"}]}, 1)
    assert [(b.published, b.listen, b.proxied) for b in same] == [(80, 80, False)]
    other = plan_ports("web", {"ports": [{**tcp, "host_ip": "127.0.0.1", "published": "8080"}]}, 1)
    assert [(b.host_ip, b.published, b.listen, b.proxied) for b in other] == [
        ("127.0.0.1", 8080, 80, True)
    ]
    with pytest.raises(ComposerError) as info:
        plan_ports("web", {"ports": [{**tcp, "protocol": "udp", "published": "53"}]}, 1)
    assert info.value.code == "process-port-protocol"
    with pytest.raises(ComposerError) as info:
        plan_ports("web", {"scale": 2, "ports": [{**tcp, "published": "8080"}]}, 2)
    assert info.value.code == "process-port-clash" and "COMPOSER_PORT_80" in (info.value.hint or "")
    ranged = {"deploy": {"replicas": 3}, "ports": [{**tcp, "published": "9000-9002"}]}
    assert [plan_ports("web", ranged, i)[0].listen for i in (1, 2, 3)] == [9000, 9001, 9002]
    assert plan_ports("web", {"ports": [{**tcp, "published": "8080"}]}, 1, oneoff=True) == []


def test_replica_learns_its_port(backend: ProcessBackend, project: Project) -> None:
    ports = [{"mode": "ingress", "target": 80, "published": "9100-9101", "protocol": "tcp"}]
    spec = project.spec(
        {
            "web": {
                "command": ["sh", "-c", 'echo "$COMPOSER_REPLICA:$COMPOSER_PORT_80"'],
                "scale": 2,
                "ports": ports,
            }
        }
    )
    second = project.ref("web", 2)
    state = backend.start(spec, second)
    assert state.publishers == [Publisher("0.0.0.0", 80, 9101, "tcp")]
    wait_for(lambda: log_texts(backend, spec, second) == ["2:9101"])


# --------------------------------------------------------------------------- state records


def test_state_directory_location_and_mode(tmp_path: Path) -> None:
    assert state_root({"COMPOSER_STATE_DIR": "/x", "XDG_RUNTIME_DIR": "/run/u"}) == Path("/x")
    assert state_root({"XDG_RUNTIME_DIR": "/run/u", "HOME": "/h"}) == Path("/run/u/composer")
    assert state_root({"HOME": "/h"}) == Path("/h/.local/state/composer")
    state = ProjectState(tmp_path / "root", "proj")
    state.ensure()
    assert (state.dir.stat().st_mode & 0o777) == 0o700
    assert (state.log_dir.stat().st_mode & 0o777) == 0o700
    # Other files in the directory are not instances.
    (state.dir / "project.json").write_text('{"project": {"name": "proj"}, "name": "proj"}')
    (state.dir / "proj-web-1.json").write_text('{"project": "proj", "serv')  # torn
    (state.dir / "proj-api-1.json").write_text(
        InstanceRecord(project="proj", service="api").to_json()
    )
    assert [record.ref.name for record in state.records()] == ["proj-api-1"]


def test_record_holds_pid_group_and_start_time(backend: ProcessBackend, project: Project) -> None:
    spec = project.spec({"app": {"command": ["sleep", "1000"]}})
    ref = project.ref("app")
    state = backend.start(spec, ref)
    record = ProjectState(project.state_dir, project.name).read(ref)
    assert record is not None and state.pid is not None
    assert record.pid == record.pgid == state.pid == os.getpgid(state.pid)
    assert record.start_ticks == start_ticks(state.pid)
    assert record.status == RUNNING and record.config_hash == state.config_hash
    assert record.log_files and record.log_files[0].endswith(f"{ref.name}.log")


def test_stale_pid_with_another_start_time_is_not_ours(
    backend: ProcessBackend, project: Project
) -> None:
    stranger = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    try:
        ticks = start_ticks(stranger.pid)
        assert ticks is not None
        ref = project.ref("app")
        state = ProjectState(project.state_dir, project.name)
        state.write(
            InstanceRecord(
                project=project.name,
                service="app",
                status=RUNNING,
                pid=stranger.pid,
                pgid=stranger.pid,
                start_ticks=ticks - 1,  # the pid was reused by another process
            )
        )
        spec = project.spec({"app": {"command": ["sleep", "1000"]}})
        (found,) = backend.instances(project.name)
        assert (found.ref, found.status, found.pid) == (ref, EXITED, None)
        assert backend.instances(project.name, include_stopped=False) == []
        backend.stop(spec, ref, timeout=0.2)
        backend.remove(spec, ref)
        assert is_alive(stranger.pid, ticks), "a process that is not ours was signalled"
        assert backend.instances(project.name) == []
    finally:
        stranger.kill()
        stranger.wait()


def test_second_backend_finds_and_stops_what_the_first_started(
    backend: ProcessBackend, project: Project, make_backend: Callable[[], ProcessBackend]
) -> None:
    spec = project.spec(
        {"app": {"command": ["sh", "-c", "sleep 1000 & sleep 1000"], "restart": "always"}}
    )
    ref = project.ref("app")
    first = backend.start(spec, ref)
    other = make_backend()
    (seen,) = other.instances(project.name, include_stopped=False)
    assert (seen.ref, seen.status, seen.pid) == (ref, RUNNING, first.pid)
    wait_for(lambda: len(project_pids(project.name)) == 3)  # sh and its two sleeps
    other.stop(spec, ref, timeout=2)
    wait_for(lambda: not project_pids(project.name))
    time.sleep(0.3)  # the first backend's monitor must not restart an explicit stop
    for looker in (backend, other):
        state = looker.inspect(spec, ref)
        assert state is not None and state.status == EXITED and state.restart_count == 0
    assert not project_pids(project.name)


SUPERVISOR = """
import sys, time
from composer.runtimes.base import InstanceRef, ProjectSpec
from composer.runtimes.process import ProcessBackend
state_dir, name, workdir = sys.argv[1:4]
project = {"name": name, "services": {"app": {
    "command": ["sh", "-c", "sleep 1000 & sleep 1000"], "restart": "always"}}}
spec = ProjectSpec(name, workdir, (), project)
backend = ProcessBackend(state_dir, host_env={"PATH": "/usr/bin:/bin"})
state = backend.start(spec, InstanceRef(name, "app"))
print(state.pid, flush=True)
time.sleep(1000)
"""


def test_instances_outlive_a_sigkilled_supervisor(
    backend: ProcessBackend, project: Project, tmp_path: Path
) -> None:
    script = tmp_path / "supervisor.py"
    script.write_text(SUPERVISOR)
    supervisor = subprocess.Popen(
        [PY, str(script), str(project.state_dir), project.name, str(project.dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert supervisor.stdout is not None
        pid = int(supervisor.stdout.readline())
    finally:
        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait()
    spec = project.spec({"app": {"command": ["sleep", "1000"]}})
    ref = project.ref("app")
    (seen,) = backend.instances(project.name)
    assert (seen.status, seen.pid) == (RUNNING, pid)
    wait_for(lambda: len(project_pids(project.name)) == 3)  # sh and its two sleeps
    backend.stop(spec, ref, timeout=2)
    assert not project_pids(project.name)
    state = backend.inspect(spec, ref)
    assert state is not None and state.status == EXITED
    backend.remove(spec, ref)
    assert backend.instances(project.name) == []


def test_create_refuses_a_running_instance_and_start_is_idempotent(
    backend: ProcessBackend, project: Project
) -> None:
    spec = project.spec({"app": {"command": ["sleep", "1000"]}})
    ref = project.ref("app")
    created = backend.create(spec, ref)
    assert (created.status, created.pid) == ("created", None)
    first = backend.start(spec, ref)
    assert backend.start(spec, ref).pid == first.pid
    with pytest.raises(ComposerError) as info:
        backend.create(spec, ref)
    assert info.value.code == "process-instance-exists"
    backend.stop(spec, ref, timeout=1)
    again = backend.start(spec, ref)  # a stopped instance starts again, policy reset
    assert again.status == RUNNING and again.pid != first.pid


def test_restarting_status_is_reported(backend: ProcessBackend, project: Project) -> None:
    slow = ProcessBackend(project.state_dir, host_env=HOST_ENV, backoff_base=5, poll_interval=0.02)
    spec = project.spec({"app": {"command": ["false"], "restart": "always"}})
    ref = project.ref("app")
    try:
        slow.start(spec, ref)
        state = wait_for(
            lambda: look(slow, spec, ref).status == RESTARTING and look(slow, spec, ref)
        )
        assert state.restart_count == 1 and state.exit_code == 1
        assert look(backend, spec, ref).status == RESTARTING
        began = time.monotonic()
        slow.stop(spec, ref)  # cancels the pending restart at once
        assert time.monotonic() - began < 1
        assert look(slow, spec, ref).status == EXITED
    finally:
        slow.close()


# --------------------------------------------------------------------------- exec


def test_exec_uses_the_instance_environment(backend: ProcessBackend, project: Project) -> None:
    (project.dir / "work").mkdir()
    spec = project.spec(
        {
            "app": {
                "command": ["sleep", "1000"],
                "environment": {"MODE": "test"},
                "working_dir": "work",
            }
        }
    )
    ref = project.ref("app")
    with pytest.raises(ComposerError) as info:
        backend.exec(spec, ref, ["true"])
    assert info.value.code == "process-not-running"
    backend.start(spec, ref)
    check = '[ "$MODE:$COMPOSER_SERVICE:$EXTRA" = "test:app:1" ] && [ "$(basename "$PWD")" = work ] && exit 7'
    assert backend.exec(spec, ref, ["sh", "-c", check], environment={"EXTRA": "1"}) == 7
    assert backend.exec(spec, ref, ["sh", "-c", "exit 3"]) == 3
    assert backend.exec(spec, ref, ["no-such-program-xyz"]) == 127
    assert backend.exec(spec, ref, ["pwd"], workdir="/") == 0


def test_program_that_cannot_be_executed(backend: ProcessBackend, project: Project) -> None:
    program = project.dir / "not-a-program"
    program.write_bytes(b"\x00\x01\x02 no shebang, no ELF header")
    program.chmod(0o755)
    spec = project.spec({"app": {"command": ["./not-a-program"]}})
    ref = project.ref("app")
    with pytest.raises(ComposerError) as info:
        backend.start(spec, ref)
    assert info.value.code == "process-start-failed"
    state = look(backend, spec, ref)
    assert (state.status, state.exit_code) == (EXITED, 126)


def test_taken_published_port_fails_start_before_spawning(
    backend: ProcessBackend, project: Project
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        port = {"host_ip": "127.0.0.1", "target": free_port(), "published": str(busy)}
        spec = project.spec({"web": {"command": ["sleep", "1000"], "ports": [port]}})
        ref = project.ref("web")
        with pytest.raises(ComposerError) as info:
            backend.start(spec, ref)
    assert info.value.code == "process-port-in-use" and str(busy) in info.value.message
    assert not project_pids(project.name)
    assert look(backend, spec, ref).status == "created"
