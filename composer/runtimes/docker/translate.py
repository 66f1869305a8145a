"""One service instance as Docker Engine API arguments: a pure translation.

`container_create_args(spec, service, ref)` returns the body of `POST
/containers/create` (the Config fields, `HostConfig` and `NetworkingConfig`, with the
engine's field names), which the backend hands to the SDK's
`APIClient.create_container_from_config`, plus what must happen between create and
start (networks to connect on engines older than API 1.44, files to copy in for
secrets and configs given by `environment:` or `content:`).

The mapping follows Docker Compose v2.40.3 (pkg/compose/create.go) so a container
made here inspects like one the reference made. Simple one-to-one keys are rows of
the FIELDS table; keys that need work have a handler in HANDLERS; keys that do not
concern the container are listed in NOT_CONTAINER with the reason. A key in none of
them, or a feature this engine's API version cannot honour, yields a warning in
`ContainerPlan.warnings` or a ComposerError: nothing is dropped silently.

Nothing here talks to the engine. The only host access is reading a seccomp
profile and checking that a secret file exists, both through `FileAccess`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from composer.orchestrator.oneoff import REMOVE_ON_EXIT, USE_ALIASES
from composer.record import NamedTuple
from composer.runtimes.base import InstanceRef, ProjectSpec
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.context import (
    CONFIG,
    DEFAULT_API_VERSION,
    HOST,
    HOST_FILES,
    ContainerPlan,
    FileAccess,
    InjectedFile,
    TranslateError,
    Translation,
    capabilities,
    duration_ns,
    nano_cpus,
    seconds,
    str_map,
    strings,
    to_bool,
    to_bytes,
    to_int,
    to_str,
    version_tuple,
)
from composer.runtimes.docker.endpoints import (
    expose,
    ipc,
    networking,
    pid,
    ports,
)
from composer.runtimes.docker.mounts import configs, secrets, tmpfs, volumes, volumes_from
from composer.runtimes.docker.settings import (
    blkio,
    command,
    deploy,
    devices,
    entrypoint,
    environment_list,
    extra_hosts,
    gpus,
    healthcheck,
    logging_config,
    restart,
    restart_policy,
    security_opt,
    ulimits,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DEFAULT_API_VERSION",
    "FIELDS",
    "HANDLERS",
    "NOT_CONTAINER",
    "ContainerPlan",
    "FileAccess",
    "InjectedFile",
    "TranslateError",
    "container_create_args",
    "duration_ns",
    "network_create_args",
    "restart_policy",
    "to_bytes",
    "volume_create_args",
]


# ---------------------------------------------------------------- simple fields


class Field(NamedTuple):
    """A service key copied to one engine field through a converter."""

    key: str
    where: str
    api_field: str
    convert: Callable[[Any], Any] = to_str
    min_api: str = ""


FIELDS: tuple[Field, ...] = (
    Field("hostname", CONFIG, "Hostname"),
    Field("domainname", CONFIG, "Domainname"),
    Field("user", CONFIG, "User"),
    Field("working_dir", CONFIG, "WorkingDir"),
    Field("tty", CONFIG, "Tty", to_bool),
    Field("stdin_open", CONFIG, "OpenStdin", to_bool),
    Field("stop_signal", CONFIG, "StopSignal"),
    Field("stop_grace_period", CONFIG, "StopTimeout", seconds),
    Field("cap_add", HOST, "CapAdd", capabilities),
    Field("cap_drop", HOST, "CapDrop", capabilities),
    Field("init", HOST, "Init", to_bool),
    Field("cgroup", HOST, "CgroupnsMode"),
    Field("read_only", HOST, "ReadonlyRootfs", to_bool),
    Field("privileged", HOST, "Privileged", to_bool),
    Field("shm_size", HOST, "ShmSize", to_bytes),
    Field("sysctls", HOST, "Sysctls", str_map),
    Field("dns", HOST, "Dns", strings),
    Field("dns_search", HOST, "DnsSearch", strings),
    Field("dns_opt", HOST, "DnsOptions", strings),
    Field("storage_opt", HOST, "StorageOpt", str_map),
    Field("userns_mode", HOST, "UsernsMode"),
    Field("uts", HOST, "UTSMode"),
    Field("isolation", HOST, "Isolation"),
    Field("runtime", HOST, "Runtime"),
    Field("group_add", HOST, "GroupAdd", strings),
    Field("oom_score_adj", HOST, "OomScoreAdj", to_int),
    Field("annotations", HOST, "Annotations", str_map, min_api="1.43"),
    Field("cgroup_parent", HOST, "CgroupParent"),
    Field("mem_limit", HOST, "Memory", to_bytes),
    Field("memswap_limit", HOST, "MemorySwap", to_bytes),
    Field("mem_reservation", HOST, "MemoryReservation", to_bytes),
    Field("mem_swappiness", HOST, "MemorySwappiness", to_int),
    Field("oom_kill_disable", HOST, "OomKillDisable", to_bool),
    Field("cpu_count", HOST, "CpuCount", to_int),
    Field("cpu_percent", HOST, "CpuPercent", lambda v: int(float(v) * 100)),
    Field("cpu_period", HOST, "CpuPeriod", to_int),
    Field("cpu_quota", HOST, "CpuQuota", to_int),
    Field("cpu_rt_period", HOST, "CpuRealtimePeriod", to_int),
    Field("cpu_rt_runtime", HOST, "CpuRealtimeRuntime", to_int),
    Field("cpu_shares", HOST, "CpuShares", to_int),
    Field("cpus", HOST, "NanoCpus", nano_cpus),
    Field("cpuset", HOST, "CpusetCpus"),
    Field("device_cgroup_rules", HOST, "DeviceCgroupRules", strings),
    Field("pids_limit", HOST, "PidsLimit", to_int),
    Field("volume_driver", HOST, "VolumeDriver"),
)
_FIELD_KEYS = {f.key for f in FIELDS}


def _apply_field(ctx: Translation, spec: Field, value: Any) -> None:
    if value is None or value == "" or value == [] or value == {}:
        return
    if spec.key == "mem_swappiness" and to_int(value) == 0:
        return  # the reference only sets it when non-zero
    if spec.key == "pids_limit" and to_int(value) == 0:
        return
    if spec.min_api and not ctx.require(spec.min_api, spec.key, spec.key, fatal=False):
        return
    ctx.section(spec.where)[spec.api_field] = spec.convert(value)


# ---------------------------------------------------------------- handlers


def _warn_unsupported(message: str) -> Callable[[Translation, Any], None]:
    def handler(ctx: Translation, value: Any) -> None:
        if value not in (None, "", [], {}, False):
            ctx.warn(message)

    return handler


def _refuse(message: str, hint: str) -> Callable[[Translation, Any], None]:
    def handler(ctx: Translation, value: Any) -> None:
        if value not in (None, "", [], {}, False):
            raise ctx.fail(message, "provider", hint=hint)

    return handler


def _ignore(ctx: Translation, value: Any) -> None:
    """Handled elsewhere (image, labels, networks: assembled after the walk)."""


HANDLERS: dict[str, Callable[[Translation, Any], None]] = {
    "command": command,
    "entrypoint": entrypoint,
    "ports": ports,
    "expose": expose,
    "volumes": volumes,
    "tmpfs": tmpfs,
    "secrets": secrets,
    "configs": configs,
    "healthcheck": healthcheck,
    "restart": restart,
    "deploy": _ignore,  # applied after the plain fields
    "gpus": gpus,
    "devices": devices,
    "ulimits": ulimits,
    "logging": logging_config,
    "extra_hosts": extra_hosts,
    "security_opt": security_opt,
    "blkio_config": blkio,
    "ipc": ipc,
    "pid": pid,
    "volumes_from": volumes_from,
    # assembled after the walk from several keys:
    "image": _ignore,
    "environment": _ignore,
    "labels": _ignore,
    "networks": _ignore,
    "network_mode": _ignore,
    "mac_address": _ignore,
    "links": _ignore,
    "external_links": _ignore,
    "platform": _ignore,
    # what the engine cannot do here: a warning or an error, never silence
    "models": _warn_unsupported("models are not supported by the docker runtime; ignored"),
    "use_api_socket": _warn_unsupported(
        "use_api_socket is not supported by the docker runtime; the engine socket is not mounted"
    ),
    "credential_spec": _warn_unsupported(
        "credential_spec only applies to Windows containers; ignored"
    ),
    "provider": _refuse(
        "services with a `provider` are not supported by the docker runtime",
        "run this project with docker compose, or remove the provider service",
    ),
}

# Keys that do not describe the container itself, with where they are honoured.
NOT_CONTAINER: dict[str, str] = {
    "build": "the image is built before the container is created",
    "pull_policy": "decides how the image is obtained before create",
    "depends_on": "start order and conditions (the orchestrator); stored in a label",
    "profiles": "service selection (the loader)",
    "scale": "number of instances (the orchestrator)",
    "extends": "resolved by the loader",
    "env_file": "merged into environment by the loader",
    "label_file": "merged into labels by the loader",
    "container_name": "the container's name",
    "attach": "which logs an attached `up` shows (the CLI)",
    "develop": "`watch` only",
    "pull_refresh_after": "decides when the image is pulled again",
    "post_start": "run in the container through exec after it started (orchestrator/hooks.py)",
    "pre_stop": "run in the container through exec before it stops (orchestrator/hooks.py)",
}


# ---------------------------------------------------------------- entry point


def container_create_args(
    spec: ProjectSpec,
    service_name: str,
    ref: InstanceRef,
    *,
    image_id: str | None = None,
    api_version: str = DEFAULT_API_VERSION,
    linked: Mapping[str, Sequence[str]] | None = None,
    proxy_env: Mapping[str, str] | None = None,
    use_aliases: bool | None = None,
    environment_files: tuple[str, ...] = (),
    files: FileAccess = HOST_FILES,
    shared: Mapping[str, str] | None = None,
) -> ContainerPlan:
    """The create arguments of instance `ref` of `service_name`.

    `image_id` is the id of the image the container runs (label
    com.docker.compose.image); `linked` the container names of each service named in
    `links:`; `proxy_env` the Docker client's proxy variables; `use_aliases` whether
    the service name and its aliases resolve to this container (default: not for
    one-offs unless `run --use-aliases`, as `docker compose run`); `shared` the id of the first container of
    each service this one shares namespaces or volumes with (references.py)."""
    from composer.hashing import hashed_json, sha256_hex
    from composer.runtimes.docker.references import resolve_references

    service = spec.service(service_name)
    ctx = Translation(
        spec=spec,
        name=service_name,
        service=service,
        ref=ref,
        api=version_tuple(api_version),
        files=files,
        linked=linked or {},
        use_aliases=(
            (not ref.oneoff or bool(service.get(USE_ALIASES)))
            if use_aliases is None
            else use_aliases
        ),
        shared=shared,
    )
    for key, value in service.items():
        if key.startswith("x-") or key == "deploy":
            continue
        handler = HANDLERS.get(key)
        if handler is not None:
            handler(ctx, value)
        elif key not in _FIELD_KEYS and key not in NOT_CONTAINER:
            ctx.warn(f'"{key}" is not supported by the docker runtime; ignored')
    for row in FIELDS:
        if row.key in service:
            _apply_field(ctx, row, service[row.key])
    # deploy.resources refine the plain limits, as the reference's setLimits does
    deploy(ctx, service.get("deploy"))
    networking(ctx)

    hashed = resolve_references(service, shared) if shared else dict(service)
    config_json = hashed_json(service_name, hashed)
    config_hash = sha256_hex(config_json)
    image = lb.image_of(spec, service_name)
    labels = lb.container_labels(
        spec,
        ref,
        service,
        config_hash=config_hash,
        image_id=image_id,
        config_json=config_json,
        environment_files=environment_files,
    )
    body: dict[str, Any] = {
        **ctx.config,
        "Image": image,
        "AttachStdout": True,
        "AttachStderr": True,
        "Labels": labels,
        "Env": environment_list(service.get("environment"), proxy_env),
    }
    host = dict(ctx.host)
    if ctx.binds:
        host["Binds"] = list(ctx.binds)
    if ctx.mounts:
        host["Mounts"] = [ctx.mounts[target] for target in sorted(ctx.mounts)]
    host.setdefault("ExtraHosts", [])
    host.setdefault("PortBindings", {})
    if ref.oneoff and service.get(REMOVE_ON_EXIT):  # `run -d --rm`
        host["AutoRemove"] = True
    if ref.oneoff and service.get("stdin_open"):  # `run -i`: attached, stdin closed at EOF
        body["AttachStdin"] = True
        body["StdinOnce"] = True
    body["HostConfig"] = host
    if ctx.endpoints:
        body["NetworkingConfig"] = {"EndpointsConfig": ctx.endpoints}
    platform = service.get("platform") or spec.environment.get("DOCKER_DEFAULT_PLATFORM")
    return ContainerPlan(
        name=lb.container_name(spec, ref),
        image=image,
        body=body,
        connect=ctx.connect,
        files=ctx.injected,
        platform=str(platform) if platform else None,
        config_hash=config_hash,
        warnings=ctx.warnings,
    )


# ---------------------------------------------------------------- networks and volumes


def network_create_args(
    spec: ProjectSpec, key: str, api_version: str = DEFAULT_API_VERSION
) -> dict[str, Any]:
    """Keyword arguments of the SDK's `APIClient.create_network` for network `key`."""
    config: Mapping[str, Any] = (spec.project.get("networks") or {}).get(key) or {}
    api = version_tuple(api_version)
    args: dict[str, Any] = {
        "name": lb.network_name(spec, key),
        "labels": lb.network_labels(spec, key, config),
        "check_duplicate": True,
    }
    if config.get("driver"):
        args["driver"] = str(config["driver"])
    if config.get("driver_opts"):
        args["options"] = str_map(config["driver_opts"])
    for option in ("internal", "attachable"):
        if config.get(option):
            args[option] = True
    if config.get("enable_ipv6"):
        args["enable_ipv6"] = True
    if config.get("enable_ipv4") is False and api < version_tuple("1.47"):
        raise TranslateError(
            f'network "{key}": enable_ipv4: false needs Docker Engine API 1.47 or later',
            code="docker-unsupported",
            path=("networks", key, "enable_ipv4"),
        )
    ipam = config.get("ipam") or {}
    if ipam.get("driver") or ipam.get("config"):
        pools = []
        for pool in ipam.get("config") or []:
            entry: dict[str, Any] = {}
            for src, dst in (("subnet", "Subnet"), ("ip_range", "IPRange"), ("gateway", "Gateway")):
                if pool.get(src):
                    entry[dst] = str(pool[src])
            if pool.get("aux_addresses"):
                entry["AuxiliaryAddresses"] = str_map(pool["aux_addresses"])
            pools.append(entry)
        args["ipam"] = {
            "Driver": str(ipam.get("driver") or "default"),
            "Config": pools,
            "Options": str_map(ipam.get("options")) or None,
        }
    return args


def volume_create_args(spec: ProjectSpec, key: str) -> dict[str, Any]:
    """Keyword arguments of the SDK's `APIClient.create_volume` for volume `key`."""
    config: Mapping[str, Any] = (spec.project.get("volumes") or {}).get(key) or {}
    args: dict[str, Any] = {
        "name": lb.volume_name(spec, key),
        "labels": lb.volume_labels(spec, key, config),
    }
    if config.get("driver"):
        args["driver"] = str(config["driver"])
    if config.get("driver_opts"):
        args["driver_opts"] = str_map(config["driver_opts"])
    return args
