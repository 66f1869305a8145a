"""Docker Compose v2's names and labels, so `docker compose` and Composer share state.

Everything the reference finds again later is found through these labels (it keeps
no state file): containers by `com.docker.compose.project` (+ `.service`,
`.container-number`, `.oneoff`), networks by `.network`, volumes by `.volume`.
Writing the same labels with the same values is what lets `docker compose ps/down`
list and remove what Composer made, and the other way round. The label set and the
hash rules are those of Docker Compose v2.40.3 (pkg/api/labels.go, pkg/compose/hash.go).
"""

from __future__ import annotations

from collections.abc import Mapping

from composer.runtimes.base import InstanceRef, ProjectSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

COMPOSE_VERSION = "2.40.3"

PREFIX = "com.docker.compose."
PROJECT = PREFIX + "project"
SERVICE = PREFIX + "service"
NUMBER = PREFIX + "container-number"
ONEOFF = PREFIX + "oneoff"
SLUG = PREFIX + "slug"
CONFIG_HASH = PREFIX + "config-hash"
DEPENDS_ON = PREFIX + "depends_on"
IMAGE = PREFIX + "image"
WORKING_DIR = PREFIX + "project.working_dir"
CONFIG_FILES = PREFIX + "project.config_files"
ENVIRONMENT_FILE = PREFIX + "project.environment_file"
VERSION = PREFIX + "version"
REPLACE = PREFIX + "replace"
NETWORK = PREFIX + "network"
VOLUME = PREFIX + "volume"
IMAGE_BUILDER = PREFIX + "image.builder"

# Composer's own: the compact JSON the config hash was computed from, so a later `up`
# can say which fields changed (the hash alone cannot).
CONFIG_JSON = "io.composer.config"

# Labels whose values depend on the moment or the tool version, not the project.
VOLATILE = frozenset({CONFIG_HASH, VERSION, IMAGE, REPLACE, SLUG, CONFIG_JSON})

SEPARATOR = "-"


# ---------------------------------------------------------------- names


def default_image(project: str, service: str) -> str:
    """The image a service without `image:` is built as (`<project>-<service>`)."""
    return f"{project}{SEPARATOR}{service}"


def image_of(spec: ProjectSpec, service: str) -> str:
    """The image the service runs: `image:`, else the name its build is tagged with."""
    config = spec.service(service)
    return str(config.get("image") or default_image(spec.name, service))


def container_name(spec: ProjectSpec | None, ref: InstanceRef) -> str:
    """`container_name:` when the service sets one, else `<project>-<service>-<n>` /
    `<project>-<service>-run-<slug>`. A one-off's spec has the service's own name
    taken out and `run --name` put in (Orchestrator.prepare_oneoff), as the
    reference's applyRunOptions does."""
    if spec is not None:
        services: Mapping[str, Any] = spec.project.get("services") or {}
        custom = (services.get(ref.service) or {}).get("container_name")
        if custom:
            return str(custom)
    return ref.name


def network_name(spec: ProjectSpec, key: str) -> str:
    """The engine name of network `key` (`<project>_<key>` unless `name:` is set)."""
    config = (spec.project.get("networks") or {}).get(key) or {}
    return str(config.get("name") or f"{spec.name}_{key}")


def volume_name(spec: ProjectSpec, key: str) -> str:
    """The engine name of volume `key` (`<project>_<key>` unless `name:` is set)."""
    config = (spec.project.get("volumes") or {}).get(key) or {}
    return str(config.get("name") or f"{spec.name}_{key}")


# ---------------------------------------------------------------- hashes


def _model_hash(section: str, key: str, value: Mapping[str, Any]) -> str:
    """sha256 of the compact Go-ordered JSON of one network/volume (json.Marshal's)."""
    from composer.hashing import model_json, sha256_hex

    return sha256_hex(model_json(section, key, dict(value)))


def network_hash(key: str, config: Mapping[str, Any]) -> str:
    """com.docker.compose.config-hash of a network: sha256 of its JSON."""
    return _model_hash("networks", key, config)


