"""The state one load carries from file to file: environment, directories, warnings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from composer.errors import ComposerError


@dataclass
class LoadContext:
    """Settings shared by every file of one (sub-)project load.

    `working_dir` is the project directory (relative paths resolve against it);
    `resource_dir` is where `extends: {file: ...}` and `include:` paths start from,
    which is the project directory for the main files, the include's project
    directory for included files, and the extended file's own folder for extends.
    """

    working_dir: str
    environment: dict[str, str]
    resource_dir: str
    interpolate: bool = True
    resolve_paths: bool = True
    home: str = "/"
    warnings: list[str] = field(default_factory=list)
    # files on the current include chain (cycle detection)
    included: list[str] = field(default_factory=list)
    # files whose obsolete `version` was already reported
    version_warned: set[str] = field(default_factory=set)
    # None: the first problem raises (`config`); a list: problems are collected and
    # loading goes on where it can (`validate`)
    errors: list[ComposerError] | None = None

    def fail(self, error: ComposerError) -> None:
        """Raise `error`, or record it when collecting every problem."""
        if self.errors is None:
            raise error
        self.errors.append(error)

    def lookup(self) -> Callable[[str], str | None]:
        return self.environment.get

    def child(self, **changes: object) -> LoadContext:
        """A context for an included or extended file that shares the warning list."""
        values = {
            "working_dir": self.working_dir,
            "environment": self.environment,
            "resource_dir": self.resource_dir,
            "interpolate": self.interpolate,
            "resolve_paths": self.resolve_paths,
            "home": self.home,
            "warnings": self.warnings,
            "included": self.included,
            "version_warned": self.version_warned,
            "errors": self.errors,
        }
        values.update(changes)
        return LoadContext(**values)  # type: ignore[arg-type]
