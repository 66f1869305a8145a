"""The Docker runtime: every service instance is a container on a Docker engine.

`DockerBackend` implements the runtime protocol (composer/runtimes/base.py) over the
`docker` SDK's low-level APIClient. It remembers nothing between commands: it finds
containers, networks and volumes by Docker Compose's labels, so `docker compose ps`
and `down` see what it made and it sees (and removes) what `docker compose up` made.
The translation of a service into create arguments is the pure
`translate.container_create_args`; images are pulled or built on first use
(`images.py`). Progress and warnings go to `on_event` when the orchestrator wires
it, else to the `composer.runtimes.docker` logger.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping

from composer.errors import ComposerError
from composer.runtimes.base import (
    CREATED,
    RUNNING,
    Capabilities,
    InstanceProcesses,
    InstanceRef,
    InstanceState,
    Interactive,
    LogLine,
    ProjectSpec,
    ProjectSummary,
)
from composer.runtimes.docker import changes
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.connection import cli_config, connect, engine_address, unreachable
from composer.runtimes.docker.hijack import EngineStreams, hijack
from composer.runtimes.docker.states import (
    anonymous_volumes,
    state_from_inspect,
    state_from_summary,
)
from composer.runtimes.docker.streams import LogStream, multiplex, write_output
from composer.runtimes.docker.wire import is_api_error, is_connection_error

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.runtimes.copying import InstanceFiles
    from composer.runtimes.docker.context import ContainerPlan, InjectedFile
    from composer.runtimes.docker.images import ImageRequest
    from composer.runtimes.docker.listing import ImageSummary

# translate (with context, mounts, endpoints, settings) and images are imported by the
# methods that create things: down, ps and stop never need them.

DEFAULT_GRACE = 10.0
INSPECT_WORKERS = 8  # containers inspected at once for `ps`
# Pauses before trying again to remove a network whose endpoints the engine has not
# released yet although no container is attached any more (seconds, ~3 s in all).
NETWORK_RELEASE = (0.1, 0.2, 0.4, 0.8, 1.5)
ADOPT_WAIT = 5.0  # seconds a name conflict may take to become an inspectable container


def _seconds(duration: Any) -> float:
    """A canonical duration ("1m30s", or a number of seconds) in seconds."""
    from composer.runtimes.docker.context import duration_ns

    return duration_ns(duration) / 1e9


def service_hash(name: str, service: Mapping[str, Any]) -> str:
    """Docker Compose's config hash (label com.docker.compose.config-hash)."""
    from composer.hashing import service_hash as compose_hash

    return compose_hash(name, dict(service))


