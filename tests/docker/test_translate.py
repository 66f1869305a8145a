"""The Docker runtime's pure parts: no engine needed.

Projects are loaded from Compose text with the real loader, so the translation sees
the canonical model it gets in production. Expected engine arguments are those
Docker Compose v2.40.3 sends (observed with `docker inspect` on containers it made;
tests/docker/test_interop.py compares the two live).
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from composer.errors import ComposerError
from composer.hashing import service_hash
from composer.loader.options import LoadOptions
from composer.loader.pipeline import load_project
from composer.runtimes.base import InstanceRef, ProjectSpec
from composer.runtimes.docker import changes, images, ps, states
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker import translate as tr
from composer.runtimes.docker.connection import EngineUnreachable, connect, engine_available

BUSYBOX = "composer-test/busybox:latest"
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "compose-spec.json"


def load(
    tmp_path: Path, text: str, *, name: str = "tp", env: dict[str, str] | None = None
) -> ProjectSpec:
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(text))
    environ = {"PATH": "/usr/bin:/bin", **(env or {})}
    loaded = load_project(LoadOptions(project_name=name, cwd=str(tmp_path), environ=environ))
    return ProjectSpec(
        loaded.name,
        loaded.working_dir,
        tuple(loaded.files),
        loaded.project,
        dict(loaded.environment),
    )


def args(
    spec: ProjectSpec, service: str, *, index: int = 1, api: str = "1.41", **kwargs: Any
) -> tr.ContainerPlan:
    return tr.container_create_args(
        spec, service, InstanceRef(spec.name, service, index), api_version=api, **kwargs
    )


NO_FILES = tr.FileAccess(read_bytes=lambda path: b"", exists=lambda path: True)


# ---------------------------------------------------------------- labels and names


def test_instance_labels_are_docker_compose_v2_labels(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          web:
            image: {BUSYBOX}
            labels: {{team: core, com.docker.compose.project: spoofed}}
            depends_on:
              db: {{condition: service_healthy, restart: true}}
              cache: {{condition: service_started}}
          db: {{image: {BUSYBOX}}}
          cache: {{image: {BUSYBOX}}}
        """,
    )
    plan = args(spec, "web", index=2, image_id="sha256:abc")
    labels = plan.body["Labels"]
    config_json = labels.pop(lb.CONFIG_JSON)
    assert labels == {
        "team": "core",
        "com.docker.compose.project": "tp",  # Compose's own labels win over the user's
        "com.docker.compose.service": "web",
        "com.docker.compose.container-number": "2",
        "com.docker.compose.oneoff": "False",
        "com.docker.compose.version": "2.40.3",
        "com.docker.compose.project.working_dir": str(tmp_path),
        "com.docker.compose.project.config_files": str(tmp_path / "compose.yaml"),
        "com.docker.compose.config-hash": service_hash("web", dict(spec.service("web"))),
        "com.docker.compose.depends_on": "cache:service_started:false,db:service_healthy:true",
        "com.docker.compose.image": "sha256:abc",
    }
    # the recorded JSON is exactly what the hash was computed from
    assert hashlib.sha256(config_json.encode()).hexdigest() == labels[lb.CONFIG_HASH]
    assert plan.name == "tp-web-2" and plan.config_hash == labels[lb.CONFIG_HASH]


def test_oneoff_instances_are_labelled_like_docker_compose_run(tmp_path: Path) -> None:
    spec = load(tmp_path, f"services:\n  job:\n    image: {BUSYBOX}\n")
    ref = InstanceRef("tp", "job", 1, oneoff=True, slug="0123456789abcdef")
    plan = tr.container_create_args(spec, "job", ref)
    labels = plan.body["Labels"]
    assert labels[lb.ONEOFF] == "True" and labels[lb.SLUG] == "0123456789abcdef"
    assert lb.NUMBER not in labels
    assert plan.name == "tp-job-run-0123456789ab"
    # `run` does not answer to the service name unless --use-aliases
    endpoint = plan.body["NetworkingConfig"]["EndpointsConfig"]["tp_default"]
    assert endpoint["Aliases"] == ["tp-job-run-0123456789ab"]


def test_a_detached_one_off_with_rm_removes_itself(tmp_path: Path) -> None:
    """`run -d --rm`: the engine's AutoRemove, for one-offs only."""
    spec = load(
        tmp_path, f"services:\n  job:\n    image: {BUSYBOX}\n    x-composer-remove-on-exit: true\n"
    )
    oneoff = InstanceRef("tp", "job", 1, oneoff=True, slug="0123456789abcdef")
    assert tr.container_create_args(spec, "job", oneoff).body["HostConfig"]["AutoRemove"]
    service = tr.container_create_args(spec, "job", InstanceRef("tp", "job", 1))
    assert "AutoRemove" not in service.body["HostConfig"]


