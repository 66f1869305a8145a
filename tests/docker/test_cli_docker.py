"""The CLI on the Docker runtime, end to end: real `composer` processes, a real engine.

`up -d --wait` of a three-service project (HTTP service with a healthcheck, published
port and bind mount; a client that waits for it to be healthy and writes to a named
volume; a one-shot job), `ps --format json` as the reference prints it, a recreate
that says why, `down -v` that leaves nothing labelled with the project (anonymous
volumes included), `down` by name without a file, image builds with `--build` and
`down --rmi local`, and the `up` options --no-recreate, --force-recreate, --scale,
--remove-orphans.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.docker.support import (
    BUSYBOX,
    Project,
    anonymous_volumes,
    engine_client,
    existing_volumes,
    free_port,
    http_get,
    leftovers,
)
from tests.reference import reference_binary, run_reference

pytestmark = pytest.mark.docker

# `docker compose ps --format json` keys, in the order the reference prints them.
PS_KEYS = [
    "Command",
    "CreatedAt",
    "ExitCode",
    "Health",
    "ID",
    "Image",
    "Labels",
    "LocalVolumes",
    "Mounts",
    "Name",
    "Names",
    "Networks",
    "Ports",
    "Project",
    "Publishers",
    "RunningFor",
    "Service",
    "Size",
    "State",
    "Status",
]
# Values that depend on the moment they are read.
MOMENTARY = {"RunningFor", "Status"}


def composer(
    project: Project, *args: str, cwd: Path | None = None, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """`composer -p NAME ARGS --runtime docker` in the project's folder."""
    environ = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"), **env)
    environ.pop("COMPOSER_RUNTIME", None)
    done = subprocess.run(
        [sys.executable, "-m", "composer", "-p", project.name, *args, "--runtime", "docker"],
        cwd=cwd or project.root,
        env=environ,
        stdin=subprocess.DEVNULL,  # no terminal: nothing may wait for an answer
        capture_output=True,
        text=True,
        timeout=180,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"composer {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def ids_by_name(project: str) -> dict[str, str]:
    client = engine_client()
    try:
        found = client.containers(
            all=True, filters={"label": [f"com.docker.compose.project={project}"]}
        )
    finally:
        client.close()
    return {c["Names"][0].lstrip("/"): c["Id"] for c in found}


def exec_output(container: str, command: list[str]) -> str:
    client = engine_client()
    try:
        created = client.exec_create(container, command)
        return str(client.exec_start(created["Id"]).decode())
    finally:
        client.close()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write_app(project: Project, port: int, greeting: str = "hello") -> None:
    project.write(
        f"""
        services:
          web:
            image: {BUSYBOX}
            command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
            init: true
            environment:
              GREETING: {greeting}
            ports: ["127.0.0.1:{port}:8080"]
            volumes: ["./site:/var/www:ro"]
            healthcheck:
              test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"]
              interval: 500ms
              retries: 20
          client:
            image: {BUSYBOX}
            init: true
            command: ["sh", "-c", "wget -qO- http://web:8080/ > /data/page && exec sleep 600"]
            volumes: [data:/data, /scratch]
            depends_on:
              web: {{condition: service_healthy}}
              job: {{condition: service_completed_successfully}}
          job:
            image: {BUSYBOX}
            command: ["sh", "-c", "echo job done > /data/job"]
            volumes: [data:/data]
        volumes:
          data: {{}}
        """
    )
    (project.root / "site").mkdir(exist_ok=True)
    (project.root / "site" / "index.html").write_text("served from a bind mount\n")


def test_up_wait_ps_recreate_and_down_v(project: Project) -> None:
    port = free_port()
    write_app(project, port)
    composer(project, "up", "-d", "--wait")
    assert http_get(port) == "served from a bind mount\n"
    name = project.name
    assert exec_output(f"{name}-client-1", ["cat", "/data/page", "/data/job"]) == (
        "served from a bind mount\njob done\n"
    )

    # ps --format json: the reference's keys, one compact object per line
    listed = composer(project, "ps", "--format", "json").stdout
    assert all(line.startswith('{"Command":') for line in listed.splitlines())
    rows = {row["Service"]: row for row in json_lines(listed)}
    assert sorted(rows) == ["client", "web"]  # the job exited: only with --all
    assert all(list(row) == PS_KEYS for row in rows.values())
    web = rows["web"]
    assert (web["Name"], web["State"], web["Health"], web["ExitCode"]) == (
        f"{name}-web-1",
        "running",
        "healthy",
        0,
    )
    assert web["Publishers"] == [
        {"URL": "127.0.0.1", "TargetPort": 8080, "PublishedPort": port, "Protocol": "tcp"}
    ]
    assert web["Ports"] == f"127.0.0.1:{port}->8080/tcp"
    assert web["Image"] == BUSYBOX and web["Networks"] == f"{name}_default"
    assert web["Status"].endswith("(healthy)") and web["Project"] == name
    assert rows["client"]["LocalVolumes"] == "2"  # the named volume and /scratch
    every = {
        row["Service"]: row
        for row in json_lines(composer(project, "ps", "-a", "--format", "json").stdout)
    }
    assert (every["job"]["State"], every["job"]["ExitCode"]) == ("exited", 0)
    quiet = composer(project, "ps", "-q").stdout.split()
    assert sorted(quiet) == sorted(
        i for n, i in ids_by_name(name).items() if not n.endswith("job-1")
    )

    # one changed value recreates that service only, and says why
    before = ids_by_name(name)
    write_app(project, port, greeting="bonjour")
    done = composer(project, "up", "-d")
    recreates = [line for line in done.stderr.splitlines() if "Recreate" in line]
    assert recreates == [
        f" Container {name}-web-1  Recreate (environment.GREETING changed)",
        f" Container {name}-web-1  Recreated",
    ]
    after = ids_by_name(name)
    assert after[f"{name}-web-1"] != before[f"{name}-web-1"]
    assert after[f"{name}-client-1"] == before[f"{name}-client-1"]
    assert after[f"{name}-job-1"] == before[f"{name}-job-1"]

    # down -v: no container, network or volume with the label, anonymous ones gone too
    anonymous = anonymous_volumes(name)
    assert len(anonymous) == 1
    composer(project, "down", "-v", "-t", "1")
    assert leftovers(name) == {}
    assert existing_volumes(anonymous) == set()
    by_label = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={name}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert by_label.stdout == ""


@pytest.mark.reference
@pytest.mark.skipif(reference_binary() is None, reason="reference docker-compose not installed")
def test_ps_json_is_the_references(project: Project) -> None:
    write_app(project, free_port())
    composer(project, "up", "-d", "--wait")
    ours = json_lines(composer(project, "ps", "-a", "--format", "json").stdout)
    done = run_reference(["-p", project.name, "ps", "-a", "--format", "json"], project.root)
    assert done.returncode == 0, done.stderr
    theirs = json_lines(done.stdout)
    assert [row["Name"] for row in ours] == [row["Name"] for row in theirs]
    for mine, reference in zip(ours, theirs, strict=True):
        assert list(mine) == list(reference)
        for key in PS_KEYS:
            if key in ("Labels", "Mounts"):  # the reference walks Go maps: any order
                assert sorted(mine[key].split(",")) == sorted(reference[key].split(","))
            elif key not in MOMENTARY:
                assert mine[key] == reference[key], key
    ours_q = composer(project, "ps", "-q").stdout.split()
    theirs_q = run_reference(["-p", project.name, "ps", "-q"], project.root).stdout.split()
    assert ours_q == theirs_q


def test_down_by_name_without_a_file(project: Project, tmp_path_factory: Any) -> None:
    write_app(project, free_port())
    composer(project, "up", "-d", "--wait")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    done = composer(project, "down", "-v", "-t", "1", cwd=elsewhere)
    assert f" Network {project.name}_default  Removed" in done.stderr
    assert f" Volume {project.name}_data  Removed" in done.stderr
    assert leftovers(project.name) == {}


def test_build_rebuild_and_down_rmi_local(project: Project) -> None:
    (project.root / "app").mkdir()
    dockerfile = project.root / "app" / "Dockerfile"
    dockerfile.write_text(f'FROM {BUSYBOX}\nRUN echo one > /built\nCMD ["sleep", "600"]\n')
    project.write(
        f"""
        services:
          app:
            build: ./app
            init: true
          plain:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
        """
    )
    image = f"{project.name}-app"
    done = composer(project, "up", "-d")
    assert f" Image {image}  Built" in done.stderr
    assert exec_output(f"{project.name}-app-1", ["cat", "/built"]) == "one\n"
    # unchanged sources: --build builds again, the same image, nothing is recreated
    done = composer(project, "up", "-d", "--build")
    assert f" Image {image}  Built" in done.stderr and "Recreate" not in done.stderr
    # a changed Dockerfile: the new image replaces the container, and it says why
    dockerfile.write_text(dockerfile.read_text().replace("one", "two"))
    done = composer(project, "up", "-d", "--no-build")
    assert "Built" not in done.stderr and "Recreate" not in done.stderr
    done = composer(project, "up", "-d", "--build")
    assert f" Container {project.name}-app-1  Recreate (image changed)" in done.stderr
    assert exec_output(f"{project.name}-app-1", ["cat", "/built"]) == "two\n"

    done = composer(project, "down", "--rmi", "local", "-t", "1")
    assert f" Image {image}  Removed" in done.stderr
    client = engine_client()
    try:
        assert not client.images(name=image)
        assert client.images(name=BUSYBOX)  # `local`: images with an image: name stay
    finally:
        client.close()
    assert leftovers(project.name) == {}


def test_build_command_builds_what_has_a_build_section(project: Project) -> None:
    """`build` builds every service with `build:` (a named one without it is skipped),
    from the engine's cache unless `--no-cache`; `-q` prints nothing."""
    (project.root / "app").mkdir()
    (project.root / "app" / "Dockerfile").write_text(
        f'FROM {BUSYBOX}\nRUN date +%s%N > /built\nCMD ["sleep", "600"]\n'
    )
    project.write(
        f"""
        services:
          app:
            build: ./app
          plain:
            image: {BUSYBOX}
        """
    )
    image = f"{project.name}-app"
    client = engine_client()
    try:
        done = composer(project, "build")
        assert f" Image {image}  Built" in done.stderr and "plain" not in done.stderr
        first = client.inspect_image(image)["Id"]
        assert composer(project, "build", "app").returncode == 0
        assert client.inspect_image(image)["Id"] == first  # the layer cache
        quiet = composer(project, "build", "--no-cache", "-q")
        assert quiet.stdout == quiet.stderr == ""
        assert client.inspect_image(image)["Id"] != first
        assert composer(project, "build", "plain").stderr == ""
        missing = composer(project, "build", "nope", check=False)
        assert missing.returncode == 2 and "no such service: nope" in missing.stderr
    finally:
        client.remove_image(image, force=True)
        client.close()


def test_up_recreate_scale_and_orphan_options(project: Project) -> None:
    def write(*services: str) -> None:
        body = "".join(
            f"""
          {s}:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            environment: {{MARK: "{marks.get(s, "1")}"}}
            """
            for s in services
        )
        project.write("services:" + body)

    marks: dict[str, str] = {}
    write("web", "worker")
    composer(project, "up", "-d")
    first = ids_by_name(project.name)

    marks["web"] = "2"
    write("web", "worker")
    done = composer(project, "up", "-d", "--no-recreate")
    assert "Recreate" not in done.stderr and ids_by_name(project.name) == first
    done = composer(project, "up", "-d", "--force-recreate", "worker")
    assert f" Container {project.name}-worker-1  Recreate (--force-recreate)" in done.stderr
    assert f"{project.name}-web-1  Recreate" not in done.stderr

    composer(project, "up", "-d", "--scale", "worker=3")
    names = sorted(ids_by_name(project.name))
    assert names == sorted(
        [f"{project.name}-web-1"] + [f"{project.name}-worker-{i}" for i in (1, 2, 3)]
    )
    composer(project, "up", "-d")  # back to the file's scale
    assert sorted(ids_by_name(project.name)) == [
        f"{project.name}-web-1",
        f"{project.name}-worker-1",
    ]

    write("web")
    done = composer(project, "up", "-d")
    assert "orphan containers" in done.stderr and f"{project.name}-worker-1" in done.stderr
    assert f"{project.name}-worker-1" in ids_by_name(project.name)
    composer(project, "up", "-d", "--remove-orphans")
    assert sorted(ids_by_name(project.name)) == [f"{project.name}-web-1"]
    composer(project, "down", "-t", "1")
    assert leftovers(project.name) == {}


def test_run_rm_removes_the_one_off_and_its_anonymous_volumes(project: Project) -> None:
    """`run` on a project that is not up makes its network first; `run --rm` then
    leaves no container and no volume: the reference (like `docker run --rm`) removes
    the one-off's anonymous volumes with it. A plain `run` keeps both."""
    project.write(
        f"""
        services:
          job:
            image: {BUSYBOX}
            command: ["true"]
            volumes: ["/scratch"]
        """
    )
    before = {v["Name"] for v in engine_client().volumes().get("Volumes") or []}
    done = composer(project, "run", "--rm", "job", "sh", "-c", "echo kept > /scratch/x; echo ran")
    assert "ran" in done.stdout
    after = {v["Name"] for v in engine_client().volumes().get("Volumes") or []}
    assert after - before == set()
    assert set(leftovers(project.name)) == {"networks"}  # the network stays until `down`
    composer(project, "run", "job", "true")
    assert anonymous_volumes(project.name)  # the one-off and its volume stay without --rm


def test_post_start_and_pre_stop_hooks_run_in_the_container(project: Project) -> None:
    """post_start runs after the start (environment, working_dir, user), pre_stop before
    the stop, each through exec; a failing post_start fails `up` with its status and
    output."""
    marks = project.root / "marks"
    marks.mkdir()
    marks.chmod(0o777)  # the hook runs as uid 1000
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            volumes: ["./marks:/marks"]
            post_start:
              - command: ["sh", "-c", "echo $$GREETING from $$(pwd) as $$(id -u) > /marks/started"]
                environment: {{GREETING: hello}}
                working_dir: /tmp
                user: "1000"
            pre_stop:
              - command: ["sh", "-c", "echo bye > /marks/stopping"]
              - command: ["sh", "-c", "echo flushing failed; exit 2"]
        """
    )
    composer(project, "up", "-d", "--wait")
    assert (marks / "started").read_text() == "hello from /tmp as 1000\n"
    assert not (marks / "stopping").exists()
    down = composer(project, "down")  # a failing pre_stop hook warns; down goes on
    assert (marks / "stopping").read_text() == "bye\n"
    assert (
        "pre_stop hook 2 (sh -c echo flushing failed; exit 2) exited with status 2" in down.stderr
    )
    assert leftovers(project.name) == {}

    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            post_start:
              - command: ["sh", "-c", "echo cannot migrate; exit 3"]
        """
    )
    failed = composer(project, "up", "-d", check=False)
    assert failed.returncode == 1
    assert (
        'service "app": post_start hook 1 (sh -c echo cannot migrate; exit 3) exited with status 3'
        in failed.stderr
    )
    assert "cannot migrate" in failed.stderr
    composer(project, "down")