def volume_hash(key: str, config: Mapping[str, Any]) -> str:
    """com.docker.compose.config-hash of a volume; the driver counts as `local` when unset."""
    data = dict(config)
    if not data.get("driver"):
        data["driver"] = "local"
    return _model_hash("volumes", key, data)


# ---------------------------------------------------------------- label sets


def depends_on_label(service: Mapping[str, Any]) -> str:
    """`svc:condition:restart`, comma-joined (sorted; the reference walks a Go map)."""
    deps = service.get("depends_on") or {}
    parts = []
    for name in sorted(deps):
        dep = deps[name] or {}
        condition = dep.get("condition") or "service_started"
        restart = "true" if dep.get("restart") else "false"
        parts.append(f"{name}:{condition}:{restart}")
    return ",".join(parts)


def container_labels(
    spec: ProjectSpec,
    ref: InstanceRef,
    service: Mapping[str, Any],
    *,
    config_hash: str,
    image_id: str | None = None,
    config_json: str | None = None,
    environment_files: tuple[str, ...] = (),
) -> dict[str, str]:
    """Every label of an instance: the user's `labels:`, then Compose's on top."""
    labels = {str(k): "" if v is None else str(v) for k, v in (service.get("labels") or {}).items()}
    compose = {
        PROJECT: spec.name,
        SERVICE: ref.service,
        VERSION: COMPOSE_VERSION,
        WORKING_DIR: spec.working_dir,
        CONFIG_FILES: ",".join(spec.config_files),
        ONEOFF: "True" if ref.oneoff else "False",
        CONFIG_HASH: config_hash,
        DEPENDS_ON: depends_on_label(service),
    }
    if environment_files:
        compose[ENVIRONMENT_FILE] = ",".join(environment_files)
    if ref.oneoff:
        compose[SLUG] = ref.slug
    else:
        compose[NUMBER] = str(ref.index)
    if image_id:
        compose[IMAGE] = image_id
    if config_json is not None:
        compose[CONFIG_JSON] = config_json
    labels.update(compose)
    return labels


def network_labels(spec: ProjectSpec, key: str, config: Mapping[str, Any]) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in (config.get("labels") or {}).items()}
    labels.update(
        {
            NETWORK: key,
            PROJECT: spec.name,
            VERSION: COMPOSE_VERSION,
            CONFIG_HASH: network_hash(key, config),
        }
    )
    return labels


def volume_labels(spec: ProjectSpec, key: str, config: Mapping[str, Any]) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in (config.get("labels") or {}).items()}
    labels.update(
        {
            VOLUME: key,
            PROJECT: spec.name,
            VERSION: COMPOSE_VERSION,
            CONFIG_HASH: volume_hash(key, config),
        }
    )
    return labels


def image_labels(
    project: str, service: str, user: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Labels of an image built for a service (the classic builder)."""
    labels = {str(k): str(v) for k, v in (user or {}).items()}
    labels.update(
        {
            PROJECT: project,
            SERVICE: service,
            VERSION: COMPOSE_VERSION,
            IMAGE_BUILDER: "classic",
        }
    )
    return labels


# ---------------------------------------------------------------- reading back


def project_filter(project: str, *, oneoff: bool | None = None) -> dict[str, list[str]]:
    """An engine `filters` argument selecting the project's objects."""
    wanted = [f"{PROJECT}={project}"]
    if oneoff is not None:
        wanted.append(f"{ONEOFF}={'True' if oneoff else 'False'}")
    return {"label": wanted}


def ref_from_labels(labels: Mapping[str, str]) -> InstanceRef | None:
    """The InstanceRef a container's labels describe; None when it is not a service's."""
    project = labels.get(PROJECT)
    service = labels.get(SERVICE)
    if not project or not service:
        return None
    if labels.get(ONEOFF) == "True":
        return InstanceRef(project, service, 1, oneoff=True, slug=labels.get(SLUG) or "")
    try:
        index = int(labels.get(NUMBER) or "1")
    except ValueError:
        index = 1
    return InstanceRef(project, service, index)