def test_an_interactive_one_off_is_attached_with_stdin_closed_at_its_end(tmp_path: Path) -> None:
    """`run -i`: AttachStdin and StdinOnce as the reference's one-offs; a service's
    own `stdin_open` keeps stdin open without attaching it."""
    spec = load(tmp_path, f"services:\n  job:\n    image: {BUSYBOX}\n    stdin_open: true\n")
    oneoff = InstanceRef("tp", "job", 1, oneoff=True, slug="0123456789abcdef")
    body = tr.container_create_args(spec, "job", oneoff).body
    assert (body["OpenStdin"], body["AttachStdin"], body["StdinOnce"]) == (True, True, True)
    service = tr.container_create_args(spec, "job", InstanceRef("tp", "job", 1)).body
    assert service["OpenStdin"] and "AttachStdin" not in service and "StdinOnce" not in service


def test_container_name_and_default_image_name(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    spec = load(
        tmp_path,
        f"""
        services:
          api: {{image: {BUSYBOX}, container_name: the-api}}
          built: {{build: .}}
        """,
    )
    assert args(spec, "api").name == "the-api"
    built = args(spec, "built")
    assert built.name == "tp-built-1" and built.body["Image"] == "tp-built"


def test_network_and_volume_hashes_equal_the_reference() -> None:
    # values read from `docker network/volume inspect` after the reference's `up -p dk1`
    assert (
        lb.network_hash("default", {"name": "dk1_default", "ipam": {}})
        == "8989f54edec00cc2aec8edf1e2d4d2d87bdbc15c8c64d929aa51942f928d0483"
    )
    assert (
        lb.volume_hash("data", {"name": "dk1_data"})
        == "62c45bb086505041966ceaeddd1c188abb3bdd01d299f792251003787a93ba9a"
    )


def test_ref_from_labels_reads_back_what_was_written(tmp_path: Path) -> None:
    spec = load(tmp_path, f"services:\n  web:\n    image: {BUSYBOX}\n")
    for ref in (InstanceRef("tp", "web", 3), InstanceRef("tp", "web", 1, oneoff=True, slug="ab12")):
        labels = tr.container_create_args(spec, "web", ref).body["Labels"]
        assert lb.ref_from_labels(labels) == ref
    assert lb.ref_from_labels({"com.docker.compose.project": "x"}) is None


# ---------------------------------------------------------------- the create body


def test_command_entrypoint_and_environment(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            entrypoint: /bin/sh -c
            command: "echo hi"
            environment: [FOO=bar, EMPTY, "X="]
          b:
            image: {BUSYBOX}
        """,
    )
    body = args(spec, "a", proxy_env={"HTTP_PROXY": "http://proxy:3128", "FOO": "proxy"}).body
    assert body["Entrypoint"] == ["/bin/sh", "-c"] and body["Cmd"] == ["echo", "hi"]
    # the service's value beats the client's proxy setting; a bare name stays bare
    assert body["Env"] == ["EMPTY", "FOO=bar", "HTTP_PROXY=http://proxy:3128", "X="]
    plain = args(spec, "b").body
    assert "Cmd" not in plain and "Entrypoint" not in plain and plain["Env"] == []
    assert plain["AttachStdout"] is True and plain["AttachStderr"] is True


def test_ports_in_every_form(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            ports:
              - "8080:80"
              - "127.0.0.1:9000-9001:9000-9001/udp"
              - "3000"
              - "[::1]:7000:7000"
              - "8000-8001:81"
              - {{target: 53, published: "5353", protocol: udp, mode: host}}
            expose: ["1234", "5000-5001/udp"]
        """,
    )
    body = args(spec, "a").body
    assert body["ExposedPorts"] == {
        "80/tcp": {},
        "9000/udp": {},
        "9001/udp": {},
        "3000/tcp": {},
        "7000/tcp": {},
        "81/tcp": {},
        "53/udp": {},
        "1234": {},  # expose entries go through as written, as with the reference
        "5000-5001/udp": {},
    }
    assert body["HostConfig"]["PortBindings"] == {
        "80/tcp": [{"HostIp": "", "HostPort": "8080"}],
        "9000/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
        "9001/udp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}],
        "3000/tcp": [{"HostIp": "", "HostPort": ""}],
        "7000/tcp": [{"HostIp": "::1", "HostPort": "7000"}],
        "81/tcp": [{"HostIp": "", "HostPort": "8000-8001"}],
        "53/udp": [{"HostIp": "", "HostPort": "5353"}],
    }


def test_volumes_split_into_binds_and_mounts_like_the_reference(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            volumes:
              - data:/data:ro,nocopy
              - data:/data2
              - ./src:/src:cached
              - /abs:/abs:z
              - type: tmpfs
                target: /tmpx
                tmpfs: {{size: 10m}}
              - type: bind
                source: ./src
                target: /prop
                bind: {{propagation: rslave}}
              - type: bind
                source: ./missing
                target: /nh
                bind: {{create_host_path: false}}
              - /anon
              - ext:/ext
            tmpfs: [/run, "/tmp2:size=64m"]
        volumes:
          data: {{}}
          ext: {{external: true, name: shared-data}}
        """,
    )
    host = args(spec, "a").body["HostConfig"]
    assert host["Binds"] == [
        "tp_data:/data2:rw",
        f"{tmp_path}/src:/src:rw",
        "/abs:/abs:rw,z",
        "shared-data:/ext:rw",
    ]
    assert host["Mounts"] == [
        {"Type": "volume", "Target": "/anon", "VolumeOptions": {}},
        {
            "Type": "volume",
            "Target": "/data",
            "Source": "tp_data",
            "ReadOnly": True,
            "VolumeOptions": {"NoCopy": True},
        },
        {"Type": "bind", "Source": f"{tmp_path}/missing", "Target": "/nh", "BindOptions": {}},
        {
            "Type": "bind",
            "Source": f"{tmp_path}/src",
            "Target": "/prop",
            "BindOptions": {"Propagation": "rslave"},
        },
        {"Type": "tmpfs", "Target": "/tmpx", "TmpfsOptions": {"SizeBytes": 10485760}},
    ]
    assert host["Tmpfs"] == {"/run": "", "/tmp2": "size=64m"}


def test_volume_features_newer_than_the_engine_are_refused(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            volumes:
              - {{type: volume, source: data, target: /sub, volume: {{subpath: x}}}}
        volumes:
          data: {{}}
        """,
    )
    with pytest.raises(ComposerError) as caught:
        args(spec, "a", api="1.41")
    assert "volume.subpath needs Docker Engine API 1.45" in caught.value.message
    assert caught.value.path == "services.a.volumes[0]"
    mount = args(spec, "a", api="1.45").body["HostConfig"]["Mounts"][0]
    assert mount["VolumeOptions"] == {"Subpath": "x"}


def test_secrets_and_configs_are_mounted_or_copied_where_the_reference_puts_them(
    tmp_path: Path,
) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            user: "1000:2000"
            secrets: [s1, s2, {{source: s2, target: token, mode: 0400, uid: "7"}}]
            configs: [c1, {{source: c2, target: /etc/c2.txt}}, {{source: c1, target: rel.txt}}]
        secrets:
          s1: {{file: ./s1.txt}}
          s2: {{environment: TOKEN}}
        configs:
          c1: {{content: "hello $$X"}}
          c2: {{file: ./c2.txt}}
        """,
        env={"TOKEN": "t0ps3cret"},
    )
    plan = args(spec, "a", files=NO_FILES)
    mounts = {m["Target"]: m for m in plan.body["HostConfig"]["Mounts"]}
    assert mounts == {
        "/run/secrets/s1": {
            "Type": "bind",
            "Source": f"{tmp_path}/s1.txt",
            "Target": "/run/secrets/s1",
            "ReadOnly": True,
            "BindOptions": {},
        },
        "/etc/c2.txt": {
            "Type": "bind",
            "Source": f"{tmp_path}/c2.txt",
            "Target": "/etc/c2.txt",
            "ReadOnly": True,
        },
    }
    assert plan.files == [
        tr.InjectedFile("/run/secrets/s2", b"t0ps3cret", 0o444, 1000, 2000),
        tr.InjectedFile("/run/secrets/token", b"t0ps3cret", 0o400, 7, 2000),
        tr.InjectedFile("/c1", b"hello $X", 0o444, 1000, 2000),
        tr.InjectedFile("/rel.txt", b"hello $X", 0o444, 1000, 2000),
    ]
    assert plan.warnings == []


def test_secret_problems_are_errors_or_warnings(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          needs-env:
            image: {BUSYBOX}
            secrets: [s2]
          readonly:
            image: {BUSYBOX}
            read_only: true
            configs: [c1]
          file-modes:
            image: {BUSYBOX}
            secrets: [{{source: s1, mode: 0400}}]
        secrets:
          s1: {{file: ./absent.txt}}
          s2: {{environment: NOT_SET_ANYWHERE}}
        configs:
          c1: {{content: x}}
        """,
    )
    with pytest.raises(
        ComposerError,
        match='environment variable "NOT_SET_ANYWHERE" required by secret "tp_s2" is not set',
    ):
        args(spec, "needs-env")
    with pytest.raises(ComposerError, match="in read-only service readonly"):
        args(spec, "readonly")
    warnings = args(spec, "file-modes").warnings
    assert warnings == [
        'service "file-modes": secrets `uid`, `gid` and `mode` are not supported for file-based secrets, they will be ignored',
        'service "file-modes": secret file tp_s1 does not exist',
    ]


