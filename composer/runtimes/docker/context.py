"""The shared vocabulary of the translation: the plan it returns, the state it
builds while walking a service, and the value converters (canonical model ->
engine field types). See translate.py for the walk itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from composer.errors import ComposerError
from composer.record import NamedTuple, Record
from composer.runtimes.base import InstanceRef, ProjectSpec
from composer.runtimes.docker import labels as lb

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

# The oldest API the backend is tested with (Docker 20.10); features newer than the
# engine's version are refused or warned about (see `_require`).
DEFAULT_API_VERSION = "1.41"

SECRETS_DIR = "/run/secrets/"
CONFIGS_DIR = "/"
DEFAULT_FILE_MODE = 0o444


class TranslateError(ComposerError):
    """A service setting the Docker engine cannot run as written."""


class InjectedFile(NamedTuple):
    """A file copied into the container after create: a secret or config whose
    content comes from the environment or is inline (the reference does the same)."""

    path: str
    content: bytes
    mode: int = DEFAULT_FILE_MODE
    uid: int = 0
    gid: int = 0


class ContainerPlan(NamedTuple):
    """Everything needed to create one container the way the reference does."""

    name: str
    image: str
    body: dict[str, Any]
    connect: list[tuple[str, dict[str, Any]]]
    files: list[InjectedFile]
    platform: str | None
    config_hash: str
    warnings: list[str]


class FileAccess(NamedTuple):
    """The two host look-ups a translation may need (injectable for tests)."""

    read_bytes: Callable[[str], bytes]
    exists: Callable[[str], bool]


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


HOST_FILES = FileAccess(read_bytes=read_bytes, exists=os.path.exists)


# ---------------------------------------------------------------- API versions


def version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


# ---------------------------------------------------------------- value converters


def to_bytes(value: Any) -> int:
    """Canonical byte sizes are decimal strings ("536870912"); ints pass through."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    from composer.loader.units import parse_bytes

    text = str(value).strip()
    return int(text) if text.lstrip("-").isdigit() else parse_bytes(text)


def to_int(value: Any) -> int:
    return int(str(value)) if not isinstance(value, int) else value


def to_str(value: Any) -> str:
    return str(value)


def to_bool(value: Any) -> bool:
    return bool(value)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


def str_map(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in (value or {}).items()}


def capabilities(value: Any) -> list[str]:
    """`net_admin` -> `CAP_NET_ADMIN` (`ALL` stays), as the Docker CLI normalises them."""
    result = []
    for cap in strings(value):
        upper = cap.strip().upper()
        result.append(upper if upper == "ALL" or upper.startswith("CAP_") else "CAP_" + upper)
    return result


def duration_ns(value: Any) -> int:
    """A canonical duration ("1m30s") in nanoseconds."""
    from composer.loader.units import parse_duration

    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value * 1_000_000_000)
    return parse_duration(str(value))


def seconds(value: Any) -> int:
    return duration_ns(value) // 1_000_000_000


def nano_cpus(value: Any) -> int:
    return int(float(value) * 1e9)


# ---------------------------------------------------------------- the walk in progress


CONFIG, HOST = "config", "host"


class Translation(Record):
    """The translation in progress: the inputs, and the engine fields the handlers
    fill in (config, host, endpoints, ...)."""

    __slots__ = (
        "spec", "name", "service", "ref", "api", "files", "linked", "use_aliases", "shared",
        "config", "host", "endpoints", "connect", "injected", "mounts", "binds", "warnings",
    )  # fmt: skip

    def __init__(
        self,
        spec: ProjectSpec,
        name: str,  # service name
        service: Mapping[str, Any],
        ref: InstanceRef,
        api: tuple[int, ...],
        files: FileAccess,
        linked: Mapping[str, Sequence[str]],
        use_aliases: bool,
        shared: Mapping[str, str] | None = None,
    ) -> None:
        self.spec, self.name, self.service, self.ref = spec, name, service, ref
        self.api, self.files, self.linked, self.use_aliases = api, files, linked, use_aliases
        # id of the first container of each service this one shares with (`service:x`)
        self.shared: Mapping[str, str] = shared or {}
        self.config: dict[str, Any] = {}
        self.host: dict[str, Any] = {}
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.connect: list[tuple[str, dict[str, Any]]] = []
        self.injected: list[InjectedFile] = []
        self.mounts: dict[str, dict[str, Any]] = {}  # by target
        self.binds: list[str] = []
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        text = f'service "{self.name}": {message}'
        if text not in self.warnings:
            self.warnings.append(text)

    def fail(self, message: str, key: str, hint: str | None = None) -> TranslateError:
        return TranslateError(
            f'service "{self.name}": {message}',
            code="docker-unsupported",
            path=("services", self.name, *(int(p) if p.isdigit() else p for p in key.split("."))),
            hint=hint,
        )

    def supports(self, minimum: str) -> bool:
        return self.api >= version_tuple(minimum)

    def require(self, minimum: str, feature: str, key: str, *, fatal: bool) -> bool:
        """True when the engine's API has `feature`; otherwise an error (fatal) or a
        warning that the setting is ignored."""
        if self.supports(minimum):
            return True
        have = ".".join(str(p) for p in self.api)
        message = f"{feature} needs Docker Engine API {minimum} or later (this engine: {have})"
        if fatal:
            raise self.fail(message, key, hint="upgrade Docker Engine or remove the setting")
        self.warn(message + "; ignored")
        return False

    def section(self, where: str) -> dict[str, Any]:
        return self.config if where == CONFIG else self.host

    def instance_of(self, service: str, index: int = 1) -> str:
        """Another service's container for `service:x` references: its id when known
        (what the reference writes), else its name."""
        if index == 1 and service in self.shared:
            return self.shared[service]
        return lb.container_name(self.spec, InstanceRef(self.spec.name, service, index))
