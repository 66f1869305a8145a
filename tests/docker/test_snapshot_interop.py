"""`export` and `commit` against the reference on one engine: the same tar of the
same container (to a file and to stdout), the same images (author, comment, the
`-c` changes), the same progress lines and the same refusals of an instance that is
not running.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.docker.test_interop import _run_as
from tests.reference import clean_env, reference_binary

pytestmark = AGAINST_THE_REFERENCE

FILE = f"""
services:
  a:
    image: {BUSYBOX}
    command: sleep 600
    init: true
"""

TOOLS = ("reference", "composer")


def _binary(tool: str, project: Project, *args: str) -> subprocess.CompletedProcess[bytes]:
    """One command of `tool` on the project with plain progress, its output as bytes
    (a tar on stdout)."""
    if tool == "composer":
        argv = [sys.executable, "-m", "composer"]
        env = dict(
            os.environ,
            COMPOSER_STATE_DIR=str(project.root / ".state"),
            COMPOSER_RUNTIME="docker",
        )
    else:
        argv, env = [str(reference_binary())], clean_env(None)
    return subprocess.run(
        [*argv, "-p", project.name, "--progress", "plain", *args],
        cwd=project.root,
        env=env,
        capture_output=True,
        timeout=120,
    )


def _members(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return archive.getnames()


@pytest.fixture
def running(project: Project) -> Project:
    project.write(FILE)
    done = _run_as("reference", project, "up", "-d")
    assert done.returncode == 0, done.stderr
    return project


def test_export_to_a_file_writes_the_references_tar(running: Project) -> None:
    name = f"{running.name}-a-1"
    found = {}
    for tool in TOOLS:
        path = running.root / "out.tar"  # the same path: the same progress line
        done = _run_as(tool, running, "export", "-o", str(path), "a")
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
        assert done.stderr == f" {name} export {name} to {path} Exporting\n", tool
        assert path.stat().st_mode & 0o777 == 0o600  # the Docker CLI's temporary file's
        found[tool] = _members(path.read_bytes())
        path.unlink()
    assert found["composer"] == found["reference"]
    assert "bin/sh" in found["composer"]


def test_export_to_stdout_writes_the_references_tar(running: Project) -> None:
    theirs, ours = (_binary(tool, running, "export", "a") for tool in TOOLS)
    assert (theirs.returncode, ours.returncode) == (0, 0), ours.stderr
    name = f"{running.name}-a-1"
    assert (
        ours.stderr.decode() == theirs.stderr.decode() == f" {name} export {name} to  Exporting\n"
    )
    assert _members(ours.stdout) == _members(theirs.stdout)


@pytest.mark.parametrize("command", ["export", "commit"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch",), 'service "nosuch" is not running'),
        (("--index", "3", "a"), 'service "a" is not running container #3'),
    ],
    ids=["unknown-service", "no-such-index"],
)
def test_what_is_not_running_is_refused_as_the_reference_does(
    running: Project, command: str, args: tuple[str, ...], message: str
) -> None:
    for tool in TOOLS:
        done = _run_as(tool, running, command, *args)
        assert done.returncode == 1, (tool, done.stderr)
        assert message in done.stderr, tool
        assert "Traceback" not in done.stderr


def test_an_output_in_a_missing_folder_is_refused_as_the_reference_does(
    running: Project,
) -> None:
    words = (
        'failed to export container: invalid output path: directory "/nonexistent" does not exist'
    )
    for tool in TOOLS:
        done = _run_as(tool, running, "export", "-o", "/nonexistent/a.tar", "a")
        assert done.returncode == 1, (tool, done.stderr)
        assert words in done.stderr, tool


@pytest.mark.parametrize("command", ["export", "commit"])
def test_a_stopped_instance_is_refused_as_the_reference_does(
    running: Project, command: str
) -> None:
    assert _run_as("reference", running, "stop", "-t", "0").returncode == 0
    theirs, ours = (_run_as(tool, running, command, "a") for tool in TOOLS)
    assert (theirs.returncode, ours.returncode) == (1, 1)
    assert theirs.stderr.strip() == 'service "a" is not running'
    assert theirs.stderr.strip() in ours.stderr


def _progress(stderr: str) -> list[str]:
    """The commit's progress lines, the image id left out."""
    return [line.split(" sha256:")[0] for line in stderr.splitlines()]


def test_commit_makes_the_references_image(running: Project) -> None:
    client = engine_client()
    made: list[str] = []
    try:
        found = {}
        lines = {}
        for tool in TOOLS:
            reference = f"{running.name}/{tool}:v1"
            done = _run_as(
                tool,
                running,
                "commit",
                "-a",
                "someone <someone@example.com>",
                "-m",
                "a message",
                "-c",
                "ENV X=1",
                "--pause=false",
                "a",
                reference,
            )
            assert done.returncode == 0, done.stderr
            image = client.inspect_image(reference)
            made.append(image["Id"])
            assert done.stderr.rstrip().endswith(f"Committed as {image['Id']}")
            assert image["RepoTags"] == [reference]
            found[tool] = (image["Author"], image["Comment"], image["Config"]["Env"])
            lines[tool] = _progress(done.stderr)
        assert found["composer"] == found["reference"]
        assert "X=1" in found["composer"][2]
        name = f"{running.name}-a-1"
        assert lines["composer"] == lines["reference"]
        assert lines["composer"] == [
            f" {name} Commit {name} Committing",
            f" {name} Commit {name} Committed as",
        ]
    finally:
        for image_id in made:
            client.remove_image(image_id, force=True)
        client.close()


def test_commit_without_a_repository_makes_an_untagged_image(running: Project) -> None:
    client = engine_client()
    made: list[str] = []
    try:
        for tool in TOOLS:
            done = _run_as(tool, running, "commit", "a")
            assert done.returncode == 0, done.stderr
            image_id = done.stderr.rstrip().rpartition("Committed as ")[2]
            assert image_id.startswith("sha256:"), done.stderr
            made.append(image_id)
            assert client.inspect_image(image_id)["RepoTags"] == [], tool
    finally:
        for image_id in made:
            client.remove_image(image_id, force=True)
        client.close()


def test_export_and_commit_of_the_second_instance(running: Project, tmp_path: Path) -> None:
    """`--index` picks the instance, for both programs alike."""
    assert _run_as("reference", running, "up", "-d", "--scale", "a=2").returncode == 0
    name = f"{running.name}-a-2"
    path = tmp_path / "second.tar"
    for tool in TOOLS:
        done = _run_as(tool, running, "export", "--index", "2", "-o", str(path), "a")
        assert done.returncode == 0, done.stderr
        assert done.stderr == f" {name} export {name} to {path} Exporting\n", tool
