"""Volumes, tmpfs, secrets and configs of a service as engine Binds and Mounts.

The split follows Docker Compose v2.40.3: bind mounts the old `Binds` strings can
express (and named volumes without options) go there, everything else through the
mount API; secrets and configs given by a file are read-only bind mounts at
/run/secrets/<target> and /<target>, those given by `environment:` or `content:`
are files copied into the container before it starts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.context import (
    CONFIGS_DIR,
    DEFAULT_FILE_MODE,
    SECRETS_DIR,
    InjectedFile,
    Translation,
    strings,
    to_bytes,
    to_int,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def tmpfs(ctx: Translation, value: Any) -> None:
    table: dict[str, str] = ctx.host.setdefault("Tmpfs", {})
    for entry in strings(value):
        target, _, options = entry.partition(":")
        table[target] = options


def _bind_string(source: str, volume: Mapping[str, Any]) -> str:
    """compose-go's ServiceVolumeConfig.String(): `source:target:rw[,z][,rshared][,nocopy]`."""
    options = ["ro" if volume.get("read_only") else "rw"]
    bind = volume.get("bind") or {}
    if bind.get("selinux"):
        options.append(str(bind["selinux"]))
    if bind.get("propagation"):
        options.append(str(bind["propagation"]))
    if (volume.get("volume") or {}).get("nocopy"):
        options.append("nocopy")
    return f"{source}:{volume['target']}:{','.join(options)}"


def _needs_mount_api(bind: Mapping[str, Any] | None) -> bool:
    """The reference's requireMountAPI: the Binds strings cannot express these."""
    if bind is None:
        return False
    return (
        not bind.get("create_host_path")
        or bool(bind.get("propagation"))
        or bool(bind.get("recursive"))
    )


_RECURSIVE = {
    "enabled": {},
    "disabled": {"NonRecursive": True},
    "writable": {"ReadOnlyNonRecursive": True},
    "readonly": {"ReadOnlyForceRecursive": True},
}
_RECURSIVE_API = {"disabled": "1.40", "writable": "1.44", "readonly": "1.44"}


def _bind_mount(
    ctx: Translation, source: str, volume: Mapping[str, Any], key: str
) -> dict[str, Any]:
    mount: dict[str, Any] = {"Type": "bind", "Source": source, "Target": volume["target"]}
    if volume.get("read_only"):
        mount["ReadOnly"] = True
    if volume.get("consistency"):
        mount["Consistency"] = str(volume["consistency"])
    bind = volume.get("bind")
    if bind is not None:
        options: dict[str, Any] = {}
        if bind.get("propagation"):
            options["Propagation"] = str(bind["propagation"])
        if bind.get("create_host_path"):
            if ctx.require("1.42", "bind.create_host_path with the mount API", key, fatal=False):
                options["CreateMountpoint"] = True
        recursive = bind.get("recursive")
        if recursive:
            if recursive not in _RECURSIVE:
                raise ctx.fail(f'unknown bind.recursive value "{recursive}"', key)
            needed = _RECURSIVE_API.get(str(recursive))
            if needed is None or ctx.require(
                needed, f"bind.recursive: {recursive}", key, fatal=True
            ):
                options.update(_RECURSIVE[str(recursive)])
        if bind.get("selinux"):
            ctx.warn(
                f"bind.selinux on {volume['target']} cannot be combined with "
                "create_host_path: false, propagation or recursive (the mount API has no "
                "SELinux option); ignored"
            )
        mount["BindOptions"] = options
    return mount


def _volume_source(ctx: Translation, source: str | None) -> str | None:
    if not source:
        return None
    volumes: Mapping[str, Any] = ctx.spec.project.get("volumes") or {}
    if source in volumes:
        return lb.volume_name(ctx.spec, source)
    return source


