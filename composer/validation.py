"""`validate` as a library call: load in collecting mode, run the semantic rules, and
turn everything the loader recorded (errors, located warnings, variable uses) into
diagnostics at the file, line and column that caused them.

Kept apart from the CLI so tests and the pre-commit entry point call it in-process.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

from composer import semantic
from composer.diagnostics.model import (
    ERROR,
    WARNING,
    Diagnostic,
    at,
    from_error,
    ordered,
    relative_path,
)
from composer.errors import ComposerError, UsageError
from composer.loader.discovery import EnvSource
from composer.loader.options import LoadOptions
from composer.source import Located, Location, YList, YMap, format_path, locate

_UNSET = re.compile(r'The "(?:[^"\\]|\\.)*" variable is not set\. Defaulting to a blank string\.')
_EXTERNAL_NAME = re.compile(r"(\S+): external\.name is deprecated")


@dataclass
class VariableUse:
    """One string that references variables: `values` maps each variable looked up to
    its value (None: unset), `missing` the plain references that were unset."""

    location: Location | None
    path: tuple[Hashable, ...]
    values: dict[str, str | None]
    missing: list[str]


@dataclass
class VariableTracker:
    """The interpolation hook (interpolation.VariableHook) that remembers every use."""

    uses: list[VariableUse] = field(default_factory=list)

    def __call__(
        self,
        location: Location | None,
        path: tuple[Hashable, ...],
        values: dict[str, str | None],
        missing: list[str],
    ) -> None:
        self.uses.append(VariableUse(location, path, dict(values), list(missing)))

    def by_line(self) -> dict[tuple[str, int], dict[str, str | None]]:
        """Variables used on each (file, line)."""
        found: dict[tuple[str, int], dict[str, str | None]] = {}
        for use in self.uses:
            if use.location is not None:
                found.setdefault((use.location.file, use.location.line), {}).update(use.values)
        return found


@dataclass
class Validation:
    """The outcome: diagnostics in file order (files as loaded, usually absolute)."""

    diagnostics: list[Diagnostic]
    files: list[str]
    working_dir: str

    def valid(self, *, strict: bool = False) -> bool:
        return not any(d.is_error or strict for d in self.diagnostics)


def describe_source(name: str, sources: dict[str, EnvSource], root: str | None) -> str:
    """`the shell environment`, `.env:3`, `--env-file ci.env:2` (paths relative to root)."""
    source = sources.get(name)
    if source is None:
        return "the project environment"
    if source.file is None:
        return str(source)
    shown = os.path.relpath(source.file, root) if root else source.file
    return str(replace(source, file=shown))


def _lookup_places(env_files: list[str], working_dir: str, root: str | None) -> str:
    files = env_files or [os.path.join(working_dir, ".env")]
    shown = [os.path.relpath(f, root) if root else f for f in files]
    return "the shell environment or " + ", ".join(shown)


def _unset_diagnostics(
    tracker: VariableTracker,
    env_files: list[str],
    working_dir: str,
    root: str | None,
    strict: bool,
    default_file: str,
) -> list[Diagnostic]:
    places = _lookup_places(env_files, working_dir, root)
    found = []
    for use in tracker.uses:
        for name in dict.fromkeys(use.missing):
            found.append(
                at(
                    use.location,
                    severity=ERROR if strict else WARNING,
                    code="variable-unset",
                    message=f'variable "{name}" is not set and has no default: '
                    f"it becomes an empty string (looked up in {places})",
                    path=format_path(use.path),
                    hint=f"set {name} in {places}, or write ${{{name}:-default}}",
                    default_file=default_file,
                )
            )
    return found


def _warning_diagnostics(
    warnings: list[str], project: dict[str, Any] | None, default_file: str
) -> list[Diagnostic]:
    found = []
    for text in warnings:
        if isinstance(text, Located):
            found.append(
                at(
                    text.location,
                    severity=WARNING,
                    code=text.code,
                    message=str(text).split(": ", 1)[-1] if text.location else str(text),
                    path=text.path,
                    default_file=default_file,
                )
            )
            continue
        if _UNSET.fullmatch(text):
            continue  # reported with its position from the variable uses
        location = None
        path = ""
        match = _EXTERNAL_NAME.match(text)
        if match and project is not None:
            path = match.group(1)
            location = locate(project, tuple(path.split(".")))
        found.append(
            at(
                location,
                severity=WARNING,
                code="deprecated-syntax",
                message=text,
                path=path,
                default_file=default_file,
            )
        )
    return found


_FIRST_CAUSES = frozenset(("interpolation", "interpolation-cast", "required-variable"))


def _without_echoes(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A value whose interpolation failed stays as written, so later stages may fail on
    it again: keep only the interpolation error at that position."""
    failed = {(d.file, d.line, d.column) for d in diagnostics if d.code in _FIRST_CAUSES}
    return [
        d
        for d in diagnostics
        if d.code in _FIRST_CAUSES or (d.file, d.line, d.column) not in failed
    ]


