"""Lifecycle hooks: `post_start` after an instance started, `pre_stop` before it stops.

Each hook is run in the instance through the backend's `exec` (command, environment,
working_dir; user and privileged where the backend can), one after the other. A
post_start hook that fails fails the start, as in the reference; a pre_stop hook that
fails is a warning (the orchestrator stops the instance anyway); an instance that is
not running any more runs no pre_stop hook. A hook's output is kept and shown only
when it fails. (Docker Compose v2.40.3 runs no pre_stop hook on `stop` or `down`;
the compose specification says they run before the container is stopped.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from composer.errors import ComposerError
from composer.runtimes.base import InstanceRef, ProjectSpec, accepts_keyword

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.runtimes.protocol import Backend

POST_START, PRE_STOP = "post_start", "pre_stop"
OUTPUT_LINES_ON_FAILURE = 10


class HookFailed(ComposerError):
    """A hook exited with a non-zero status."""


def hooks_of(spec: ProjectSpec, ref: InstanceRef, kind: str) -> list[Mapping[str, Any]]:
    """The service's hooks of `kind` (none for one-off instances, as in the reference)."""
    if ref.oneoff:
        return []
    services: Mapping[str, Any] = spec.project.get("services") or {}
    hooks = (services.get(ref.service) or {}).get(kind) or []
    return [hook for hook in hooks if isinstance(hook, Mapping) and hook.get("command")]


def run_hooks(
    backend: Backend,
    spec: ProjectSpec,
    ref: InstanceRef,
    kind: str,
    warn: Callable[[str], None],
) -> None:
    """Run the instance's hooks of `kind` in order; HookFailed on the first failure."""
    for number, hook in enumerate(hooks_of(spec, ref, kind), start=1):
        command = [str(part) for part in hook["command"]]
        captured: list[bytes] = []
        options = _exec_options(backend, hook, warn, f"{ref.service} {kind}[{number - 1}]")
        if accepts_keyword(backend.exec, "output"):
            options["output"] = _collector(captured)
        try:
            code = backend.exec(spec, ref, command, **options)
        except ComposerError as exc:
            if kind == PRE_STOP and exc.code in NOT_RUNNING:
                return  # gone or stopped meanwhile: nothing to run the hook in
            raise
        if code:
            raise HookFailed(
                f'service "{ref.service}": {kind} hook {number} ({" ".join(command)}) '
                f"exited with status {code}" + _tail(captured),
                code="hook-failed",
                path=("services", ref.service, kind, number - 1),
            )


# The codes backends use for "this instance does not run".
NOT_RUNNING = frozenset({"not-running", "process-not-running"})


def _exec_options(
    backend: Backend, hook: Mapping[str, Any], warn: Callable[[str], None], where: str
) -> dict[str, Any]:
    environment = {
        str(k): str(v) for k, v in (hook.get("environment") or {}).items() if v is not None
    }
    options: dict[str, Any] = {
        "environment": environment or None,
        "workdir": hook.get("working_dir") or None,
    }
    for key, value in (("user", hook.get("user")), ("privileged", bool(hook.get("privileged")))):
        if not value:
            continue
        if backend.capabilities.switch_user and accepts_keyword(backend.exec, key):
            options[key] = value
        else:
            warn(f"{where}: the {backend.name} runtime cannot set {key}; the hook runs without it")
    return options


def _collector(into: list[bytes]) -> Callable[[str, bytes], None]:
    def collect(_stream: str, data: bytes) -> None:
        into.append(data)

    return collect


def _tail(captured: list[bytes]) -> str:
    lines = b"".join(captured).decode(errors="replace").splitlines()[-OUTPUT_LINES_ON_FAILURE:]
    return "".join(f"\n    {line}" for line in lines)
