"""`watch` on the process runtime: a sync rule copies into the target folder on this
host (the instance's files are the host's), sync+exec runs its command, restart
restarts the instance's process, Ctrl-C leaves it running."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from tests.runtime.test_cli_process import Project


def _await(out: Path, wanted: str, process: subprocess.Popen[bytes], count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while out.read_text().splitlines().count(wanted) < count:
        assert process.poll() is None, out.read_text()
        assert time.monotonic() < deadline, (wanted, out.read_text())
        time.sleep(0.1)


def _start(project: Project, name: str, *args: str) -> tuple[Path, subprocess.Popen[bytes]]:
    """Composer with `args`, its stdout into the project's file `name` (read while it runs)."""
    out = project.directory / name
    with out.open("wb") as sink:
        process = subprocess.Popen(
            project.args(*args),
            cwd=project.directory,
            env=project.env,
            stdout=sink,
            stderr=subprocess.PIPE,
        )
    return out, process


def test_watch_syncs_execs_and_restarts(project: Project, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    project.write(
        f"""
        services:
          web:
            image: busybox
            command: sleep 300
            develop:
              watch:
                - action: sync+exec
                  path: ./src
                  target: {dest}
                  ignore: ["*.tmp"]
                  exec:
                    command: ["sh", "-c", "echo executed; ls {dest}"]
                - action: restart
                  path: ./restart.txt
        """
    )
    (project.directory / "src").mkdir()
    (project.directory / "restart.txt").write_text("1\n")
    out, process = _start(project, "watch.out", "watch")
    try:
        _await(out, "Watch enabled", process)
        project.remember()
        (project.directory / "src" / "skip.tmp").write_text("no\n")
        (project.directory / "src" / "a.txt").write_text("synced\n")
        _await(out, 'Syncing service "web" after 1 changes were detected', process)
        _await(out, "a.txt", process)
        assert (dest / "a.txt").read_text() == "synced\n" and not (dest / "skip.tmp").exists()
        before = project.pids()
        (project.directory / "restart.txt").write_text("2\n")
        _await(out, 'service(s) ["web"] restarted', process)
        project.remember()
        assert project.pids() and project.pids() != before
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        assert project.ps()[0]["State"] == "running"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_up_watch_follows_the_restarted_log_once(project: Project) -> None:
    """`up --watch`: after a restart the log goes on from the new run, no earlier
    line shown twice (the process runtime's log file keeps every run, without
    times: the lines already read are counted and passed over)."""
    project.write(
        """
        services:
          web:
            image: busybox
            command: sh -c 'echo started; trap "echo stopping; exit 0" TERM; while true; do sleep 0.2; done'
            develop:
              watch:
                - action: restart
                  path: ./restart.txt
        """
    )
    (project.directory / "restart.txt").write_text("1\n")
    out, process = _start(project, "up.out", "up", "--watch")
    try:
        _await(out, "web-1  | started", process)
        project.remember()
        (project.directory / "restart.txt").write_text("2\n")
        _await(out, '        ⦿ service(s) ["web"] restarted', process)
        _await(out, "web-1  | started", process, count=2)
        project.remember()
        time.sleep(1)
        lines = out.read_text().splitlines()
        assert lines.count("web-1  | started") == 2
        assert lines.count("web-1  | stopping") == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
