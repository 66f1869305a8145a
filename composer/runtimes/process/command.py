"""What a service instance runs as a host process: argv, environment and directory.

Containers get their command from the image when the file gives none; a host
process has no image, so a service without `entrypoint` and `command` (an
image-only or `build:` service) cannot run here and gets an error that shows the
override file to write. The environment is built, not inherited: PATH, HOME and
LANG from the host, the service's `environment`, and COMPOSER_* names that tell
the process which instance it is.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from composer.errors import ComposerError
from composer.runtimes.base import InstanceRef, ProjectSpec

# Host variables a process gets even though the host environment is not inherited.
HOST_PASSTHROUGH = ("PATH", "HOME", "LANG")
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # canonical projects hold lists; tolerate a raw string
        return [value]
    return [str(item) for item in value]


def resolve_command(service_name: str, service: Mapping[str, Any]) -> list[str]:
    """`entrypoint` + `command`; raises `process-no-command` when both are empty."""
    argv = _as_list(service.get("entrypoint")) + _as_list(service.get("command"))
    if argv:
        return argv
    what = "builds an image" if service.get("build") else "only names an image"
    raise ComposerError(
        f'service "{service_name}" has no command to run as a host process ({what}; '
        "the process runtime does not use images)",
        code="process-no-command",
        path=("services", service_name),
        hint=(
            "give it a command in an override file, e.g. compose.local.yaml:\n"
            f"    services:\n      {service_name}:\n"
            '        command: ["./bin/server", "--port", "8080"]\n'
            "  then run: composer -f compose.yaml -f compose.local.yaml up"
        ),
    )


def resolve_workdir(spec: ProjectSpec, service: Mapping[str, Any]) -> str:
    """`working_dir` as is when absolute, else against the project directory (the default)."""
    workdir = service.get("working_dir")
    if not workdir:
        return spec.working_dir
    return os.path.normpath(os.path.join(spec.working_dir, str(workdir)))


def build_environment(
    spec: ProjectSpec,
    service: Mapping[str, Any],
    ref: InstanceRef,
    *,
    host: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """PATH/HOME/LANG from `host`, the service's environment (None = unset), COMPOSER_*."""
    host = os.environ if host is None else host
    env: dict[str, str] = {name: host[name] for name in HOST_PASSTHROUGH if name in host}
    env.setdefault("PATH", DEFAULT_PATH)
    for name, value in (service.get("environment") or {}).items():
        if value is None:
            env.pop(str(name), None)
        else:
            env[str(name)] = str(value)
    env["COMPOSER_PROJECT"] = ref.project
    env["COMPOSER_SERVICE"] = ref.service
    env["COMPOSER_REPLICA"] = str(ref.index)
    env.update(extra or {})
    return env


def find_executable(argv0: str, env: Mapping[str, str], cwd: str) -> str | None:
    """Where `argv0` would be executed from (PATH of the child, or relative to its cwd)."""
    if "/" in argv0:
        path = os.path.join(cwd, argv0)
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return shutil.which(argv0, path=env.get("PATH", DEFAULT_PATH))


def check_runnable(
    service_name: str,
    service: Mapping[str, Any],
    argv: list[str],
    env: Mapping[str, str],
    cwd: str,
) -> None:
    """Fail before starting, with the service named, when the directory or program is missing."""
    if not os.path.isdir(cwd):
        raise ComposerError(
            f'service "{service_name}": working directory "{cwd}" does not exist',
            code="process-workdir-missing",
            path=("services", service_name, "working_dir"),
            hint="create it, or point `working_dir` at an existing directory",
        )
    if find_executable(argv[0], env, cwd) is not None:
        return
    key = "entrypoint" if service.get("entrypoint") else "command"
    raise ComposerError(
        f'service "{service_name}": executable "{argv[0]}" not found '
        f"(searched {'in ' + cwd if '/' in argv[0] else 'the PATH ' + env.get('PATH', '')})",
        code="process-command-not-found",
        path=("services", service_name, key),
        hint="install it, give its full path, or set PATH in the service's `environment`",
    )