def test_external_secrets_are_refused() -> None:
    spec = ProjectSpec(
        "tp",
        "/w",
        (),
        {
            "services": {"a": {"image": BUSYBOX, "secrets": [{"source": "s"}]}},
            "secrets": {"s": {"name": "vault", "external": True}},
        },
    )
    with pytest.raises(ComposerError, match="unsupported external secret vault"):
        args(spec, "a")


def test_networks_by_priority_with_aliases_and_static_addresses(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            mac_address: 02:42:ac:11:65:43
            networks:
              front: {{aliases: [fa], ipv4_address: 172.30.0.10, priority: 10}}
              back: {{}}
              zzz:
        networks:
          front:
            ipam: {{config: [{{subnet: 172.30.0.0/24}}]}}
          back: {{external: true, name: backnet}}
          zzz: {{}}
        """,
    )
    old = args(spec, "a", api="1.41")
    assert old.body["HostConfig"]["NetworkMode"] == "tp_front"
    assert old.body["MacAddress"] == "02:42:ac:11:65:43"  # before API 1.44: container-wide
    assert old.body["NetworkingConfig"] == {
        "EndpointsConfig": {
            "tp_front": {
                "Aliases": ["tp-a-1", "a", "fa"],
                "IPAddress": "172.30.0.10",
                "IPAMConfig": {"IPv4Address": "172.30.0.10"},
            }
        }
    }
    assert old.connect == [
        ("backnet", {"Aliases": ["tp-a-1", "a"], "IPAMConfig": {}}),
        ("tp_zzz", {"Aliases": ["tp-a-1", "a"]}),
    ]
    new = args(spec, "a", api="1.44")
    endpoints = new.body["NetworkingConfig"]["EndpointsConfig"]
    assert list(endpoints) == ["backnet", "tp_zzz", "tp_front"] and new.connect == []
    assert endpoints["tp_front"]["MacAddress"] == "02:42:ac:11:65:43"
    assert "MacAddress" not in new.body


def test_network_mode_and_references_to_other_services(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          db: {{image: {BUSYBOX}, container_name: the-db}}
          app:
            image: {BUSYBOX}
            network_mode: "service:db"
            ipc: "service:db"
            volumes_from: [db, "db:ro", "container:other:rw"]
          lonely: {{image: {BUSYBOX}, network_mode: none}}
        """,
    )
    host = args(spec, "app").body["HostConfig"]
    assert host["NetworkMode"] == "container:the-db"
    assert host["IpcMode"] == "container:the-db"
    assert host["VolumesFrom"] == ["the-db", "the-db:ro", "other:rw"]
    assert "NetworkingConfig" not in args(spec, "app").body
    assert args(spec, "lonely").body["HostConfig"]["NetworkMode"] == "none"


