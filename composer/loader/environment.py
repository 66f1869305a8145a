"""Each service's final environment and labels (compose-go
Project.WithServicesEnvironmentResolved / WithServicesLabelsResolved).

For every service, in the reference's order:

1. bare names (`FOO` / `FOO:` without a value) take their value from the project
   environment (process env + `.env` / `--env-file`); unknown ones stay null;
2. each `env_file` entry is read (a missing file is an error unless
   `required: false`; `format: raw` keeps values verbatim); `${VAR}` inside it
   resolves against the project environment first, then the service's own
   `environment`; later files override earlier ones;
3. `environment` entries override the files' values, null ones included;
4. `label_file`s are read the same way into `labels`, which `labels` override.

`env_file` and `label_file` are then dropped, as `config` prints them; the run
commands keep `label_file` (LoadOptions.keep_label_files): the reference's
`com.docker.compose.config-hash` label hashes the service with it, so a container
made by one tool is not recreated by the other. `config --hash` (and
`--no-env-resolution`) skip steps 2 and 3 (LoadOptions.keep_env_files): the
reference's `config --hash` hashes the service with its `env_file` list and its
`environment` as written, bare names resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from composer.errors import ComposerError
from composer.loader import dotenv, fs
from composer.loader.discovery import key_lines
from composer.loader.template import unset_warning
from composer.source import Location, YMap, carry, loc_of

Lookup = Callable[[str], "str | None"]


class EnvFileError(ComposerError):
    """An env_file / label_file that is missing or unreadable."""


def _as_mapping(value: Any) -> dict[str, str | None]:
    """environment as a mapping, whatever form it still has."""
    if isinstance(value, dict):
        return {k: (None if v is None else str(v)) for k, v in value.items()}
    out: dict[str, str | None] = {}
    for item in value or ():
        key, sep, rest = str(item).partition("=")
        out[key] = rest if sep else None
    return out


def _read(
    path: str, lookup: Lookup, *, raw: bool, kind: str, missing: list[str]
) -> dict[str, str | None]:
    try:
        return dotenv.read_env_file(path, lookup=lookup, raw=raw, missing=missing)
    except FileNotFoundError:
        raise EnvFileError(
            f"{kind} file {path} not found: stat {path}: no such file or directory",
            code=f"{kind.replace(' ', '-')}-file-missing",
            file=path,
        ) from None
    except IsADirectoryError:
        raise EnvFileError(
            f"failed to read {path}: read {path}: is a directory", code="env-file", file=path
        ) from None
    except OSError as error:
        raise EnvFileError(
            f"failed to read {path}: {error.strerror}", code="env-file", file=path
        ) from None


def _resolve_service(
    service: dict[str, Any],
    lookup: Lookup,
    warnings: list[str] | None,
    keep_label_files: bool = False,
    keep_env_files: bool = False,
) -> None:
    has_env = "environment" in service
    declared = _as_mapping(service.get("environment"))
    for key, value in declared.items():
        if value is None:
            declared[key] = lookup(key)
    _merge_env_files(service, declared, lookup, warnings, has_env, keep_env_files)
    _resolve_label_files(service, keep_label_files)


def _merge_env_files(
    service: dict[str, Any],
    declared: dict[str, str | None],
    lookup: Lookup,
    warnings: list[str] | None,
    has_env: bool,
    keep_env_files: bool,
) -> None:
    """Steps 2 and 3: read the `env_file`s (dropping the list), `environment` on top;
    with `keep_env_files` the list stays unread and `environment` is the declared one."""
    original = service.get("environment")
    env_files = [] if keep_env_files else service.pop("env_file", None) or []
    merged: dict[str, str | None] = {k: v for k, v in declared.items() if v is not None}
    # where each value comes from (config --sources): the env_file line, else the key
    positions: dict[str, Location] = {}
    if env_files:

        def env_lookup(name: str) -> str | None:
            found = lookup(name)
            if found is not None:
                return found
            return declared.get(name)

        for entry in env_files:
            path, required, fmt = _env_file_entry(entry)
            if path is None:
                continue
            if not fs.exists(path) and not required:
                continue
            missing: list[str] = []
            values = _read(path, env_lookup, raw=fmt == "raw", kind="env", missing=missing)
            if warnings is not None:
                warnings.extend(unset_warning(name) for name in missing)
            merged.update({k: v for k, v in values.items() if v is not None})
            lines = key_lines(path)
            positions.update((k, Location(path, lines.get(k, 1), 1)) for k in values)
    merged.update(declared)
    if merged or has_env:
        environment = YMap(merged)
        carry(environment, service, "environment")
        environment.locs.update(positions)
        block = loc_of(service, "environment")
        if block is not None:
            for key in declared:  # where only the block's position is known
                environment.locs[key] = block
        if isinstance(original, YMap):
            environment.locs.update(original.locs)
        service["environment"] = environment
        if not merged:
            del service["environment"]


def _resolve_label_files(service: dict[str, Any], keep_label_files: bool) -> None:
    """Step 4: `label_file`s read into `labels` (the list kept for the run commands)."""
    label_files = (
        service.get("label_file") if keep_label_files else service.pop("label_file", None)
    ) or []
    if isinstance(label_files, str):
        label_files = [label_files]
    if label_files:
        labels: dict[str, str | None] = {}
        for path in label_files:
            missing: list[str] = []
            values = _read(str(path), labels.get, raw=False, kind="label", missing=missing)
            labels.update({k: v for k, v in values.items() if v is not None})
        own = service.get("labels")
        if isinstance(own, dict):
            labels.update({k: ("" if v is None else str(v)) for k, v in own.items()})
        elif isinstance(own, list):
            for item in own:
                key, _, rest = str(item).partition("=")
                labels[key] = rest
        if labels:
            service["labels"] = labels


def _env_file_entry(entry: Any) -> tuple[str | None, bool, str | None]:
    if isinstance(entry, str):
        return entry, True, None
    if isinstance(entry, dict):
        required = entry.get("required", True)
        if isinstance(required, str):
            required = required.lower() in ("1", "t", "true")
        return entry.get("path"), bool(required), entry.get("format")
    return None, False, None


def resolve_environment(
    project: dict[str, Any],
    lookup: Lookup,
    *,
    warnings: list[str] | None = None,
    keep_label_files: bool = False,
    keep_env_files: bool = False,
) -> dict[str, Any]:
    """Resolve every service's environment and labels (in place); see module doc.
    `keep_label_files`: leave `label_file` in the service after merging it, as the
    project the reference runs does (its container config hash covers the list).
    `keep_env_files`: leave `env_file` unread (see module doc)."""
    services = project.get("services")
    if isinstance(services, dict):
        for service in services.values():
            if isinstance(service, dict):
                _resolve_service(service, lookup, warnings, keep_label_files, keep_env_files)
    return project
