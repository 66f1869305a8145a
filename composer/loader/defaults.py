"""Implicit values and the final shape of the merged project (compose-go
transform/defaults.go, loader/normalize.go and the typed model it binds to).

Three stages, each a pure function on the project dict:

* `set_defaults` (after merging all files): build context `.`, secret mount targets,
  port `mode`/`protocol`, `count: all` for device requests.
* `normalize`: the implicit `default` network, `<project>_<key>` resource names,
  `depends_on` entries implied by links / `service:` namespaces / volumes_from,
  `pull_policy: if_not_present` -> `missing`, bare environment names and build args
  resolved, volume targets cleaned; then `to_model`.
* `to_model`: what binding to compose-go's Go structs and printing them does to the
  data: scalars take their field's type (`"512"` -> 512, sizes -> `"1073741824"`,
  durations -> `1m30s`, commands split), list forms of mappings become mappings, and
  zero values of `omitempty` fields disappear (`privileged: false`, `cap_add: []`),
  while pointer fields keep them (`init: false`, `replicas: 0`, `volume: {}`).
  The MODEL tables below list every field whose type matters; unknown keys and
  `x-*` extensions pass through unchanged.

`prune_unused` is what `config` does after profiles: top-level networks, volumes,
secrets, configs and models that no enabled service uses are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from composer.errors import ComposerError
from composer.golang import float32, go_sprint
from composer.loader.canonical import Path, PatternTable, Walk
from composer.loader.units import (
    clean_path,
    normalize_bytes,
    normalize_duration,
    shell_split,
)
from composer.source import YMap, carry, locate

Lookup = Callable[[str], "str | None"]


class ModelError(ComposerError):
    """A value that does not fit the type of its field."""

    key_path: Path = ()


# ======================================================================= defaults


def _default_build(value: Any, path: Path, walk: Walk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        value.setdefault("context", ".")
        return walk.descend(value, path, node)
    return value


def _default_secret_target(value: Any, path: Path, walk: Walk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "target" not in value:
        value["target"] = f"/run/secrets/{go_sprint(value.get('source'))}"
    return value


def _default_port(value: Any, path: Path, walk: Walk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        value.setdefault("protocol", "tcp")
        value.setdefault("mode", "ingress")
    return value


def _default_device_request(value: Any, path: Path, walk: Walk, node: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "count" not in value and "device_ids" not in value:
        value["count"] = "all"
    return value


DEFAULTS = {
    "services.*.build": _default_build,
    "services.*.secrets.*": _default_secret_target,
    "services.*.ports.*": _default_port,
    "services.*.deploy.resources.reservations.devices.*": _default_device_request,
    "services.*.gpus.*": _default_device_request,
}
_DEFAULTS = PatternTable(DEFAULTS)


def set_defaults(project: dict[str, Any]) -> dict[str, Any]:
    """Fill the attributes the reference defaults right after merging (in place)."""
    result: dict[str, Any] = Walk(_DEFAULTS).run(project)
    return result


# ======================================================================= normalize

_NAMESPACES = ("network_mode", "ipc", "pid", "uts", "cgroup")
_SERVICE_PREFIX = "service:"
_CONTAINER_PREFIX = "container:"
_RESOURCES = ("networks", "volumes", "configs", "secrets")


def _normalize_networks(project: dict[str, Any]) -> None:
    """Services without networks join `default`; declare it when someone uses it."""
    services = project.get("services")
    uses_default = False
    if isinstance(services, dict):
        for service in services.values():
            if not isinstance(service, dict):
                continue
            if "provider" in service or "network_mode" in service:
                continue
            networks = service.get("networks")
            if not networks:
                service["networks"] = {"default": None}
                uses_default = True
            elif isinstance(networks, dict) and "default" in networks:
                uses_default = True
    declared = project.get("networks")
    if uses_default and not (isinstance(declared, dict) and "default" in declared):
        if not isinstance(declared, dict):
            declared = YMap()
            project["networks"] = declared
        declared["default"] = None


def _resolve_mapping(value: Any, lookup: Lookup, keep_empty: bool) -> Any:
    """compose-go `resolve`: bare names take their value from the environment."""
    if isinstance(value, dict):
        out = type(value)() if isinstance(value, YMap) else {}
        carry(out, value)
        for key, item in value.items():
            if item is not None:
                out[key] = item
                continue
            found = lookup(key)
            if found is not None:
                out[key] = found
            elif keep_empty:
                out[key] = None
        return out
    if isinstance(value, list):
        resolved = []
        for item in value:
            if isinstance(item, str) and "=" not in item:
                found = lookup(item)
                if found is not None:
                    resolved.append(f"{item}={found}")
                elif keep_empty:
                    resolved.append(item)
            else:
                resolved.append(item)
        return resolved
    return value


def _implied_dependency(restart: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"condition": "service_started"}
    if restart:
        entry["restart"] = True
    entry["required"] = True
    return entry


def _normalize_service(service: dict[str, Any], lookup: Lookup) -> None:
    if service.get("pull_policy") == "if_not_present":
        service["pull_policy"] = "missing"
    build = service.get("build")
    if isinstance(build, dict):
        if build.get("context") is None:
            build["context"] = "."
        if build.get("dockerfile") is None and build.get("dockerfile_inline") is None:
            build["dockerfile"] = "Dockerfile"
        if "args" in build:
            build["args"] = _resolve_mapping(build["args"], lookup, keep_empty=False)
    if "environment" in service:
        service["environment"] = _resolve_mapping(service["environment"], lookup, keep_empty=True)

    depends_on = service.get("depends_on")
    implied: dict[str, dict[str, Any]] = {}
    for link in service.get("links") or ():
        parts = str(link).split(":")
        implied.setdefault(parts[0] if len(parts) == 2 else str(link), _implied_dependency(True))
    for key in _NAMESPACES:
        ref = service.get(key)
        if isinstance(ref, str) and ref.startswith(_SERVICE_PREFIX):
            implied.setdefault(ref[len(_SERVICE_PREFIX) :], _implied_dependency(True))
    for source in service.get("volumes_from") or ():
        source = str(source)
        if not source.startswith(_CONTAINER_PREFIX):
            implied.setdefault(source.split(":")[0], _implied_dependency(False))
    if implied:
        if not isinstance(depends_on, dict):
            depends_on = YMap()
            service["depends_on"] = depends_on
        for name, entry in implied.items():
            depends_on.setdefault(name, entry)

    volumes = service.get("volumes")
    if isinstance(volumes, list):
        for volume in volumes:
            if isinstance(volume, dict) and isinstance(volume.get("target"), str):
                volume["target"] = clean_path(volume["target"])


def _is_true(value: Any) -> bool:
    return go_sprint(value) in ("1", "t", "T", "TRUE", "true", "True")


def _name_resources(project: dict[str, Any], project_name: str) -> None:
    """Resources without `name:` are named `<project>_<key>` (or `<key>` if external)."""
    for kind in _RESOURCES:
        resources = project.get(kind)
        if not isinstance(resources, dict):
            continue
        for key in list(resources):
            resource = resources[key]
            if resource is None:
                resource = YMap()
                carry(resource, resources, key)
                resources[key] = resource
            if not isinstance(resource, dict):
                continue
            if resource.get("name") is None:
                if "external" in resource and _is_true(resource["external"]):
                    resource["name"] = key
                else:
                    resource["name"] = f"{project_name}_{key}"


def normalize(
    project: dict[str, Any], *, project_name: str, lookup: Lookup, bind: bool = True
) -> dict[str, Any]:
    """The reference's Normalize, then (unless `bind=False`) `to_model`; in place.

    `lookup` is the project environment (process env + .env / --env-file), used for
    bare `environment` names and build args. The reference binds the data to its
    typed model even with `config --no-normalize` (call `to_model` alone then), but
    not with `--no-interpolate`, where it prints the plain normalized mapping (pass
    `bind=False`).
    """
    _normalize_networks(project)
    services = project.get("services")
    if isinstance(services, dict):
        for service in services.values():
            if isinstance(service, dict):
                _normalize_service(service, lookup)
    _name_resources(project, project_name)
    return to_model(project) if bind else project


# ======================================================================= unused


def prune_unused(project: dict[str, Any]) -> dict[str, Any]:
    """Drop top-level resources that no (enabled) service references, like `config`.

    Networks count through `services.*.networks`, volumes through volume mounts of
    type `volume`, secrets through service and build secrets, configs and models
    through the service's own lists. Empty sections disappear.
    """
    used: dict[str, set[str]] = {
        k: set() for k in ("networks", "volumes", "secrets", "configs", "models")
    }
    services = project.get("services")
    for service in (services or {}).values() if isinstance(services, dict) else ():
        if not isinstance(service, dict):
            continue
        used["networks"].update(service.get("networks") or ())
        for volume in service.get("volumes") or ():
            if isinstance(volume, dict) and volume.get("type") == "volume" and volume.get("source"):
                used["volumes"].add(volume["source"])
        for kind in ("secrets", "configs"):
            for ref in service.get(kind) or ():
                if isinstance(ref, dict) and "source" in ref:
                    used[kind].add(ref["source"])
        build = service.get("build")
        if isinstance(build, dict):
            for ref in build.get("secrets") or ():
                if isinstance(ref, dict) and "source" in ref:
                    used["secrets"].add(ref["source"])
        used["models"].update(service.get("models") or ())
    for kind, names in used.items():
        resources = project.get(kind)
        if not isinstance(resources, dict):
            continue
        for key in [k for k in resources if k not in names]:
            del resources[key]
        if not resources:
            del project[kind]
    return project


# ======================================================================= model binding

OMIT: Any = object()  # a converter's answer for "the reference would not print this"

Converter = Callable[[Any, Path], Any]


_MAP_SECTIONS = frozenset(("services", "networks", "volumes", "secrets", "configs", "models"))
_SERVICE_MAPS = frozenset(("networks", "depends_on", "ulimits", "models", "environment", "labels"))


def _decoder_path(path: Path) -> str:
    """mapstructure's spelling of a key path: `services[web].deploy.replicas`, `ports[0]`."""
    out = ""
    for i, part in enumerate(path):
        parent = path[i - 1] if i else None
        if isinstance(part, int):
            out += f"[{part}]"
        elif (i == 1 and parent in _MAP_SECTIONS) or (
            path[0] == "services" and parent in _SERVICE_MAPS and i in (3, 4)
        ):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _error(path: Path, message: str) -> ModelError:
    """A decoding failure, worded as the reference's mapstructure decoder words it."""
    error = ModelError(
        f"decoding failed due to the following error(s):\n\n'{_decoder_path(path)}' {message}",
        code="model",
        path=path,
    )
    error.key_path = path
    return error


