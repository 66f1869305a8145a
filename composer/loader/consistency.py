"""Consistency of a loaded project: every reference points at something that exists.

The checks are the reference's (compose-go's checkConsistency plus the container
name and dependency-cycle checks docker compose runs); each is one function in the
CHECKS table returning every problem it finds, so `validate` can report all of them
while `config` stops at the first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any

from composer.errors import ConsistencyError
from composer.source import locate

Project = dict[str, Any]
Check = Callable[[Project], Iterator[ConsistencyError]]


def _services(project: Project) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, service in (project.get("services") or {}).items():
        if isinstance(service, dict):
            yield name, service


def _error(
    project: Project, message: str, path: tuple[Any, ...], code: str, hint: str | None = None
) -> ConsistencyError:
    return ConsistencyError(
        message, code=code, location=locate(project, path), path=path, hint=hint
    )


def _defined(project: Project, key: str) -> dict[str, Any]:
    return project.get(key) or {}


def check_image_or_build(project: Project) -> Iterator[ConsistencyError]:
    for name, s in _services(project):
        if not s.get("image") and s.get("build") is None and s.get("provider") is None:
            yield _error(
                project,
                f'service "{name}" has neither an image nor a build context specified',
                ("services", name),
                "service-no-image",
                "add `image: NAME` or `build: PATH`",
            )


def check_build(project: Project) -> Iterator[ConsistencyError]:
    for name, s in _services(project):
        build = s.get("build")
        if not isinstance(build, dict):
            continue
        if (
            build.get("dockerfile_inline")
            and build.get("dockerfile")
            and build.get("dockerfile") != "Dockerfile"
        ):
            yield _error(
                project,
                f'service "{name}" declares mutualy exclusive dockerfile and dockerfile_inline',
                ("services", name, "build"),
                "build-dockerfile-exclusive",
            )
        platforms = build.get("platforms") or []
        platform = s.get("platform")
        if platforms and platform and platform not in platforms:
            yield _error(
                project,
                f'service.build.platforms MUST include service.platform "{platform}"',
                ("services", name, "platform"),
                "build-platform",
                f"add {platform} to build.platforms or change platform",
            )
        for index, secret in enumerate(build.get("secrets") or []):
            source = secret.get("source") if isinstance(secret, dict) else secret
            if source not in _defined(project, "secrets"):
                yield _error(
                    project,
                    f'service "{name}" refers to undefined build secret {source}',
                    ("services", name, "build", "secrets", index),
                    "undefined-secret",
                    "declare it under the top-level `secrets:`",
                )


def check_networks(project: Project) -> Iterator[ConsistencyError]:
    networks = _defined(project, "networks")
    for name, s in _services(project):
        attached = s.get("networks") or {}
        if s.get("network_mode") and attached:
            yield _error(
                project,
                f"service {name} declares mutually exclusive `network_mode` and `networks`",
                ("services", name, "network_mode"),
                "network-mode-exclusive",
                "remove either network_mode or networks",
            )
        for network in attached:
            if network not in networks:
                yield _error(
                    project,
                    f'service "{name}" refers to undefined network {network}',
                    ("services", name, "networks", network),
                    "undefined-network",
                    "declare it under the top-level `networks:`",
                )
        mode = s.get("network_mode") or ""
        if mode.startswith("service:"):
            target = mode[len("service:") :]
            if target not in (project.get("services") or {}):
                yield _error(
                    project,
                    f"service \"{target}\" not found for network_mode 'service:{target}'",
                    ("services", name, "network_mode"),
                    "undefined-service",
                )


def check_healthcheck(project: Project) -> Iterator[ConsistencyError]:
    for name, s in _services(project):
        test = (s.get("healthcheck") or {}).get("test")
        if isinstance(test, list) and test and test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            yield _error(
                project,
                'healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
                ("services", name, "healthcheck", "test"),
                "healthcheck-test",
            )


def check_depends_on(
    project: Project, disabled: Collection[str] = ()
) -> Iterator[ConsistencyError]:
    """`required: false` only excuses a dependency on a profile-disabled service;
    one that is not defined at all is an error either way (the reference's rule)."""
    services = project.get("services") or {}
    for name, s in _services(project):
        for target, spec in (s.get("depends_on") or {}).items():
            required = not isinstance(spec, dict) or spec.get("required", True) is not False
            if target not in services and (required or target not in disabled):
                yield _error(
                    project,
                    f'service "{name}" depends on undefined service "{target}"',
                    ("services", name, "depends_on", target),
                    "undefined-service",
                    "define the service, enable its profile, or mark the dependency `required: false`",
                )


def check_volumes(project: Project) -> Iterator[ConsistencyError]:
    volumes = _defined(project, "volumes")
    for name, s in _services(project):
        for index, volume in enumerate(s.get("volumes") or []):
            if not isinstance(volume, dict) or volume.get("type") != "volume":
                continue
            source = volume.get("source")
            if source and source not in volumes:
                yield _error(
                    project,
                    f'service "{name}" refers to undefined volume {source}',
                    ("services", name, "volumes", index),
                    "undefined-volume",
                    "declare it under the top-level `volumes:`",
                )


def _mounts(kind: str, singular: str) -> Check:
    def check(project: Project) -> Iterator[ConsistencyError]:
        defined = _defined(project, kind)
        for name, s in _services(project):
            for index, ref in enumerate(s.get(kind) or []):
                source = ref.get("source") if isinstance(ref, dict) else ref
                if source not in defined:
                    yield _error(
                        project,
                        f'service "{name}" refers to undefined {singular} {source}',
                        ("services", name, kind, index),
                        f"undefined-{singular}",
                        f"declare it under the top-level `{kind}:`",
                    )

    return check


def check_scale(project: Project) -> Iterator[ConsistencyError]:
    for name, s in _services(project):
        deploy = s.get("deploy") or {}
        scale = s.get("scale")
        replicas = deploy.get("replicas")
        if scale is not None and replicas is not None and scale != replicas:
            yield _error(
                project,
                f"services.{name}: can't set distinct values on 'scale' and 'deploy.replicas'",
                ("services", name, "scale"),
                "scale-replicas",
            )
        count = scale if scale is not None else replicas
        if s.get("container_name") and count is not None and count > 1:
            attr = "scale" if scale is not None else "deploy.replicas"
            yield _error(
                project,
                f"services.{name}: can't set container_name and {attr} as container name must be unique",
                ("services", name, "container_name"),
                "container-name-replicas",
            )


# (service key, path under deploy.resources, how the reference names that path):
# a legacy service key and its deploy.resources twin must agree when both exist.
RESOURCE_ALIASES: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("cpus", ("limits", "cpus"), "deploy.resources.limits.cpus"),
    ("mem_limit", ("limits", "memory"), "deploy.resources.limits.memory"),
    ("mem_reservation", ("reservations", "memory"), "deploy.resources.reservations.memory"),
    ("pids_limit", ("limits", "pids"), "deploy.resources.limits.pids"),
)