def test_links_name_every_instance_of_the_linked_service(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          db: {{image: {BUSYBOX}}}
          app: {{image: {BUSYBOX}, links: ["db:database"], external_links: ["legacy:old"]}}
        """,
    )
    plan = args(spec, "app", linked={"db": ["tp-db-1"]})
    expected = ["tp-db-1:database", "tp-db-1:db-1", "tp-db-1:tp-db-1", "legacy:old"]
    assert plan.body["HostConfig"]["Links"] == expected
    assert plan.body["NetworkingConfig"]["EndpointsConfig"]["tp_default"]["Links"] == expected


def test_healthcheck_durations_are_nanoseconds(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            healthcheck: {{test: "wget -q localhost", interval: 1m30s, timeout: 10s, retries: 3, start_period: 40s}}
          off:
            image: {BUSYBOX}
            healthcheck: {{disable: true}}
          fast:
            image: {BUSYBOX}
            healthcheck: {{test: ["CMD", "true"], start_interval: 1s}}
        """,
    )
    assert args(spec, "a").body["Healthcheck"] == {
        "Test": ["CMD-SHELL", "wget -q localhost"],
        "Interval": 90_000_000_000,
        "Timeout": 10_000_000_000,
        "StartPeriod": 40_000_000_000,
        "Retries": 3,
    }
    assert args(spec, "off").body["Healthcheck"] == {"Test": ["NONE"]}
    with pytest.raises(
        ComposerError, match="healthcheck.start_interval needs Docker Engine API 1.44"
    ):
        args(spec, "fast", api="1.41")
    with pytest.raises(ComposerError, match="requires healthcheck.start_period"):
        args(spec, "fast", api="1.44")


