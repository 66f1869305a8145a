"""`export` and `commit` on the process runtime: its instances are this host's
processes, with no filesystem of their own to export nor an image to commit to, so
both refuse with one clear error line (and a hint), no traceback."""

from __future__ import annotations

import pytest

from tests.runtime.test_cli_process import Project

FILE = """
    services:
      web:
        image: busybox
        command: sleep 300
"""


@pytest.mark.parametrize("args", [("export", "-o", "out.tar", "web"), ("commit", "web", "x:y")])
def test_export_and_commit_need_a_docker_engine(project: Project, args: tuple[str, ...]) -> None:
    project.write(FILE)
    assert project.run("up", "-d").returncode == 0
    done = project.run(*args)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {args[0]} needs a Docker engine: the process runtime")
    assert "Traceback" not in done.stderr
    assert not (project.directory / "out.tar").exists()
