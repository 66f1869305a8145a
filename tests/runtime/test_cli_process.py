"""The run commands end to end with the process runtime: real `composer` processes,
a real detached supervisor, real service processes, checked through /proc and TCP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from composer.errors import ComposerError
from tests.runtime.leftovers import process_exists

PY = sys.executable
PS_KEYS = {"Name", "Service", "State", "Health", "ExitCode", "Publishers"}
PUBLISHER_KEYS = ["URL", "TargetPort", "PublishedPort", "Protocol"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Project:
    """One Compose project in a temporary directory with its own state directory."""

    directory: Path
    state: Path
    name: str
    seen_pids: set[int] = field(default_factory=set)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["COMPOSER_STATE_DIR"] = str(self.state)
        env["COMPOSER_RUNTIME"] = "process"
        env.pop("NO_COLOR", None)
        return env

    def write(self, text: str) -> None:
        (self.directory / "compose.yaml").write_text(textwrap.dedent(text), encoding="utf-8")

    def args(self, *args: str) -> list[str]:
        return [PY, "-m", "composer", "-p", self.name, *args]

    def run(
        self, *args: str, timeout: float = 60, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.args(*args),
            cwd=self.directory,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.remember()
        return done

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.args(*args),
            cwd=self.directory,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    @property
    def project_dir(self) -> Path:
        return self.state / self.name

    def records(self) -> list[dict[str, Any]]:
        return [
            json.loads(path.read_text())
            for path in sorted(self.project_dir.glob(f"{self.name}-*.json"))
        ]

    def supervisor_pid(self) -> int | None:
        try:
            return int((self.project_dir / "supervisor.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def remember(self) -> None:
        """Note every pid this project ever recorded, for the final cleanup."""
        for record in self.records():
            if isinstance(record.get("pid"), int):
                self.seen_pids.add(record["pid"])
        pid = self.supervisor_pid()
        if pid:
            self.seen_pids.add(pid)

    def pids(self) -> list[int]:
        return [r["pid"] for r in self.records() if r.get("pid")]

    def ps(self, *args: str) -> list[dict[str, Any]]:
        done = self.run("ps", "--format", "json", *args)
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def three_levels(port: int) -> str:
    return f"""
        services:
          migrate:
            image: alpine
            command: sh -c 'echo migrated; exit 0'
          web:
            image: python
            command: {PY} -m http.server {port} --bind 127.0.0.1
            ports: ["127.0.0.1:{port}:{port}"]
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


def test_up_detached_wait_ps_logs_down(project: Project) -> None:
    port = free_port()
    project.write(three_levels(port))
    done = project.run("up", "-d", "--wait", "--wait-timeout", "30")
    assert done.returncode == 0, done.stderr
    assert f"Container {project.name}-web-1  Healthy" in done.stderr
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
        assert answer.status == 200

    # the supervisor outlives `up -d`, owns a 0600 socket in a 0700 directory
    supervisor = project.supervisor_pid()
    assert supervisor is not None and process_exists(supervisor)
    assert (project.project_dir.stat().st_mode & 0o777) == 0o700
    assert ((project.project_dir / "control.sock").stat().st_mode & 0o777) == 0o600

    rows = project.ps()
    assert [r["Name"] for r in rows] == [
        f"{project.name}-web-1",
        f"{project.name}-worker-1",
        f"{project.name}-worker-2",
    ]
    for row in rows:
        assert PS_KEYS <= set(row)
        assert row["State"] == "running"
    web = rows[0]
    assert web["Service"] == "web" and web["Health"] == "healthy" and web["ExitCode"] == 0
    assert web["Publishers"] == [
        {"URL": "127.0.0.1", "TargetPort": port, "PublishedPort": port, "Protocol": "tcp"}
    ]
    assert list(web["Publishers"][0]) == PUBLISHER_KEYS
    everything = {r["Name"]: r for r in project.ps("-a")}
    assert everything[f"{project.name}-migrate-1"]["State"] == "exited"
    published = project.run("port", "web", str(port))
    assert (published.returncode, published.stdout) == (0, f"127.0.0.1:{port}\n")
    unpublished = project.run("port", "web", str(port), "--protocol", "udp")
    assert unpublished.returncode == 1
    assert unpublished.stderr.startswith(f"error: no port {port}/udp for container")

    logs = project.run("logs", "--no-color", "migrate")
    assert logs.returncode == 0 and logs.stdout == "migrate-1  | migrated\n"
    table = project.run("ps")
    assert table.stdout.splitlines()[0].split() == [
        "NAME",
        "IMAGE",
        "COMMAND",
        "SERVICE",
        "CREATED",
        "STATUS",
        "PORTS",
    ]

    pids = project.pids()
    assert len(pids) == 4
    down = project.run("down")
    assert down.returncode == 0, down.stderr
    assert not any(process_exists(p) for p in pids)
    assert not port_open(port)
    assert project.records() == []
    deadline = time.monotonic() + 5
    while process_exists(supervisor) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_exists(supervisor)  # the owner leaves after down