@pytest.mark.parametrize(
    ("restart", "deploy", "expected"),
    [
        ("always", None, {"Name": "always", "MaximumRetryCount": 0}),
        ("on-failure:3", None, {"Name": "on-failure", "MaximumRetryCount": 3}),
        ("no", None, {"Name": "no", "MaximumRetryCount": 0}),
        (
            "always",
            {"condition": "on-failure", "max_attempts": 2},
            {"Name": "on-failure", "MaximumRetryCount": 2},
        ),
        (None, {"condition": "any"}, {"Name": "always", "MaximumRetryCount": 0}),
        (None, {"condition": "none"}, {"Name": "no", "MaximumRetryCount": 0}),
        (None, None, None),
    ],
)
def test_restart_policies(
    restart: str | None, deploy: dict[str, Any] | None, expected: Any
) -> None:
    service: dict[str, Any] = {}
    if restart:
        service["restart"] = restart
    if deploy:
        service["deploy"] = {"restart_policy": deploy}
    assert tr.restart_policy(service) == expected


def test_resources_limits_and_device_requests(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            mem_limit: 512m
            memswap_limit: 1g
            cpus: 0.5
            cpu_shares: 512
            cpuset: "0"
            pids_limit: 100
            mem_swappiness: 60
            gpus: all
            deploy:
              resources:
                limits: {{cpus: "0.5", memory: 512M, pids: 100}}
                reservations: {{memory: 64M, cpus: "0.1", devices: [{{capabilities: [gpu], count: 1, driver: nvidia}}]}}
              placement: {{constraints: ["node.role==manager"]}}
          b:
            image: {BUSYBOX}
            deploy:
              resources:
                limits: {{cpus: "0.25", memory: 64M}}
        """,
    )
    plan = args(spec, "a")
    host = plan.body["HostConfig"]
    assert (host["Memory"], host["MemorySwap"], host["NanoCpus"]) == (
        536870912,
        1073741824,
        500000000,
    )
    assert (host["CpuShares"], host["CpusetCpus"], host["PidsLimit"]) == (512, "0", 100)
    assert host["MemoryReservation"] == 67108864 and host["MemorySwappiness"] == 60
    assert host["DeviceRequests"] == [
        {"Capabilities": [["gpu"]], "Count": -1},
        {"Capabilities": [["gpu"]], "Driver": "nvidia", "Count": 1},
    ]
    assert plan.warnings == [
        'service "a": deploy.placement only applies to Docker Swarm; ignored',
        'service "a": deploy.resources.reservations.cpus only applies to Docker Swarm; ignored',
    ]
    other = args(spec, "b").body["HostConfig"]
    assert (other["Memory"], other["NanoCpus"]) == (67108864, 250000000)


def test_the_remaining_container_settings(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a:
            image: {BUSYBOX}
            user: "1000:1000"
            working_dir: /w
            hostname: h1
            domainname: example.com
            extra_hosts: ["somehost:162.242.195.82", "other=1.2.3.4"]
            dns: [8.8.8.8]
            dns_search: example.com
            dns_opt: [use-vc]
            cap_add: [net_admin, ALL]
            cap_drop: [CAP_MKNOD]
            privileged: true
            read_only: true
            init: true
            ulimits: {{nproc: 65535, nofile: {{soft: 20000, hard: 40000}}}}
            sysctls: {{net.core.somaxconn: 1024}}
            shm_size: 64m
            logging: {{driver: json-file, options: {{max-size: 10m}}}}
            stop_signal: SIGINT
            stop_grace_period: 1m30s
            devices: ["/dev/fuse:/dev/fuse:rwm", "/dev/null"]
            security_opt: [no-new-privileges:true, "seccomp:./profile.json", systempaths=unconfined]
            tty: true
            stdin_open: true
            group_add: [wheel]
            oom_score_adj: 100
        """,
    )
    files = tr.FileAccess(
        read_bytes=lambda path: b'{ "defaultAction": "SCMP_ACT_ALLOW" }', exists=lambda p: True
    )
    body = args(spec, "a", files=files).body
    host = body["HostConfig"]
    assert (body["User"], body["WorkingDir"], body["Hostname"], body["Domainname"]) == (
        "1000:1000",
        "/w",
        "h1",
        "example.com",
    )
    assert (body["StopSignal"], body["StopTimeout"], body["Tty"], body["OpenStdin"]) == (
        "SIGINT",
        90,
        True,
        True,
    )
    assert host["ExtraHosts"] == ["other:1.2.3.4", "somehost:162.242.195.82"]
    assert (host["Dns"], host["DnsSearch"], host["DnsOptions"]) == (
        ["8.8.8.8"],
        ["example.com"],
        ["use-vc"],
    )
    assert host["CapAdd"] == ["CAP_NET_ADMIN", "ALL"] and host["CapDrop"] == ["CAP_MKNOD"]
    assert host["Privileged"] and host["ReadonlyRootfs"] and host["Init"]
    assert host["Ulimits"] == [
        {"Name": "nofile", "Soft": 20000, "Hard": 40000},
        {"Name": "nproc", "Soft": 65535, "Hard": 65535},
    ]
    assert host["Sysctls"] == {"net.core.somaxconn": "1024"} and host["ShmSize"] == 67108864
    assert host["LogConfig"] == {"Type": "json-file", "Config": {"max-size": "10m"}}
    assert host["Devices"] == [
        {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/null", "PathInContainer": "/dev/null", "CgroupPermissions": "rwm"},
    ]
    assert host["SecurityOpt"] == [
        "no-new-privileges:true",
        'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}',
    ]
    assert host["MaskedPaths"] == [] and host["ReadonlyPaths"] == []
    assert (host["GroupAdd"], host["OomScoreAdj"]) == (["wheel"], 100)


def test_what_the_engine_cannot_do_is_never_silent() -> None:
    project = {
        "services": {
            "hooks": {
                "image": BUSYBOX,
                "post_start": [{"command": ["echo", "hi"]}],
                "annotations": {"a": "b"},
                "some_future_key": True,
            },
            "provided": {"provider": {"type": "model", "options": {}}},
        }
    }
    spec = ProjectSpec("tp", "/w", (), project)
    plan = args(spec, "hooks", api="1.41")
    assert plan.warnings == [  # (post_start: run by the orchestrator, no warning)
        'service "hooks": "some_future_key" is not supported by the docker runtime; ignored',
        'service "hooks": annotations needs Docker Engine API 1.43 or later (this engine: 1.41); ignored',
    ]
    assert "Annotations" not in plan.body["HostConfig"]
    assert args(spec, "hooks", api="1.43").body["HostConfig"]["Annotations"] == {"a": "b"}
    with pytest.raises(ComposerError, match="provider"):
        args(spec, "provided")


def test_every_service_key_of_the_schema_is_accounted_for() -> None:
    """A key the translation neither maps, hands to a handler, nor documents as
    belonging elsewhere would be dropped silently: none may exist."""
    schema = json.loads(SCHEMA.read_text())
    keys = set(schema["definitions"]["service"]["properties"])
    known = {f.key for f in tr.FIELDS} | set(tr.HANDLERS) | set(tr.NOT_CONTAINER)
    assert keys - known == set()


# ---------------------------------------------------------------- networks and volumes


def test_network_and_volume_create_arguments(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        f"""
        services:
          a: {{image: {BUSYBOX}, networks: [front], volumes: [data:/data]}}
        networks:
          front:
            driver: bridge
            driver_opts: {{com.docker.network.bridge.name: br-x}}
            internal: true
            attachable: true
            labels: [l=1]
            ipam:
              driver: default
              config: [{{subnet: 172.30.0.0/24, gateway: 172.30.0.1, ip_range: 172.30.0.0/25, aux_addresses: {{h: 172.30.0.5}}}}]
        volumes:
          data:
            driver_opts: {{type: tmpfs, device: tmpfs}}
            labels: {{v: "1"}}
        """,
    )
    network = tr.network_create_args(spec, "front")
    config = spec.project["networks"]["front"]
    assert network == {
        "name": "tp_front",
        "labels": {
            "l": "1",
            "com.docker.compose.network": "front",
            "com.docker.compose.project": "tp",
            "com.docker.compose.version": "2.40.3",
            "com.docker.compose.config-hash": lb.network_hash("front", config),
        },
        "check_duplicate": True,
        "driver": "bridge",
        "options": {"com.docker.network.bridge.name": "br-x"},
        "internal": True,
        "attachable": True,
        "ipam": {
            "Driver": "default",
            "Config": [
                {
                    "Subnet": "172.30.0.0/24",
                    "IPRange": "172.30.0.0/25",
                    "Gateway": "172.30.0.1",
                    "AuxiliaryAddresses": {"h": "172.30.0.5"},
                }
            ],
            "Options": None,
        },
    }
    volume = tr.volume_create_args(spec, "data")
    assert volume == {
        "name": "tp_data",
        "labels": {
            "v": "1",
            "com.docker.compose.volume": "data",
            "com.docker.compose.project": "tp",
            "com.docker.compose.version": "2.40.3",
            "com.docker.compose.config-hash": lb.volume_hash(
                "data", spec.project["volumes"]["data"]
            ),
        },
        "driver_opts": {"type": "tmpfs", "device": "tmpfs"},
    }


# ---------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("service", "exists", "request_", "age", "expected"),
    [
        ({"image": "x"}, True, images.ImageRequest(), 0, images.USE),
        ({"image": "x"}, False, images.ImageRequest(), 0, images.PULL),
        ({"image": "x", "pull_policy": "always"}, True, images.ImageRequest(), 0, images.PULL),
        ({"image": "x", "pull_policy": "never"}, True, images.ImageRequest(), 0, images.USE),
        ({"image": "x", "pull_policy": "daily"}, True, images.ImageRequest(), 3600, images.USE),
        ({"image": "x", "pull_policy": "daily"}, True, images.ImageRequest(), 90000, images.PULL),
        ({"image": "x", "pull_policy": "every_2h"}, True, images.ImageRequest(), 7300, images.PULL),
        ({"image": "x"}, True, images.ImageRequest(pull="always"), 0, images.PULL),
        ({"build": {"context": "."}}, False, images.ImageRequest(), 0, images.BUILD),
        ({"build": {"context": "."}}, True, images.ImageRequest(), 0, images.USE),
        ({"build": {"context": "."}}, True, images.ImageRequest(build=True), 0, images.BUILD),
        (
            {"build": {"context": "."}, "pull_policy": "build"},
            True,
            images.ImageRequest(),
            0,
            images.BUILD,
        ),
        (
            {"image": "x", "build": {}, "pull_policy": "always"},
            True,
            images.ImageRequest(),
            0,
            images.PULL_THEN_BUILD,
        ),
    ],
)
def test_image_actions(
    service: dict[str, Any], exists: bool, request_: images.ImageRequest, age: float, expected: str
) -> None:
    now = 1_000_000.0
    action = images.image_action(
        "svc", service, exists=exists, tagged_at=now - age, request=request_, now=now
    )
    assert action == expected


