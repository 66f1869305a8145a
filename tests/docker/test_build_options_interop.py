"""`build`'s options, against the reference on one engine: `--build-arg` (over the
build section's args; `KEY` alone from the project environment), `--with-dependencies`,
`-m/--memory` (and its flag error), `--pull` (a registry that cannot be reached)."""

from __future__ import annotations

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.docker.test_interop import _run_as

pytestmark = AGAINST_THE_REFERENCE

TOOLS = ("reference", "composer")

DOCKERFILE = f"""FROM {BUSYBOX}
ARG GREETING=default
ARG OTHER=none
RUN echo "$GREETING $OTHER" > /greeting
"""

FILE = """
services:
  app:
    build:
      context: .
      args:
        GREETING: fromfile
    depends_on: [base]
  base:
    build: .
"""


def _greeting(image: str) -> str:
    client = engine_client()
    try:
        container = client.create_container(image, ["cat", "/greeting"])
        client.start(container)
        client.wait(container)
        text: bytes = client.logs(container)
        client.remove_container(container, force=True)
        return text.decode().strip()
    finally:
        client.close()


def _images(project: Project) -> set[str]:
    client = engine_client()
    try:
        return {
            service
            for service in ("app", "base")
            if client.images(name=f"{project.name}-{service}", quiet=True)
        }
    finally:
        client.close()


def _remove_images(project: Project) -> None:
    client = engine_client()
    try:
        for service in ("app", "base"):
            for image in client.images(name=f"{project.name}-{service}", quiet=True):
                client.remove_image(image, force=True)
    finally:
        client.close()


@pytest.mark.parametrize("tool", TOOLS)
def test_build_args_and_dependencies(project: Project, tool: str) -> None:
    (project.root / "Dockerfile").write_text(DOCKERFILE)
    (project.root / ".env").write_text("OTHER=envval\n")
    project.write(FILE)
    try:
        done = _run_as(
            tool, project, "build", "--build-arg", "GREETING=cli", "--build-arg", "OTHER",
            "--build-arg", "MISSING", "app",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert _greeting(f"{project.name}-app") == "cli envval"
        assert _images(project) == {"app"}  # the named service only
        _remove_images(project)
        done = _run_as(tool, project, "build", "--with-dependencies", "-m", "64m", "app")
        assert done.returncode == 0, done.stderr
        assert _greeting(f"{project.name}-app") == "fromfile none"
        assert _images(project) == {"app", "base"}
    finally:
        _remove_images(project)


@pytest.mark.parametrize("tool", TOOLS)
def test_build_pull_and_a_bad_memory_size_fail_alike(project: Project, tool: str) -> None:
    (project.root / "Dockerfile").write_text(DOCKERFILE)
    project.write(FILE)
    try:
        pulled = _run_as(tool, project, "build", "--pull", "base")
        assert pulled.returncode == 1
        assert "registry-1.docker.io" in pulled.stderr  # it tried: no registry answers here
        bad = _run_as(tool, project, "build", "-m", "lots")
        assert bad.returncode == 1
        assert 'invalid argument "lots" for "-m, --memory" flag: invalid size: \'lots\'' in (
            bad.stderr
        )
    finally:
        _remove_images(project)
