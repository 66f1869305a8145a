"""Which files, which directory, which environment and which name a project has.

Follows Docker Compose v2: the OS environment always wins; `.env` of the working
directory (or every `--env-file`, or COMPOSE_ENV_FILES) fills in the rest; COMPOSE_FILE
(split on COMPOSE_PATH_SEPARATOR) is used when no -f is given; otherwise compose.yaml,
compose.yml, docker-compose.yml or docker-compose.yaml is searched in the working
directory and its parents, with the matching override file beside it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from composer.errors import ComposerError, UsageError
from composer.loader.dotenv import read_env_file
from composer.loader.options import LoadOptions

DEFAULT_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
DEFAULT_OVERRIDE_FILE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
_NAME_CHARS = re.compile(r"[a-z0-9_-]")


@dataclass
class ProjectInputs:
    """Everything the loader needs before it reads a single Compose file."""

    files: list[str]
    working_dir: str
    environment: dict[str, str]
    env_files: list[str]
    profiles: list[str]
    project_name: str | None
    name_is_explicit: bool
    warnings: list[str] = field(default_factory=list)


def normalize_project_name(name: str) -> str:
    """Lower-case, keep [a-z0-9_-], strip leading '_' and '-' (the reference's rule)."""
    return "".join(_NAME_CHARS.findall(name.lower())).lstrip("_-")


def check_project_name(name: str) -> str:
    if not name or normalize_project_name(name) != name:
        raise UsageError(
            f'invalid project name "{name}": must consist only of lowercase alphanumeric '
            "characters, hyphens, and underscores as well as start with a letter or number",
            code="project-name",
            hint="use e.g. " + (normalize_project_name(name) or "myproject"),
        )
    return name


def _env_file_list(
    options: LoadOptions, environ: dict[str, str], cwd: str, working_dir: str
) -> list[str]:
    if options.env_files:
        return [os.path.join(cwd, f) for f in options.env_files]
    listed = environ.get("COMPOSE_ENV_FILES")
    if listed:
        return [os.path.join(cwd, f) for f in listed.split(",") if f]
    if environ.get("COMPOSE_DISABLE_ENV_FILE", "").lower() in ("1", "true"):
        return []
    default = os.path.join(working_dir, ".env")
    return [default] if os.path.isfile(default) else []


def _load_env_files(paths: list[str], environment: dict[str, str]) -> None:
    """Add the files' variables to `environment`; values already set win."""
    merged: dict[str, str] = {}
    for path in paths:
        if not os.path.exists(path):
            raise ComposerError(
                f"couldn't find env file: {path}",
                code="env-file-missing",
                file=path,
                hint="check the --env-file path (relative paths start from the current directory)",
            )
        if os.path.isdir(path):
            raise ComposerError(
                f"{path} is a directory, not an env file", code="env-file-missing", file=path
            )

        def lookup(name: str, _merged: dict[str, str] = merged) -> str | None:
            if name in environment:
                return environment[name]
            return _merged.get(name)

        for key, value in read_env_file(path, lookup=lookup).items():
            if value is not None:
                merged[key] = value
    for key, value in merged.items():
        environment.setdefault(key, value)


def _find_default_files(start: str) -> list[str]:
    directory = start
    while True:
        found = [
            os.path.join(directory, n)
            for n in DEFAULT_FILE_NAMES
            if os.path.isfile(os.path.join(directory, n))
        ]
        if found:
            files = [found[0]]
            overrides = [
                os.path.join(directory, n)
                for n in DEFAULT_OVERRIDE_FILE_NAMES
                if os.path.isfile(os.path.join(directory, n))
            ]
            if overrides:
                files.append(overrides[0])
            return files
        parent = os.path.dirname(directory)
        if parent == directory:
            return []
        directory = parent


def _working_dir(options: LoadOptions, files: list[str], cwd: str) -> str:
    if options.project_directory:
        return os.path.abspath(os.path.join(cwd, options.project_directory))
    for f in files:
        if f != "-":
            return os.path.dirname(os.path.abspath(os.path.join(cwd, f)))
    return cwd


def resolve_inputs(options: LoadOptions) -> ProjectInputs:
    """Settle files, working directory, environment, profiles and name, as the reference does."""
    cwd = options.cwd or os.getcwd()
    environ = dict(os.environ if options.environ is None else options.environ)
    environment = dict(environ)
    files = [f if f == "-" else os.path.abspath(os.path.join(cwd, f)) for f in options.files]

    working_dir = _working_dir(options, files, cwd)
    env_files = _env_file_list(options, environ, cwd, working_dir)
    _load_env_files(env_files, environment)

    if not files and environment.get("COMPOSE_FILE"):
        separator = environment.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
        files = [
            os.path.abspath(os.path.join(cwd, f))
            for f in environment["COMPOSE_FILE"].split(separator)
            if f
        ]
    if not files:
        files = _find_default_files(_working_dir(options, [], cwd))
        if not files:
            raise UsageError(
                "no configuration file provided: not found",
                code="no-compose-file",
                hint="create compose.yaml here, or pass -f FILE",
            )
    second_dir = _working_dir(options, files, cwd)
    if second_dir != working_dir and not options.env_files:
        working_dir = second_dir
        more = _env_file_list(options, environ, cwd, working_dir)
        _load_env_files(more, environment)
        env_files = env_files + [f for f in more if f not in env_files]
    working_dir = second_dir

    profiles = list(options.profiles)
    if not profiles and environment.get("COMPOSE_PROFILES"):
        profiles = [p.strip() for p in environment["COMPOSE_PROFILES"].split(",") if p.strip()]

    name: str | None = None
    explicit = False
    if options.project_name:
        name, explicit = check_project_name(options.project_name), True
    elif environment.get("COMPOSE_PROJECT_NAME"):
        name, explicit = check_project_name(environment["COMPOSE_PROJECT_NAME"]), True

    return ProjectInputs(
        files=files,
        working_dir=working_dir,
        environment=environment,
        env_files=env_files,
        profiles=profiles,
        project_name=name,
        name_is_explicit=explicit,
    )