def test_missing_images_that_may_not_be_fetched_are_errors() -> None:
    with pytest.raises(
        ComposerError, match='service "svc": image "x" not found locally and pull_policy is "never"'
    ):
        images.image_action("svc", {"image": "x", "pull_policy": "never"}, exists=False)
    with pytest.raises(ComposerError, match="--no-build"):
        images.image_action(
            "svc",
            {"build": {"context": "."}},
            exists=False,
            request=images.ImageRequest(build=False),
        )


def test_pull_choices_skip_as_the_reference_skips() -> None:
    """One pull per image (the first service by name), nothing for build-only
    services and `never`/`build` policies, a pinned tag already here kept under
    `missing` (a `latest` is pulled again), buildable ones left with
    --ignore-buildable; `--policy` stands for every service's pull_policy."""
    services: dict[str, dict[str, Any]] = {
        "built": {"build": {"context": "."}},
        "never": {"image": "x:1", "pull_policy": "never"},
        "pinned": {"image": "x:1", "pull_policy": "missing"},
        "latest": {"image": "x:latest", "pull_policy": "missing"},
        "both": {"image": "y:2", "build": {"context": "."}},
        "twin": {"image": "y:2"},
        "digest": {"image": "x@sha256:" + "0" * 64, "pull_policy": "if_not_present"},
    }
    here = {"x:1", "x:latest", "x@sha256:" + "0" * 64}.__contains__
    choices = images.pull_choices(
        services, services, policy=None, ignore_buildable=False, present=here
    )
    assert choices == [
        ("both", None),
        ("built", images.NO_IMAGE),
        ("digest", None),
        ("latest", None),
        ("never", images.SKIPPED),
        ("pinned", images.PRESENT),
        ("twin", "Skipped - Image is already being pulled by both"),
    ]
    buildable = images.pull_choices(
        services, ["both", "twin"], policy=None, ignore_buildable=True, present=here
    )
    assert buildable == [("both", images.BUILDABLE), ("twin", None)]
    forced = images.pull_choices(
        services, ["never", "pinned"], policy="always", ignore_buildable=False, present=here
    )
    assert forced == [
        ("never", None),
        ("pinned", "Skipped - Image is already being pulled by never"),
    ]


