"""The pre-commit hook: stacks of changed files, and the real `pre-commit try-repo`.

`composer-validate-system` (language: system, the `composer` on PATH) is tested end to
end offline. `composer-validate` (language: python) makes pre-commit pip-install this
repository into its own environment, which needs PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from composer.cli.validate_run import stacks

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("services: {}\n")


def test_an_override_goes_with_its_base(tmp_path: Path) -> None:
    _touch(tmp_path, "app/compose.yaml", "app/compose.override.yaml", "app/compose.prod.yaml")
    app = str(tmp_path / "app")
    base, override, prod = (
        f"{app}/{n}" for n in ("compose.yaml", "compose.override.yaml", "compose.prod.yaml")
    )
    assert stacks([prod]) == [[base, prod]]
    assert stacks([override]) == [[base, override]]
    # a base goes with the default override, as `docker compose` would load it
    assert stacks([base]) == [[base, override]]
    # each stack once, in the order first seen
    assert stacks([prod, base, prod, override]) == [[base, prod], [base, override]]
    # a changed .env re-validates the folder's default stack
    assert stacks([f"{app}/.env"]) == [[base, override]]


def test_families_and_lone_files(tmp_path: Path) -> None:
    _touch(
        tmp_path, "d/docker-compose.yml", "d/docker-compose.test.yml", "d/docker-compose-dev.yml"
    )
    d = str(tmp_path / "d")
    assert stacks([f"{d}/docker-compose.test.yml"]) == [
        [f"{d}/docker-compose.yml", f"{d}/docker-compose.test.yml"]
    ]
    assert stacks([f"{d}/docker-compose-dev.yml"]) == [
        [f"{d}/docker-compose.yml", f"{d}/docker-compose-dev.yml"]
    ]
    assert stacks([f"{d}/docker-compose.yml"]) == [[f"{d}/docker-compose.yml"]]
    _touch(tmp_path, "e/compose.prod.yaml")
    lone = str(tmp_path / "e/compose.prod.yaml")
    assert stacks([lone]) == [[lone]]  # no base beside it: validated alone
    assert stacks([str(tmp_path / "e/.env")]) == []  # no base: nothing to validate


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _stack_repo(tmp_path: Path) -> Path:
    """A project with a good stack (whose override is invalid ALONE, and whose base needs
    the .env beside it) and a broken one (a typo added by the override)."""
    repo = tmp_path / "project"
    good, bad = repo / "good", repo / "bad"
    good.mkdir(parents=True)
    bad.mkdir()
    (good / "compose.yaml").write_text("services:\n  web:\n    image: nginx:${TAG:?set TAG}\n")
    (good / "compose.prod.yaml").write_text("services:\n  web:\n    restart: always\n")
    (good / ".env").write_text("TAG=1.27\n")
    (bad / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (bad / "compose.prod.yaml").write_text("services:\n  web:\n    restart: always\n    imgae: x\n")
    (repo / "README.md").write_text("not a compose file\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    return repo


def _hook_repo(tmp_path: Path, with_package: bool) -> Path:
    """A committed copy of this repository's hook definition (and sources), so try-repo
    sees the current working tree whatever git's state."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", hooks)
    if with_package:
        shutil.copytree(
            ROOT / "composer", hooks / "composer", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(ROOT / "pyproject.toml", hooks)
    _git(hooks, "init", "-q")
    _git(hooks, "add", "-A")
    _git(hooks, "commit", "-q", "-m", "hooks")
    return hooks


def _try_repo(tmp_path: Path, hook: str, with_package: bool) -> subprocess.CompletedProcess[str]:
    assert PRE_COMMIT is not None
    repo = _stack_repo(tmp_path)
    hooks = _hook_repo(tmp_path, with_package)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    env.pop("COMPOSER_DEBUG", None)
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(hooks), hook, "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _assert_stack_verdicts(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in output
    # the broken stack: reported in the override, at the typo
    assert "== bad/compose.yaml + bad/compose.prod.yaml" in output
    assert "bad/compose.prod.yaml:4:5: error schema.additional" in output
    # the good stack passed: its override was not validated alone, its .env was read
    assert "good/" not in output
    assert "Traceback" not in output


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_try_repo_system_hook(tmp_path: Path) -> None:
    _assert_stack_verdicts(_try_repo(tmp_path, "composer-validate-system", with_package=False))


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_try_repo_python_hook(tmp_path: Path) -> None:
    _assert_stack_verdicts(_try_repo(tmp_path, "composer-validate", with_package=True))


def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["composer-validate"]["language"] == "python"
    assert hooks["composer-validate-system"]["language"] == "system"
    for hook in hooks.values():
        assert hook["entry"] == "composer validate-hook" and hook["pass_filenames"] is True
        files = re.compile(hook["files"])
        for name in (
            "compose.yaml",
            "a/compose.prod.yml",
            "docker-compose.yml",
            "x/docker-compose.override.yaml",
            "compose-dev.yaml",
            "svc/.env",
        ):
            assert files.search(name), name
        for name in ("README.md", "composer.lock", "a/compose.json", "my-compose.yaml.bak"):
            assert not files.search(name), name
