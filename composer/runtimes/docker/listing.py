"""What `ls` and `images` show of the engine's containers and images, as Docker
Compose v2.40.3 shows it (pkg/compose/ls.go, images.go; cmd/compose/images.go).

Pure functions over the engine's container summaries (`GET /containers/json`) and
image inspections, so the backend only fetches and the tests need no engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from composer.record import NamedTuple
from composer.runtimes.base import ProjectSummary
from composer.runtimes.docker import labels as lb
from composer.runtimes.psformat import human_duration, human_size
from composer.runtimes.stacks import combined_config_files, combined_status

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

# `ls` lists the containers carrying both labels, as the reference's List does.
PROJECTS_FILTER = {"label": [lb.PROJECT, lb.CONFIG_HASH]}

# time.Now().Sub(time.Time{}) saturates at the largest Duration: `292 years ago`.
MAX_DURATION = (2**63 - 1) / 1e9


# ---------------------------------------------------------------- ls


def canonical_name(summary: Mapping[str, Any]) -> str:
    """The container's own name among its listed names (the others are link
    aliases, `/other/alias`), as the reference's getCanonicalContainerName."""
    names = [str(n) for n in summary.get("Names") or []]
    if not names:
        return str(summary.get("Id") or "")[:12]
    for name in names:
        if name.rfind("/") == 0:
            return name[1:]
    return names[0].removeprefix("/")


def project_summaries(containers: list[Mapping[str, Any]]) -> list[ProjectSummary]:
    """One summary per project label, sorted by name; each project's containers are
    taken in the engine's order (the order its config files are combined in)."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for summary in containers:
        project = (summary.get("Labels") or {}).get(lb.PROJECT)
        if project is not None:
            grouped.setdefault(str(project), []).append(summary)
    found = []
    for name in sorted(grouped):
        members = grouped[name]
        recorded = [(m.get("Labels") or {}).get(lb.CONFIG_FILES) for m in members]
        files = combined_config_files([None if r is None else str(r) for r in recorded])
        warning = ""
        if None in recorded:
            ident = members[recorded.index(None)].get("Id")
            warning = f'no label "{lb.CONFIG_FILES}" set on container "{ident}" of compose project'
        status = combined_status([str(m.get("State") or "") for m in members])
        found.append(ProjectSummary(name, status, files, warning))
    return found


# ---------------------------------------------------------------- image references

# distribution/reference's grammar (regexp.go), anchored.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(  # re.ASCII: Go's \w is [0-9A-Za-z_]
    rf"((?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::([\w][\w.-]{0,127}))?"
    r"(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?",
    re.ASCII,
)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
DEFAULT_DOMAIN = "docker.io"
OFFICIAL_PREFIX = "library/"


def _split_domain(name: str) -> tuple[str, str]:
    """splitDockerDomain: Docker Hub unless the first component looks like a host."""
    slash = name.find("/")
    first = name[:slash]
    if slash == -1 or (
        not any(c in first for c in ".:") and first != "localhost" and first.lower() == first
    ):
        domain, rest = DEFAULT_DOMAIN, name
    else:
        domain, rest = first, name[slash + 1 :]
    if domain == "index.docker.io":
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in rest:
        rest = OFFICIAL_PREFIX + rest
    return domain, rest


def repository_and_tag(image: str) -> tuple[str, str]:
    """(familiar name, tag) of a container's image reference as reference.ParseDockerRef
    reads it: a bare name gets `latest`, a digest drops the tag; ("", "") for what is
    no reference (a full image id), which `images` shows as `<none>`."""
    if _IDENTIFIER.fullmatch(image):
        return "", ""
    domain, rest = _split_domain(image)
    if rest.partition(":")[0].lower() != rest.partition(":")[0]:
        return "", ""
    match = _REFERENCE.fullmatch(f"{domain}/{rest}")
    if match is None or len(match.group(1)) > 255:
        return "", ""
    name, tag, digest = match.groups()
    if digest is not None:
        algorithm, _, encoded = digest.partition(":")
        if _DIGEST_LENGTHS.get(algorithm) != len(encoded):
            return "", ""
        tag = None
    elif tag is None:
        tag = "latest"
    path = name[len(domain) + 1 :]
    if domain == DEFAULT_DOMAIN:
        familiar = path.removeprefix(OFFICIAL_PREFIX)
        if "/" in familiar:  # only `library/x` is shortened, not `library/a/b`
            familiar = path
    else:
        familiar = name
    return familiar, tag or ""


# ---------------------------------------------------------------- images


def platform_of(info: Mapping[str, Any]) -> str:
    """containerd's platforms.Format: `os/arch[/variant]`, `unknown` without an OS."""
    system = str(info.get("Os") or "")
    if not system:
        return "unknown"
    parts = [system, str(info.get("Architecture") or ""), str(info.get("Variant") or "")]
    return "/".join(p for p in parts if p)


def go_time(stamp: str) -> str:
    """An engine timestamp as Go's time.Time marshals it (RFC 3339, the fraction's
    trailing zeros dropped); the engine writes it that way already."""
    head, dot, rest = stamp.partition(".")
    if not dot:
        return stamp
    digits = re.match(r"\d*", rest)
    fraction = digits.group(0) if digits else ""
    trimmed = fraction.rstrip("0")
    return head + ("." + trimmed if trimmed else "") + rest[len(fraction) :]