def test_build_arguments_and_classic_builder_warnings() -> None:
    build = {
        "context": "/src",
        "dockerfile": "Dockerfile.dev",
        "args": {"A": "1", "UNSET": None},
        "target": "final",
        "labels": {"x": "y"},
        "network": "host",
        "ssh": ["default"],
        "platforms": ["linux/amd64", "linux/arm64"],
    }
    built = images.build_args("proj", "web", build, "proj-web", None)
    assert built == {
        "path": "/src",
        "tag": "proj-web",
        "rm": True,
        "forcerm": True,
        "decode": True,
        "labels": {
            "x": "y",
            "com.docker.compose.project": "proj",
            "com.docker.compose.service": "web",
            "com.docker.compose.version": "2.40.3",
            "com.docker.compose.image.builder": "classic",
        },
        "dockerfile": "Dockerfile.dev",
        "buildargs": {"A": "1"},
        "target": "final",
        "network_mode": "host",
    }
    assert images.build_warnings("web", build) == [
        'service "web": build.ssh is ignored: SSH agent forwarding needs BuildKit',
        'service "web": build.platforms lists several platforms; the classic builder builds one (the service\'s platform)',
    ]


# ---------------------------------------------------------------- reading the engine back


def test_state_from_an_inspected_container() -> None:
    info = {
        "Id": "f" * 64,
        "RestartCount": 2,
        "Config": {
            "Labels": {
                lb.PROJECT: "tp",
                lb.SERVICE: "web",
                lb.NUMBER: "2",
                lb.ONEOFF: "False",
                lb.CONFIG_HASH: "abc",
            }
        },
        "State": {
            "Status": "running",
            "Pid": 42,
            "ExitCode": 0,
            "StartedAt": "2024-05-01T10:00:00.123456789Z",
            "Health": {"Status": "healthy"},
        },
        "NetworkSettings": {
            "Ports": {
                "8080/tcp": [
                    {"HostIp": "0.0.0.0", "HostPort": "18080"},
                    {"HostIp": "::", "HostPort": "18080"},
                ],
                "1234/tcp": None,
            }
        },
        "Mounts": [
            {"Type": "volume", "Name": "a" * 64, "Destination": "/anon"},
            {"Type": "volume", "Name": "tp_data", "Destination": "/data"},
        ],
    }
    state = states.state_from_inspect(info)
    assert state is not None
    assert state.ref == InstanceRef("tp", "web", 2)
    assert (state.status, state.health, state.exit_code, state.pid) == (
        "running",
        "healthy",
        None,
        42,
    )
    assert state.config_hash == "abc" and state.restart_count == 2
    assert state.started_at == pytest.approx(1714557600.123456)
    assert [(p.url, p.target_port, p.published_port) for p in state.publishers] == [
        ("", 1234, 0),
        ("0.0.0.0", 8080, 18080),
        ("::", 8080, 18080),
    ]
    assert states.anonymous_volumes(info) == {"/anon": "a" * 64}
    assert states.parse_time("0001-01-01T00:00:00Z") is None