def _resource_number(key: str, value: Any) -> float:
    """The number the reference's model holds for `value` (0 when unset), so that
    `1g` and "1073741824" compare equal, and cpus compare as Go float32."""
    from composer.golang import float32
    from composer.loader.units import normalize_bytes

    if value is None or isinstance(value, bool):
        return 0
    if key == "cpus":
        return float32(float(value))
    if key in ("mem_limit", "mem_reservation"):
        return int(normalize_bytes(value))
    return int(value)


def check_resource_aliases(project: Project) -> Iterator[ConsistencyError]:
    """compose-go rejects e.g. mem_limit beside a deploy.resources.limits block that
    says otherwise; a limits block without the key counts as 0 and so disagrees."""
    for name, s in _services(project):
        deploy = s.get("deploy")
        resources = (deploy.get("resources") if isinstance(deploy, dict) else None) or {}
        for key, (section, field), twin in RESOURCE_ALIASES:
            block = resources.get(section)
            mine = _resource_number(key, s.get(key))
            if not mine or not isinstance(block, dict):
                continue
            if _resource_number(key, block.get(field)) != mine:
                yield _error(
                    project,
                    f"services.{name}: can't set distinct values on '{key}' and '{twin}'",
                    ("services", name, key),
                    "resource-alias",
                    f"keep only one of `{key}` and `{twin}`",
                )


