"""`run`'s options beyond the one-off's settings, against the reference on one
engine: `--env-from-file`, `--use-aliases`, `--remove-orphans`, `-q`, `--build`."""

from __future__ import annotations

import pytest

from tests.docker.support import AGAINST_THE_REFERENCE, BUSYBOX, Project, engine_client
from tests.docker.test_interop import _run_as

pytestmark = AGAINST_THE_REFERENCE

TOOLS = ("reference", "composer")

FILE = f"""
services:
  job:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    environment: [FROM_FILE=service, KEPT=service]
    networks:
      default:
        aliases: [worker]
"""


@pytest.mark.parametrize("tool", TOOLS)
def test_env_from_file_sets_variables_that_e_overrides(project: Project, tool: str) -> None:
    project.write(FILE)
    (project.root / "extra.env").write_text("FROM_FILE=file\nOTHER=${HOME_DIR:-none}\n")
    done = _run_as(
        tool, project, "run", "--rm", "--env-from-file", "extra.env", "-e", "OTHER=flag",
        "job", "sh", "-c", "echo $FROM_FILE $KEPT $OTHER",
    )  # fmt: skip
    assert (done.stdout, done.returncode) == ("file service flag\n", 0), done.stderr
    missing = _run_as(tool, project, "run", "--rm", "--env-from-file", "none.env", "job", "true")
    assert missing.returncode != 0 and "none.env" in missing.stderr


def test_use_aliases_gives_the_one_off_the_service_s_names(project: Project) -> None:
    project.write(FILE)
    client = engine_client()
    aliases = {}
    try:
        for tool in TOOLS:
            for option in ("--use-aliases", "--no-deps"):
                name = f"{project.name}-{tool}{option.replace('-', '_')}"
                done = _run_as(tool, project, "run", "-d", option, "--name", name, "job")
                assert done.returncode == 0, done.stderr
                info = client.inspect_container(name)
                found = info["NetworkSettings"]["Networks"][f"{project.name}_default"]["Aliases"]
                short_id = info["Id"][:12]
                aliases[tool, option] = sorted(
                    "NAME" if a == name else "ID" if a == short_id else a for a in found
                )
                client.remove_container(name, force=True)
    finally:
        client.close()
    assert aliases["composer", "--use-aliases"] == aliases["reference", "--use-aliases"]
    assert aliases["composer", "--use-aliases"] == ["ID", "NAME", "job", "worker"]
    assert aliases["composer", "--no-deps"] == aliases["reference", "--no-deps"] == ["ID", "NAME"]


@pytest.mark.parametrize("tool", TOOLS)
def test_remove_orphans_removes_them_even_without_dependencies(project: Project, tool: str) -> None:
    project.write(FILE + f"  old:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n")
    assert _run_as("reference", project, "up", "-d", "old").returncode == 0
    project.write(FILE)
    done = _run_as(tool, project, "run", "--rm", "--remove-orphans", "job", "true")
    assert done.returncode == 0, done.stderr
    assert f"Container {project.name}-old-1  Removed" in done.stderr
    listed = _run_as("composer", project, "ps", "-a", "--format", "{{.Name}}")
    assert listed.stdout == ""


@pytest.mark.parametrize("tool", TOOLS)
def test_quiet_shows_the_command_s_output_only(project: Project, tool: str) -> None:
    project.write(
        FILE + f"  dep:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    )
    project.write(
        (project.root / "compose.yaml")
        .read_text()
        .replace(
            "    init: true\n    environment",
            "    init: true\n    depends_on: [dep]\n    environment",
            1,
        )
    )
    done = _run_as(tool, project, "run", "--rm", "-q", "job", "echo", "hi")
    assert (done.stdout, done.returncode) == ("hi\n", 0), done.stderr
    assert "Container" not in done.stderr  # the dependency started silently


@pytest.mark.parametrize("tool", TOOLS)
def test_build_builds_the_one_off_s_image_first(project: Project, tool: str) -> None:
    (project.root / "Dockerfile").write_text(f"FROM {BUSYBOX}\nLABEL built.by=run\n")
    project.write("services:\n  job:\n    build: .\n    command: [echo, built]\n")
    client = engine_client()
    try:
        done = _run_as(tool, project, "run", "--rm", "--build", "job")
        assert done.returncode == 0, done.stderr
        assert done.stdout.endswith("built\n")  # (after the reference's build steps)
        image = client.inspect_image(f"{project.name}-job")
        assert image["Config"]["Labels"]["built.by"] == "run"
    finally:
        client.remove_image(f"{project.name}-job", force=True)
        client.close()
