"""`ps --format json` rows for containers, exactly as Docker Compose v2.40 prints them.

The reference formats the engine's container summary (plus inspect for health and
exit code) with the Docker CLI's formatters: the command quoted and cut at 20
characters, ports grouped into ranges, go-units durations, Go's JSON escaping of
`<`, `>` and `&`. Maps the reference walks in random order (labels) are sorted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence

from composer.runtimes.docker import labels as lb
from composer.runtimes.psformat import created_at, ellipsis, human_duration

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


def _host_port(ip: str, port: int | str) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def displayable_ports(ports: Sequence[Mapping[str, Any]]) -> str:
    """The Docker CLI's DisplayablePorts: `0.0.0.0:80->80/tcp, 9000-9001/udp`."""
    ordered = sorted(
        ports,
        key=lambda p: (
            int(p.get("PrivatePort") or 0),
            str(p.get("IP") or ""),
            int(p.get("PublicPort") or 0),
            str(p.get("Type") or ""),
        ),
    )
    groups: dict[str, list[int]] = {}
    result: list[str] = []
    mappings: list[str] = []

    def form(key: str, first: int, last: int) -> str:
        ip, _, kind = key.rpartition("/")
        text = str(first) if first == last else f"{first}-{last}"
        if ip:
            text = f"{_host_port(ip, text)}->{text}"
        return f"{text}/{kind}"

    for port in ordered:
        current = int(port.get("PrivatePort") or 0)
        kind = str(port.get("Type") or "tcp")
        key = kind
        ip = str(port.get("IP") or "")
        if ip:
            public = int(port.get("PublicPort") or 0)
            if public != current:
                mappings.append(f"{_host_port(ip, public)}->{current}/{kind}")
                continue
            key = f"{ip}/{kind}"
        group = groups.get(key)
        if group is None:
            groups[key] = [current, current]
        elif current == group[1] + 1:
            group[1] = current
        else:
            result.append(form(key, group[0], group[1]))
            groups[key] = [current, current]
    result += [form(key, first, last) for key, (first, last) in groups.items()]
    return ", ".join(result + mappings)


def ps_row(
    summary: Mapping[str, Any],
    info: Mapping[str, Any] | None,
    now: float | None = None,
    *,
    trunc: bool = True,
) -> dict[str, Any]:
    """One container as a `docker compose ps --format json` object (keys in Go's order);
    without `trunc` (`ps --no-trunc`) the id, command and mounts are whole."""
    now = time.time() if now is None else now
    cut = ellipsis if trunc else (lambda text, width: text)
    labels: Mapping[str, str] = summary.get("Labels") or {}
    state = (info or {}).get("State") or {}
    names = [str(n).lstrip("/") for n in summary.get("Names") or []]
    created = int(summary.get("Created") or 0)
    mounts = summary.get("Mounts") or []
    networks = sorted(((summary.get("NetworkSettings") or {}).get("Networks") or {}).keys())
    ports = summary.get("Ports") or []
    publishers = [
        {
            "URL": str(p.get("IP") or ""),
            "TargetPort": int(p.get("PrivatePort") or 0),
            "PublishedPort": int(p.get("PublicPort") or 0),
            "Protocol": str(p.get("Type") or ""),
        }
        for p in sorted(ports, key=lambda p: int(p.get("PrivatePort") or 0))
    ]
    row = {
        "Command": json.dumps(cut(str(summary.get("Command") or ""), 20), ensure_ascii=False),
        "CreatedAt": created_at(created),
        "ExitCode": int(state.get("ExitCode") or 0),
        "Health": str((state.get("Health") or {}).get("Status") or ""),
        "ID": str(summary.get("Id") or "")[: 12 if trunc else None],
        "Image": str(summary.get("Image") or ""),
        "Labels": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
        "LocalVolumes": str(sum(1 for m in mounts if m.get("Driver") == "local")),
        "Mounts": ",".join(cut(str(m.get("Name") or m.get("Source") or ""), 15) for m in mounts),
        "Name": names[0] if names else "",
        "Names": ",".join(names),
        "Networks": ",".join(networks),
        "Ports": displayable_ports(ports),
        "Project": labels.get(lb.PROJECT, ""),
        "Publishers": publishers,
        "RunningFor": human_duration(max(0.0, now - created)) + " ago",
        "Service": labels.get(lb.SERVICE, ""),
        "Size": "0B",
        "State": str(summary.get("State") or ""),
        "Status": str(summary.get("Status") or ""),
    }
    return row


def go_json(value: Any, *, escape_html: bool = True) -> str:
    """json.Marshal's text: compact, UTF-8, with `<`, `>`, `&` escaped as Go does
    (not with `escape_html` off: an Encoder with SetEscapeHTML(false), as `ls` uses)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