def test_changed_fields_name_what_differs() -> None:
    old = json.dumps(
        {"image": "a", "environment": {"A": "1", "B": "2"}, "ports": [{"published": "80"}]}
    )
    new = json.dumps(
        {
            "image": "a",
            "environment": {"A": "1", "B": "3", "C": "4"},
            "ports": [{"published": "81"}],
        }
    )
    fields = changes.changed_fields(old, new)
    assert fields == ["environment.B", "environment.C", "ports[0].published"]
    assert changes.describe(fields) == "environment.B, environment.C, ports[0].published changed"
    assert changes.changed_fields(None, new) is None
    assert changes.describe(None) == "configuration changed (config hash differs)"


def test_ps_formatting_helpers() -> None:
    ports = [
        {"IP": "0.0.0.0", "PrivatePort": 8080, "PublicPort": 18080, "Type": "tcp"},
        {"IP": "::", "PrivatePort": 8080, "PublicPort": 18080, "Type": "tcp"},
        {"IP": "127.0.0.1", "PrivatePort": 9000, "PublicPort": 9000, "Type": "udp"},
        {"IP": "127.0.0.1", "PrivatePort": 9001, "PublicPort": 9001, "Type": "udp"},
        {"PrivatePort": 1234, "Type": "tcp"},
    ]
    assert ps.displayable_ports(ports) == (
        "1234/tcp, 127.0.0.1:9000-9001->9000-9001/udp, 0.0.0.0:18080->8080/tcp, [::]:18080->8080/tcp"
    )
    assert (
        ps.go_json({"Ports": "a->b", "x": "<&>"})
        == '{"Ports":"a-\\u003eb","x":"\\u003c\\u0026\\u003e"}'
    )


def test_an_unreachable_engine_is_one_error_naming_the_address(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path}/nothing.sock", "HOME": str(tmp_path)}
    with pytest.raises(EngineUnreachable) as caught:
        connect(env)
    assert caught.value.message == (
        f"cannot connect to the Docker engine at unix://{tmp_path}/nothing.sock: the socket does not exist"
    )
    assert engine_available(0.5, env) is False
    refused = {"DOCKER_HOST": "tcp://127.0.0.1:9", "HOME": str(tmp_path)}
    with pytest.raises(EngineUnreachable, match="at tcp://127.0.0.1:9: connection refused"):
        connect(refused)


def test_service_references_resolve_as_the_reference_hashes_them() -> None:
    """network_mode/ipc/pid `service:x` -> `container:<id>`; volumes_from `x[:mode]`
    -> `<id>` and `container:c[:mode]` -> `c`; unknown services stay as written."""
    from composer.runtimes.docker.references import referenced_services, resolve_references

    service = {
        "network_mode": "service:api",
        "ipc": "service:api",
        "pid": "host",
        "volumes_from": ["api:ro", "container:legacy:rw", "store"],
    }
    assert referenced_services(service) == ["api", "store"]
    resolved = resolve_references(service, {"api": "abc123"})
    assert resolved == {
        "network_mode": "container:abc123",
        "ipc": "container:abc123",
        "pid": "host",
        "volumes_from": ["abc123", "legacy", "store"],
    }
    assert service["volumes_from"] == ["api:ro", "container:legacy:rw", "store"]  # a copy