class ImageSummary(NamedTuple):
    """The image of one container, as `images` lists it."""

    container: str
    id: str  # `sha256:...`
    repository: str  # "" when the container's image reference is none (an id)
    tag: str
    platform: str
    size: int
    created: str  # the engine's timestamps, as given
    last_tag_time: str

    def cells(self, now: float) -> list[str]:
        """The table's cells; CREATED counts from the last tagging, and an image never
        tagged is `292 years ago`, as the reference shows it."""
        from composer.runtimes.docker.states import parse_time

        tagged = parse_time(self.last_tag_time)
        since = MAX_DURATION if tagged is None else now - tagged
        return [
            self.container,
            self.repository or "<none>",
            self.tag or "<none>",
            self.platform,
            self.id.partition(":")[2][:12] if ":" in self.id else self.id[:12],
            human_size(self.size),
            human_duration(since) + " ago",
        ]

    def json(self) -> dict[str, Any]:
        """The reference's `--format json` object; an image never tagged reports its
        creation time as LastTagTime."""
        tagged = self.last_tag_time
        if not tagged or tagged.startswith("0001-01-01"):
            tagged = self.created or "0001-01-01T00:00:00Z"
        return {
            "ID": self.id,
            "ContainerName": self.container,
            "Repository": self.repository,
            "Tag": self.tag,
            "Platform": self.platform,
            "Size": self.size,
            "LastTagTime": go_time(tagged),
        }


def image_summary(container: Mapping[str, Any], info: Mapping[str, Any]) -> ImageSummary:
    """The image `info` (inspected by the container's image reference) of the listed
    `container`."""
    repository, tag = repository_and_tag(str(container.get("Image") or ""))
    return ImageSummary(
        container=canonical_name(container),
        id=str(info.get("Id") or ""),
        repository=repository,
        tag=tag,
        platform=platform_of(info),
        size=int(info.get("Size") or 0),
        created=str(info.get("Created") or ""),
        last_tag_time=str((info.get("Metadata") or {}).get("LastTagTime") or ""),
    )


# ---------------------------------------------------------------- volumes


def volume_row(volume: Mapping[str, Any]) -> dict[str, Any]:
    """One volume as `docker compose volumes --format json` prints it (the Docker
    CLI's volume context: `N/A` for what only cluster volumes and disk usage have;
    labels sorted, where the reference walks a Go map)."""
    labels: Mapping[str, str] = volume.get("Labels") or {}
    usage = volume.get("UsageData") or {}
    size = usage.get("Size")
    return {
        "Availability": "N/A",
        "Driver": str(volume.get("Driver") or ""),
        "Group": "N/A",
        "Labels": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
        "Links": str(usage["RefCount"]) if "RefCount" in usage else "N/A",
        "Mountpoint": str(volume.get("Mountpoint") or ""),
        "Name": str(volume.get("Name") or ""),
        "Scope": str(volume.get("Scope") or ""),
        "Size": human_size(float(size)) if isinstance(size, int) and size >= 0 else "N/A",
        "Status": "N/A",
    }


def used_volumes(
    volumes: list[Mapping[str, Any]],
    containers: list[Mapping[str, Any]],
    services: list[str],
) -> list[Mapping[str, Any]]:
    """The project's volumes (`volumes`), only those the running containers of
    `services` mount when some are named, as the reference's Volumes."""
    if not services:
        return volumes
    mounted = {
        str(mount.get("Name") or "")
        for container in containers
        if (container.get("Labels") or {}).get(lb.SERVICE) in services
        for mount in container.get("Mounts") or []
    }
    return [v for v in volumes if v.get("Name") in mounted]


# ---------------------------------------------------------------- events


def engine_time(seconds: float) -> str:
    """Unix seconds as the engine's `since`/`until` read them: `SECONDS.NANOSECONDS`
    with all nine digits (`1.5` would be read as 1 s and 5 ns)."""
    whole = int(seconds // 1)
    return f"{whole}.{round((seconds - whole) * 1e9):09d}"


def project_event(raw: Mapping[str, Any], services: list[str]) -> dict[str, Any] | None:
    """One engine event as the reference's `events` reports it, or None for what it
    leaves out (not a container's, a one-off's, another service's). Attributes
    without the `com.docker.compose.` labels; the time in nanoseconds."""
    if raw.get("Type") != "container":
        return None
    actor = raw.get("Actor") or {}
    attributes: Mapping[str, str] = actor.get("Attributes") or {}
    if attributes.get(lb.ONEOFF) == "True":
        return None
    service = str(attributes.get(lb.SERVICE) or "")
    if services and service not in services:
        return None
    nanos = int(raw.get("timeNano") or 0) or int(raw.get("time") or 0) * 10**9
    return {
        "time_ns": nanos,
        "service": service,
        "id": str(actor.get("ID") or raw.get("id") or ""),
        "action": str(raw.get("Action") or raw.get("status") or ""),
        "attributes": {
            k: str(v) for k, v in attributes.items() if not k.startswith("com.docker.compose.")
        },
    }
