"""The CI entry point and the benchmark script behave as documented.

.ci/run is exercised in a fake repository whose steps are stubs, so the tests check
its control flow (exit code 5 fails, CI=true makes Docker mandatory, the env it
exports, running from any cwd) in milliseconds without touching Docker or pip.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import clean_env
from tests.reference import reference_binary

ROOT = Path(__file__).resolve().parent.parent
SHELL_SCRIPTS = [
    ROOT / ".ci/run",
    ROOT / "scripts/setup.sh",
    ROOT / "scripts/docker-engine.sh",
    ROOT / "scripts/build-test-images.sh",
]


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_script_is_executable_bash(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def readme_commands() -> list[str]:
    """The two commands of the README's first code block (set up + run, test)."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "quickstart" in commands[0] and "pytest" in commands[1]


def test_ci_run_runs_the_readme_test_command() -> None:
    test_command = readme_commands()[1]
    lines = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert any(line.startswith(test_command) for line in lines), test_command


# --------------------------------------------------------------------------- #
# .ci/run control flow, with stub steps
# --------------------------------------------------------------------------- #


def _stub(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def fake_repo(tmp_path: Path) -> Path:
    """A copy of .ci/run next to stub scripts; each stub logs its call to calls.log.

    Exit codes come from the environment: DOCKER_RC for docker-engine.sh, PYTEST_RC
    for `.venv/bin/python -m pytest`.
    """
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy2(ROOT / ".ci/run", repo / ".ci/run")
    log = 'echo "$(basename "$0") $* REQUIRE_DOCKER=${COMPOSER_REQUIRE_DOCKER:-unset}" >> '
    log += f'"{repo}/calls.log"'
    _stub(repo / "scripts/setup.sh", log)
    _stub(repo / "scripts/docker-engine.sh", f"{log}\nexit ${{DOCKER_RC:-0}}")
    _stub(repo / "scripts/build-test-images.sh", log)
    _stub(repo / ".venv/bin/ruff", log)
    _stub(repo / ".venv/bin/mypy", log)
    _stub(repo / ".venv/bin/python", f"{log}\nexit ${{PYTEST_RC:-0}}")
    return repo


def _ci_run(repo: Path, cwd: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], str]:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(repo), **env}
    result = subprocess.run(
        [str(repo / ".ci/run")], cwd=cwd, env=clean, capture_output=True, text=True, timeout=60
    )
    log = repo / "calls.log"
    return result, log.read_text() if log.exists() else ""


def test_ci_run_passes_and_requires_docker_from_any_cwd(fake_repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result, calls = _ci_run(fake_repo, elsewhere, CI="true")
    assert result.returncode == 0, result.stdout + result.stderr
    order = [line.split()[0] for line in calls.splitlines()]
    assert order == [
        "setup.sh",
        "docker-engine.sh",
        "build-test-images.sh",
        "ruff",
        "mypy",
        "setup.sh",  # the README's test command starts with the (idempotent) setup
        "python",
    ]
    assert "python -m pytest -q REQUIRE_DOCKER=1" in calls
    assert "PASS" in result.stdout


def test_ci_run_treats_no_tests_collected_as_failure(fake_repo: Path) -> None:
    result, _ = _ci_run(fake_repo, fake_repo, PYTEST_RC="5")
    assert result.returncode == 5
    assert "no tests" in result.stderr
    assert "FAIL" in result.stdout


def test_ci_run_propagates_pytest_failure(fake_repo: Path) -> None:
    result, _ = _ci_run(fake_repo, fake_repo, PYTEST_RC="1")
    assert result.returncode == 1


def test_ci_run_fails_without_docker_under_ci(fake_repo: Path) -> None:
    result, calls = _ci_run(fake_repo, fake_repo, CI="true", DOCKER_RC="1")
    assert result.returncode != 0
    assert "pytest" not in calls


def test_ci_run_only_warns_without_docker_outside_ci(fake_repo: Path) -> None:
    result, calls = _ci_run(fake_repo, fake_repo, DOCKER_RC="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" in result.stderr
    assert "python -m pytest -q REQUIRE_DOCKER=unset" in calls


# --------------------------------------------------------------------------- #
# benchmarks/config_bench.py
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "config_bench", ROOT / "benchmarks/config_bench.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["config_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_run_once_measures_this_childs_peak_memory(bench: ModuleType, tmp_path: Path) -> None:
    small = bench.run_once([sys.executable, "-c", "pass"], tmp_path, 30)
    big = bench.run_once([sys.executable, "-c", "b = bytearray(150 << 20)"], tmp_path, 30)
    assert small.exit_code == 0 and big.exit_code == 0
    assert big.rss_mb > 150
    assert small.rss_mb < big.rss_mb - 100


def test_run_once_reports_failure_and_timeout(bench: ModuleType, tmp_path: Path) -> None:
    failed = bench.run_once([sys.executable, "-c", "raise SystemExit(3)"], tmp_path, 30)
    assert failed.exit_code == 3
    slow = bench.run_once(["sleep", "10"], tmp_path, 0.3)
    assert slow.exit_code != 0 and "timed out" in slow.stderr
    assert slow.seconds < 5


def test_override_touches_every_third_service(bench: ModuleType) -> None:
    override = bench.override_yaml(10)
    assert [f"  {bench.service_name(i)}:" in override for i in range(10)] == [
        i % 3 == 0 for i in range(10)
    ]


@pytest.mark.reference
def test_reference_accepts_generated_project(bench: ModuleType, tmp_path: Path) -> None:
    ref = reference_binary()
    if ref is None:
        pytest.skip("reference binary not installed")
    project = bench.write_project(tmp_path, 7)
    args = [str(ref), "-p", "bench", "-f", "base.yml", "-f", "override.yml", "config"]
    result = subprocess.run(
        args + ["--format", "json"], cwd=project, env=clean_env(), capture_output=True
    )
    assert result.returncode == 0, result.stderr
    import json

    services = json.loads(result.stdout)["services"]
    assert len(services) == 7
    s0, s6 = services["svc-0000"], services["svc-0006"]
    assert s0["labels"]["com.example.tier"] == "web-override"  # the override applied
    assert s0["environment"]["LOG_LEVEL"] == "debug"
    assert services["svc-0001"]["environment"]["LOG_LEVEL"] == "info"  # ${VAR:-default}
    assert s0["image"] == "registry.example.com/team/app-0:4.5.6"  # from .env
    assert s6["depends_on"]["svc-0002"]["condition"] == "service_healthy"
    assert len(s0["ports"]) == 3 and len(services["svc-0001"]["ports"]) == 2


@pytest.mark.reference
def test_bench_main_compares_outputs(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Using the reference as `composer` too: outputs match, nothing fails."""
    ref = reference_binary()
    if ref is None:
        pytest.skip("reference binary not installed")
    code = bench.main(
        [
            "--sizes",
            "1,3",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--composer",
            str(ref),
            "--reference",
            str(ref),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    rows = [line.split() for line in out.splitlines() if line.strip().split(" ")[0] in ("1", "3")]
    assert [r[0] for r in rows] == ["1", "3"]
    assert all(r[-1] == "yes" for r in rows), out
