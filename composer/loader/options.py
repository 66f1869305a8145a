"""What the user asked for: the inputs of one project load, independent of the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadOptions:
    """Project options as `docker compose` takes them (-f, -p, --env-file, ...), plus the
    `config` switches that turn pipeline stages off."""

    files: list[str] = field(default_factory=list)
    project_name: str | None = None
    project_directory: str | None = None
    env_files: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    interpolate: bool = True
    normalize: bool = True
    resolve_paths: bool = True
    consistency: bool = True
    resolve_environment: bool = True
    # The process environment and working directory; None means os.environ / os.getcwd().
    environ: dict[str, str] | None = None
    cwd: str | None = None
    # Content of `-f -`, read by the CLI.
    stdin_text: str | None = None
    # Told about each string that references variables (interpolation.VariableHook):
    # `validate` and `config --sources` use it; None costs nothing.
    variable_hook: Callable[..., None] | None = None
