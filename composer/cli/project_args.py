"""The project options as plain data (no CLI framework), shared by every command."""

from __future__ import annotations

import os
import sys

from composer.loader.options import LoadOptions
from composer.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any


class ProjectArgs(Record):
    """The project options of one call (-f, -p, --profile, --env-file, --project-directory,
    and how progress is shown: --progress, --ansi)."""

    __slots__ = (
        "files",
        "project_name",
        "profiles",
        "env_files",
        "project_directory",
        "progress",
        "ansi",
        "parallel",
    )

    def __init__(
        self,
        files: list[str] | None = None,
        project_name: str | None = None,
        profiles: list[str] | None = None,
        env_files: list[str] | None = None,
        project_directory: str | None = None,
        progress: str | None = None,
        ansi: str | None = None,
        parallel: int | None = None,
    ) -> None:
        self.files: list[str] = files if files is not None else []
        self.project_name = project_name
        self.profiles: list[str] = profiles if profiles is not None else []
        self.env_files: list[str] = env_files if env_files is not None else []
        self.project_directory = project_directory
        self.progress = progress
        self.ansi = ansi
        self.parallel = parallel  # --parallel N: COMPOSE_PARALLEL_LIMIT for this call

    def combined(
        self,
        files: list[str] | None,
        project_name: str | None,
        profiles: list[str] | None,
        env_files: list[str] | None,
        project_directory: str | None,
        progress: str | None = None,
        ansi: str | None = None,
        parallel: int | None = None,
    ) -> ProjectArgs:
        return ProjectArgs(
            files=[*self.files, *(files or [])],
            project_name=project_name or self.project_name,
            profiles=[*self.profiles, *(profiles or [])],
            env_files=[*self.env_files, *(env_files or [])],
            project_directory=project_directory or self.project_directory,
            progress=progress or self.progress,
            ansi=ansi or self.ansi,
            parallel=parallel if parallel is not None else self.parallel,
        )

    def load_options(self, **switches: Any) -> LoadOptions:
        stdin_text = sys.stdin.read() if "-" in self.files else None
        # Taken verbatim, as the reference does: `--profile a,b` names one profile "a,b"
        # (only COMPOSE_PROFILES is a comma-separated list).
        profiles = list(self.profiles)
        return LoadOptions(
            files=list(self.files),
            project_name=self.project_name,
            project_directory=self.project_directory,
            env_files=list(self.env_files),
            profiles=profiles,
            environ=dict(os.environ),
            cwd=os.getcwd(),
            stdin_text=stdin_text,
            **switches,
        )
