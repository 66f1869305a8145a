"""Ports and networking of a service: published ports, NetworkMode, endpoints with
aliases and static addresses, legacy links, and `service:x` references (which
name the other service's first container).
"""

from __future__ import annotations

from collections.abc import Mapping

from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.context import Translation, str_map, strings, to_int

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def ports(ctx: Translation, value: Any) -> None:
    exposed: dict[str, dict[str, Any]] = ctx.config.setdefault("ExposedPorts", {})
    bindings: dict[str, list[dict[str, str]]] = ctx.host.setdefault("PortBindings", {})
    for port in value or []:
        key = f"{port['target']}/{port.get('protocol') or 'tcp'}"
        exposed[key] = {}
        bindings.setdefault(key, []).append(
            {"HostIp": str(port.get("host_ip") or ""), "HostPort": str(port.get("published") or "")}
        )


def expose(ctx: Translation, value: Any) -> None:
    # passed as written (`1234`, `5000-5001/udp`), like the reference
    exposed: dict[str, dict[str, Any]] = ctx.config.setdefault("ExposedPorts", {})
    for spec in value or []:
        exposed[str(spec)] = {}


def networks_by_priority(networks: Mapping[str, Any] | None) -> list[str]:
    """compose-go's NetworksByPriority: highest priority first, then by name."""
    items = [
        (-int((cfg or {}).get("priority") or 0), name) for name, cfg in (networks or {}).items()
    ]
    return [name for _, name in sorted(items)]


def _endpoint(ctx: Translation, key: str, links: list[str]) -> dict[str, Any]:
    config = (ctx.service.get("networks") or {}).get(key)
    container = lb.container_name(ctx.spec, ctx.ref)
    aliases = [container]
    if ctx.use_aliases:
        aliases.append(ctx.name)
        aliases.extend(strings((config or {}).get("aliases")))
    endpoint: dict[str, Any] = {"Aliases": aliases}
    if links:
        endpoint["Links"] = list(links)
    if config is not None:
        ipam: dict[str, Any] = {}
        if config.get("ipv4_address"):
            ipam["IPv4Address"] = str(config["ipv4_address"])
            endpoint["IPAddress"] = str(config["ipv4_address"])
        if config.get("ipv6_address"):
            ipam["IPv6Address"] = str(config["ipv6_address"])
        if config.get("link_local_ips"):
            ipam["LinkLocalIPs"] = strings(config["link_local_ips"])
        endpoint["IPAMConfig"] = ipam
        if config.get("mac_address") and ctx.supports("1.44"):
            endpoint["MacAddress"] = str(config["mac_address"])
        if config.get("driver_opts"):
            endpoint["DriverOpts"] = str_map(config["driver_opts"])
        if config.get("gw_priority"):
            if ctx.require("1.48", "networks.*.gw_priority", f"networks.{key}", fatal=False):
                endpoint["GwPriority"] = to_int(config["gw_priority"])
        if config.get("interface_name"):
            if ctx.require("1.49", "networks.*.interface_name", f"networks.{key}", fatal=False):
                endpoint.setdefault("DriverOpts", {})["com.docker.network.endpoint.ifname"] = str(
                    config["interface_name"]
                )
    return endpoint


def _links(ctx: Translation) -> list[str]:
    """Legacy links: `container:alias` for every instance of a linked service."""
    links: list[str] = []
    for raw in strings(ctx.service.get("links")):
        service, _, alias = raw.partition(":")
        alias = alias or service
        for container in ctx.linked.get(service, ()):
            links += [
                f"{container}:{alias}",
                f"{container}:{service}{lb.SEPARATOR}{ctx.ref.index}",
                f"{container}:{ctx.spec.name}{lb.SEPARATOR}{service}{lb.SEPARATOR}{ctx.ref.index}",
            ]
    for raw in strings(ctx.service.get("external_links")):
        name, _, alias = raw.partition(":")
        links.append(f"{name}:{alias or name}")
    return links


def _service_reference(ctx: Translation, value: str) -> str:
    """`service:x` -> `container:<x's first container>` (network_mode, ipc, pid)."""
    if value.startswith("service:"):
        return "container:" + ctx.instance_of(value[len("service:") :])
    return value


def networking(ctx: Translation) -> None:
    """NetworkMode and the endpoints (both `networks` and `network_mode`)."""
    links = _links(ctx)
    if links:
        ctx.host["Links"] = links
    mode = ctx.service.get("network_mode")
    if mode:
        mode = _service_reference(ctx, str(mode))
        ctx.host["NetworkMode"] = mode
        if mode == "disabled":
            ctx.config["NetworkDisabled"] = True
        if ctx.service.get("mac_address"):
            ctx.config["MacAddress"] = str(ctx.service["mac_address"])
        return
    project_networks: Mapping[str, Any] = ctx.spec.project.get("networks") or {}
    if not project_networks:
        ctx.host["NetworkMode"] = "none"
        return
    service_networks = ctx.service.get("networks") or {}
    order = networks_by_priority(service_networks) or ["default"]
    for key in order:
        if key not in project_networks:
            raise ctx.fail(f'service refers to undefined network "{key}"', f"networks.{key}")
    primary = order[0]
    mac = str(ctx.service.get("mac_address") or "")
    primary_cfg = service_networks.get(primary) or {}
    if mac and primary_cfg.get("mac_address") and primary_cfg["mac_address"] != mac:
        raise ctx.fail(
            f"the service-level mac_address should have the same value as network {primary}",
            "mac_address",
        )
    primary_endpoint = _endpoint(ctx, primary, links)
    if ctx.supports("1.44"):
        if mac and not primary_endpoint.get("MacAddress"):
            primary_endpoint["MacAddress"] = mac
        for key in order[1:]:
            ctx.endpoints[lb.network_name(ctx.spec, key)] = _endpoint(ctx, key, links)
    else:
        with_mac = [k for k in order if (service_networks.get(k) or {}).get("mac_address")]
        if len(with_mac) > 1:
            have = ".".join(str(p) for p in ctx.api)
            raise ctx.fail(
                f"a MAC address is specified for multiple networks ({', '.join(with_mac)}), "
                f"but this feature requires Docker Engine API 1.44 or later (currently: {have})",
                "networks",
            )
        mac = mac or str(primary_cfg.get("mac_address") or "")
        if mac:
            ctx.config["MacAddress"] = mac
        for key in order[1:]:
            ctx.connect.append((lb.network_name(ctx.spec, key), _endpoint(ctx, key, links)))
    primary_name = lb.network_name(ctx.spec, primary)
    ctx.endpoints[primary_name] = primary_endpoint
    ctx.host["NetworkMode"] = primary_name


def ipc(ctx: Translation, value: Any) -> None:
    if value:
        ctx.host["IpcMode"] = _service_reference(ctx, str(value))


def pid(ctx: Translation, value: Any) -> None:
    if value:
        ctx.host["PidMode"] = _service_reference(ctx, str(value))
