"""What the user asked for: the inputs of one project load, independent of the CLI."""

from __future__ import annotations

from collections.abc import Callable

from composer.record import Record


class LoadOptions(Record):
    """Project options as `docker compose` takes them (-f, -p, --env-file, ...), plus the
    `config` switches that turn pipeline stages off."""

    __slots__ = (
        "files",
        "project_name",
        "project_directory",
        "env_files",
        "profiles",
        "interpolate",
        "normalize",
        "resolve_paths",
        "consistency",
        "resolve_environment",
        "environ",
        "cwd",
        "stdin_text",
        "variable_hook",
        "keep_label_files",
        "keep_env_files",
    )

    def __init__(
        self,
        files: list[str] | None = None,
        project_name: str | None = None,
        project_directory: str | None = None,
        env_files: list[str] | None = None,
        profiles: list[str] | None = None,
        interpolate: bool = True,
        normalize: bool = True,
        resolve_paths: bool = True,
        consistency: bool = True,
        resolve_environment: bool = True,
        environ: dict[str, str] | None = None,
        cwd: str | None = None,
        stdin_text: str | None = None,
        variable_hook: Callable[..., None] | None = None,
        keep_label_files: bool = False,
        keep_env_files: bool = False,
    ) -> None:
        self.files: list[str] = files if files is not None else []
        self.project_name = project_name
        self.project_directory = project_directory
        self.env_files: list[str] = env_files if env_files is not None else []
        self.profiles: list[str] = profiles if profiles is not None else []
        self.interpolate = interpolate
        self.normalize = normalize
        self.resolve_paths = resolve_paths
        self.consistency = consistency
        self.resolve_environment = resolve_environment
        # The process environment and working directory; None: os.environ / os.getcwd().
        self.environ = environ
        self.cwd = cwd
        # Content of `-f -`, read by the CLI.
        self.stdin_text = stdin_text
        # Told about each string that references variables (interpolation.VariableHook):
        # `validate` and `config --sources` use it; None costs nothing.
        self.variable_hook = variable_hook
        # Run commands: keep `label_file` in the resolved service, as the project the
        # reference runs does (its container config hash covers it; `config` drops it).
        self.keep_label_files = keep_label_files
        # `config --hash` and `--no-env-resolution`: `env_file` is not read; the
        # service keeps the list and its `environment` as written (bare names resolved).
        self.keep_env_files = keep_env_files
