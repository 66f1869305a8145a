"""Process and resource settings of a service: command, environment, healthcheck,
restart policy, resources and devices, ulimits, logging, hosts, security options.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from composer.runtimes.docker.context import (
    Translation,
    duration_ns,
    nano_cpus,
    str_map,
    strings,
    to_bytes,
    to_int,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def command(ctx: Translation, value: Any) -> None:
    if value is not None:
        ctx.config["Cmd"] = strings(value)


def entrypoint(ctx: Translation, value: Any) -> None:
    if value is not None:
        ctx.config["Entrypoint"] = strings(value)


def environment_list(
    environment: Mapping[str, Any] | None, proxy: Mapping[str, str] | None = None
) -> list[str]:
    """`KEY=VALUE` entries (a bare `KEY` for a variable without value), sorted;
    the Docker client's proxy settings first, overridden by the service."""
    merged: dict[str, Any] = dict(proxy or {})
    merged.update(environment or {})
    return [key if value is None else f"{key}={value}" for key, value in sorted(merged.items())]


def healthcheck_config(ctx: Translation, check: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The reference's ToMobyHealthCheck: durations in nanoseconds, `disable` as NONE."""
    if check is None:
        return None
    result: dict[str, Any] = {}
    test = ["NONE"] if check.get("disable") else check.get("test")
    if test:
        result["Test"] = strings(test)
    for key, api_field in (
        ("interval", "Interval"),
        ("timeout", "Timeout"),
        ("start_period", "StartPeriod"),
    ):
        if check.get(key) not in (None, ""):
            result[api_field] = duration_ns(check[key])
    if check.get("start_interval") not in (None, ""):
        ctx.require("1.44", "healthcheck.start_interval", "healthcheck.start_interval", fatal=True)
        if check.get("start_period") in (None, ""):
            raise ctx.fail(
                "healthcheck.start_interval requires healthcheck.start_period to be set",
                "healthcheck.start_interval",
            )
        result["StartInterval"] = duration_ns(check["start_interval"])
    if check.get("retries") not in (None, ""):
        result["Retries"] = to_int(check["retries"])
    return result


def healthcheck(ctx: Translation, value: Any) -> None:
    config = healthcheck_config(ctx, value)
    if config is not None:
        ctx.config["Healthcheck"] = config


RESTART_CONDITIONS = {
    "none": "no",
    "no": "no",
    "on-failure": "on-failure",
    "unless-stopped": "unless-stopped",
    "any": "always",
    "always": "always",
}


def restart_policy(service: Mapping[str, Any]) -> dict[str, Any] | None:
    """`restart:` (or deploy.restart_policy, which wins) as an engine RestartPolicy."""
    policy: dict[str, Any] | None = None
    restart = service.get("restart")
    if restart:
        name, _, attempts = str(restart).partition(":")
        policy = {
            "Name": RESTART_CONDITIONS.get(name, name),
            "MaximumRetryCount": int(attempts) if attempts.isdigit() else 0,
        }
    deploy_policy = (service.get("deploy") or {}).get("restart_policy")
    if deploy_policy is not None:
        condition = str(deploy_policy.get("condition") or "")
        policy = {
            "Name": RESTART_CONDITIONS.get(condition, condition),
            "MaximumRetryCount": to_int(deploy_policy.get("max_attempts") or 0),
        }
    return policy


def restart(ctx: Translation, value: Any) -> None:
    policy = restart_policy(ctx.service)
    if policy is not None:
        ctx.host["RestartPolicy"] = policy


def _device_request(
    device: Mapping[str, Any], extra_capability: str | None = None
) -> dict[str, Any]:
    capabilities = strings(device.get("capabilities"))
    if extra_capability:
        capabilities = [*capabilities, extra_capability]
    request: dict[str, Any] = {"Capabilities": [capabilities]}
    if device.get("driver"):
        request["Driver"] = str(device["driver"])
    if device.get("count") not in (None, ""):
        request["Count"] = to_int(device["count"])
    if device.get("device_ids"):
        request["DeviceIDs"] = strings(device["device_ids"])
    if device.get("options"):
        request["Options"] = str_map(device["options"])
    return request


# Settings of `deploy:` that only Swarm acts on: warned about when set.
SWARM_ONLY_DEPLOY = (
    "mode",
    "placement",
    "update_config",
    "rollback_config",
    "endpoint_mode",
    "labels",
)


def deploy(ctx: Translation, value: Any) -> None:
    deploy = value or {}
    for key in SWARM_ONLY_DEPLOY:
        setting = deploy.get(key)
        if setting in (None, "", {}, []) or (key == "mode" and setting == "replicated"):
            continue
        ctx.warn(f"deploy.{key} only applies to Docker Swarm; ignored")
    resources = deploy.get("resources") or {}
    limits = resources.get("limits") or {}
    if limits.get("memory") not in (None, "", 0, "0"):
        ctx.host["Memory"] = to_bytes(limits["memory"])
    if limits.get("cpus") not in (None, "", 0):
        ctx.host["NanoCpus"] = nano_cpus(limits["cpus"])
    if limits.get("pids") not in (None, "", 0) and to_int(limits["pids"]) > 0:
        ctx.host["PidsLimit"] = to_int(limits["pids"])
    reservations = resources.get("reservations") or {}
    if reservations.get("memory") not in (None, "", 0, "0"):
        ctx.host["MemoryReservation"] = to_bytes(reservations["memory"])
    if reservations.get("cpus") not in (None, "", 0):
        ctx.warn("deploy.resources.reservations.cpus only applies to Docker Swarm; ignored")
    if reservations.get("generic_resources"):
        ctx.warn(
            "deploy.resources.reservations.generic_resources only applies to Docker Swarm; ignored"
        )
    for device in reservations.get("devices") or []:
        ctx.host.setdefault("DeviceRequests", []).append(_device_request(device))
    if limits.get("devices"):
        ctx.warn("deploy.resources.limits.devices is not supported; use reservations.devices")


def gpus(ctx: Translation, value: Any) -> None:
    for gpu in value or []:
        ctx.host.setdefault("DeviceRequests", []).append(_device_request(gpu, "gpu"))


def _is_cdi_name(name: str) -> bool:
    vendor_class, sep, device = name.partition("=")
    return bool(sep and device and "/" in vendor_class and "." in vendor_class.split("/")[0])


def devices(ctx: Translation, value: Any) -> None:
    cdi: list[str] = []
    for device in value or []:
        source = str(device.get("source") or "")
        target = str(device.get("target") or source)
        if source == target and _is_cdi_name(source):
            cdi.append(source)
            continue
        ctx.host.setdefault("Devices", []).append(
            {
                "PathOnHost": source,
                "PathInContainer": target,
                "CgroupPermissions": str(device.get("permissions") or "rwm"),
            }
        )
    if cdi and ctx.require("1.45", "CDI devices", "devices", fatal=True):
        ctx.host.setdefault("DeviceRequests", []).append({"Driver": "cdi", "DeviceIDs": cdi})


def ulimits(ctx: Translation, value: Any) -> None:
    limits = []
    for name, limit in sorted((value or {}).items()):
        if isinstance(limit, Mapping):
            soft, hard = to_int(limit.get("soft") or 0), to_int(limit.get("hard") or 0)
        else:
            soft = hard = to_int(limit)
        limits.append({"Name": name, "Soft": soft, "Hard": hard})
    if limits:
        ctx.host["Ulimits"] = limits


def logging_config(ctx: Translation, value: Any) -> None:
    if value:
        ctx.host["LogConfig"] = {
            "Type": str(value.get("driver") or ""),
            "Config": str_map(value.get("options")),
        }


def extra_hosts(ctx: Translation, value: Any) -> None:
    """Canonical `host=ip` entries as the engine's `host:ip`."""
    entries = (
        [f"{k}={v}" for k, v in value.items()] if isinstance(value, Mapping) else strings(value)
    )
    hosts = []
    for entry in entries:
        name, sep, address = entry.partition("=")
        if not sep:
            name, _, address = entry.partition(":")
        hosts.append(f"{name}:{address}")
    ctx.host["ExtraHosts"] = hosts


def security_opt(ctx: Translation, value: Any) -> None:
    """The reference's parseSecurityOpts: seccomp profiles are read and inlined,
    `systempaths=unconfined` unmasks /proc and /sys."""
    import json

    parsed: list[str] = []
    for opt in strings(value):
        if opt == "systempaths=unconfined":
            ctx.host["MaskedPaths"] = []
            ctx.host["ReadonlyPaths"] = []
            continue
        key, sep, val = opt.partition("=")
        if not sep and key != "no-new-privileges":
            key, sep, val = opt.partition(":")
            if not sep:
                raise ctx.fail(f'Invalid security-opt: "{opt}"', "security_opt")
        if key == "seccomp" and val not in ("unconfined", "builtin"):
            path = val if os.path.isabs(val) else os.path.join(ctx.spec.working_dir, val)
            try:
                profile = json.loads(ctx.files.read_bytes(path))
            except (OSError, ValueError) as exc:
                raise ctx.fail(
                    f"opening seccomp profile ({val}) failed: {exc}", "security_opt"
                ) from None
            parsed.append("seccomp=" + json.dumps(profile, separators=(",", ":")))
        else:
            parsed.append(opt)
    if parsed:
        ctx.host["SecurityOpt"] = parsed


def blkio(ctx: Translation, value: Any) -> None:
    blkio = value or {}
    if blkio.get("weight"):
        ctx.host["BlkioWeight"] = to_int(blkio["weight"])

    def entry(item: Mapping[str, Any], amount: str) -> dict[str, Any]:
        path = item.get("path", item.get("Path"))
        number = item.get(amount.lower(), item.get(amount))
        return {"Path": str(path), amount: to_bytes(number) if amount == "Rate" else to_int(number)}

    for key, api_field, amount in (
        ("weight_device", "BlkioWeightDevice", "Weight"),
        ("device_read_bps", "BlkioDeviceReadBps", "Rate"),
        ("device_read_iops", "BlkioDeviceReadIOps", "Rate"),
        ("device_write_bps", "BlkioDeviceWriteBps", "Rate"),
        ("device_write_iops", "BlkioDeviceWriteIOps", "Rate"),
    ):
        items = blkio.get(key) or []
        if items:
            ctx.host[api_field] = [entry(item, amount) for item in items]
