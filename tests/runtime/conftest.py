"""The `project` fixture of the CLI tests on the process runtime (modules with a
`project` fixture of their own use theirs)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runtime.leftovers import tear_down
from tests.runtime.test_cli_process import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    directory = tmp_path / "app"
    directory.mkdir()
    item = Project(directory, tmp_path / "state", f"cli-{uuid.uuid4().hex[:8]}")
    try:
        yield item
    finally:
        item.remember()
        tear_down(item.args("down", "-t", "1"), directory, item.env, item.seen_pids)
