"""Semantic rules: problems a project can have although it loads and passes the schema.

The reference's own consistency checks (undefined references, cycles, container names)
run in the loader (composer.loader.consistency); the rules here go further: they are
what makes `docker compose up` fail later, or what is almost certainly a mistake.

`RULES` is the table of every rule with its stable code, severity and one-line summary
(each has a page docs/rules/<code>.md); `CHECKS` the functions that find them. A few
codes are reported by another stage (the loader, or `validate` from what the loader
recorded) and are listed so that they are documented in one place. Value checks
(durations, sizes, cpus, ports) are a second table keyed by path patterns and applied
by one walker over the services.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from composer.diagnostics.model import ERROR, WARNING, Diagnostic, at, from_error, relative_path
from composer.errors import ComposerError, ConsistencyError
from composer.graph import declared_replicas
from composer.loader.dotenv import read_env_file
from composer.loader.units import parse_bytes, parse_duration
from composer.source import Location, format_path, key_loc_of, locate
from composer.tree import PatternTable

Path = tuple[Hashable, ...]


@dataclass
class Context:
    """What the rules look at: the final project (profiles applied, unused resources
    pruned), the same project before pruning, and the services profiles disabled."""

    project: dict[str, Any]
    unpruned: dict[str, Any]
    disabled: dict[str, Any] = field(default_factory=dict)
    default_file: str = ""
    # messages show paths relative to this folder (the user's current directory)
    root: str | None = None
    # the interpolation environment (shell + .env), for reading env_files
    environment: dict[str, str] = field(default_factory=dict)

    def show(self, where: Location | str | None) -> str:
        """A path or position for a message, relative to `root` when inside it."""
        if where is None:
            return ""
        if isinstance(where, Location):
            return f"{relative_path(where.file, self.root)}:{where.line}:{where.column}"
        return relative_path(where, self.root)

    def services(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, service in (self.project.get("services") or {}).items():
            if isinstance(service, dict):
                yield name, service

    def where(self, path: Path) -> Location | None:
        return locate(self.project, path)

    def diagnostic(
        self, code: str, message: str, path: Path, hint: str | None = None, root: Any = None
    ) -> Diagnostic:
        rule = RULES[code]
        location = locate(self.project if root is None else root, path)
        return at(
            location,
            severity=rule.severity,
            code=code,
            message=message,
            path=format_path(path),
            hint=hint,
            default_file=self.default_file,
        )


Check = Callable[[Context], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """A documented code: `reported_by` says which stage emits it (this module's
    CHECKS, the loader, or `validate` from what the loader recorded)."""

    code: str
    severity: str
    summary: str
    reported_by: str = "semantic"


# ------------------------------------------------------------------ healthchecks


def _healthcheck_state(service: dict[str, Any]) -> str | None:
    """None when the service has a usable healthcheck, else why it has none."""
    check = service.get("healthcheck")
    if not isinstance(check, dict):
        return "has no healthcheck"
    if check.get("disable") is True:
        return "has its healthcheck disabled"
    test = check.get("test")
    if isinstance(test, list) and test[:1] == ["NONE"]:
        return 'has its healthcheck disabled (test: ["NONE"])'
    if test is None or test == []:
        return "has a healthcheck without a test"
    return None


def check_healthy_dependencies(ctx: Context) -> Iterator[Diagnostic]:
    services = ctx.project.get("services") or {}
    for name, service in ctx.services():
        for dep, spec in (service.get("depends_on") or {}).items():
            if not isinstance(spec, dict) or spec.get("condition") != "service_healthy":
                continue
            target = services.get(dep)
            if not isinstance(target, dict):
                continue  # undefined or disabled: the consistency check reports it
            why = _healthcheck_state(target)
            if why is None:
                continue
            yield ctx.diagnostic(
                "healthy-without-healthcheck",
                f'service "{name}" waits for "{dep}" to be healthy, but "{dep}" {why}: '
                "it can never become healthy",
                ("services", name, "depends_on", dep, "condition"),
                f'add a healthcheck to "{dep}", or use `condition: service_started`',
            )


# ------------------------------------------------------------------ published ports

_WILDCARDS = {"": None, "0.0.0.0": 4, "::": 6}


def _port_span(published: Any) -> tuple[int, int] | None:
    text = str(published)
    first, sep, last = text.partition("-")
    if not first.isdigit() or (sep and not last.isdigit()):
        return None
    return int(first), int(last) if sep else int(first)


def _ip_family(ip: str) -> int | None:
    try:
        return ipaddress.ip_address(ip.strip("[]")).version
    except ValueError:
        return None


def _ips_overlap(a: str, b: str) -> bool:
    if a == b or a == "" or b == "":
        return True
    for wild, other in ((a, b), (b, a)):
        if wild in _WILDCARDS:
            return _WILDCARDS[wild] == _ip_family(other)
    return False


@dataclass
class _Binding:
    service: str
    index: int
    ip: str
    protocol: str
    first: int
    last: int
    fixed: bool  # False: a host range for one container port (Docker picks one free port)
    location: Location | None


def _replicas(name: str, service: dict[str, Any]) -> int:
    """graph.declared_replicas, 1 where it is unset or not an integer (reported by
    the schema already)."""
    try:
        count = declared_replicas(name, service)
    except ConsistencyError:
        return 1
    return 1 if count is None else count


def _bindings(ctx: Context) -> list[_Binding]:
    found = []
    for name, service in ctx.services():
        for index, port in enumerate(service.get("ports") or ()):
            if not isinstance(port, dict) or not port.get("published"):
                continue
            span = _port_span(port["published"])
            if span is None or span[0] == 0 or span[1] < span[0] or span[1] > 65535:
                continue  # ephemeral, or invalid (reported by invalid-port)
            target = port.get("target")
            fixed = span[0] == span[1] or not isinstance(target, int)
            found.append(
                _Binding(
                    name,
                    index,
                    str(port.get("host_ip") or ""),
                    str(port.get("protocol") or "tcp"),
                    span[0],
                    span[1],
                    fixed,
                    ctx.where(("services", name, "ports", index, "published")),
                )
            )
    return found


def _describe(binding: _Binding) -> str:
    ports = (
        str(binding.first) if binding.first == binding.last else f"{binding.first}-{binding.last}"
    )
    host = f"{binding.ip}:" if binding.ip else ""
    return f"{host}{ports}/{binding.protocol}"


def check_port_conflicts(ctx: Context) -> Iterator[Diagnostic]:
    """Fixed host ports are indexed by (protocol, port), so a project with thousands
    of published ports costs one dictionary look-up per port, not a pairwise scan."""
    bindings = _bindings(ctx)
    taken: dict[tuple[str, int], list[_Binding]] = {}
    for b in bindings:
        if not b.fixed:
            continue
        path = ("services", b.service, "ports", b.index, "published")
        earlier = next(
            (
                other
                for port in range(b.first, b.last + 1)
                for other in taken.get((b.protocol, port), ())
                if _ips_overlap(b.ip, other.ip)
            ),
            None,
        )
        for port in range(b.first, b.last + 1):
            taken.setdefault((b.protocol, port), []).append(b)
        if earlier is not None:
            where = f" ({ctx.show(earlier.location)})" if earlier.location else ""
            owner = (
                "another entry of the same service"
                if earlier.service == b.service
                else f'service "{earlier.service}"'
            )
            yield ctx.diagnostic(
                "port-conflict",
                f'service "{b.service}" publishes host port {_describe(b)}, '
                f"already published by {owner}{where}",
                path,
                "publish a different host port, or bind each to a different host IP",
            )
            continue
        count = _replicas(b.service, ctx.project["services"][b.service])
        if count > 1:
            yield ctx.diagnostic(
                "port-conflict",
                f'service "{b.service}" publishes host port {_describe(b)} '
                f"but runs {count} replicas: only one of them can bind it",
                path,
                'publish a range ("8000-8009:80") or leave `published` out',
            )
    for b in bindings:
        if b.fixed:
            continue
        free = [
            port
            for port in range(b.first, b.last + 1)
            if not any(_ips_overlap(b.ip, o.ip) for o in taken.get((b.protocol, port), ()))
        ]
        if not free:
            yield ctx.diagnostic(
                "port-conflict",
                f'service "{b.service}" publishes one port of {_describe(b)}, '
                "but every port of that range is already published by other entries",
                ("services", b.service, "ports", b.index, "published"),
                "widen the range or move the other bindings",
            )


# ------------------------------------------------------------------ values (pattern table)

ValueCheck = Callable[[Any], "str | None"]
_MIN_HEALTH_INTERVAL = 1_000_000  # 1ms in ns: the engine refuses shorter positive values
_MIN_MEMORY = 6 * 1024 * 1024  # the engine's minimum memory limit


def _duration(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return parse_duration(str(value))
    except ComposerError:
        return None


def negative_duration(value: Any) -> str | None:
    ns = _duration(value)
    if ns is not None and ns < 0:
        return f"duration {value} is negative"
    return None


def health_duration(value: Any) -> str | None:
    ns = _duration(value)
    if ns is not None and ns < 0:
        return f"duration {value} is negative"
    if ns is not None and 0 < ns < _MIN_HEALTH_INTERVAL:
        return f"duration {value} is shorter than 1ms, which the engine refuses"
    return None


def _bytes(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return parse_bytes(str(value))
    except ComposerError:
        return None


def memory_limit(value: Any) -> str | None:
    size = _bytes(value)
    if size is not None and 0 < size < _MIN_MEMORY:
        return f"memory limit {value} is below the engine's minimum of 6MB"
    return None


def cpus(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"cpus {value!r} is not a number"
    if number < 0:
        return f"cpus {value} is negative"
    return None


def not_negative(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return f"{value} is negative"
    return None


_CPUSET = re.compile(r"\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*")


def cpuset(value: Any) -> str | None:
    text = str(value)
    if not _CPUSET.fullmatch(text):
        return f'cpuset "{text}" is not a list of CPU numbers and ranges like "0-3,5"'
    for part in text.split(","):
        first, _, last = part.partition("-")
        if last and int(last) < int(first):
            return f'cpuset range "{part}" ends before it starts'
    return None


def port_entry(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    target = value.get("target")
    if isinstance(target, int) and not 1 <= target <= 65535:
        return f"container port {target} is outside 1-65535"
    published = value.get("published")
    if published not in (None, ""):
        span = _port_span(published)
        if span is None:
            return f'published port "{published}" is not a port number or range'
        first, last = span
        if last > 65535 or first > 65535:
            return f'published port "{published}" is outside 0-65535'
        if last < first:
            return f'published port range "{published}" ends before it starts'
    host_ip = value.get("host_ip")
    if host_ip and _ip_family(str(host_ip)) is None:
        return f'host_ip "{host_ip}" is not an IP address'
    return None


_HEALTH = "services.*.healthcheck."
_DEPLOY = "services.*.deploy."
VALUE_RULES: dict[str, tuple[str, ValueCheck]] = {
    _HEALTH + "interval": ("invalid-duration", health_duration),
    _HEALTH + "timeout": ("invalid-duration", health_duration),
    _HEALTH + "start_period": ("invalid-duration", health_duration),
    _HEALTH + "start_interval": ("invalid-duration", health_duration),
    "services.*.stop_grace_period": ("invalid-duration", negative_duration),
    _DEPLOY + "restart_policy.delay": ("invalid-duration", negative_duration),
    _DEPLOY + "restart_policy.window": ("invalid-duration", negative_duration),
    _DEPLOY + "update_config.delay": ("invalid-duration", negative_duration),
    _DEPLOY + "update_config.monitor": ("invalid-duration", negative_duration),
    _DEPLOY + "rollback_config.delay": ("invalid-duration", negative_duration),
    _DEPLOY + "rollback_config.monitor": ("invalid-duration", negative_duration),
    "services.*.mem_limit": ("invalid-size", memory_limit),
    _DEPLOY + "resources.limits.memory": ("invalid-size", memory_limit),
    "services.*.cpus": ("invalid-cpus", cpus),
    _DEPLOY + "resources.limits.cpus": ("invalid-cpus", cpus),
    _DEPLOY + "resources.reservations.cpus": ("invalid-cpus", cpus),
    "services.*.cpu_shares": ("invalid-cpus", not_negative),
    "services.*.cpu_period": ("invalid-cpus", not_negative),
    "services.*.cpuset": ("invalid-cpus", cpuset),
    "services.*.ports.*": ("invalid-port", port_entry),
}
_VALUES = PatternTable(VALUE_RULES)


def check_values(ctx: Context) -> Iterator[Diagnostic]:
    """One walk over the services, stepping a cursor of VALUE_RULES."""
    stack: list[tuple[Any, Path, Any]] = [
        (ctx.project.get("services"), ("services",), _VALUES.root.child("services"))
    ]
    while stack:
        node, path, cursor = stack.pop()
        if cursor.matched:
            code, check = cursor.value
            problem = check(node)
            if problem is not None:
                yield ctx.diagnostic(
                    code, f"{format_path(path)}: {problem}", path, RULES[code].summary
                )
        if cursor.terminal:
            continue
        if isinstance(node, dict):
            items: Iterable[tuple[Hashable, Any]] = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, child in reversed(list(items)):
            step = cursor.child(key)
            if step:
                stack.append((child, (*path, key), step))


def check_memory_pairs(ctx: Context) -> Iterator[Diagnostic]:
    """A reservation above the limit, or a swap limit below the memory limit."""
    for name, service in ctx.services():
        limit = _bytes(service.get("mem_limit"))
        if not limit:
            continue
        reservation = _bytes(service.get("mem_reservation"))
        if reservation and reservation > limit:
            yield ctx.diagnostic(
                "invalid-size",
                f"services.{name}.mem_reservation {service['mem_reservation']} is above "
                f"mem_limit {service['mem_limit']}",
                ("services", name, "mem_reservation"),
                "the reservation must not exceed the limit",
            )
        swap = _bytes(service.get("memswap_limit"))
        if swap is not None and swap > 0 and swap < limit:
            yield ctx.diagnostic(
                "invalid-size",
                f"services.{name}.memswap_limit {service['memswap_limit']} is below "
                f"mem_limit {service['mem_limit']}",
                ("services", name, "memswap_limit"),
                "memswap_limit counts memory plus swap: make it at least mem_limit, or -1",
            )


# ------------------------------------------------------------------ files on disk


def _missing(path: Any) -> bool:
    return isinstance(path, str) and bool(path) and not os.path.exists(path)


def _env_entries(service: dict[str, Any]) -> Iterator[tuple[int, Any, bool, bool]]:
    """(index, path, required, raw format) of each env_file entry."""
    for index, entry in enumerate(service.get("env_file") or ()):
        if isinstance(entry, dict):
            required = entry.get("required", True) is not False
            yield index, entry.get("path"), required, entry.get("format") == "raw"
        else:
            yield index, entry, True, False


def check_env_files(ctx: Context) -> Iterator[Diagnostic]:
    """Required env_files that are missing; env_files the parser refuses (reported
    inside the env file, once per file)."""
    parsed: set[str] = set()
    for name, service in ctx.services():
        for index, path, required, raw in _env_entries(service):
            if required and _missing(path):
                yield ctx.diagnostic(
                    "env-file-missing",
                    f'service "{name}": env_file {ctx.show(path)} does not exist',
                    ("services", name, "env_file", index),
                    "create the file, fix the path, or mark it `required: false`",
                )
            elif isinstance(path, str) and os.path.isfile(path) and path not in parsed:
                parsed.add(path)
                try:
                    read_env_file(path, lookup=ctx.environment.get, raw=raw)
                except ComposerError as error:
                    yield from_error(error, default_file=path)
                except OSError as error:
                    yield ctx.diagnostic(
                        "env-file-missing",
                        f"cannot read env_file {ctx.show(path)}: {error.strerror}",
                        ("services", name, "env_file", index),
                    )
        label_files = service.get("label_file") or ()
        for index, path in enumerate(
            [label_files] if isinstance(label_files, str) else label_files
        ):
            if _missing(path):
                yield ctx.diagnostic(
                    "env-file-missing",
                    f'service "{name}": label_file {ctx.show(path)} does not exist',
                    ("services", name, "label_file", index),
                    "create the file or fix the path",
                )


def _resource_files(kind: str, code: str) -> Check:
    singular = kind[:-1]

    def check(ctx: Context) -> Iterator[Diagnostic]:
        for name, resource in (ctx.project.get(kind) or {}).items():
            if not isinstance(resource, dict) or resource.get("external"):
                continue
            path = resource.get("file")
            if _missing(path):
                yield ctx.diagnostic(
                    code,
                    f'{singular} "{name}": file {ctx.show(path)} does not exist',
                    (kind, name, "file"),
                    "create the file or fix the path (relative paths start at the project directory)",
                )

    return check


_REMOTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://|git@|github\.com/")


def check_build_contexts(ctx: Context) -> Iterator[Diagnostic]:
    for name, service in ctx.services():
        build = service.get("build")
        if not isinstance(build, dict):
            continue
        context = build.get("context")
        if not isinstance(context, str) or _REMOTE.match(context):
            continue
        if not os.path.isdir(context):
            what = "is not a directory" if os.path.exists(context) else "does not exist"
            yield ctx.diagnostic(
                "build-context-missing",
                f'service "{name}": build context {ctx.show(context)} {what}',
                ("services", name, "build", "context"),
                "fix the path (relative paths start at the file's folder), or use a URL",
            )


# ------------------------------------------------------------------ unused resources


def _used(services: Iterable[Any]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {k: set() for k in ("networks", "volumes", "secrets", "configs")}
    for service in services:
        if not isinstance(service, dict):
            continue
        used["networks"].update(str(n) for n in service.get("networks") or ())
        for volume in service.get("volumes") or ():
            if isinstance(volume, dict) and volume.get("type") == "volume" and volume.get("source"):
                used["volumes"].add(volume["source"])
        build = service.get("build")
        build_secrets = build.get("secrets") if isinstance(build, dict) else None
        for kind, refs in (
            ("secrets", service.get("secrets")),
            ("configs", service.get("configs")),
            ("secrets", build_secrets),
        ):
            for ref in refs or ():
                source = ref.get("source") if isinstance(ref, dict) else ref
                if isinstance(source, str):
                    used[kind].add(source)
    return used


def check_unused(ctx: Context) -> Iterator[Diagnostic]:
    """Declared top-level resources no service uses (disabled ones count as users)."""
    services = [*(ctx.project.get("services") or {}).values(), *ctx.disabled.values()]
    used = _used(services)
    for kind, names in used.items():
        section = ctx.unpruned.get(kind)
        if not isinstance(section, dict):
            continue
        for name in section:
            location = key_loc_of(section, name)
            if name in names or location is None or location is getattr(section, "loc", None):
                continue  # used, or added by the loader (the implicit default network)
            code = f"unused-{kind[:-1]}"
            yield at(
                location,
                severity=RULES[code].severity,
                code=code,
                message=f'{kind[:-1]} "{name}" is declared but no service uses it',
                path=f"{kind}.{name}",
                hint=f"remove it, or reference it from a service's `{kind}:`",
                default_file=ctx.default_file,
            )


# ------------------------------------------------------------------ the tables

_LOADER = "loader"  # reported by another stage under this code
_VALIDATE = "validate"

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "healthy-without-healthcheck",
            ERROR,
            "depends_on with `condition: service_healthy` on a service without a healthcheck",
        ),
        Rule(
            "port-conflict", ERROR, "Two services publish the same host address, port and protocol"
        ),
        Rule("invalid-duration", ERROR, "A duration the engine refuses (negative, below 1ms)"),
        Rule("invalid-size", ERROR, "A memory size the engine refuses"),
        Rule("invalid-cpus", ERROR, "A CPU value the engine refuses"),
        Rule("invalid-port", ERROR, "A port number, range or host IP that cannot work"),
        Rule("env-file-missing", ERROR, "A required env_file (or label_file) does not exist"),
        Rule("secret-file-missing", ERROR, "A secret's `file` does not exist"),
        Rule("config-file-missing", ERROR, "A config's `file` does not exist"),
        Rule("build-context-missing", ERROR, "A local build context that does not exist"),
        Rule("unused-volume", WARNING, "A top-level volume no service uses"),
        Rule("unused-network", WARNING, "A top-level network no service uses"),
        Rule("unused-secret", WARNING, "A top-level secret no service uses"),
        Rule("unused-config", WARNING, "A top-level config no service uses"),
        Rule(
            "container-name-replicas",
            ERROR,
            "container_name on a service with more than one replica",
            _LOADER,
        ),
        Rule(
            "obsolete-version",
            WARNING,
            "The top-level `version` is obsolete and ignored",
            _VALIDATE,
        ),
        Rule(
            "variable-unset",
            WARNING,
            "A variable used without a value and without a default (an error with --strict)",
            _VALIDATE,
        ),
    )
}

# The checks, in reporting order; each yields diagnostics under codes of RULES.
CHECKS: tuple[Check, ...] = (
    check_healthy_dependencies,
    check_port_conflicts,
    check_values,
    check_memory_pairs,
    check_env_files,
    _resource_files("secrets", "secret-file-missing"),
    _resource_files("configs", "config-file-missing"),
    check_build_contexts,
    check_unused,
)


def check(ctx: Context) -> list[Diagnostic]:
    """Every semantic problem of a loaded project."""
    return [found for run in CHECKS for found in run(ctx)]
