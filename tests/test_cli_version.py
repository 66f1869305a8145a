"""`composer version` in the reference's three forms, checked against the reference
binary's own output with its name and number put in Composer's."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.reference import reference_binary, run_reference

OURS = version("composer")


def composer(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "composer", *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["version"],
        ["version", "--short"],
        ["version", "-f", "json"],
        ["version", "-f", "json", "--short"],
        ["--version"],
        ["-v"],
    ],
)
@pytest.mark.skipif(reference_binary() is None, reason="reference docker-compose not installed")
def test_version_forms_are_the_references(args: list[str], tmp_path: Path) -> None:
    number = run_reference(["version", "--short"], cwd=tmp_path).stdout.strip()
    theirs = run_reference(args, cwd=tmp_path)
    assert theirs.returncode == 0 and number, theirs.stderr
    expected = theirs.stdout.replace("Docker Compose", "Composer").replace(number, OURS)
    assert composer(*args) == expected


def test_version_is_the_installed_one() -> None:
    assert composer("version") == f"Composer version v{OURS}\n"
    assert composer("version", "--short") == f"{OURS}\n"
