"""One error type for everything a user can get wrong.

`ComposerError` carries what is wrong, where (file, line, column and the key path)
and how to fix it. Library code raises it; only the CLI renders it (text, JSON,
SARIF or GitHub annotations) and turns it into an exit code.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from composer.source import Location, format_path


class ComposerError(Exception):
    """A problem with the user's input or environment, rendered without a traceback.

    `code` is a stable identifier (documented in docs/errors.md), `path` the key path
    inside the project (`services.web.ports[0]`), `hint` how to fix it.
    """

    severity = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str = "error",
        location: Location | None = None,
        path: Iterable[Hashable] | str = (),
        hint: str | None = None,
        file: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.location = location
        if location is None and file is not None:
            self.location = Location(file, 0, 0)
        self.path = path if isinstance(path, str) else format_path(path)
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.location is not None:
            loc = self.location
            where = loc.file
            if loc.line:
                where += f":{loc.line}:{loc.column}"
            where += ": "
        text = where + self.message
        if self.path and self.path not in self.message:
            text += f" (at {self.path})"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def at(self, location: Location | None) -> ComposerError:
        """Attach a location unless one is already known; returns self for `raise e.at(...)`."""
        if self.location is None or not self.location.line:
            if location is not None:
                self.location = location
        return self


class YamlError(ComposerError):
    """The file is not valid YAML (or uses YAML in a way Compose rejects)."""


class InterpolationError(ComposerError):
    """A `${VAR}` expression is malformed or a required variable is unset."""


class SchemaError(ComposerError):
    """The project does not match the compose-spec JSON schema."""


class MergeError(ComposerError):
    """Two files (or an include) cannot be combined."""


class ExtendsError(ComposerError):
    """An `extends:` reference is broken or cyclic."""


class IncludeError(ComposerError):
    """An `include:` entry is broken, cyclic or conflicts with the including file."""


class ConsistencyError(ComposerError):
    """A reference points at something that does not exist, or services form a cycle."""


class UsageError(ComposerError):
    """The command line itself is wrong (exit code 2)."""
