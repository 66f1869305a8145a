"""`wait` and `wait --down-project`, and `create --quiet-pull`, against the reference
on one engine."""

from __future__ import annotations

import re

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, leftovers
from tests.docker.test_interop import _run_as

pytestmark = AGAINST_THE_REFERENCE

FILE = f"""
services:
  fails:
    image: {BUSYBOX}
    command: ["sh", "-c", "sleep 1; exit 3"]
    init: true
  ends:
    image: {BUSYBOX}
    command: ["sleep", "3"]
    init: true
"""


@pytest.mark.parametrize("tool", ["reference", "composer"])
def test_wait_down_project_waits_for_all_then_removes_the_project(
    project: Project, tool: str
) -> None:
    project.write(FILE)
    created = _run_as(tool, project, "create", "--quiet-pull")
    assert created.returncode == 0, created.stderr
    assert _run_as(tool, project, "start").returncode == 0
    done = _run_as(tool, project, "wait", "--down-project", "fails", "ends")
    # one line per instance as it stops (the reference names it by id, Composer by
    # name); the exit code is the last one's; then the project is gone
    codes = re.findall(r'^container "[^"]+" exited with status code (\d+)$', done.stdout, re.M)
    assert (codes, done.returncode) == (["3", "0"], 0), done.stdout + done.stderr
    assert " Network " + project.name + "_default  Removed" in done.stderr
    assert leftovers(project.name) == {}