def _explain(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    if explanation:
        return str(explanation.decode() if isinstance(explanation, bytes) else explanation)
    return str(exc)


class EngineError(ComposerError):
    """The engine refused an operation; `status` is its HTTP status (404, 409, ...)."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "docker-engine"
    ) -> None:
        super().__init__(message, code=code)
        self.status = status


_RAISE = object()
_GONE = object()  # `not_found` value that tells a 404 from success (None)


def _tar(files: list[InjectedFile]) -> bytes:
    """A tar of the injected files, paths relative to / (the engine creates parents)."""
    import tarfile  # only services with secrets or configs need it

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for item in files:
            info = tarfile.TarInfo(item.path.lstrip("/"))
            info.size = len(item.content)
            info.mode = item.mode
            info.uid, info.gid = item.uid, item.gid
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(item.content))
    return buffer.getvalue()


def proxy_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Docker CLI's `proxies.default` (config.json) as container variables, which
    the reference adds to every container's environment (the service's win)."""
    env = os.environ if env is None else env
    proxies = cli_config(env).get("proxies") or {}
    default = proxies.get("default") or {}
    result: dict[str, str] = {}
    for key, names in (
        ("httpProxy", ("HTTP_PROXY", "http_proxy")),
        ("httpsProxy", ("HTTPS_PROXY", "https_proxy")),
        ("ftpProxy", ("FTP_PROXY", "ftp_proxy")),
        ("noProxy", ("NO_PROXY", "no_proxy")),
        ("allProxy", ("ALL_PROXY", "all_proxy")),
    ):
        if default.get(key):
            for name in names:
                result[name] = str(default[key])
    return result


class DockerBackend:
    """Service instances as containers on a Docker engine, shared with `docker compose`."""

    name = "docker"
    capabilities = Capabilities(
        networks=True,
        volumes=True,
        build=True,
        supervises=True,
        switch_user=True,
        attach_streams=True,
        stop_spacing=0.025,
    )
    # Instances the orchestrator may handle at once: each step waits on the engine's
    # API, not on this process, and the reference bounds nothing by default.
    parallelism = 32

    def __init__(
        self,
        client: Any = None,
        *,
        env: Mapping[str, str] | None = None,
        images: ImageRequest | None = None,
        on_event: Callable[[Any], None] | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        self._client = client
        # asked before data is destroyed (a volume whose configuration changed);
        # None answers no
        self.confirm = confirm
        self.env = dict(os.environ if env is None else env)
        self.images = images  # None: what `up` does without --build/--pull
        self.on_event = on_event
        self.warnings: list[str] = []
        self._lock = threading.RLock()
        self._image_locks: dict[str, threading.Lock] = {}
        self._image_ids: dict[str, str] = {}
        self._ids: dict[InstanceRef, str] = {}
        self._inherit: dict[InstanceRef, dict[str, str]] = {}
        # container id -> its anonymous volumes (a container's mounts never change),
        # so `remove` needs no inspect of a container this backend has looked at
        self._anonymous: dict[str, dict[str, str]] = {}
        # project -> service -> the image its containers ran, as last listed (for
        # `down --rmi` of a project known by name only)
        self._listed_images: dict[str, dict[str, str]] = {}
        self._proxy: dict[str, str] | None = None
        self._api_version: str | None = None

    # ------------------------------------------------------------ plumbing

    @property
    def api(self) -> Any:
        """The engine client (connection.connect: the SDK's methods), made on first use."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = connect(self.env)
        return self._client

    @property
    def api_version(self) -> str:
        if self._api_version is None:
            with self._engine("cannot read the engine's API version"):
                self._api_version = str(self.api.api_version)
        return self._api_version

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()

    def __enter__(self) -> DockerBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _engine(self, action: str) -> Iterator[None]:
        """Engine failures as ComposerErrors: unreachable (naming the address) or an
        EngineError with the engine's explanation, prefixed with what was being done."""
        try:
            yield
        except ComposerError:
            raise
        except Exception as exc:
            if is_api_error(exc):
                status = getattr(exc, "status_code", None)
                raise EngineError(f"{action}: {_explain(exc)}", status=status) from None
            if is_connection_error(exc):
                raise unreachable(engine_address(self.env), exc) from None
            raise

    def _call(
        self,
        action: str,
        function: Callable[..., Any],
        *args: Any,
        not_found: Any = _RAISE,
        **kwargs: Any,
    ) -> Any:
        """One engine call; `not_found` is returned instead of raising on a 404."""
        try:
            with self._engine(action):
                return function(*args, **kwargs)
        except EngineError as exc:
            if exc.status == 404 and not_found is not _RAISE:
                return not_found
            raise

    def _emit(
        self, kind: str, service: str | None, instance: str | None, status: str, detail: str = ""
    ) -> None:
        if self.on_event is None:
            return
        from composer.orchestrator.events import Event

        self.on_event(Event(kind, service, instance, status, detail))

    def _warn(self, message: str) -> None:
        with self._lock:
            if message in self.warnings:
                return
            self.warnings.append(message)
        if self.on_event is not None:
            self._emit("warning", None, None, "Warning", message)
        else:  # used as a library, without the orchestrator's events
            import logging

            logging.getLogger("composer.runtimes.docker").warning("%s", message)

    def service_hash(
        self, name: str, service: Mapping[str, Any], spec: ProjectSpec | None = None
    ) -> str:
        """The label's hash; with `spec`, `service:x` references resolved to the
        containers listed or made so far, as the reference hashes them."""
        if spec is not None:
            service = self._resolved(spec, service)
        return service_hash(name, service)

    def _shared_ids(self, spec: ProjectSpec, service: Mapping[str, Any]) -> dict[str, str]:
        """Id of the first container of each service `service` shares with, among the
        containers this backend has listed or made (`instances` lists them all)."""
        from composer.runtimes.docker.references import referenced_services

        names = referenced_services(service)
        if not names:
            return {}
        first: dict[str, tuple[int, str]] = {}
        for ref, ident in list(self._ids.items()):
            if ref.project == spec.name and ref.service in names and not ref.oneoff:
                if ref.service not in first or ref.index < first[ref.service][0]:
                    first[ref.service] = (ref.index, ident)
        return {name: ident for name, (_, ident) in first.items()}

    def _resolved(self, spec: ProjectSpec, service: Mapping[str, Any]) -> Mapping[str, Any]:
        shared = self._shared_ids(spec, service)
        if not shared:
            return service
        from composer.runtimes.docker.references import resolve_references

        return resolve_references(service, shared)

    # ------------------------------------------------------------ finding containers

    def _inspect_id(self, ident: str) -> dict[str, Any] | None:
        info: dict[str, Any] | None = self._call(
            f"cannot inspect container {ident}", self.api.inspect_container, ident, not_found=None
        )
        if info is not None:
            self._anonymous[str(info["Id"])] = anonymous_volumes(info)
        return info

    def _find(self, spec: ProjectSpec | None, ref: InstanceRef) -> dict[str, Any] | None:
        """The inspected container of `ref` (by remembered id, name, then labels)."""
        known = self._ids.get(ref)
        candidates = [known] if known else []
        candidates.append(lb.container_name(spec, ref))
        for ident in candidates:
            info = self._inspect_id(ident)
            if info is not None and lb.ref_from_labels(info["Config"].get("Labels") or {}) == ref:
                self._ids[ref] = info["Id"]
                return info
        wanted = [f"{lb.PROJECT}={ref.project}", f"{lb.SERVICE}={ref.service}"]
        if ref.oneoff:
            wanted += [f"{lb.ONEOFF}=True", f"{lb.SLUG}={ref.slug}"]
        else:
            wanted += [f"{lb.ONEOFF}=False", f"{lb.NUMBER}={ref.index}"]
        with self._engine("cannot list containers"):
            found = self.api.containers(all=True, filters={"label": wanted})
        for summary in found:
            info = self._inspect_id(summary["Id"])
            if info is not None:
                self._ids[ref] = info["Id"]
                return info
        self._ids.pop(ref, None)
        return None

    def _require(self, spec: ProjectSpec, ref: InstanceRef) -> dict[str, Any]:
        info = self._find(spec, ref)
        if info is None:
            raise ComposerError(
                f"no container for {ref.name} (service {ref.service!r} of project {ref.project!r})",
                code="no-container",
            )
        return info

    # ------------------------------------------------------------ networks and volumes

    def _networks_named(self, name: str) -> list[dict[str, Any]]:
        with self._engine(f"cannot list networks named {name}"):
            found = self.api.networks(names=[name])
        return [n for n in found if n.get("Name") == name]

    def ensure_network(self, spec: ProjectSpec, key: str) -> bool:
        config: Mapping[str, Any] = (spec.project.get("networks") or {}).get(key) or {}
        name = lb.network_name(spec, key)
        existing = self._networks_named(name)
        if config.get("external"):
            if not existing:
                raise ComposerError(
                    f"network {name} declared as external, but could not be found",
                    code="network-missing",
                    path=("networks", key),
                    hint=f"create it first: docker network create {name}",
                )
            return False
        detached: list[tuple[str, dict[str, Any]]] = []
        if existing:
            if not self._check_existing_network(spec, key, config, existing[0]):
                return False
            detached = self._remove_for_recreate(existing[0])
        from composer.runtimes.docker.translate import network_create_args

        args = network_create_args(spec, key, self.api_version)
        self._emit("network", None, name, "Creating")  # `Created` is the orchestrator's
        try:
            self._call(f"failed to create network {name}", self.api.create_network, **args)
            created = True
        except EngineError:
            if not self._networks_named(name):
                raise
            created = False  # another `up` created it meanwhile
        self._reconnect(name, detached)
        return created

    def _check_existing_network(
        self, spec: ProjectSpec, key: str, config: Mapping[str, Any], network: Mapping[str, Any]
    ) -> bool:
        """Warn about a network made elsewhere; True when it is this project's and its
        configuration changed, so it must be made again (as the reference does). One
        without this network's key label is refused, as the reference v2.40.3 refuses
        it (after the same warning), hand-made ones included."""
        labels: Mapping[str, str] = network.get("Labels") or {}
        name = network.get("Name")
        foreign = labels.get(lb.PROJECT) != spec.name
        if lb.PROJECT not in labels:
            self._warn(
                f"a network with name {name} exists but was not created by compose.\n"
                "Set `external: true` to use an existing network"
            )
        elif foreign:
            self._warn(
                f'a network with name {name} exists but was not created for project "{spec.name}".\n'
                "Set `external: true` to use an existing network"
            )
        if labels.get(lb.NETWORK, "") != key:
            raise ComposerError(
                f"network {name} was found but has incorrect label {lb.NETWORK} set to "
                f'"{labels.get(lb.NETWORK, "")}" (expected: "{key}")',
                code="network-conflict",
                hint=f"set `external: true` on network {key} to use it, or remove it",
            )
        if foreign:
            return False
        recorded = labels.get(lb.CONFIG_HASH)
        return bool(recorded) and recorded != lb.network_hash(key, config)

    def _remove_for_recreate(self, network: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Take a network whose configuration changed out of the way, as the reference
        does: its containers are stopped (`up` starts them again) and disconnected.
        How each was attached (container id, endpoint settings), for `_reconnect`."""
        name, ident = str(network["Name"]), str(network["Id"])
        detached: list[tuple[str, dict[str, Any]]] = []
        info = self._call(
            f"cannot inspect network {name}", self.api.inspect_network, ident, not_found={}
        )
        for container in sorted(info.get("Containers") or {}):
            found = self._inspect_id(container)
            if found is None:
                continue
            label = str(found.get("Name") or container).lstrip("/")
            settings = ((found.get("NetworkSettings") or {}).get("Networks") or {}).get(name)
            detached.append((container, dict(settings or {})))
            if (found.get("State") or {}).get("Running"):
                self._emit("container", None, label, "Stopping")
                self._call(f"cannot stop container {label}", self.api.stop, container)
                self._emit("container", None, label, "Stopped")
            self._call(
                f"cannot disconnect {label} from network {name}",
                self.api.disconnect_container_from_network,
                container,
                ident,
                force=True,
                not_found=None,
            )
        self._call(f"failed to remove network {name}", self.api.remove_network, ident)
        self._emit("network", None, name, "Removed")
        return detached

    def _reconnect(self, name: str, detached: list[tuple[str, dict[str, Any]]]) -> None:
        """Attach the containers `_remove_for_recreate` took off network `name` again,
        with their aliases, addresses, links and driver options."""
        for container, settings in detached:
            ipam = settings.get("IPAMConfig") or {}
            self._call(
                f"failed to connect {container[:12]} to network {name}",
                self.api.connect_container_to_network,
                container,
                name,
                ipv4_address=ipam.get("IPv4Address") or None,
                ipv6_address=ipam.get("IPv6Address") or None,
                aliases=settings.get("Aliases") or None,
                links=[tuple(str(link).split(":", 1)) for link in settings.get("Links") or []]
                or None,
                link_local_ips=ipam.get("LinkLocalIPs") or None,
                driver_opt=settings.get("DriverOpts") or None,
            )

    def ensure_volume(self, spec: ProjectSpec, key: str) -> bool:
        config: Mapping[str, Any] = (spec.project.get("volumes") or {}).get(key) or {}
        name = lb.volume_name(spec, key)
        info = self._call(
            f"cannot inspect volume {name}", self.api.inspect_volume, name, not_found=None
        )
        if info is None:
            if config.get("external"):
                raise ComposerError(
                    f'external volume "{name}" not found',
                    code="volume-missing",
                    path=("volumes", key),
                    hint=f"create it first: docker volume create {name}",
                )
            self._create_volume(spec, key, name)
            return True
        if config.get("external"):
            return False
        labels: Mapping[str, str] = info.get("Labels") or {}
        if lb.PROJECT not in labels:
            self._warn(
                f'volume "{name}" already exists but was not created by Docker Compose. '
                "Use `external: true` to use an existing volume"
            )
        elif labels[lb.PROJECT] != spec.name:
            self._warn(
                f'volume "{name}" already exists but was created for project '
                f'"{labels[lb.PROJECT]}" (expected "{spec.name}"). '
                "Use `external: true` to use an existing volume"
            )
        recorded = labels.get(lb.CONFIG_HASH)
        if recorded and recorded != lb.volume_hash(key, config):
            question = (
                f'Volume "{name}" exists but doesn\'t match configuration in compose file. '
                "Recreate (data will be lost)?"
            )
            if self.confirm is not None and self.confirm(question):
                self._recreate_volume(spec, key, name)
                return True
            self._warn(
                f'volume "{name}" exists but doesn\'t match configuration in compose file; '
                "kept with its data (`up -y` recreates it, losing the data)"
            )
        return False

    def _recreate_volume(self, spec: ProjectSpec, key: str, name: str) -> None:
        """What the reference does when told yes: the project's containers that mount
        the volume are stopped and removed (`up` creates them again), then the volume
        is removed and created with the new configuration."""
        users = self._call(
            f"cannot list the containers of volume {name}",
            self.api.containers,
            all=True,
            filters={**lb.project_filter(spec.name), "volume": [name]},
        )
        for summary in users:
            state = self._remember(summary, spec.name)
            if state is None:
                continue
            ref = state.ref
            if state.running:
                self._emit("container", ref.service, ref.name, "Stopping")
                self.stop(spec, ref)
                self._emit("container", ref.service, ref.name, "Stopped")
            self._emit("container", ref.service, ref.name, "Removing")
            self.remove(spec, ref)
            self._emit("container", ref.service, ref.name, "Removed")
        self._call(f"failed to remove volume {name}", self.api.remove_volume, name)
        self._create_volume(spec, key, name)

    def _create_volume(self, spec: ProjectSpec, key: str, name: str) -> None:
        from composer.runtimes.docker.translate import volume_create_args

        self._emit("volume", None, name, "Creating")  # `Created` is the orchestrator's
        self._call(
            f"failed to create volume {name}",
            self.api.create_volume,
            **volume_create_args(spec, key),
        )

    def remove_network(
        self, spec: ProjectSpec, key: str, removing: Callable[[], None] | None = None
    ) -> bool:
        config: Mapping[str, Any] = (spec.project.get("networks") or {}).get(key) or {}
        if config.get("external"):
            return False
        name = lb.network_name(spec, key)
        # Only a network labelled with this project, as the reference: one of the
        # same name made by hand or by another tool is not ours to remove.
        found = [
            n
            for n in self._networks_named(name)
            if (n.get("Labels") or {}).get(lb.PROJECT) == spec.name
        ]
        if found and removing is not None:
            removing()
        removed = False
        for network in found:
            gone = self._remove_network_id(name, str(network["Id"]))
            removed = removed or gone
        return removed

    def _remove_network_id(self, name: str, ident: str) -> bool:
        """Remove one network. Right after its containers went, the engine may still
        hold their endpoints for a moment ("has active endpoints" while no container
        is attached): that is waited out (NETWORK_RELEASE); a network that other
        containers use is left, with a warning."""
        for pause in (*NETWORK_RELEASE, None):
            try:
                gone = self._call(
                    f"failed to remove network {name}",
                    self.api.remove_network,
                    ident,
                    not_found=False,
                )
                return gone is not False
            except EngineError as exc:
                if exc.status not in (403, 409) and "active endpoints" not in exc.message:
                    raise
                info = self._call(
                    f"cannot inspect network {name}", self.api.inspect_network, ident, not_found={}
                )
                if pause is None or (info.get("Containers") or {}):
                    from composer.orchestrator.events import NETWORK, STILL_IN_USE

                    self._emit(NETWORK, None, name, STILL_IN_USE)
                    return False
                time.sleep(pause)
        return False

    def remove_volume(
        self, spec: ProjectSpec, key: str, removing: Callable[[], None] | None = None
    ) -> bool:
        """Like the reference, whatever its labels (it was found by the project's
        name for it). `removing` is called once the engine has answered that the
        volume exists (no inspect call first: it comes just before `Removed`)."""
        config: Mapping[str, Any] = (spec.project.get("volumes") or {}).get(key) or {}
        if config.get("external"):
            return False
        name = lb.volume_name(spec, key)
        try:
            gone = self._call(
                f"failed to remove volume {name}", self.api.remove_volume, name, not_found=False
            )
        except EngineError as exc:
            if exc.status == 409 or "in use" in exc.message:
                if removing is not None:
                    removing()
                from composer.orchestrator.events import STILL_IN_USE, VOLUME

                self._emit(VOLUME, None, name, STILL_IN_USE)
                return False
            raise
        if gone is not False and removing is not None:
            removing()
        return gone is not False

    def project_resources(self, project: str) -> tuple[list[str], list[str]]:
        """Names of the networks and volumes labelled with the project (for `down`
        when no Compose file is at hand)."""
        selector = {"label": [f"{lb.PROJECT}={project}"]}
        with self._engine("cannot list networks"):
            networks = sorted(n["Name"] for n in self.api.networks(filters=selector))
        with self._engine("cannot list volumes"):
            volumes = sorted(
                v["Name"] for v in (self.api.volumes(filters=selector).get("Volumes") or [])
            )
        return networks, volumes

    def project_events(
        self,
        project: str,
        services: list[str],
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> Iterator[dict[str, Any]]:
        """`composer events`: the engine's events of the project's containers as they
        come (from `since`; ending at `until`, else when the caller stops), as
        listing.project_event shapes them."""
        from composer.runtimes.docker.listing import engine_time, project_event

        window = {
            key: engine_time(value)
            for key, value in (("since", since), ("until", until))
            if value is not None
        }
        with self._engine(f'cannot read the events of project "{project}"'):
            stream = self.api.events(
                filters={"label": [f"{lb.PROJECT}={project}"]}, decode=True, **window
            )
        try:
            with self._engine(f'cannot read the events of project "{project}"'):
                for raw in stream:
                    event = project_event(raw, services)
                    if event is not None:
                        yield event
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()

    def project_volumes(self, project: str, services: list[str]) -> list[dict[str, Any]]:
        """`composer volumes`: the volumes labelled with the project, as rows of
        `docker compose volumes --format json` (sorted by name); with `services`,
        only those their running containers mount."""
        from composer.runtimes.docker.listing import used_volumes, volume_row

        selector = {"label": [f"{lb.PROJECT}={project}"]}
        with self._engine(f'cannot list the volumes of project "{project}"'):
            volumes = self.api.volumes(filters=selector).get("Volumes") or []
            running = self.api.containers(filters=selector) if services else []
        rows = [volume_row(v) for v in used_volumes(volumes, running, services)]
        return sorted(rows, key=lambda row: str(row["Name"]))

    # ------------------------------------------------------------ images

    def _image_lock(self, image: str) -> threading.Lock:
        with self._lock:
            return self._image_locks.setdefault(image, threading.Lock())

    def ensure_image(self, spec: ProjectSpec, service_name: str) -> str:
        """Pull or build the service's image as its pull_policy asks; its id."""
        from composer.runtimes.docker import images as img

        service = spec.service(service_name)
        image = lb.image_of(spec, service_name)
        platform = service.get("platform") or spec.environment.get("DOCKER_DEFAULT_PLATFORM")
        with self._image_lock(image):
            if image in self._image_ids:
                return self._image_ids[image]
            info = img.inspect_image(self.api, image)
            action = img.image_action(
                service_name,
                service,
                exists=info is not None,
                tagged_at=img.tagged_at(info),
                request=self.images or img.ImageRequest(),
            )

            def progress(status: str, detail: str) -> None:
                self._emit("image", service_name, image, status, detail)

            with self._engine(f'service "{service_name}": cannot get image "{image}"'):
                if action in (img.PULL, img.PULL_THEN_BUILD):
                    try:
                        self.pull(spec, service_name)
                        action = img.USE
                        info = img.inspect_image(self.api, image)  # what the pull brought
                    except img.ImageError as exc:
                        if action == img.PULL:
                            raise
                        self._warn(f"{exc.message}; building it instead")
                        action = img.BUILD
                if action == img.BUILD:
                    build = service.get("build") or {}
                    for warning in img.build_warnings(service_name, build):
                        self._warn(warning)
                    image_id = img.build_image(
                        self.api,
                        spec.name,
                        service_name,
                        build,
                        image,
                        platform=platform,
                        progress=progress,
                        no_cache=bool(self.images and self.images.no_cache),
                        memory=self.images.memory if self.images else None,
                    )
                    self._image_ids[image] = image_id
                    return image_id
            if info is None:
                raise img.ImageError(
                    f'service "{service_name}": image "{image}" is not on the engine',
                    code="image-missing",
                )
            self._image_ids[image] = str(info["Id"])
            return self._image_ids[image]

    def has_image(self, image: str) -> bool:
        from composer.runtimes.docker import images as img

        with self._engine(f'cannot inspect image "{image}"'):
            return img.inspect_image(self.api, image) is not None

    def pull(self, spec: ProjectSpec, service_name: str) -> None:
        """Pull one service's image (`composer pull`, and `up` when its pull_policy
        asks): ` web Pulling `, then `Pulled`, or `Error` (`Warning` for a service that
        can be built instead) with the engine's words, as the reference's lines;
        ImageError when it failed."""
        from composer.orchestrator.events import SERVICE
        from composer.runtimes.docker import images as img

        service = spec.service(service_name)
        platform = service.get("platform") or spec.environment.get("DOCKER_DEFAULT_PLATFORM")

        def progress(status: str, detail: str) -> None:
            self._emit(SERVICE, service_name, service_name, status, detail)

        try:
            with self._engine(f'service "{service_name}": cannot pull its image'):
                img.pull_image(
                    self.api,
                    service_name,
                    lb.image_of(spec, service_name),
                    platform=platform,
                    progress=progress,
                )
        except img.ImageError as exc:
            outcome = "Warning" if service.get("build") is not None else "Error"
            progress(outcome, exc.reason or exc.message)
            raise

    def remove_images(self, spec: ProjectSpec, which: str = "local") -> list[str]:
        """`down --rmi local|all`: local = images built for services without `image:`.
        A project known by name only (no Compose file) has the images its containers
        ran, as the last listing showed them; `local` ones carry the default name."""
        removed: list[str] = []
        seen: set[str] = set()
        for image in self._images_to_remove(spec, which):
            if image in seen:
                continue
            seen.add(image)
            try:
                gone = self._call(
                    f"failed to remove image {image}", self.api.remove_image, image, not_found=False
                )
            except EngineError as exc:
                if exc.status == 409:
                    self._warn(f"image {image} is still in use; not removed")
                    continue
                raise
            if gone is not False:
                removed.append(image)
        return removed

    def _images_to_remove(self, spec: ProjectSpec, which: str) -> list[str]:
        services: Mapping[str, Any] = spec.project.get("services") or {}
        if services:
            return [
                lb.image_of(spec, name)
                for name, service in sorted(services.items())
                if which == "all" or not service.get("image")
            ]
        ran = sorted(self._listed_images.get(spec.name, {}).items())
        return [
            image
            for name, image in ran
            if which == "all" or image.split(":")[0] == lb.default_image(spec.name, name)
        ]

    # ------------------------------------------------------------ instances

    def _linked(self, spec: ProjectSpec, service: Mapping[str, Any]) -> dict[str, list[str]]:
        linked: dict[str, list[str]] = {}
        for raw in service.get("links") or []:
            target = str(raw).partition(":")[0]
            if target in linked:
                continue
            names = []
            for state in self.instances(spec.name):
                if state.ref.service == target and not state.ref.oneoff:
                    names.append(lb.container_name(spec, state.ref))
            linked[target] = sorted(names)
        return linked

    def _proxy_env(self) -> dict[str, str]:
        if self._proxy is None:
            self._proxy = proxy_environment(self.env)
        return self._proxy

    def plan(
        self, spec: ProjectSpec, ref: InstanceRef, image_id: str | None = None
    ) -> ContainerPlan:
        """The create arguments of `ref` (no engine call unless `links:` need names)."""
        from composer.runtimes.docker.translate import container_create_args

        service = spec.service(ref.service)
        return container_create_args(
            spec,
            ref.service,
            ref,
            image_id=image_id,
            api_version=self.api_version,
            linked=self._linked(spec, service) if service.get("links") else None,
            proxy_env=self._proxy_env(),
            shared=self._shared_ids(spec, service),
        )

    def _apply_inherited(self, ref: InstanceRef, body: dict[str, Any]) -> None:
        """A recreated container gets the anonymous volumes of the one it replaces."""
        inherited = self._inherit.pop(ref, None)
        if not inherited:
            return
        host = body.setdefault("HostConfig", {})
        mounts: list[dict[str, Any]] = host.setdefault("Mounts", [])
        taken = {str(b).split(":")[1] for b in host.get("Binds") or [] if ":" in str(b)}
        by_target = {m["Target"]: m for m in mounts}
        for target, volume in sorted(inherited.items()):
            mount = by_target.get(target)
            if mount is not None:
                if mount.get("Type") == "volume" and not mount.get("Source"):
                    mount["Source"] = volume
            elif target not in taken:
                mounts.append({"Type": "volume", "Source": volume, "Target": target})
        if not mounts:
            host.pop("Mounts")

    def create(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState:
        image_id = self.ensure_image(spec, ref.service)
        plan = self.plan(spec, ref, image_id)
        for warning in plan.warnings:
            self._warn(warning)
        self._apply_inherited(ref, plan.body)
        try:
            created = self._call(
                f"failed to create container {plan.name}",
                self.api.create_container_from_config,
                plan.body,
                plan.name,
                plan.platform,
            )
        except EngineError as exc:
            if exc.status == 409:
                adopted = self._adopt(spec, ref, plan.config_hash)
                if adopted is not None:
                    return adopted
            raise
        ident = str(created["Id"])
        self._ids[ref] = ident
        for warning in created.get("Warnings") or []:
            self._warn(f"{plan.name}: {warning}")
        try:
            self._finish_create(ident, plan)
        except BaseException:
            # a half-made container would block the next attempt: remove it
            with contextlib.suppress(Exception):
                self.api.remove_container(ident, v=False, force=True)
            self._ids.pop(ref, None)
            raise
        # just made: no need to ask the engine what it is (one call less per instance)
        return InstanceState(
            ref=ref, status=CREATED, config_hash=plan.config_hash, image=image_id or None
        )

    def _adopt(self, spec: ProjectSpec, ref: InstanceRef, config_hash: str) -> InstanceState | None:
        """The container another `up` just created under the same name, when it has
        the same configuration: two `up` at once make one container, not an error.
        (The name is taken before the container can be inspected: wait a moment.)"""
        deadline = time.monotonic() + ADOPT_WAIT
        while True:
            existing = self._find(spec, ref)
            if existing is not None:
                labels = existing.get("Config", {}).get("Labels") or {}
                if labels.get(lb.CONFIG_HASH) != config_hash:
                    return None
                return state_from_inspect(existing)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def _finish_create(self, ident: str, plan: ContainerPlan) -> None:
        """Between create and start: extra networks (API < 1.44), injected files."""
        for network, endpoint in plan.connect:
            ipam = endpoint.get("IPAMConfig") or {}
            links = [tuple(str(link).split(":", 1)) for link in endpoint.get("Links") or []]
            self._call(
                f"failed to connect {plan.name} to network {network}",
                self.api.connect_container_to_network,
                ident,
                network,
                ipv4_address=ipam.get("IPv4Address"),
                ipv6_address=ipam.get("IPv6Address"),
                aliases=endpoint.get("Aliases"),
                links=links or None,
                link_local_ips=ipam.get("LinkLocalIPs"),
                driver_opt=endpoint.get("DriverOpts"),
            )
        if plan.files:
            self._call(
                f"failed to copy secrets and configs into {plan.name}",
                self.api.put_archive,
                ident,
                "/",
                _tar(plan.files),
            )

    def start(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        """Start the container; no look at it afterwards (the protocol's start)."""
        action = f"cannot start container {lb.container_name(spec, ref)}"
        known = self._ids.get(ref)
        try:
            # the id this backend remembers saves an inspect; a stale one is looked up
            self._call(action, self.api.start, known or self._require(spec, ref)["Id"])
        except EngineError as exc:
            if exc.status != 404 or known is None:
                raise
            self._ids.pop(ref, None)
            self._call(action, self.api.start, self._require(spec, ref)["Id"])

    def _grace(self, spec: ProjectSpec | None, ref: InstanceRef, info: Mapping[str, Any]) -> float:
        services: Mapping[str, Any] = (spec.project.get("services") or {}) if spec else {}
        service = services.get(ref.service) or {}
        if service.get("stop_grace_period") not in (None, ""):
            return _seconds(service["stop_grace_period"])
        recorded = (info.get("Config") or {}).get("StopTimeout")
        return float(recorded) if recorded is not None else DEFAULT_GRACE

    def _spec_grace(self, spec: ProjectSpec | None, ref: InstanceRef) -> float | None:
        services: Mapping[str, Any] = (spec.project.get("services") or {}) if spec else {}
        period = (services.get(ref.service) or {}).get("stop_grace_period")
        return None if period in (None, "") else _seconds(period)

    def stop(self, spec: ProjectSpec, ref: InstanceRef, timeout: float | None = None) -> None:
        seconds = timeout if timeout is not None else self._spec_grace(spec, ref)
        known = self._ids.get(ref)
        unbounded = bool(getattr(self.api, "waits_for_stop_timeout", False))
        if known is not None and (seconds is not None or unbounded):
            # No inspect first (down sends the stops of a level at once, as the
            # reference does): the engine answers 304 for a container that is not
            # running and, without a timeout, applies the container's own StopTimeout
            # (stop_grace_period when it was made). Only a client that waits as long
            # as that takes is asked so; the SDK's gives up after its own timeout.
            action = f"cannot stop container {lb.container_name(spec, ref)}"
            timeout_s = None if seconds is None else max(0, int(round(seconds)))
            answer = self._call(action, self.api.stop, known, timeout=timeout_s, not_found=_GONE)
            if answer is not _GONE:
                return
            self._ids.pop(ref, None)  # stale: look it up again
        info = self._find(spec, ref)
        if info is None or not (info.get("State") or {}).get("Running"):
            return
        if seconds is None:
            seconds = self._grace(spec, ref, info)
        with self._engine(f"cannot stop container {info['Name'].lstrip('/')}"):
            self.api.stop(info["Id"], timeout=max(0, int(round(seconds))))

    def kill(self, spec: ProjectSpec, ref: InstanceRef, signal: str = "SIGKILL") -> None:
        info = self._find(spec, ref)
        if info is None or not (info.get("State") or {}).get("Running"):
            return
        with self._engine(f"cannot kill container {info['Name'].lstrip('/')}"):
            self.api.kill(info["Id"], signal=signal)

    def pause(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        info = self._require(spec, ref)
        with self._engine(f"cannot pause container {info['Name'].lstrip('/')}"):
            self.api.pause(info["Id"])

    def unpause(self, spec: ProjectSpec, ref: InstanceRef) -> None:
        info = self._require(spec, ref)
        with self._engine(f"cannot unpause container {info['Name'].lstrip('/')}"):
            self.api.unpause(info["Id"])

    def remove(self, spec: ProjectSpec, ref: InstanceRef, *, volumes: bool = False) -> None:
        """Remove the container; with `volumes` (`down -v`) its anonymous volumes too,
        otherwise they are kept for the container that may replace it (recreate)."""
        ident = self._ids.get(ref)
        inherited = self._anonymous.get(ident) if ident else None
        if ident is None or inherited is None:
            info = self._find(spec, ref)
            if info is None:
                return
            ident, inherited = str(info["Id"]), anonymous_volumes(info)
        if inherited and not volumes:
            self._inherit[ref] = inherited
        try:
            gone = self._call(
                f"cannot remove container {lb.container_name(spec, ref)}",
                self.api.remove_container,
                ident,
                v=volumes,
                force=True,
                not_found=_GONE,
            )
        except EngineError as exc:
            if exc.status != 409 or "already in progress" not in exc.message:
                raise
            gone = True
        self._ids.pop(ref, None)
        self._anonymous.pop(ident, None)
        if gone is _GONE and self._find(spec, ref) is not None:
            self.remove(spec, ref, volumes=volumes)  # the remembered id was stale
            return
        if volumes:
            # An anonymous volume handed over from a replaced container is mounted
            # by its name, so the engine's `v` leaves it: it goes here, unless
            # another container still uses it (a 409, left alone).
            for name in sorted(set((inherited or {}).values())):
                with contextlib.suppress(EngineError):
                    self._call(
                        f"cannot remove volume {name}",
                        self.api.remove_volume,
                        name,
                        not_found=None,
                    )

    def inspect(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceState | None:
        info = self._find(spec, ref)
        return state_from_inspect(info) if info is not None else None

    def instances(self, project: str, *, include_stopped: bool = True) -> list[InstanceState]:
        """From the engine's list alone (one request, as the reference's `ps`, `up` and
        `down` do): `inspect` gives the pid, start time and restart count."""
        with self._engine(f'cannot list the containers of project "{project}"'):
            found = self.api.containers(all=include_stopped, filters=lb.project_filter(project))
        states = [s for s in (self._remember(summary, project) for summary in found) if s]
        return sorted(states, key=lambda s: s.ref)

    def _remember(self, summary: Mapping[str, Any], project: str) -> InstanceState | None:
        """The state of a listed container of `project` (None for others), its id,
        anonymous volumes and image noted so later calls on it need no inspect."""
        state = state_from_summary(summary)
        if state is None or state.ref.project != project:
            return None
        ident = str(summary["Id"])
        self._ids[state.ref] = ident
        self._anonymous[ident] = anonymous_volumes(summary)
        if summary.get("Image") and not state.ref.oneoff:
            ran = self._listed_images.setdefault(project, {})
            ran[state.ref.service] = str(summary["Image"])
        return state

    def ps_rows(
        self,
        project: str,
        services: tuple[str, ...] | list[str] = (),
        *,
        all: bool = False,
        no_trunc: bool = False,
    ) -> list[dict[str, Any]]:
        """`docker compose ps --format json` objects for the project's containers
        (running ones, one-offs excluded, unless `all`), sorted by name; `ps.go_json`
        prints one. `no_trunc`: whole ids, commands and mounts (`ps --no-trunc`, and
        the ids `ps -q` prints)."""
        from composer.runtimes.docker.ps import ps_row

        selector = lb.project_filter(project, oneoff=None if all else False)
        with self._engine(f'cannot list the containers of project "{project}"'):
            found = self.api.containers(all=all, filters=selector)
        wanted = set(services)
        found = [
            s for s in found if not wanted or (s.get("Labels") or {}).get(lb.SERVICE) in wanted
        ]
        now = time.time()
        infos = self._inspect_all([str(summary["Id"]) for summary in found])
        rows = [
            ps_row(summary, info, now, trunc=not no_trunc)
            for summary, info in zip(found, infos, strict=True)
        ]
        return sorted(rows, key=lambda row: str(row["Name"]))

    def _inspect_all(self, idents: list[str]) -> list[dict[str, Any] | None]:
        """Inspect several containers at once (each is a round trip), in order."""
        if len(idents) <= 2:
            return [self._inspect_id(ident) for ident in idents]
        from composer.orchestrator.fanout import fan_out

        found: dict[str, dict[str, Any] | None] = {}

        def inspect(ident: str) -> None:
            found[ident] = self._inspect_id(ident)

        failures = fan_out(idents, inspect, INSPECT_WORKERS)
        if failures:
            raise failures[0][1]
        return [found[ident] for ident in idents]

    # ------------------------------------------------------------ ls, top, images

    def projects(self, *, all: bool = False) -> list[ProjectSummary]:
        """`ls`: every project with containers on the engine (running ones unless `all`)."""
        from composer.runtimes.docker.listing import PROJECTS_FILTER, project_summaries

        with self._engine("cannot list containers"):
            return project_summaries(self.api.containers(all=all, filters=PROJECTS_FILTER))

    def top(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceProcesses | None:
        """The container's processes as the engine lists them (`ps -ef` inside it);
        None when it is gone or no longer runs."""
        info = self._find(spec, ref)
        if info is None:
            return None
        name = str(info["Name"]).lstrip("/")
        try:
            found = self._call(
                f"cannot list the processes of {name}", self.api.top, info["Id"], not_found=None
            )
        except EngineError as exc:
            if exc.status == 409:  # stopped since it was listed
                return None
            raise
        if found is None:
            return None
        rows = [[str(cell) for cell in row] for row in found.get("Processes") or []]
        return InstanceProcesses(name, [str(t) for t in found.get("Titles") or []], rows)

    def project_images(
        self, project: str, services: list[str] | tuple[str, ...] = ()
    ) -> list[ImageSummary]:
        """`images`: the image of every container of the project (stopped ones and
        one-offs too), inspected by the reference the container was made from;
        sorted by container name."""
        from composer.orchestrator.fanout import fan_out
        from composer.runtimes.docker.listing import image_summary

        with self._engine(f'cannot list the containers of project "{project}"'):
            found = self.api.containers(all=True, filters=lb.project_filter(project))
        wanted = set(services)
        found = [
            c for c in found if not wanted or (c.get("Labels") or {}).get(lb.SERVICE) in wanted
        ]
        infos: dict[str, dict[str, Any]] = {}

        def inspect(image: str) -> None:
            with self._engine(f"cannot inspect image {image}"):
                infos[image] = self.api.inspect_image(image)

        failures = fan_out(sorted({str(c.get("Image") or "") for c in found}), inspect, 8)
        if failures:
            raise failures[0][1]
        made = [image_summary(c, infos[str(c.get("Image") or "")]) for c in found]
        return sorted(made, key=lambda image: image.container)

    def project_stats(
        self, project: str, service: str | None = None, *, all: bool = False, trunc: bool = True
    ) -> list[dict[str, str]]:
        """`stats --no-stream`: one sample of each container of the project (one-offs
        too; stopped ones with `all`, as zeros), rows as the Docker CLI formats them,
        in the engine's listing order (newest first) as the reference prints them.
        The engine takes two readings about a second apart for the CPU delta, so the
        containers are asked in parallel; one removed meanwhile is left out."""
        from composer.orchestrator.fanout import fan_out
        from composer.runtimes.docker.stats import stats_row

        selector = lb.project_filter(project)
        if service is not None:
            selector["label"].append(f"{lb.SERVICE}={service}")
        with self._engine(f'cannot list the containers of project "{project}"'):
            found = self.api.containers(all=all, filters=selector)
        ids = [str(c["Id"]) for c in found]
        samples: dict[str, dict[str, Any]] = {}

        def sample(ident: str) -> None:
            got = self._call(
                f"cannot read the stats of container {ident[:12]}",
                self.api.stats,
                ident,
                stream=False,
                not_found=None,
            )
            if got is not None:
                samples[ident] = got

        failures = fan_out(ids, sample, 16)
        if failures:
            raise failures[0][1]
        return [stats_row(i, samples[i], trunc=trunc) for i in ids if i in samples]

    # ------------------------------------------------------------ recreate reasons

    def changed_fields(self, spec: ProjectSpec, ref: InstanceRef) -> list[str] | None:
        """The service fields that differ from those the container was created with;
        None when the container does not record them (made by another tool)."""
        from composer.hashing import hashed_json

        info = self._find(spec, ref)
        if info is None:
            return None
        old = (info.get("Config", {}).get("Labels") or {}).get(lb.CONFIG_JSON)
        service = self._resolved(spec, spec.service(ref.service))
        return changes.changed_fields(old, hashed_json(ref.service, dict(service)))

    def recreate_reason(self, spec: ProjectSpec, ref: InstanceRef) -> str:
        """`environment.FOO, image changed`: why `up` recreates this instance."""
        return changes.describe(self.changed_fields(spec, ref))

    # ------------------------------------------------------------ logs

    def _sources(
        self, spec: ProjectSpec, refs: list[InstanceRef]
    ) -> list[tuple[InstanceRef, str, str, bool]]:
        sources = []
        for ref in refs:
            info = self._find(spec, ref)
            if info is None:
                continue
            tty = bool((info.get("Config") or {}).get("Tty"))
            for stream in ("stdout",) if tty else ("stdout", "stderr"):
                sources.append((ref, str(info["Id"]), stream, tty))
        return sources

    def logs(
        self,
        spec: ProjectSpec,
        refs: list[InstanceRef],
        *,
        follow: bool = False,
        tail: int | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> Iterator[LogLine]:
        """The engine's log streams (`since`/`until` are the engine's own filters)."""
        sources = self._sources(spec, refs)
        window = {"since": since, "until": until}
        if not follow:
            for ref in refs:
                lines: list[LogLine] = []
                for source_ref, ident, stream, tty in sources:
                    if source_ref == ref:
                        with self._engine(f"cannot read the logs of {ref.name}"):
                            source = LogStream(
                                self.api,
                                ref,
                                ident,
                                stream,
                                follow=False,
                                tail=tail,
                                tty=tty,
                                **window,
                            )
                            lines.extend(source.lines())
                lines.sort(key=lambda line: line.timestamp)  # stdout and stderr interleaved
                if tail is not None:
                    lines = lines[-tail:] if tail > 0 else []
                yield from lines
            return
        with self._engine("cannot follow the logs"):
            streams = [
                LogStream(self.api, ref, ident, stream, follow=True, tail=tail, tty=tty, **window)
                for ref, ident, stream, tty in sources
            ]
        yield from multiplex(streams)

    # ------------------------------------------------------------ exec

    def exec(
        self,
        spec: ProjectSpec,
        ref: InstanceRef,
        command: list[str],
        *,
        environment: Mapping[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        privileged: bool = False,
        interactive: Interactive | None = None,
        detach: bool = False,
        output: Callable[[str, bytes], None] | None = None,
    ) -> int:
        """Run `command` in the running container; its exit code. Its streams go
        through `interactive`'s relay when given; else its output goes to
        `output(stream, data)`, or to our stdout and stderr. With `detach` it is
        started and left to run (0), as `docker exec -d`."""
        info = self._find(spec, ref)
        if info is None or (info.get("State") or {}).get("Status") != RUNNING:
            suffix = f" container #{ref.index}" if ref.index != 1 and not ref.oneoff else ""
            raise ComposerError(
                f'service "{ref.service}" is not running{suffix}', code="not-running"
            )
        tty = interactive is not None and interactive.tty and not detach
        with self._engine(f"cannot exec in {info['Name'].lstrip('/')}"):
            created = self.api.exec_create(
                info["Id"],
                command,
                stdout=not detach,
                stderr=not detach,
                stdin=interactive is not None and interactive.stdin and not detach,
                tty=tty,
                environment=dict(environment) if environment else None,
                workdir=workdir,
                user=user or "",
                privileged=privileged,
            )
            exec_id = created["Id"]
            if detach:
                self.api.exec_start(exec_id, detach=True)
                return 0
            sock, received = hijack(
                self.api,
                f"/exec/{exec_id}/start",
                params=None,
                body={"Detach": False, "Tty": tty},
            )
        streams = EngineStreams(
            sock,
            received,
            tty=tty,
            resize=lambda rows, columns: self.api.exec_resize(exec_id, rows, columns),
        )
        try:
            if interactive is not None:
                interactive.relay(streams)
            else:
                streams.close_input()
                for stream, data in streams.output():
                    if output is not None:
                        output(stream, data)
                    else:
                        write_output(sys.stdout if stream == "stdout" else sys.stderr, data)
        finally:
            streams.close()
        with self._engine(f"cannot inspect the exec in {info['Name'].lstrip('/')}"):
            result = self.api.exec_inspect(exec_id)
            for _ in range(100):  # the stream can end a moment before the exec is done
                if not result.get("Running"):
                    break
                time.sleep(0.01)
                result = self.api.exec_inspect(exec_id)
        return int(result.get("ExitCode") or 0)

    def attach(
        self, spec: ProjectSpec, ref: InstanceRef, *, stdin: bool, detach_keys: str | None = None
    ) -> EngineStreams:
        """The container's streams from now on, through the engine's attach: its stdin
        too when asked and it keeps one open (`stdin_open`), one raw stream when it
        has a TTY. Made before a one-off starts, so nothing it says is missed."""
        info = self._require(spec, ref)
        config = info.get("Config") or {}
        tty = bool(config.get("Tty"))
        params: dict[str, Any] = {"stream": 1, "stdout": 1, "stderr": 1}
        if stdin and config.get("OpenStdin"):
            params["stdin"] = 1
        keys = detach_keys or cli_config(self.env).get("detachKeys")
        if keys:
            params["detachKeys"] = keys
        container = info["Id"]
        with self._engine(f"cannot attach to {info['Name'].lstrip('/')}"):
            sock, received = hijack(
                self.api, f"/containers/{container}/attach", params=params, body=None
            )
        return EngineStreams(
            sock,
            received,
            tty=tty,
            resize=lambda rows, columns: self.api.resize(container, rows, columns),
        )

    # ------------------------------------------------------------ cp

    def container_id(self, spec: ProjectSpec, ref: InstanceRef) -> str:
        """The container's id (what `run -d` prints, as the reference)."""
        return str(self._require(spec, ref)["Id"])

    def files(self, spec: ProjectSpec, ref: InstanceRef) -> InstanceFiles:
        """The container's files for `cp`: the engine's archive API (copying.py)."""
        from composer.runtimes.docker.copying import EngineFiles

        return EngineFiles(self.api, str(self._require(spec, ref)["Id"]), self.env)

    # ------------------------------------------------------------ export and commit

    def export(self, spec: ProjectSpec, ref: InstanceRef, path: str | None) -> None:
        """The container's filesystem as a tar to `path`, or to our stdout (snapshots.py)."""
        import sys

        from composer.runtimes.docker import snapshots

        info = self._require(spec, ref)
        with self._engine(f"cannot export {info['Name'].lstrip('/')}"):
            if path:
                snapshots.export_file(self.api, info["Id"], path)
            else:
                snapshots.export_to(self.api, info["Id"], sys.stdout.buffer)

    def commit(
        self, spec: ProjectSpec, ref: InstanceRef, reference: str | None, **options: Any
    ) -> str:
        """A new image of the container's changes (snapshots.commit's options); its id."""
        from composer.runtimes.docker import snapshots

        info = self._require(spec, ref)
        with self._engine(f"cannot commit {info['Name'].lstrip('/')}"):
            return snapshots.commit(self.api, info["Id"], reference, **options)

    # ------------------------------------------------------------ watch
    def service_image_id(self, spec: ProjectSpec, service: str) -> str | None:
        """The id of the image the service's containers are made from, None when the
        engine has none of that name (`watch` remembers it across a rebuild)."""
        try:
            return str(self.api.inspect_image(lb.image_of(spec, service))["Id"])
        except Exception as exc:  # noqa: BLE001 - no such image, or the engine's error below
            if is_api_error(exc):
                return None
            raise

    def remove_dangling_image(self, image_id: str) -> bool:
        """Remove image `image_id` if a rebuild left it without a name and no
        container uses it (`watch --prune`); True when removed."""
        with self._engine("cannot inspect the replaced image"):
            try:
                info = self.api.inspect_image(image_id)
            except Exception as exc:  # noqa: BLE001 - gone already
                if is_api_error(exc):
                    return False
                raise
            if info.get("RepoTags") or self.api.containers(
                all=True, filters={"ancestor": image_id}
            ):
                return False
        with contextlib.suppress(Exception):
            self.api.remove_image(image_id)
            return True
        return False
