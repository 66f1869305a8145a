"""Which files, which directory, which environment and which name a project has.

Follows Docker Compose v2: the OS environment always wins; `.env` of the working
directory (or every `--env-file`, or COMPOSE_ENV_FILES) fills in the rest; COMPOSE_FILE
(split on COMPOSE_PATH_SEPARATOR) is used when no -f is given; otherwise compose.yaml,
compose.yml, docker-compose.yml or docker-compose.yaml is searched in the working
directory and its parents, with the matching override file beside it.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field

from composer.errors import ComposerError, UsageError
from composer.loader import fs
from composer.loader.dotenv import read_env_files
from composer.loader.options import LoadOptions

DEFAULT_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
DEFAULT_OVERRIDE_FILE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
_NAME_CHARS = re.compile(r"[a-z0-9_-]")


@dataclass(frozen=True, slots=True)
class EnvSource:
    """Where one interpolation variable got its value: `shell` (the process
    environment), `env-file` (--env-file / COMPOSE_ENV_FILES) or `dotenv` (the project's
    `.env`), with the file and the line that set it."""

    origin: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.origin == "shell":
            return "the shell environment"
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"--env-file {where}" if self.origin == "env-file" else where


_ENV_KEY_LINE = re.compile(r"[ \t]*(?:export[ \t]+)?([^\s=:#]+)[ \t]*[=:\n]")


def key_lines(path: str) -> dict[str, int]:
    """The last line that sets each key of a dotenv file (a line scan: good enough to
    point a user at it; the parser itself decides the values)."""
    lines: dict[str, int] = {}
    try:
        text = fs.read_text(path, errors="replace")
    except OSError:
        return lines
    for number, line in enumerate(io.StringIO(text), start=1):
        match = _ENV_KEY_LINE.match(line)
        if match:
            lines[match.group(1)] = number
    return lines


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
    # where each variable of `environment` came from (for validate and config --sources)
    env_sources: dict[str, EnvSource] = field(default_factory=dict)


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
    return [default] if fs.isfile(default) else []


def _check_env_file(path: str) -> None:
    if not fs.exists(path):
        raise ComposerError(
            f"couldn't find env file: {path}",
            code="env-file-missing",
            file=path,
            hint="check the --env-file path (relative paths start from the current directory)",
        )
    if fs.isdir(path):
        raise ComposerError(
            f"{path} is a directory, not an env file", code="env-file-missing", file=path
        )


def _load_env_files(
    paths: list[str],
    environment: dict[str, str],
    sources: dict[str, EnvSource] | None = None,
    origin: str = "dotenv",
) -> None:
    """Add the files' variables to `environment`; values already set win. `sources`
    learns the file and line each added variable comes from."""
    origins: dict[str, str] | None = {} if sources is not None else None
    merged = read_env_files(paths, environment, check=_check_env_file, origins=origins)
    lines: dict[str, dict[str, int]] = {}
    for key, value in merged.items():
        if key not in environment and sources is not None and origins is not None:
            path = origins[key]
            if path not in lines:
                lines[path] = key_lines(path)
            sources[key] = EnvSource(origin, path, lines[path].get(key))
        environment.setdefault(key, value)


def _find_default_files(start: str) -> list[str]:
    directory = start
    while True:
        found = [
            os.path.join(directory, n)
            for n in DEFAULT_FILE_NAMES
            if fs.isfile(os.path.join(directory, n))
        ]
        if found:
            files = [found[0]]
            overrides = [
                os.path.join(directory, n)
                for n in DEFAULT_OVERRIDE_FILE_NAMES
                if fs.isfile(os.path.join(directory, n))
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
    # The reference always has PWD (the current directory when the shell did not set it).
    environ.setdefault("PWD", cwd)
    environment = dict(environ)
    sources = dict.fromkeys(environment, EnvSource("shell"))
    origin = "env-file" if options.env_files or environ.get("COMPOSE_ENV_FILES") else "dotenv"
    files = [f if f == "-" else os.path.abspath(os.path.join(cwd, f)) for f in options.files]

    working_dir = _working_dir(options, files, cwd)
    env_files = _env_file_list(options, environ, cwd, working_dir)
    _load_env_files(env_files, environment, sources, origin)

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
        _load_env_files(more, environment, sources, origin)
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
        env_sources=sources,
    )
