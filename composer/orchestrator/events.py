"""What the orchestrator tells and is told, as plain data: progress events, `up`
options and results, instance references as dicts (for the control socket).

Kept free of the models and threads so the CLI can import it at start-up cheaply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from composer.record import NamedTuple
from composer.runtimes.base import InstanceRef

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

# Event kinds and the statuses they carry (the reference's progress words).
CONTAINER, NETWORK, VOLUME, WARNING, INFO = "container", "network", "volume", "warning", "info"
IMAGE = "image"
# A step about a service itself, named by the service alone (`pull`'s ` web Pulling `);
# its status is the reference's Text, its detail the reference's StatusText.
SERVICE = "service"
# A network or volume `down` could not remove: the reference's progress warning.
STILL_IN_USE = "Resource is still in use"
RECREATE = "Recreate"  # its detail is the reason (which fields changed), when the backend knows


class Event(NamedTuple):
    """One progress step: `Container proj-web-1  Started`, a warning, a note."""

    kind: str
    service: str | None = None
    instance: str | None = None
    status: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(
            kind=str(data.get("kind") or INFO),
            service=data.get("service"),
            instance=data.get("instance"),
            status=str(data.get("status") or ""),
            detail=str(data.get("detail") or ""),
        )


EventSink = Callable[[Event], None]


class UpOptions(NamedTuple):
    """What `up` was asked for, independent of the CLI (and serialisable for the socket)."""

    services: tuple[str, ...] = ()
    no_deps: bool = False
    scale: Mapping[str, int] = MappingProxyType({})
    wait: bool = False
    wait_timeout: float | None = None
    force_recreate: bool = False
    no_recreate: bool = False
    remove_orphans: bool = False
    timeout: float | None = None  # stop timeout when recreating or scaling down
    no_start: bool = False  # create (and recreate) only: `create`, `up --no-start`
    always_recreate_deps: bool = False  # the named services' dependencies recreated
    renew_anon_volumes: bool = False  # -V: a recreated instance gets new anonymous volumes

    def to_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["services"] = list(self.services)
        data["scale"] = dict(self.scale)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UpOptions:
        known = {k: v for k, v in data.items() if k in cls._fields}
        known["services"] = tuple(known.get("services") or ())
        known["scale"] = dict(known.get("scale") or {})
        return cls(**known)


class UpResult(NamedTuple):
    """The instances of the selected services once `up` converged them."""

    refs: list[InstanceRef]
    services: list[str]


def ref_to_dict(ref: InstanceRef) -> dict[str, Any]:
    return ref.as_dict()


def ref_from_dict(data: Mapping[str, Any]) -> InstanceRef:
    return InstanceRef(**{k: data[k] for k in ("project", "service", "index", "oneoff", "slug")})