def _with_provenance(
    diagnostics: list[Diagnostic],
    tracker: VariableTracker,
    sources: dict[str, EnvSource],
    root: str | None,
) -> list[Diagnostic]:
    """Name the variables behind a value that a diagnostic is about, and their origin."""
    lines = tracker.by_line()
    if not lines:
        return diagnostics
    out = []
    for d in diagnostics:
        used = lines.get((d.file, d.line))
        if used and d.code not in ("variable-unset", "required-variable"):
            notes = [
                f"{name} is unset"
                if value is None
                else f'{name}="{value}" from {describe_source(name, sources, root)}'
                for name, value in used.items()
            ]
            d = replace(d, message=f"{d.message} [{'; '.join(notes)}]")
        out.append(d)
    return out


def validate(options: LoadOptions, *, strict: bool = False, root: str | None = None) -> Validation:
    """Load the project described by `options` and report every problem.

    Bad usage (no Compose file, an invalid project name) raises UsageError; everything
    else becomes a diagnostic. `root` is the directory paths in messages are shown
    relative to (default: the current directory).
    """
    from composer.loader.pipeline import load_project

    root = root or options.cwd or os.getcwd()
    tracker = VariableTracker()
    options = options.replace(variable_hook=tracker, resolve_environment=False)
    errors: list[ComposerError] = []
    try:
        loaded = load_project(options, errors=errors)
    except UsageError:
        raise
    except ComposerError as error:
        default = options.files[0] if options.files else ""
        diagnostic = from_error(error, default_file=os.path.join(root, default))
        return Validation([diagnostic], list(options.files), root)
    default_file = loaded.files[0] if loaded.files else ""
    found = _without_echoes([from_error(e, default_file=default_file) for e in errors])
    if loaded.unpruned is not None:
        ctx = semantic.Context(
            loaded.project,
            loaded.unpruned,
            loaded.disabled_services,
            default_file,
            root,
            loaded.environment,
        )
        found.extend(semantic.check(ctx))
    found.extend(_warning_diagnostics(loaded.warnings, loaded.unpruned, default_file))
    found.extend(
        _unset_diagnostics(
            tracker, loaded.env_files, loaded.working_dir, root, strict, default_file
        )
    )
    found = _with_provenance(found, tracker, loaded.env_sources, root)
    return Validation(ordered(found), loaded.files, loaded.working_dir)


def origin(project: dict[str, Any], path: tuple[Hashable, ...]) -> tuple[Location | None, bool]:
    """Where the value at `path` came from, and whether a file wrote it (False: the
    loader added it, e.g. a default, at the place returned).

    A mapping with positions that lacks one for a key got that key from the loader; a
    plain dict or list (built from one scalar, like a short port syntax) takes the
    position of the scalar it was built from.
    """
    node: Any = project
    where = getattr(project, "loc", None)
    written = True
    for key in path:
        here = None
        if isinstance(node, YMap):
            here = node.locs.get(key)
            if here is None:
                written = False
        elif isinstance(node, YList) and isinstance(key, int):
            here = node.locs[key] if key < len(node.locs) else None
            if here is None:
                written = False
        if here is not None:
            where = here
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if written is False:
            break
    return where, written


def sources_annotator(
    project: dict[str, Any],
    tracker: VariableTracker,
    env_sources: dict[str, EnvSource],
    root: str | None,
) -> Callable[[tuple[Hashable, ...]], str | None]:
    """The `config --sources` comment for each rendered value: the file and line it came
    from and, for interpolated values, each variable and where its value came from."""
    lines = tracker.by_line()

    def annotate(path: tuple[Hashable, ...]) -> str | None:
        if len(path) < 2:
            return None  # `name:` comes from -p, the folder or the file's `name:`
        where, written = origin(project, path)
        if where is None or not where.line:
            return None
        text = f"{relative_path(where.file, root)}:{where.line}"
        if not written:
            return text + " (default)"
        used = lines.get((where.file, where.line))
        if used:
            notes = []
            for name, value in used.items():
                if value is None:
                    notes.append(f"{name} unset")
                else:
                    notes.append(f"{name} from {describe_source(name, env_sources, root)}")
            text += " (" + ", ".join(notes) + ")"
        return text.replace("$", "")  # the renderer doubles `$` in the whole text

    return annotate


def sources_text(options: LoadOptions, *, root: str | None = None) -> tuple[str, list[str]]:
    """`config --sources`: the rendered project with a `# file:line` comment per value,
    and the load's warnings. Raises the first ComposerError, as `config` does."""
    from composer.loader.pipeline import load_project
    from composer.render import render_yaml

    root = root or options.cwd or os.getcwd()
    tracker = VariableTracker()
    loaded = load_project(options.replace(variable_hook=tracker))
    annotate = sources_annotator(loaded.project, tracker, loaded.env_sources, root)
    return render_yaml(loaded.project, annotate=annotate), list(loaded.warnings)
