"""Unicity: a later entry of some lists replaces an earlier one with the same key.

After each merge the reference (compose-go `override.EnforceUnicity`) walks the
project; for every list found at a path of `UNIQUE_KEYS` it computes each entry's
key and keeps one entry per key, at the position of the first occurrence but with
the value of the last (`ports: ["80"]` in an override replaces the base's `80`).
Only those lists are touched; all others keep their duplicates. Keys and error
messages follow compose-go v2.9.1 exactly, including its Go formatting quirks (a
port published as the integer 8080 and one published as the string "8080" get
different keys, as they do there).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from composer.errors import MergeError
from composer.golang import go_sprint, go_type, go_verb
from composer.source import YList, YMap, loc_of
from composer.tree import Cursor, PatternTable, go_path

Path = tuple[Hashable, ...]
Indexer = Callable[[Any], str]

# ------------------------------------------------------------------ indexers


PATH = "\0path\0"  # placeholder for the entry's path in BadEntry messages


class BadEntry(ValueError):
    """An indexer cannot key an entry; the message holds PATH where the path goes."""


def _fail(message: str, container: Any, index: int, path: Path) -> MergeError:
    return MergeError(
        message.replace(PATH, go_path(path)),
        code="merge-unicity",
        location=loc_of(container, index),
        path=path,
    )


def key_value_key(entry: Any) -> str:
    """`KEY=value` entries: the part before the first `=` (the whole string otherwise)."""
    if isinstance(entry, str):
        return entry.split("=", 1)[0]
    raise BadEntry(f"{PATH}: unexpected type {go_type(entry)}")


def _mount_target(entry: dict[str, Any], what: str) -> str:
    target = entry.get("target")
    if not isinstance(target, str):
        raise BadEntry(f"service {what} {PATH} is missing a mount target")
    return target


def volume_key(entry: Any) -> str:
    """Service volumes: the mount target."""
    if isinstance(entry, dict):
        return _mount_target(entry, "volume")
    if isinstance(entry, str):
        from composer.loader.units import parse_volume  # short syntax seldom reaches here

        target = parse_volume(entry).get("target")
        return target if isinstance(target, str) else ""
    return ""


def device_key(entry: Any) -> str:
    """Devices: the target path (`/dev/a:/dev/b` -> `/dev/b`)."""
    if isinstance(entry, dict):
        return _mount_target(entry, "device")
    if isinstance(entry, str):
        parts = entry.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    return ""


def expose_key(entry: Any) -> str:
    """Exposed ports: the port as text (80 and "80" are the same)."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, int) and not isinstance(entry, bool):
        return str(entry)
    raise BadEntry(f"{PATH}: unsupported expose value {go_verb('s', entry)}")


def mount_key(default_dir: str) -> Indexer:
    """Secrets/configs: the target, else `<default_dir>/<source>`."""

    def index(entry: Any) -> str:
        if isinstance(entry, str):
            return f"{default_dir}/{entry}"
        if isinstance(entry, dict):
            if "target" in entry:
                target = entry["target"]
                if not isinstance(target, str):
                    # compose-go panics here (interface conversion); report it instead
                    raise BadEntry(f"{PATH}: target must be a string, not {go_type(target)}")
                return target
            return f"{default_dir}/{go_verb('s', entry.get('source'))}"
        raise BadEntry(f"{PATH}: unsupported expose value {go_verb('s', entry)}")

    return index


def port_key(entry: Any) -> str:
    """Ports: `host_ip:published:target/protocol` (host 0.0.0.0 and tcp by default)."""
    if isinstance(entry, bool):
        return ""
    if isinstance(entry, int):
        return str(entry)
    if isinstance(entry, dict):
        if "target" not in entry:
            raise BadEntry(f"service ports {PATH} is missing a target port")
        host = entry["host_ip"] if "host_ip" in entry else "0.0.0.0"
        protocol = entry["protocol"] if "protocol" in entry else "tcp"
        return (
            f"{go_verb('s', host)}:{go_verb('s', entry.get('published'))}:"
            f"{go_verb('d', entry['target'])}/{go_verb('s', protocol)}"
        )
    if isinstance(entry, str):
        return entry
    return ""


