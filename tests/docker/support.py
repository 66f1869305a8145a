"""Helpers of the Docker runtime tests: unique projects, engine clean-up, polling."""

from __future__ import annotations

import os
import textwrap
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from composer.loader.options import LoadOptions
from composer.loader.pipeline import load_project
from composer.runtimes.base import InstanceRef, ProjectSpec
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.engine import DockerBackend
from tests import helpers
from tests.reference import reference_binary

BUSYBOX = "composer-test/busybox:latest"

# The marks of a module that compares Composer with the reference on the engine.
AGAINST_THE_REFERENCE = [
    pytest.mark.docker,
    pytest.mark.reference,
    pytest.mark.skipif(reference_binary() is None, reason="reference docker-compose not installed"),
]

# Two sleeping services, `web` depending on `db`: the smallest project with an order.
DB_WEB_CHAIN = f"""
services:
  db:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
  web:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    depends_on: [db]
"""


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, step: float = 0.1) -> Any:
    """tests.helpers.wait_for with this suite's default patience."""
    return helpers.wait_for(predicate, timeout, step)


free_port = helpers.free_port


def http_get(port: int, timeout: float = 2.0) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout) as response:
        return str(response.read().decode())


def engine_client() -> Any:
    import docker

    return docker.APIClient(version="auto")


def purge(project: str) -> None:
    """Remove everything labelled with the project (containers, networks, volumes, images)."""
    anonymous = anonymous_volumes(project)  # inherited ones survive `rm -v`
    client = engine_client()
    selector = {"label": [f"{lb.PROJECT}={project}"]}
    for container in client.containers(all=True, filters=selector):
        try:
            client.remove_container(container["Id"], force=True, v=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
    for network in client.networks(filters=selector):
        try:
            client.remove_network(network["Id"])
        except Exception:  # noqa: BLE001
            pass
    for volume in client.volumes(filters=selector).get("Volumes") or []:
        try:
            client.remove_volume(volume["Name"], force=True)
        except Exception:  # noqa: BLE001
            pass
    for name in anonymous:
        try:
            client.remove_volume(name)
        except Exception:  # noqa: BLE001 - removed with its container already
            pass
    for image in client.images(filters=selector):
        try:
            client.remove_image(image["Id"], force=True)
        except Exception:  # noqa: BLE001
            pass
    client.close()


def leftovers(project: str) -> dict[str, list[str]]:
    """Names of what still carries the project label."""
    client = engine_client()
    selector = {"label": [f"{lb.PROJECT}={project}"]}
    found = {
        "containers": [c["Names"][0] for c in client.containers(all=True, filters=selector)],
        "networks": [n["Name"] for n in client.networks(filters=selector)],
        "volumes": [v["Name"] for v in client.volumes(filters=selector).get("Volumes") or []],
    }
    client.close()
    return {k: v for k, v in found.items() if v}


def anonymous_volumes(project: str) -> set[str]:
    """The anonymous volumes the project's containers use (they carry no label)."""
    client = engine_client()
    found = set()
    for container in client.containers(all=True, filters={"label": [f"{lb.PROJECT}={project}"]}):
        for mount in container.get("Mounts") or []:
            name = str(mount.get("Name") or "")
            if mount.get("Type") == "volume" and len(name) == 64:
                found.add(name)
    client.close()
    return found


def existing_volumes(names: set[str]) -> set[str]:
    """Which of these volumes still exist (anonymous ones carry no project label)."""
    client = engine_client()
    found = {v["Name"] for v in client.volumes().get("Volumes") or []}
    client.close()
    return found & names


class Project:
    """A Compose project in a temporary directory with a unique name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = f"ctest{uuid.uuid4().hex[:10]}"

    def write(self, text: str, name: str = "compose.yaml") -> Path:
        path = self.root / name
        path.write_text(textwrap.dedent(text))
        return path

    def spec(self, env: dict[str, str] | None = None) -> ProjectSpec:
        environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})}
        loaded = load_project(  # loaded as the run commands load it
            LoadOptions(
                project_name=self.name,
                cwd=str(self.root),
                environ=environ,
                keep_label_files=True,
            )
        )
        return ProjectSpec(
            loaded.name,
            loaded.working_dir,
            tuple(loaded.files),
            loaded.project,
            dict(loaded.environment),
        )

    def ref(self, service: str, index: int = 1) -> InstanceRef:
        return InstanceRef(self.name, service, index)


def up_resources(backend: DockerBackend, spec: ProjectSpec) -> None:
    for key, network in (spec.project.get("networks") or {}).items():
        if not (network or {}).get("external"):
            backend.ensure_network(spec, key)
    for key, volume in (spec.project.get("volumes") or {}).items():
        if not (volume or {}).get("external"):
            backend.ensure_volume(spec, key)
