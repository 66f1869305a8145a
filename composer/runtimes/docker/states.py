"""What the engine reports about a container, as the runtime protocol's InstanceState.

Pure functions over `docker inspect` dicts, shared by the backend and its tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from composer.runtimes.base import InstanceState, Publisher
from composer.runtimes.docker import labels as lb

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"
LIVE = ("created", "running", "paused")  # states without an exit code


# 2024-01-02T03:04:05.123456789Z or ...+01:00 (the engine writes Z and nanoseconds)
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d\d):(\d\d))?"
)


def parse_time(stamp: str) -> float | None:
    """An RFC 3339 engine timestamp as a Unix time (to the microsecond, as datetime
    would give it; importing datetime costs `up` ~1 ms); None for Go's zero time and
    for what is no timestamp."""
    if not stamp or stamp.startswith("0001-01-01"):
        return None
    match = _RFC3339.fullmatch(stamp.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, utc, sign, zone_hours, zone_minutes = match.groups()[6:]
    micros = int((fraction or "")[:6].ljust(6, "0"))
    if utc is None and sign is None:  # no zone: local time
        import time

        local = time.mktime((year, month, day, hour, minute, second, 0, 0, -1))
        return (int(local) * 10**6 + micros) / 10**6
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    seconds = _days_since_epoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    if sign is not None:
        offset = int(zone_hours) * 3600 + int(zone_minutes) * 60
        seconds -= offset if sign == "+" else -offset
    return (seconds * 10**6 + micros) / 10**6


def _days_since_epoch(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil)."""
    year -= month <= 2
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


def publishers(ports: Mapping[str, Any] | None) -> list[Publisher]:
    """NetworkSettings.Ports as publishers; exposed but unpublished ports with port 0."""
    result: list[Publisher] = []
    for key, bindings in (ports or {}).items():
        port, _, proto = key.partition("/")
        target = int(port)
        if not bindings:
            result.append(Publisher("", target, 0, proto or "tcp"))
            continue
        for binding in bindings:
            host_port = str(binding.get("HostPort") or "0")
            result.append(
                Publisher(
                    str(binding.get("HostIp") or ""),
                    target,
                    int(host_port) if host_port.isdigit() else 0,
                    proto or "tcp",
                )
            )
    return sorted(result, key=lambda p: (p.target_port, p.protocol, p.url, p.published_port))


def state_from_inspect(info: Mapping[str, Any]) -> InstanceState | None:
    """The InstanceState of an inspected container; None when it is not a service's."""
    config = info.get("Config") or {}
    labels: Mapping[str, str] = config.get("Labels") or {}
    ref = lb.ref_from_labels(labels)
    if ref is None:
        return None
    state = info.get("State") or {}
    status = str(state.get("Status") or "created")
    health = (state.get("Health") or {}).get("Status") or None
    if health == "none":
        health = None
    exit_code = None if status in LIVE else int(state.get("ExitCode") or 0)
    settings = info.get("NetworkSettings") or {}
    return InstanceState(
        ref=ref,
        status=status,
        health=health,
        exit_code=exit_code,
        pid=int(state.get("Pid") or 0) or None,
        config_hash=labels.get(lb.CONFIG_HASH),
        publishers=publishers(settings.get("Ports")),
        started_at=parse_time(str(state.get("StartedAt") or "")),
        restart_count=int(info.get("RestartCount") or 0),
        image=labels.get(lb.IMAGE) or None,
        depends_on=recorded_dependencies(labels),
    )


# What `docker ps` shows of health in a container's Status text.
HEALTH_IN_STATUS = (
    ("(healthy)", "healthy"),
    ("(unhealthy)", "unhealthy"),
    ("(health: starting)", "starting"),
)
_EXIT_IN_STATUS = re.compile(r"^(?:Exited|Restarting) \((-?\d+)\)")


def summary_publishers(ports: list[Mapping[str, Any]] | None) -> list[Publisher]:
    """The listing's Ports as publishers (exposed, unpublished ports with port 0)."""
    result = [
        Publisher(
            str(port.get("IP") or ""),
            int(port.get("PrivatePort") or 0),
            int(port.get("PublicPort") or 0),
            str(port.get("Type") or "tcp"),
        )
        for port in ports or []
    ]
    return sorted(result, key=lambda p: (p.target_port, p.protocol, p.url, p.published_port))


def state_from_summary(summary: Mapping[str, Any]) -> InstanceState | None:
    """The InstanceState of a container as the engine's list shows it (one request
    for a whole project): status, health and exit code as `docker ps` shows them;
    no pid, start time or restart count (inspect has those). None when it is not a
    service's."""
    labels: Mapping[str, str] = summary.get("Labels") or {}
    ref = lb.ref_from_labels(labels)
    if ref is None:
        return None
    status = str(summary.get("State") or "created")
    text = str(summary.get("Status") or "")
    health = next((value for marker, value in HEALTH_IN_STATUS if marker in text), None)
    exit_code = None
    if status not in LIVE:
        found = _EXIT_IN_STATUS.match(text)
        exit_code = int(found.group(1)) if found else 0
    return InstanceState(
        ref=ref,
        status=status,
        health=health,
        exit_code=exit_code,
        config_hash=labels.get(lb.CONFIG_HASH),
        publishers=summary_publishers(summary.get("Ports")),
        image=labels.get(lb.IMAGE) or None,
        depends_on=recorded_dependencies(labels),
    )


def recorded_dependencies(labels: Mapping[str, str]) -> tuple[str, ...]:
    """The services named in the `com.docker.compose.depends_on` label
    (`svc:condition:restart`, comma-joined)."""
    entries = (labels.get(lb.DEPENDS_ON) or "").split(",")
    return tuple(entry.split(":", 1)[0] for entry in entries if entry.split(":", 1)[0])


def anonymous_volumes(info: Mapping[str, Any]) -> dict[str, str]:
    """Target -> volume name of the anonymous volumes a container uses (64-hex names),
    which the reference hands over to the container that replaces it. `info` is an
    inspect or a list entry: both have the same Mounts."""
    result: dict[str, str] = {}
    for mount in info.get("Mounts") or []:
        name = str(mount.get("Name") or "")
        if (
            mount.get("Type") == "volume"
            and len(name) == 64
            and all(c in "0123456789abcdef" for c in name)
        ):
            result[str(mount.get("Destination"))] = name
    return result
