"""Fixtures of the Docker runtime tests (they need an engine: see tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.runtimes.docker.engine import DockerBackend
from tests.docker.support import BUSYBOX, Project, engine_client, purge


@pytest.fixture(scope="session")
def busybox_image() -> str:
    client = engine_client()
    try:
        client.inspect_image(BUSYBOX)
    except Exception:  # noqa: BLE001 - missing image
        message = f"{BUSYBOX} is missing: run scripts/build-test-images.sh"
        if os.environ.get("COMPOSER_REQUIRE_DOCKER") == "1" or os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        client.close()
    return BUSYBOX


@pytest.fixture
def project(tmp_path: Path, busybox_image: str) -> Iterator[Project]:
    made = Project(tmp_path)
    purge(made.name)
    try:
        yield made
    finally:
        purge(made.name)


@pytest.fixture
def backend() -> Iterator[DockerBackend]:
    with DockerBackend() as made:
        yield made