def env_file_key(entry: Any) -> str:
    """env_file entries: the path."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        if "path" not in entry:
            raise BadEntry(f"environment path attribute {PATH} is missing")
        value = entry["path"]
        return value if isinstance(value, str) else go_sprint(value)
    return ""


# Which lists are made unique, and by which key (compose-go override/uncity.go). Lists
# not named here (security_opt, group_add, external_links, device_cgroup_rules,
# build.platforms, build.cache_from, deploy.placement.constraints, ...) keep every entry.
UNIQUE_KEYS: dict[str, Indexer] = {
    "networks.*.labels": key_value_key,
    "networks.*.ipam.options": key_value_key,
    "services.*.annotations": key_value_key,
    "services.*.build.args": key_value_key,
    "services.*.build.additional_contexts": key_value_key,
    "services.*.build.platform": key_value_key,  # sic in compose-go: `platforms` is not
    "services.*.build.tags": key_value_key,
    "services.*.build.labels": key_value_key,
    "services.*.cap_add": key_value_key,
    "services.*.cap_drop": key_value_key,
    "services.*.configs": mount_key(""),
    "services.*.deploy.labels": key_value_key,
    "services.*.devices": device_key,
    "services.*.dns": key_value_key,
    "services.*.dns_opt": key_value_key,
    "services.*.dns_search": key_value_key,
    "services.*.environment": key_value_key,
    "services.*.env_file": env_file_key,
    "services.*.expose": expose_key,
    "services.*.labels": key_value_key,
    "services.*.links": key_value_key,
    "services.*.networks.*.aliases": key_value_key,
    "services.*.networks.*.link_local_ips": key_value_key,
    "services.*.ports": port_key,
    "services.*.profiles": key_value_key,
    "services.*.secrets": mount_key("/run/secrets"),
    "services.*.sysctls": key_value_key,
    "services.*.tmpfs": key_value_key,
    "services.*.volumes": volume_key,
}

UNIQUE_TABLE: PatternTable[Indexer] = PatternTable(UNIQUE_KEYS)


def unique_list(items: list[Any], indexer: Indexer, path: Path) -> list[Any]:
    """`items` with one entry per key (first position, last value); `items` itself when
    it has no duplicate. Locations follow the entry that is kept."""
    keys: list[str] = []
    append = keys.append
    try:
        for entry in items:
            append(indexer(entry))
    except BadEntry as error:
        at = len(keys)
        raise _fail(str(error), items, at, (*path, at)) from None
    if len(set(keys)) == len(keys):
        return items
    first: dict[str, int] = {}
    out: list[Any] = []
    sources: list[int] = []
    for i, key in enumerate(keys):
        slot = first.get(key)
        if slot is None:
            first[key] = len(out)
            out.append(items[i])
            sources.append(i)
        else:
            out[slot] = items[i]
            sources[slot] = i
    result = YList(out)
    if isinstance(items, YList):
        result.loc = items.loc
        locs = items.locs
        result.locs = [locs[i] if i < len(locs) else None for i in sources]
    return result


_NOTHING: dict[Any, Any] = {}


def _walk(value: Any, cursor: Cursor[Indexer], path: Path, previous: Any) -> Any:
    if isinstance(value, dict):
        if cursor.terminal:
            return value
        exact, other = cursor.transitions()
        before = previous if isinstance(previous, dict) else _NOTHING
        changed: dict[Hashable, Any] | None = None
        for key, child in value.items():
            if not isinstance(child, (dict, list)):
                continue
            old = before.get(key)
            if child is old:
                continue  # the very object that was already made unique
            sub = exact.get(key if isinstance(key, str) else str(key), other)
            if not sub:
                continue
            new = _walk(child, sub, (*path, key), old)
            if new is not child:
                if changed is None:
                    changed = {}
                changed[key] = new
        if changed is None:
            return value
        out = YMap(value)
        out.update(changed)
        if isinstance(value, YMap):
            out.loc = value.loc
            out.locs = dict(value.locs)
            out.key_locs = dict(value.key_locs)
        return out
    if isinstance(value, list) and cursor.matched:
        indexer = cursor.value
        assert indexer is not None
        return unique_list(value, indexer, path)
    return value


def enforce_unicity(project: Any, previous: Any = None) -> Any:
    """The project with the `UNIQUE_KEYS` lists made unique.

    `previous`, when given, is a project this function already returned: sub-trees of
    `project` that are the very same objects as in `previous` at the same path are
    known to be unique and skipped (`enforce_unicity(merge(p, file), previous=p)`
    only checks what the merge created or took from `file`).

    Inputs are never modified: containers on the way to a changed list are copied
    (with their locations), everything else is shared with `project`, which is
    returned itself when nothing had a duplicate.
    """
    return _walk(project, UNIQUE_TABLE.root, (), previous)