def _str(value: Any, path: Path) -> Any:
    if value is None or value == "":
        return OMIT
    if isinstance(value, (dict, list)):
        raise _error(
            path, f"expected type 'string', got unconvertible type '{type(value).__name__}'"
        )
    return go_sprint(value)


_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


def _to_bool(value: Any, path: Path) -> bool:
    if isinstance(value, bool):
        return value
    text = go_sprint(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _error(path, f'strconv.ParseBool: parsing "{text}": invalid syntax')


def _bool(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    return True if _to_bool(value, path) else OMIT


def _pbool(value: Any, path: Path) -> Any:
    return OMIT if value is None else _to_bool(value, path)


def _to_int(value: Any, path: Path) -> int:
    if isinstance(value, bool):
        raise _error(path, "expected type 'int', got unconvertible type 'bool'")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value), 10)
    except ValueError:
        raise _error(path, f'strconv.ParseInt: parsing "{value}": invalid syntax') from None


def _int(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    number = _to_int(value, path)
    return number if number else OMIT


def _pint(value: Any, path: Path) -> Any:
    return OMIT if value is None else _to_int(value, path)


def _float32(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _error(path, f'strconv.ParseFloat: parsing "{value}": invalid syntax') from None
    return float32(number) if number else OMIT


def _duration(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    text = _pduration(value, path)
    return OMIT if text == "0s" else text


def _pduration(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    try:
        return normalize_duration(value)
    except ComposerError as error:
        raise _error(path, error.message) from None


def _bytes(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    try:
        text = normalize_bytes(value)
    except ComposerError as error:
        raise _error(path, error.message) from None
    return OMIT if text == "0" else text


def _strings(value: Any, path: Path) -> Any:
    """[]string: items stringified, an empty list disappears."""
    if not value:
        return OMIT
    if isinstance(value, str):
        return [value]
    return [go_sprint(item) for item in value]


def _command(value: Any, path: Path) -> Any:
    """ShellCommand: a string is split shell-style; `[]` stays (it clears the image's)."""
    if value is None:
        return OMIT
    if isinstance(value, str):
        try:
            return shell_split(value)
        except ComposerError as error:
            raise _error(path, error.message) from None
    return [go_sprint(item) for item in value]


def _healthcheck_test(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    if isinstance(value, str):
        return ["CMD-SHELL", value]
    return [go_sprint(item) for item in value] or OMIT


def _mapping(value: Any, path: Path) -> Any:
    """Mapping / Labels / Options: `KEY=VALUE` lists become mappings, null -> ""."""
    if not value:
        return OMIT
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out[key] = "" if item is None else go_sprint(item)
    else:
        for item in value:
            key, _, rest = go_sprint(item).partition("=")
            out[key] = rest
    return out


def _mapping_equals(value: Any, path: Path) -> Any:
    """MappingWithEquals (environment, build args): `KEY` alone keeps a null value."""
    if not value:
        return OMIT
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out[key] = None if item is None else go_sprint(item)
    else:
        for item in value:
            key, sep, rest = go_sprint(item).partition("=")
            out[key] = rest if sep else None
    return out


def _hosts(value: Any, path: Path) -> Any:
    """HostsList: `host:ip` / `host=ip` / mapping forms, printed sorted as `host=ip`."""
    if not value:
        return OMIT
    hosts: dict[str, list[str]] = {}
    if isinstance(value, dict):
        for host, ips in value.items():
            if ips is None:
                hosts[host] = [""]
            elif isinstance(ips, list):
                hosts[host] = [go_sprint(ip) for ip in ips]
            else:
                hosts[host] = [go_sprint(ips)]
    else:
        for entry in value:
            text = go_sprint(entry)
            for sep in ("=", ":"):
                host, found, ip = text.partition(sep)
                if found:
                    hosts.setdefault(host, []).extend(ip.split(","))
                    break
            else:
                raise _error(path, f"invalid additional host, missing IP: {text}")
    listed = []
    for host, ips in hosts.items():
        if host == "" or ":" in host or "=" in host:
            raise _error(path, f"bad host name '{host}'")
        for ip in ips:
            if len(ip) > 2 and ip[0] == "[" and ip[-1] == "]":
                ip = ip[1:-1]
            listed.append(f"{host}={ip}")
    return sorted(listed)


def _file_mode(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    if isinstance(value, str):
        try:
            value = int(value, 8)
        except ValueError:
            raise _error(path, f'strconv.ParseInt: parsing "{value}": invalid syntax') from None
    number = _to_int(value, path)
    return ("-0" if number < 0 else "0") + format(abs(number), "o")


def _ulimit(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    if isinstance(value, dict):
        soft = value.get("soft")
        hard = value.get("hard")
        return {
            "soft": _to_int(soft, path) if soft is not None else 0,
            "hard": _to_int(hard, path) if hard is not None else 0,
        }
    single = _to_int(value, path)
    return single if single else {"soft": 0, "hard": 0}


def _device_count(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    if isinstance(value, str):
        if value.lower() == "all":
            return -1
        try:
            value = int(value, 10)
        except ValueError:
            raise _error(
                path, f"invalid value \"{value}\", the only value allowed is 'all' or a number"
            ) from None
    number = _to_int(value, path)
    return number if number else OMIT


def _ssh(value: Any, path: Path) -> Any:
    """SSHConfig prints each key as the string `id` or `id: path`."""
    if not value:
        return OMIT
    if isinstance(value, list):
        return [go_sprint(item) for item in value]
    return [key if item in (None, "") else f"{key}: {item}" for key, item in value.items()]


def _multi_options(value: Any, path: Path) -> Any:
    if not value:
        return OMIT
    out: dict[str, Any] = {}
    for key, item in value.items():
        items = item if isinstance(item, list) else [item]
        out[key] = [go_sprint(one) for one in items]
    return out


def _external(value: Any, path: Path) -> Any:
    if value is None:
        return OMIT
    if isinstance(value, dict):
        return True
    return True if _to_bool(value, path) else OMIT


def _keep(value: Any, path: Path) -> Any:
    return value


class Struct:
    """A Go struct: `fields` maps keys to converters; `pointer` structs keep `{}`."""

    __slots__ = ("fields", "pointer")

    def __init__(self, fields: dict[str, Any], *, pointer: bool = True) -> None:
        self.fields = fields
        self.pointer = pointer

    def __call__(self, value: Any, path: Path) -> Any:
        if value is None:
            return OMIT
        if not isinstance(value, dict):
            return value
        fields = self.fields
        for key in list(value):
            convert = fields.get(key)
            if convert is None:
                continue  # x-* extensions and attributes this table does not type
            result = convert(value[key], (*path, key))
            if result is OMIT:
                del value[key]
            else:
                value[key] = result
        if not value and not self.pointer:
            return OMIT
        return value


class MapOf:
    """map[string]T (or map[string]*T when `nullable`: a null entry stays null)."""

    __slots__ = ("item", "nullable")

    def __init__(self, item: Converter, *, nullable: bool = True) -> None:
        self.item = item
        self.nullable = nullable

    def __call__(self, value: Any, path: Path) -> Any:
        if not value:
            return OMIT
        if not isinstance(value, dict):
            return value
        item = self.item
        for key in list(value):
            entry = value[key]
            if entry is None and self.nullable:
                continue
            result = item(entry, (*path, key))
            value[key] = None if result is OMIT else result
        return value


class ListOf:
    """[]T: each item converted; an empty list disappears."""

    __slots__ = ("item",)

    def __init__(self, item: Converter) -> None:
        self.item = item

    def __call__(self, value: Any, path: Path) -> Any:
        if not value:
            return OMIT
        if not isinstance(value, list):
            return value
        item = self.item
        for i, entry in enumerate(value):
            result = item(entry, (*path, i))
            value[i] = {} if result is OMIT else result
        return value


# ---- the compose-go types, as tables ------------------------------------------------

STR, BOOL, PBOOL, INT, PINT, F32 = _str, _bool, _pbool, _int, _pint, _float32
DUR, PDUR, BYTES, STRS = _duration, _pduration, _bytes, _strings
MAP, MAPEQ = _mapping, _mapping_equals

DEVICE_REQUEST = Struct(
    {
        "capabilities": STRS,
        "driver": STR,
        "count": _device_count,
        "device_ids": STRS,
        "options": MAP,
    }
)
SERVICE_HOOK = Struct(
    {
        "command": _command,
        "user": STR,
        "privileged": BOOL,
        "working_dir": STR,
        "environment": MAPEQ,
    },
    pointer=False,
)
FILE_REFERENCE = Struct({"source": STR, "target": STR, "uid": STR, "gid": STR, "mode": _file_mode})
UPDATE_CONFIG = Struct(
    {
        "parallelism": PINT,
        "delay": DUR,
        "failure_action": STR,
        "monitor": DUR,
        "max_failure_ratio": F32,
        "order": STR,
    }
)
RESOURCE = Struct(
    {
        "cpus": F32,
        "memory": BYTES,
        "pids": INT,
        "devices": ListOf(DEVICE_REQUEST),
        "generic_resources": ListOf(
            Struct({"discrete_resource_spec": Struct({"kind": _keep, "value": _keep})})
        ),
    }
)
DEPLOY = Struct(
    {
        "mode": STR,
        "replicas": PINT,
        "labels": MAP,
        "update_config": UPDATE_CONFIG,
        "rollback_config": UPDATE_CONFIG,
        "resources": Struct({"limits": RESOURCE, "reservations": RESOURCE}, pointer=False),
        "restart_policy": Struct(
            {"condition": STR, "delay": PDUR, "max_attempts": PINT, "window": PDUR}
        ),
        "placement": Struct(
            {
                "constraints": STRS,
                "preferences": ListOf(Struct({"spread": STR})),
                "max_replicas_per_node": INT,
            },
            pointer=False,
        ),
        "endpoint_mode": STR,
    }
)
BUILD = Struct(
    {
        "context": STR,
        "dockerfile": STR,
        "dockerfile_inline": STR,
        "entitlements": STRS,
        "args": MAPEQ,
        "provenance": STR,
        "sbom": STR,
        "ssh": _ssh,
        "labels": MAP,
        "cache_from": STRS,
        "cache_to": STRS,
        "no_cache": BOOL,
        "no_cache_filter": STRS,
        "additional_contexts": MAP,
        "pull": BOOL,
        "extra_hosts": _hosts,
        "isolation": STR,
        "network": STR,
        "target": STR,
        "secrets": ListOf(FILE_REFERENCE),
        "shm_size": BYTES,
        "tags": STRS,
        "ulimits": MapOf(_ulimit),
        "platforms": STRS,
        "privileged": BOOL,
    }
)
HEALTHCHECK = Struct(
    {
        "test": _healthcheck_test,
        "timeout": PDUR,
        "interval": PDUR,
        "retries": PINT,
        "start_period": PDUR,
        "start_interval": PDUR,
        "disable": BOOL,
    }
)
SERVICE_NETWORK = Struct(
    {
        "aliases": STRS,
        "driver_opts": MAP,
        "gw_priority": INT,
        "interface_name": STR,
        "ipv4_address": STR,
        "ipv6_address": STR,
        "link_local_ips": STRS,
        "mac_address": STR,
        "priority": INT,
    }
)
PORT = Struct(
    {
        "name": STR,
        "mode": STR,
        "host_ip": STR,
        "target": INT,
        "published": STR,
        "protocol": STR,
        "app_protocol": STR,
    }
)
SERVICE_VOLUME = Struct(
    {
        "type": STR,
        "source": STR,
        "target": STR,
        "read_only": BOOL,
        "consistency": STR,
        "bind": Struct(
            {"selinux": STR, "propagation": STR, "create_host_path": BOOL, "recursive": STR}
        ),
        "volume": Struct({"labels": MAP, "nocopy": BOOL, "subpath": STR}),
        "tmpfs": Struct({"size": BYTES, "mode": INT}),
        "image": Struct({"subpath": STR}),
    }
)
BLKIO_WEIGHT = Struct({"path": STR, "weight": INT})
BLKIO_RATE = Struct({"path": STR, "rate": BYTES})
SERVICE = Struct(
    {
        "profiles": STRS,
        "annotations": MAP,
        "attach": PBOOL,
        "build": BUILD,
        "develop": Struct(
            {
                "watch": ListOf(
                    Struct(
                        {
                            "path": _keep,
                            "action": _keep,
                            "target": STR,
                            "exec": SERVICE_HOOK,
                            "ignore": STRS,
                            "include": STRS,
                            "initial_sync": BOOL,
                        }
                    )
                )
            }
        ),
        "blkio_config": Struct(
            {
                "weight": INT,
                "weight_device": ListOf(BLKIO_WEIGHT),
                "device_read_bps": ListOf(BLKIO_RATE),
                "device_read_iops": ListOf(BLKIO_RATE),
                "device_write_bps": ListOf(BLKIO_RATE),
                "device_write_iops": ListOf(BLKIO_RATE),
            }
        ),
        "cap_add": STRS,
        "cap_drop": STRS,
        "cgroup_parent": STR,
        "cgroup": STR,
        "cpu_count": INT,
        "cpu_percent": F32,
        "cpu_period": INT,
        "cpu_quota": INT,
        "cpu_rt_period": INT,
        "cpu_rt_runtime": INT,
        "cpus": F32,
        "cpuset": STR,
        "cpu_shares": INT,
        "command": _command,
        "configs": ListOf(FILE_REFERENCE),
        "container_name": STR,
        "credential_spec": Struct({"config": STR, "file": STR, "registry": STR}),
        "depends_on": MapOf(
            Struct({"condition": STR, "restart": BOOL, "required": _to_bool}, pointer=False),
            nullable=False,
        ),
        "deploy": DEPLOY,
        "device_cgroup_rules": STRS,
        "devices": ListOf(Struct({"source": STR, "target": STR, "permissions": STR})),
        "dns": STRS,
        "dns_opt": STRS,
        "dns_search": STRS,
        "dockerfile": STR,
        "domainname": STR,
        "entrypoint": _command,
        "provider": Struct({"type": STR, "options": _multi_options}),
        "environment": MAPEQ,
        "env_file": ListOf(Struct({"path": STR, "required": _keep, "format": STR})),
        "expose": STRS,
        "extends": Struct({"file": STR, "service": STR}),
        "external_links": STRS,
        "extra_hosts": _hosts,
        "group_add": STRS,
        "gpus": ListOf(DEVICE_REQUEST),
        "hostname": STR,
        "healthcheck": HEALTHCHECK,
        "image": STR,
        "init": PBOOL,
        "ipc": STR,
        "isolation": STR,
        "labels": MAP,
        "label_file": STRS,
        "links": STRS,
        "logging": Struct({"driver": STR, "options": MAP}),
        "log_driver": STR,
        "log_opt": MAP,
        "mem_limit": BYTES,
        "mem_reservation": BYTES,
        "memswap_limit": BYTES,
        "mem_swappiness": BYTES,
        "mac_address": STR,
        "models": MapOf(Struct({"endpoint_var": STR})),
        "net": STR,
        "network_mode": STR,
        "networks": MapOf(SERVICE_NETWORK),
        "oom_kill_disable": BOOL,
        "oom_score_adj": INT,
        "pid": STR,
        "pids_limit": INT,
        "platform": STR,
        "ports": ListOf(PORT),
        "privileged": BOOL,
        "pull_policy": STR,
        "read_only": BOOL,
        "restart": STR,
        "runtime": STR,
        "scale": PINT,
        "secrets": ListOf(FILE_REFERENCE),
        "security_opt": STRS,
        "shm_size": BYTES,
        "stdin_open": BOOL,
        "stop_grace_period": PDUR,
        "stop_signal": STR,
        "storage_opt": MAP,
        "sysctls": MAP,
        "tmpfs": STRS,
        "tty": BOOL,
        "ulimits": MapOf(_ulimit),
        "use_api_socket": BOOL,
        "user": STR,
        "userns_mode": STR,
        "uts": STR,
        "volume_driver": STR,
        "volumes": ListOf(SERVICE_VOLUME),
        "volumes_from": STRS,
        "working_dir": STR,
        "post_start": ListOf(SERVICE_HOOK),
        "pre_stop": ListOf(SERVICE_HOOK),
    }
)
NETWORK = Struct(
    {
        "name": STR,
        "driver": STR,
        "driver_opts": MAP,
        "ipam": Struct(
            {
                "driver": STR,
                "config": ListOf(
                    Struct({"subnet": STR, "gateway": STR, "ip_range": STR, "aux_addresses": MAP})
                ),
            },
            pointer=False,
        ),
        "external": _external,
        "internal": BOOL,
        "attachable": BOOL,
        "labels": MAP,
        "enable_ipv4": PBOOL,
        "enable_ipv6": PBOOL,
    }
)
VOLUME = Struct(
    {"name": STR, "driver": STR, "driver_opts": MAP, "external": _external, "labels": MAP}
)
_FILE_OBJECT = {
    "name": STR,
    "file": STR,
    "environment": STR,
    "content": STR,
    "external": _external,
    "labels": MAP,
    "driver": STR,
    "driver_opts": MAP,
    "template_driver": STR,
}
SECRET = Struct(_FILE_OBJECT)
CONFIG = Struct(_FILE_OBJECT)
MODEL = Struct({"name": STR, "model": STR, "context_size": INT, "runtime_flags": STRS})

_SERVICES = MapOf(SERVICE)


def _services(value: Any, path: Path) -> Any:
    """`services:` is printed even when empty (every service disabled by profiles)."""
    result = _SERVICES(value, path)
    return {} if result is OMIT else result


PROJECT = Struct(
    {
        "name": _keep,
        "services": _services,
        "networks": MapOf(NETWORK),
        "volumes": MapOf(VOLUME),
        "secrets": MapOf(SECRET),
        "configs": MapOf(CONFIG),
        "models": MapOf(MODEL),
    }
)


def _hide_secret_content(project: dict[str, Any]) -> None:
    """Secret content is never printed; config content only when not from the env."""
    for kind in ("secrets", "configs"):
        resources = project.get(kind)
        if not isinstance(resources, dict):
            continue
        for resource in resources.values():
            if isinstance(resource, dict) and "content" in resource:
                if kind == "secrets" or resource.get("environment"):
                    del resource["content"]


def to_model(project: dict[str, Any]) -> dict[str, Any]:
    """The data as the reference prints it once bound to its typed model (in place)."""
    project.pop("version", None)
    project.pop("include", None)
    project.setdefault("services", {})
    try:
        result = PROJECT(project, ())
    except ModelError as error:
        raise error.at(locate(project, error.key_path)) from None
    if result is OMIT:
        return {}
    _hide_secret_content(result)
    return result  # type: ignore[no-any-return]


__all__ = [
    "DEFAULTS",
    "OMIT",
    "PROJECT",
    "ModelError",
    "normalize",
    "prune_unused",
    "set_defaults",
    "to_model",
]