def volumes(ctx: Translation, value: Any) -> None:
    for index, volume in enumerate(value or []):
        key = f"volumes.{index}"
        kind = volume.get("type") or "volume"
        handler = VOLUME_TYPES.get(kind)
        if handler is None:
            raise ctx.fail(f'volume type "{kind}" is not supported by Docker Engine', key)
        handler(ctx, volume, key)


def _volume_bind(ctx: Translation, volume: Mapping[str, Any], key: str) -> None:
    source = str(volume.get("source") or "")
    if not os.path.isabs(source) and not source.startswith("/"):
        source = os.path.normpath(os.path.join(ctx.spec.working_dir, source))
    if not _needs_mount_api(volume.get("bind")):
        ctx.binds.append(_bind_string(source, volume))
        return
    ctx.mounts[volume["target"]] = _bind_mount(ctx, source, volume, key)


def _volume_volume(ctx: Translation, volume: Mapping[str, Any], key: str) -> None:
    source = _volume_source(ctx, volume.get("source"))
    options = volume.get("volume")
    if source and not (options or {}).get("nocopy") and not (options or {}).get("subpath"):
        ctx.binds.append(_bind_string(source, volume))  # as the reference: a plain bind
        return
    mount: dict[str, Any] = {"Type": "volume", "Target": volume["target"]}
    if source:
        mount["Source"] = source
    if volume.get("read_only"):
        mount["ReadOnly"] = True
    if options is not None:
        opts: dict[str, Any] = {}
        if options.get("nocopy"):
            opts["NoCopy"] = True
        if options.get("subpath"):
            ctx.require("1.45", "volume.subpath", key, fatal=True)
            opts["Subpath"] = str(options["subpath"])
        mount["VolumeOptions"] = opts
    ctx.mounts[volume["target"]] = mount


def _volume_tmpfs(ctx: Translation, volume: Mapping[str, Any], key: str) -> None:
    mount: dict[str, Any] = {"Type": "tmpfs", "Target": volume["target"]}
    if volume.get("read_only"):
        mount["ReadOnly"] = True
    tmpfs = volume.get("tmpfs")
    if tmpfs is not None:
        options: dict[str, Any] = {}
        if tmpfs.get("size"):
            options["SizeBytes"] = to_bytes(tmpfs["size"])
        if tmpfs.get("mode"):
            options["Mode"] = to_int(tmpfs["mode"])
        mount["TmpfsOptions"] = options
    ctx.mounts[volume["target"]] = mount


def _volume_npipe(ctx: Translation, volume: Mapping[str, Any], key: str) -> None:
    ctx.mounts[volume["target"]] = {
        "Type": "npipe",
        "Source": str(volume.get("source") or ""),
        "Target": volume["target"],
        **({"ReadOnly": True} if volume.get("read_only") else {}),
    }


def _volume_image(ctx: Translation, volume: Mapping[str, Any], key: str) -> None:
    ctx.require("1.48", "volumes of type image", key, fatal=True)
    mount: dict[str, Any] = {
        "Type": "image",
        "Source": str(volume.get("source") or ""),
        "Target": volume["target"],
        "ReadOnly": True,
    }
    subpath = (volume.get("image") or {}).get("subpath")
    if subpath:
        mount["ImageOptions"] = {"Subpath": str(subpath)}
    ctx.mounts[volume["target"]] = mount


VOLUME_TYPES: dict[str, Callable[[Translation, Mapping[str, Any], str], None]] = {
    "bind": _volume_bind,
    "volume": _volume_volume,
    "tmpfs": _volume_tmpfs,
    "npipe": _volume_npipe,
    "image": _volume_image,
}


def _file_reference_target(kind: str, ref: Mapping[str, Any]) -> str:
    """Where a secret (/run/secrets/<target>) or config (/<target>) lands."""
    source = str(ref.get("source") or "")
    target = str(ref.get("target") or "")
    base = SECRETS_DIR if kind == "secret" else CONFIGS_DIR
    if not target:
        return base + source
    if not target.startswith("/"):
        return base + target
    return target


