"""`composer graph` end to end, in-process through composer.cli.app.main."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from composer.cli.app import main
from tests.helpers import Outcome, call

COMPOSE = """
services:
  web:
    image: nginx
    depends_on:
      api: {condition: service_healthy}
  api:
    image: ${API_IMAGE:-app}
    depends_on: [db]
  db:
    image: postgres
  tools:
    image: busybox
    profiles: [debug]
    depends_on: [db]
"""

WEB_ONLY_TEXT = (
    "level 0: db\n"
    "level 1: api\n"
    "level 2: web\n"
    "\n"
    "api -> db (service_started, required)\n"
    "web -> api (service_healthy, required)\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMPOSE_PROFILES", raising=False)
    monkeypatch.delenv("COMPOSE_FILE", raising=False)
    monkeypatch.delenv("COMPOSE_PROJECT_NAME", raising=False)
    monkeypatch.delenv("API_IMAGE", raising=False)
    return tmp_path


def _run(*argv: str) -> Outcome:
    return call(main, list(argv))


def test_default_is_text(project: Path) -> None:
    result = _run("-p", "shop", "graph")
    assert result.code == 0, result.stderr
    assert result.stdout == WEB_ONLY_TEXT


@pytest.mark.parametrize("fmt", ["text", "mermaid", "dot", "json", "svg"])
def test_every_format(project: Path, fmt: str) -> None:
    result = _run("graph", "--format", fmt)
    assert result.code == 0, result.stderr
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["levels"] == [["db"], ["api"], ["web"]]
    elif fmt == "svg":
        root = ET.fromstring(result.stdout.encode())
        titles = [
            g.findtext("{http://www.w3.org/2000/svg}title")
            for g in root.iter("{http://www.w3.org/2000/svg}g")
            if g.get("class") == "service"
        ]
        assert sorted(titles) == ["api", "db", "web"]  # type: ignore[type-var]
    elif fmt == "mermaid":
        assert result.stdout.startswith("graph TD\n")
        assert "    svc_web -->|service_healthy| svc_api\n" in result.stdout
    elif fmt == "dot":
        assert '  "web" -> "api" [label="service_healthy"' in result.stdout
    else:
        assert result.stdout == WEB_ONLY_TEXT


def test_output_file(project: Path) -> None:
    target = project / "deps.svg"
    result = _run("graph", "--format", "svg", "-o", str(target))
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    root = ET.fromstring(target.read_bytes())
    assert root.get("viewBox")
    long_form = _run("graph", "--output", "deps.txt")
    assert long_form.code == 0 and (project / "deps.txt").read_text() == WEB_ONLY_TEXT


def test_output_file_that_cannot_be_written(project: Path) -> None:
    result = _run("graph", "-o", str(project / "missing" / "dir" / "x.txt"))
    assert result.code == 1
    assert result.stderr.startswith("error: cannot write ")
    assert "Traceback" not in result.stderr


def test_services_restrict_to_them_and_their_dependencies(project: Path) -> None:
    result = _run("graph", "--format", "json", "api")
    data = json.loads(result.stdout)
    assert data["levels"] == [["db"], ["api"]]
    assert [(e["from"], e["to"]) for e in data["edges"]] == [("api", "db")]


def test_no_deps_keeps_only_the_named_services(project: Path) -> None:
    result = _run("graph", "--no-deps", "web", "db")
    assert result.code == 0, result.stderr
    assert result.stdout == "level 0: db, web\n"


def test_unknown_service(project: Path) -> None:
    result = _run("graph", "nope")
    assert result.code == 2
    assert 'no such service: "nope"' in result.stderr


def test_service_disabled_by_profile_gets_a_hint(project: Path) -> None:
    result = _run("graph", "tools")
    assert result.code == 2
    assert 'service "tools" is not enabled by the active profiles' in result.stderr
    assert "hint: enable it with --profile debug\n" in result.stderr


def test_profile_option_before_and_after_the_command(project: Path) -> None:
    for argv in (["--profile", "debug", "graph"], ["graph", "--profile", "debug"]):
        result = _run(*argv)
        assert result.code == 0, result.stderr
        assert "level 1: api, tools [debug]\n" in result.stdout
        assert "tools -> db (service_started, required)\n" in result.stdout


def test_file_and_project_options_after_the_command(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    (elsewhere / "vars.env").write_text("API_IMAGE=custom:1\n")
    result = _run(
        "graph",
        "-f",
        str(project / "compose.yaml"),
        "-p",
        "named",
        "--env-file",
        str(elsewhere / "vars.env"),
        "--project-directory",
        str(project),
        "--format",
        "json",
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["project"] == "named"
    assert {s["name"]: s["image"] for s in data["services"]}["api"] == "custom:1"


def test_bad_format_is_a_usage_error(project: Path) -> None:
    result = _run("graph", "--format", "png")
    assert result.code == 2


def test_invalid_project_reports_the_loader_error(project: Path) -> None:
    (project / "compose.yaml").write_text("services:\n  a: {image: x, depends_on: [b]}\n")
    result = _run("graph")
    assert result.code == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_config_does_not_import_networkx(project: Path) -> None:
    code = (
        "import sys\n"
        "from composer.cli.app import main\n"
        "assert main(['config', '--services']) == 0\n"
        "sys.exit(3 if 'networkx' in sys.modules else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "db\napi\nweb\n"