def sync_scale(project: Project) -> None:
    """The reference's consistency pass copies `scale` into an existing `deploy`
    block as `deploy.replicas` (checkConsistency writes through the Deploy pointer)."""
    for _name, s in _services(project):
        deploy = s.get("deploy")
        if s.get("scale") is not None and isinstance(deploy, dict):
            deploy["replicas"] = s["scale"]


def check_container_names(project: Project) -> Iterator[ConsistencyError]:
    seen: dict[str, str] = {}
    for name, s in sorted(_services(project)):
        container = s.get("container_name")
        if not container:
            continue
        if container in seen:
            yield _error(
                project,
                f'services.{name}: container name "{container}" is already in use by service {seen[container]}',
                ("services", name, "container_name"),
                "container-name-duplicate",
                "container names must be unique; remove one of them",
            )
        else:
            seen[container] = name


def check_secret_sources(project: Project) -> Iterator[ConsistencyError]:
    for name, secret in _defined(project, "secrets").items():
        if not isinstance(secret, dict) or secret.get("external"):
            continue
        if (
            not secret.get("file")
            and not secret.get("environment")
            and secret.get("content") is None
        ):
            yield _error(
                project,
                f'secret "{name}" must declare either `file` or `environment`',
                ("secrets", name),
                "secret-source",
            )


def check_watch_targets(project: Project) -> Iterator[ConsistencyError]:
    """A `develop.watch` rule that copies files needs a `target` to copy them to
    (rebuild and restart copy nothing)."""
    for name, s in _services(project):
        for index, rule in enumerate(((s.get("develop") or {}).get("watch")) or []):
            if not isinstance(rule, dict) or rule.get("target"):
                continue
            if rule.get("action") not in ("rebuild", "restart"):
                yield _error(
                    project,
                    f"services.{name}.develop.watch: target is required for non-rebuild actions",
                    ("services", name, "develop", "watch", index),
                    "watch-target",
                    "add `target: /path/in/the/container` (where the files are copied to)",
                )


def check_cycles(project: Project) -> Iterator[ConsistencyError]:
    services = project.get("services") or {}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted((services[name].get("depends_on") or {}).keys()):
            if dep not in services:
                continue
            if state.get(dep) == 1:
                found.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(services):
        if name not in state and isinstance(services[name], dict):
            visit(name)
    for cycle in found[:1]:
        yield _error(
            project,
            "dependency cycle detected: " + " -> ".join(cycle),
            ("services", cycle[0], "depends_on"),
            "dependency-cycle",
            "remove one of the depends_on edges",
        )


CHECKS: tuple[Check, ...] = (
    check_image_or_build,
    check_build,
    check_networks,
    check_healthcheck,
    check_depends_on,
    check_volumes,
    _mounts("configs", "config"),
    _mounts("secrets", "secret"),
    check_scale,
    check_resource_aliases,
    check_secret_sources,
    check_watch_targets,
    check_container_names,
    check_cycles,
)


def _checks(disabled: Collection[str]) -> list[Check]:
    """CHECKS, with the names of profile-disabled services given to the one that needs them."""
    return [
        (lambda p: check_depends_on(p, disabled)) if run is check_depends_on else run
        for run in CHECKS
    ]


def problems(project: Project, disabled: Collection[str] = ()) -> list[ConsistencyError]:
    """Every consistency problem, in the order of CHECKS."""
    return [error for check in _checks(disabled) for error in check(project)]


def check(project: Project, disabled: Collection[str] = ()) -> None:
    """Raise the first consistency problem, as `config` does; then apply the one
    change the reference's check makes to the model (scale -> deploy.replicas).
    `disabled`: services switched off by profiles (a `required: false` dependency
    on one of them is fine)."""
    for run in _checks(disabled):
        for error in run(project):
            raise error
    sync_scale(project)