def test_exit_code_from(project: Project) -> None:
    port = free_port()
    project.write(
        f"""
        services:
          web:
            image: python
            command: {PY} -m http.server {port} --bind 127.0.0.1
            healthcheck:
              test: ["CMD", "{PY}", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/')"]
              interval: 1s
              start_interval: 100ms
              start_period: 20s
          tests:
            image: alpine
            command: sh -c 'echo testing; exit 3'
            depends_on:
              web:
                condition: service_healthy
        """
    )
    done = project.run("up", "--exit-code-from", "tests", "--no-color")
    assert done.returncode == 3, done.stderr
    assert "tests-1  | testing" in done.stdout
    assert "tests-1 exited with code 3" in done.stdout
    assert "Aborting on container exit..." in done.stderr
    assert not port_open(port)  # the abort stopped web


def test_up_menu_is_accepted_and_said_to_be_missing_when_attached(project: Project) -> None:
    project.write(
        f"""
        services:
          job:
            image: python
            command: {PY} -c "print('done')"
        """
    )
    # attached, asked for by flag or by COMPOSE_MENU: run without it, with a warning
    done = project.run("up", "--menu", "--abort-on-container-exit", "--no-color")
    assert done.returncode == 0, done.stderr
    assert "warning: the navigation menu (--menu, COMPOSE_MENU) is not available" in done.stderr
    assert "job-1  | done" in done.stdout
    done = subprocess.run(
        project.args("up", "--abort-on-container-exit", "--no-color"),
        cwd=project.directory,
        env={**project.env, "COMPOSE_MENU": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "navigation menu" in done.stderr
    # the reference's spellings that show no menu: nothing to say
    for args in (("--menu", "-d"), ("--menu=false", "--abort-on-container-exit")):
        done = project.run("up", *args)
        assert done.returncode == 0, done.stderr
        assert "navigation menu" not in done.stderr
    project.run("down")


def test_global_parallel_reaches_the_supervisor_that_runs_the_project(project: Project) -> None:
    project.write(
        f"""
        services:
          app:
            image: python
            command: {PY} -c "import time; time.sleep(600)"
        """
    )
    assert project.run("--parallel", "1", "up", "-d").returncode == 0
    supervisor = project.supervisor_pid()
    assert supervisor is not None
    environ = Path(f"/proc/{supervisor}/environ").read_bytes().split(b"\0")
    assert b"COMPOSE_PARALLEL_LIMIT=1" in environ  # its orchestrator reads it
    assert project.run("down").returncode == 0


def test_down_after_supervisor_was_killed(project: Project) -> None:
    port = free_port()
    project.write(three_levels(port))
    assert project.run("up", "-d", "--wait").returncode == 0
    supervisor = project.supervisor_pid()
    assert supervisor is not None
    pids = project.pids()
    os.kill(supervisor, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while process_exists(supervisor) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert port_open(port)  # the services outlive their supervisor
    # ps still answers from the records
    assert {r["Service"] for r in project.ps()} == {"web", "worker"}
    down = project.run("down")
    assert down.returncode == 0, down.stderr
    assert not any(process_exists(p) for p in pids)
    assert not port_open(port)
    assert project.records() == []
    assert not (project.project_dir / "control.sock").exists()


def test_down_by_project_name_from_elsewhere(project: Project, tmp_path: Path) -> None:
    project.write(
        """
        services:
          s:
            image: alpine
            command: sleep 300
        """
    )
    assert project.run("up", "-d").returncode == 0
    pids = project.pids()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    ps = subprocess.run(
        project.args("ps", "--format", "json"),
        cwd=elsewhere,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ps.returncode == 0, ps.stderr
    assert [json.loads(line)["Name"] for line in ps.stdout.splitlines()] == [f"{project.name}-s-1"]
    down = subprocess.run(
        project.args("down"),
        cwd=elsewhere,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert down.returncode == 0, down.stderr
    assert not any(process_exists(p) for p in pids)


def test_concurrent_up_creates_no_duplicates(project: Project) -> None:
    project.write(
        """
        services:
          a:
            image: alpine
            command: sleep 300
            deploy:
              replicas: 2
          b:
            image: alpine
            command: sleep 300
            depends_on: [a]
        """
    )
    results: list[subprocess.CompletedProcess[str]] = []

    def up() -> None:
        results.append(project.run("up", "-d"))

    threads = [threading.Thread(target=up) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    assert [r["Name"] for r in project.ps()] == [
        f"{project.name}-a-1",
        f"{project.name}-a-2",
        f"{project.name}-b-1",
    ]
    # exactly three service processes of this project exist on the host
    marker = f"COMPOSER_PROJECT={project.name}".encode()
    mine = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in environ and process_exists(int(entry)):
            mine.append(int(entry))
    assert len(mine) == 3, mine


def test_foreground_up_stops_everything_on_ctrl_c(project: Project) -> None:
    project.write(
        """
        services:
          db:
            image: alpine
            command: sh -c 'echo db up; exec sleep 300'
          app:
            image: alpine
            command: sh -c 'echo app up; exec sleep 300'
            depends_on: [db]
        """
    )
    proc = project.popen("up", "--no-color")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            project.remember()
            if len([r for r in project.records() if r.get("status") == "running"]) == 2:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the services did not start")
        time.sleep(0.5)  # let the log pump print
        pids = project.pids()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "Gracefully stopping..." in err
    assert "db-1  | db up" in out and "app-1  | app up" in out  # widths grow as names come
    assert not any(process_exists(p) for p in pids)
    assert {r["State"] for r in project.ps("-a")} == {"exited"}


def test_down_from_another_shell_ends_foreground_up(project: Project) -> None:
    project.write(
        """
        services:
          s:
            image: alpine
            command: sleep 300
        """
    )
    proc = project.popen("up")
    try:
        deadline = time.monotonic() + 30
        while not project.records() or project.records()[0].get("status") != "running":
            assert time.monotonic() < deadline, "did not start"
            time.sleep(0.1)
        # the foreground process owns the project: it answers on the socket
        assert project.supervisor_pid() == proc.pid
        down = project.run("down")
        assert down.returncode == 0, down.stderr
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert project.records() == []


def test_exec_and_run(project: Project) -> None:
    project.write(
        """
        services:
          s:
            image: alpine
            command: sleep 300
            environment:
              GREETING: hello
        """
    )
    assert project.run("up", "-d").returncode == 0
    done = project.run("exec", "s", "sh", "-c", 'echo "$GREETING from $COMPOSER_SERVICE"; exit 5')
    assert done.returncode == 5 and done.stdout == "hello from s\n"
    done = project.run("run", "--rm", "s", "sh", "-c", 'echo "run $GREETING"; exit 6')
    assert done.returncode == 6 and done.stdout == "run hello\n"
    assert [r["Name"] for r in project.ps("-a")] == [f"{project.name}-s-1"]  # --rm


def test_stop_start_restart(project: Project) -> None:
    project.write(
        """
        services:
          s:
            image: alpine
            command: sleep 300
        """
    )
    assert project.run("up", "-d").returncode == 0
    first = project.records()[0]["pid"]
    assert project.run("stop", "-t", "1").returncode == 0
    assert [r["State"] for r in project.ps("-a")] == ["exited"]
    assert project.run("start").returncode == 0
    assert [r["State"] for r in project.ps()] == ["running"]
    second = project.records()[0]["pid"]
    assert project.run("restart", "-t", "1").returncode == 0
    third = project.records()[0]["pid"]
    assert len({first, second, third}) == 3
    nothing = project.run("rm", "-f")  # `rm` leaves running instances alone
    assert (nothing.returncode, nothing.stderr) == (0, "No stopped containers\n")
    assert project.run("stop", "-t", "1").returncode == 0
    removed = project.run("rm", "-f")
    assert removed.returncode == 0 and removed.stdout == f"Going to remove {project.name}-s-1\n"
    assert project.records() == []


def test_kill_signals_and_sigkill_ends_for_good(project: Project) -> None:
    """`kill -s SIGHUP` reaches the program and leaves it running; `kill` (SIGKILL)
    ends it and `restart: always` does not bring it back (a kill by hand, as the
    engine treats it); with nothing running, `no container to kill`, exit 0."""
    marker = project.directory / "hup"
    (project.directory / "hup.py").write_text(
        "import signal, sys, time\n"
        "signal.signal(signal.SIGHUP, lambda *a: open(sys.argv[1], 'w').write('hup'))\n"
        "time.sleep(300)\n"
    )
    project.write(
        f"""
        services:
          s:
            image: python
            restart: always
            command: ["{PY}", "hup.py", "{marker}"]
        """
    )
    assert project.run("up", "-d").returncode == 0
    time.sleep(0.5)  # the handler is installed
    hup = project.run("kill", "-s", "SIGHUP", "s")
    assert hup.returncode == 0, hup.stderr
    assert f"Container {project.name}-s-1  Killed" in hup.stderr
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == "hup"
    assert [r["State"] for r in project.ps()] == ["running"]
    assert project.run("kill").returncode == 0
    time.sleep(1.0)  # a restart policy would have acted by now
    assert [r["State"] for r in project.ps("-a")] == ["exited"]
    again = project.run("kill")
    assert (again.returncode, again.stderr) == (0, "no container to kill\n")


def test_failing_service_is_reported_with_exit_code_and_output(project: Project) -> None:
    project.write(
        """
        services:
          broken:
            image: alpine
            command: sh -c 'echo starting; echo no database >&2; sleep 0.3; exit 9'
            healthcheck:
              test: ["CMD", "false"]
              interval: 10s
          app:
            image: alpine
            command: sleep 300
            depends_on:
              broken:
                condition: service_healthy
        """
    )
    done = project.run("up", "-d")
    assert done.returncode == 1
    assert "dependency failed to start: container" in done.stderr
    assert "exited with code 9" in done.stderr
    assert "no database" in done.stderr
    # created in the first pass, as the reference creates it, and never started
    assert "app-1  Created" in done.stderr and "app-1  Start" not in done.stderr

    project.write(
        """
        services:
          broken:
            image: alpine
            command: sh -c 'echo gone >&2; exit 4'
        """
    )
    done = project.run("up", "-d", "--wait")
    assert done.returncode == 1
    assert "exited (4)" in done.stderr and "gone" in done.stderr


def test_unreachable_docker_engine_gives_a_clear_error(project: Project) -> None:
    project.write("services:\n  s:\n    image: alpine\n    command: sleep 1\n")
    done = subprocess.run(
        project.args("up", "-d", "--runtime", "docker"),
        cwd=project.directory,
        env={**project.env, "DOCKER_HOST": "tcp://127.0.0.1:9"},  # nothing listens there
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "127.0.0.1:9" in done.stderr and "Traceback" not in done.stderr
    bad = project.run("ps", "--runtime", "podman")
    assert bad.returncode == 2 and 'unknown runtime "podman"' in bad.stderr


def test_control_socket_works_beyond_the_unix_path_limit(tmp_path: Path) -> None:
    from composer.runtimes.process.backend import ProcessBackend
    from composer.runtimes.process.supervisor import ControlServer, connect

    root = tmp_path / ("deep-" + "x" * 60) / ("deeper-" + "y" * 60)
    name = f"long-{uuid.uuid4().hex[:6]}"
    backend = ProcessBackend(root)
    server = ControlServer(root, name, backend).start()
    try:
        assert len(str(root / name / "control.sock")) > 108
        client = connect(root, name)
        assert client is not None
        assert client.request("ps") == []
        pong = client.ping()
        assert pong is not None and pong["pid"] == os.getpid()
        # a second owner for the same project is refused while the first answers
        with pytest.raises(ComposerError, match="already run by another composer process"):
            ControlServer(root, name, backend).start()
    finally:
        server.close()
        backend.close()
    assert connect(root, name) is None
    assert not (root / name / "control.sock").exists()


def test_log_prefixes_are_padded_and_coloured_only_when_asked() -> None:
    import io

    from composer.cli.commands.runtime_common import LogPrinter
    from composer.runtimes.base import InstanceRef, LogLine

    web, worker = InstanceRef("p", "web", 1), InstanceRef("p", "worker", 2)
    plain = io.StringIO()
    printer = LogPrinter(plain, color=False)
    printer.register(["web-1", "worker-2"])
    printer.line(LogLine(web, "hello"))
    printer.line(LogLine(worker, "busy"))
    assert plain.getvalue() == "web-1     | hello\nworker-2  | busy\n"

    coloured = io.StringIO()
    printer = LogPrinter(coloured, color=True)
    printer.register(["web-1", "worker-2"])
    printer.line(LogLine(web, "hello"))
    printer.line(LogLine(worker, "busy"))
    assert coloured.getvalue() == (
        "\x1b[36mweb-1     | \x1b[0mhello\n\x1b[33mworker-2  | \x1b[0mbusy\n"
    )
    bare = io.StringIO()
    LogPrinter(bare, prefix=False, color=False).line(LogLine(web, "raw"))
    assert bare.getvalue() == "raw\n"


def test_post_start_and_pre_stop_hooks(project: Project) -> None:
    """The process runtime runs hooks as the Docker one does: post_start after the
    start (with its environment and working_dir), pre_stop before the stop; `user`
    cannot be switched here, which is a warning; a failing post_start fails `up`."""
    marks = project.directory / "marks"
    marks.mkdir()
    project.write(
        f"""
        services:
          s:
            image: alpine
            command: sleep 300
            post_start:
              - command: ["sh", "-c", "echo $$GREETING from $$(pwd) > {marks}/started"]
                environment: {{GREETING: hello}}
                working_dir: {marks}
            pre_stop:
              - command: ["sh", "-c", "echo bye > {marks}/stopping"]
                user: nobody
        """
    )
    up = project.run("up", "-d")
    assert up.returncode == 0, up.stderr
    assert (marks / "started").read_text() == f"hello from {marks}\n"
    (marks / "started").unlink()
    restart = project.run("restart", "-t", "1")  # both hooks run around a restart too
    assert restart.returncode == 0, restart.stderr
    assert (marks / "stopping").read_text() == "bye\n"
    assert (marks / "started").read_text() == f"hello from {marks}\n"
    (marks / "stopping").unlink()
    down = project.run("down", "-t", "1")
    assert down.returncode == 0, down.stderr
    assert (marks / "stopping").read_text() == "bye\n"
    assert "cannot set user" in down.stderr
    project.write(
        """
        services:
          s:
            image: alpine
            command: sleep 300
            post_start:
              - command: ["sh", "-c", "echo no database; exit 4"]
        """
    )
    failed = project.run("up", "-d")
    assert failed.returncode == 1
    assert (
        "post_start hook 1 (sh -c echo no database; exit 4) exited with status 4" in failed.stderr
    )
    assert "no database" in failed.stderr
    assert project.run("down", "-t", "1").returncode == 0


@pytest.mark.parametrize("command", ["build", "pull"])
def test_image_commands_need_an_image_runtime(project: Project, command: str) -> None:
    """The process runtime has no images: `build` and `pull` say so in one line, exit 1."""
    project.write("services:\n  app:\n    build: .\n    image: app\n    command: sleep 1\n")
    done = project.run(command)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {command} needs a Docker engine"), done.stderr
    assert "Traceback" not in done.stderr


def test_create_pause_unpause(project: Project) -> None:
    """`create` records the instances without starting them; `pause` freezes the
    process group (a counter stops counting; `ps` shows `(Paused)`; exec is refused;
    a second pause is an error), `unpause` lets it count on, and `stop` ends a
    paused instance at once (it is let go on to act on the stop signal)."""
    counter = project.directory / "count"
    (project.directory / "count.py").write_text(
        "import sys, time\n"
        "n = 0\n"
        "while True:\n"
        "    n += 1\n"
        "    open(sys.argv[1], 'w').write(str(n))\n"
        "    time.sleep(0.02)\n"
    )
    project.write(
        f"""
        services:
          c:
            image: python
            command: ["{PY}", "count.py", "{counter}"]
            stop_grace_period: 30s
        """
    )
    created = project.run("create")
    assert created.returncode == 0, created.stderr
    assert [(r["State"], r["Status"]) for r in project.ps("-a")] == [("created", "Created")]
    assert project.pids() == [] and not counter.exists()
    assert project.run("start").returncode == 0

    def count() -> int:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            text = counter.read_text() if counter.exists() else ""
            if text:
                return int(text)
            time.sleep(0.02)
        raise AssertionError("the counter never wrote")

    count()
    paused = project.run("pause")
    assert paused.returncode == 0, paused.stderr
    assert f"Container {project.name}-c-1  Paused" in paused.stderr
    frozen = count()
    time.sleep(0.3)
    assert count() == frozen
    [row] = project.ps()
    assert (row["State"], row["Status"].endswith("(Paused)")) == ("paused", True)
    again = project.run("pause")
    assert again.returncode == 1 and "already paused" in again.stderr
    refused = project.run("exec", "c", "true")
    assert refused.returncode != 0 and "unpause" in refused.stderr
    resumed = project.run("unpause")
    assert f"Container {project.name}-c-1  Unpaused" in resumed.stderr
    time.sleep(0.3)
    assert count() > frozen
    assert project.run("unpause").returncode == 1  # not paused
    assert project.run("pause").returncode == 0
    started = time.monotonic()
    assert project.run("stop").returncode == 0
    assert time.monotonic() - started < 10  # not the 30 s grace: SIGTERM acted on
    assert [r["State"] for r in project.ps("-a")] == ["exited"]


def test_scale(project: Project) -> None:
    """`scale s=2` starts a second instance through the owner, `scale s=0` stops and
    removes them all; a bad specifier is the reference's error."""
    project.write(
        """
        services:
          s:
            image: python
            command: ["sleep", "300"]
        """
    )
    up = project.run("scale", "s=2")
    assert up.returncode == 0, up.stderr
    assert sorted(r["Name"] for r in project.ps()) == [f"{project.name}-s-1", f"{project.name}-s-2"]
    down = project.run("scale", "s=0")
    assert down.returncode == 0, down.stderr
    assert project.ps("-a") == []
    bad = project.run("scale", "s=two")
    assert bad.returncode == 1
    assert "invalid scale specifier: can't parse replica value as int: s=two" in bad.stderr


def test_volumes_lists_none_on_the_process_runtime(project: Project) -> None:
    """The process runtime makes no volumes: `volumes` prints the empty table (and
    nothing for -q or json), exit 0."""
    project.write("services:\n  s:\n    image: python\n    command: [sleep, '1']\n")
    table = project.run("volumes")
    assert (table.returncode, table.stdout) == (0, "DRIVER    VOLUME NAME\n"), table.stderr
    assert project.run("volumes", "-q").stdout == ""
    assert project.run("volumes", "--format", "json").stdout == ""


def test_logs_since_is_refused_without_timestamps(project: Project) -> None:
    """The log files hold no times: `logs --since` says so instead of ignoring it."""
    project.write("services:\n  s:\n    image: python\n    command: [echo, hi]\n")
    assert project.run("up", "-d").returncode == 0
    done = project.run("logs", "--since", "1m")
    assert done.returncode == 1
    assert "error: the process runtime's logs carry no timestamps" in done.stderr
    assert "Traceback" not in done.stderr


def test_events_needs_an_engine(project: Project) -> None:
    """The process runtime has no event stream: `events` says so, exit 1."""
    project.write("services:\n  s:\n    image: python\n    command: [sleep, '1']\n")
    done = project.run("events")
    assert done.returncode == 1
    assert done.stderr.startswith("error: events needs a Docker engine"), done.stderr


def test_run_detached_with_rm_needs_the_engine(project: Project) -> None:
    """A detached process one-off is not removed when it exits: `run -d --rm` says so."""
    project.write("services:\n  s:\n    image: python\n    command: [sleep, '1']\n")
    done = project.run("run", "-d", "--rm", "s")
    assert done.returncode == 2
    assert "--rm with --detach needs the Docker runtime" in done.stderr