def _owner(user: Any) -> tuple[int, int]:
    """The uid/gid a file injected into the container gets by default: the service's
    numeric `user:` (as the reference, which reads the container's User)."""
    parts = str(user or "").split(":")
    uid = int(parts[0]) if parts[0].isdigit() else 0
    gid = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return uid, gid


def _mode(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return int(str(value), 8)


def _file_references(ctx: Translation, kind: str, value: Any) -> None:
    """secrets/configs: files are bind-mounted read-only, environment/content copied in."""
    section = "secrets" if kind == "secret" else "configs"
    defined: Mapping[str, Any] = ctx.spec.project.get(section) or {}
    for index, ref in enumerate(value or []):
        key = f"{section}.{index}"
        source = str(ref.get("source") or "")
        obj = defined.get(source)
        if obj is None:
            raise ctx.fail(f'{kind} "{source}" is not defined', key)
        name = str(obj.get("name") or source)
        if obj.get("external"):
            raise ctx.fail(
                f"unsupported external {kind} {name}",
                key,
                hint=f"external {section} exist only in Docker Swarm; use file:, environment: or content:",
            )
        for option in ("driver", "template_driver"):
            if obj.get(option):
                raise ctx.fail(f"Docker Compose does not support {section}.*.{option}", key)
        target = _file_reference_target(kind, ref)
        content: str | None = None
        if obj.get("content") not in (None, ""):
            content = str(obj["content"])
        elif obj.get("environment"):
            variable = str(obj["environment"])
            if variable not in ctx.spec.environment:
                raise ctx.fail(
                    f'environment variable "{variable}" required by {kind} "{name}" is not set',
                    key,
                    hint=f"export {variable} or add it to the project's .env file",
                )
            content = ctx.spec.environment[variable]
            if content == "":
                continue
        if content is not None:
            if ctx.service.get("read_only"):
                raise ctx.fail(
                    f'cannot create {kind} "{name}" in read-only service {ctx.name}: '
                    "`file` is the sole supported option",
                    key,
                )
            uid, gid = _owner(ctx.service.get("user"))
            if ref.get("uid") not in (None, ""):
                uid = to_int(ref["uid"])
            if ref.get("gid") not in (None, ""):
                gid = to_int(ref["gid"])
            mode = _mode(ref.get("mode"))
            ctx.injected.append(
                InjectedFile(
                    target,
                    content.encode(),
                    DEFAULT_FILE_MODE if mode is None else mode,
                    uid,
                    gid,
                )
            )
            continue
        path = str(obj.get("file") or "")
        if not path:
            raise ctx.fail(f'{kind} "{name}" has no file, environment or content', key)
        if any(ref.get(k) not in (None, "") for k in ("uid", "gid", "mode")):
            ctx.warn(
                f"{section} `uid`, `gid` and `mode` are not supported for file-based {section}, they will be ignored"
            )
        if kind == "secret" and not ctx.files.exists(path):
            ctx.warn(f"secret file {name} does not exist")
        mount: dict[str, Any] = {"Type": "bind", "Source": path, "Target": target, "ReadOnly": True}
        if kind == "secret":
            mount["BindOptions"] = {}
        ctx.mounts.setdefault(target, mount)


def secrets(ctx: Translation, value: Any) -> None:
    _file_references(ctx, "secret", value)


def configs(ctx: Translation, value: Any) -> None:
    _file_references(ctx, "config", value)


def volumes_from(ctx: Translation, value: Any) -> None:
    resolved: list[str] = []
    for entry in strings(value):
        if entry.startswith("container:"):
            resolved.append(entry[len("container:") :])
            continue
        service, sep, mode = entry.partition(":")
        resolved.append(ctx.instance_of(service) + (sep + mode if sep else ""))
    if resolved:
        ctx.host["VolumesFrom"] = resolved