def test_a_network_whose_configuration_changed_is_made_again(project: Project) -> None:
    """As the reference: `up` stops the containers on it, removes it, creates it with
    the new configuration, connects them again (same aliases) and starts them; the
    containers themselves are kept."""
    template = f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
        networks:
          default:
            labels: {{tier: TIER}}
        """
    project.write(template.replace("TIER", "one"))
    composer(project, "up", "-d", "--wait")
    client = engine_client()
    try:
        before = client.inspect_container(f"{project.name}-app-1")
        project.write(template.replace("TIER", "two"))
        done = composer(project, "up", "-d", "--wait")
        network = client.inspect_network(f"{project.name}_default")
        after = client.inspect_container(f"{project.name}-app-1")
    finally:
        client.close()
    assert network["Labels"]["tier"] == "two"
    assert f"Network {project.name}_default  Removed" in done.stderr
    assert f"Network {project.name}_default  Created" in done.stderr
    assert after["Id"] == before["Id"] and after["State"]["Running"]
    endpoint = after["NetworkSettings"]["Networks"][f"{project.name}_default"]
    assert endpoint["NetworkID"] == network["Id"]
    assert {"app", f"{project.name}-app-1"} <= set(endpoint["Aliases"])
    assert list(network["Containers"]) == [after["Id"]]
    again = composer(project, "up", "-d", "--wait")  # unchanged now: nothing is redone
    assert "Removed" not in again.stderr and "Stopping" not in again.stderr
    composer(project, "down")
    assert leftovers(project.name) == {}


VOLUME_PROJECT = f"""
    services:
      app:
        image: {BUSYBOX}
        command: ["sleep", "600"]
        init: true
        volumes: [data:/data]
    volumes:
      data:
        labels: {{generation: GENERATION}}
    """


def test_a_changed_volume_is_kept_unless_up_is_told_yes(project: Project) -> None:
    """As the reference: without a yes the volume and its data stay (with a warning);
    `up -y` removes the containers that mount it, makes the volume again with the new
    configuration, and creates the containers anew."""
    project.write(VOLUME_PROJECT.replace("GENERATION", "one"))
    composer(project, "up", "-d", "--wait")
    app = f"{project.name}-app-1"
    exec_output(app, ["sh", "-c", "echo precious > /data/file"])
    project.write(VOLUME_PROJECT.replace("GENERATION", "two"))
    kept = composer(project, "up", "-d", "--wait")
    assert "doesn't match configuration in compose file" in kept.stderr
    assert "kept with its data" in kept.stderr
    assert exec_output(app, ["cat", "/data/file"]) == "precious\n"
    before = ids_by_name(project.name)[app]
    told = composer(project, "up", "-d", "--wait", "-y")
    assert f"Container {app}  Removed" in told.stderr
    assert f"Volume {project.name}_data  Created" in told.stderr
    client = engine_client()
    try:
        volume = client.inspect_volume(f"{project.name}_data")
        after = client.inspect_container(app)
    finally:
        client.close()
    assert volume["Labels"]["generation"] == "two"
    assert after["Id"] != before and after["State"]["Running"]
    assert exec_output(app, ["ls", "/data"]) == ""
    again = composer(project, "up", "-d", "--wait")  # matches now: no question, no warning
    assert "match configuration" not in again.stderr
    composer(project, "down", "-v")
    assert leftovers(project.name) == {}


def test_a_changed_volume_is_recreated_when_the_terminal_says_yes(project: Project) -> None:
    """On a terminal `up` asks the reference's question and takes y for yes."""
    import pty
    import select

    project.write(VOLUME_PROJECT.replace("GENERATION", "one"))
    composer(project, "up", "-d", "--wait")
    project.write(VOLUME_PROJECT.replace("GENERATION", "two"))
    leader, follower = pty.openpty()
    environ = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
    process = subprocess.Popen(
        [sys.executable, "-m", "composer", "-p", project.name, "up", "-d", "--runtime", "docker"],
        cwd=project.root,
        env=environ,
        stdin=follower,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    try:
        while b"[y/N]" not in seen:
            ready, _, _ = select.select([leader], [], [], 60)
            assert ready, f"no question asked: {seen!r}"
            seen += os.read(leader, 4096)
        os.write(leader, b"y\n")
        assert process.wait(timeout=120) == 0
    finally:
        process.kill()
        os.close(leader)
    assert b"Recreate (data will be lost)?" in seen
    client = engine_client()
    try:
        assert client.inspect_volume(f"{project.name}_data")["Labels"]["generation"] == "two"
    finally:
        client.close()
    composer(project, "down", "-v")
    assert leftovers(project.name) == {}


def test_down_rmi_by_project_name_without_a_file(project: Project, tmp_path_factory: Any) -> None:
    """`-p NAME down --rmi local` from a folder without the Compose file removes the
    image built for the project (the reference does), found from its containers."""
    (project.root / "app").mkdir()
    (project.root / "app" / "Dockerfile").write_text(f'FROM {BUSYBOX}\nCMD ["sleep", "600"]\n')
    project.write(
        f"""
        services:
          app:
            build: ./app
            init: true
          plain:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
        """
    )
    composer(project, "up", "-d")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    done = composer(project, "down", "--rmi", "local", "-t", "1", cwd=elsewhere)
    assert f" Image {project.name}-app  Removed" in done.stderr
    client = engine_client()
    try:
        assert not client.images(name=f"{project.name}-app")
        assert client.images(name=BUSYBOX)  # not built for the project: stays
    finally:
        client.close()
    assert leftovers(project.name) == {}
