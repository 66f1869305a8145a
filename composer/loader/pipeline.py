"""The loading pipeline: Compose files in, one flat canonical project out.

Order of the reference (compose-go's loader), per file: parse -> interpolate ->
extends -> include -> schema -> canonical (long syntax) -> merge into what the
earlier files built -> unicity. Then, once: defaults -> paths -> normalisation ->
profiles -> consistency -> environment (env_file, bare names, label_file).
Every stage is a function in its own module; this one only puts them in order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from composer import schema
from composer.errors import ComposerError, YamlError
from composer.loader import consistency, profiles
from composer.loader.canonical import canonical
from composer.loader.context import LoadContext
from composer.loader.defaults import normalize, prune_unused, set_defaults, to_model
from composer.loader.discovery import (
    EnvSource,
    ProjectInputs,
    normalize_project_name,
    resolve_inputs,
)
from composer.loader.environment import resolve_environment
from composer.loader.extends import ExtendsResolver
from composer.loader.include import apply_include
from composer.loader.interpolation import interpolate
from composer.loader.merge import enforce_unicity, merge
from composer.loader.options import LoadOptions
from composer.loader.paths import resolve_paths
from composer.loader.yaml import parse_documents, read_text
from composer.source import Located, Location, YMap, key_loc_of, loc_of, shallow_copy


@dataclass
class LoadedProject:
    """The result of a load: the project dict plus what the CLI needs to report on it."""

    project: dict[str, Any]
    name: str
    working_dir: str
    files: list[str]
    environment: dict[str, str]
    env_files: list[str]
    profiles: list[str]
    disabled_services: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # True when the project went through the reference's model binding: it is then
    # printed in the model's field order, otherwise with sorted keys.
    bound: bool = True
    # where each interpolation variable came from (shell, .env line, --env-file line)
    env_sources: dict[str, EnvSource] = field(default_factory=dict)
    # collecting mode only: the project before unused top-level resources were pruned
    # (its networks/volumes/secrets/configs/models sections are copies); None when the
    # load stopped before that stage
    unpruned: dict[str, Any] | None = None


class _Loader:
    """One load: reads files through the per-file stages and merges them."""

    def __init__(self, options: LoadOptions, stdin_text: str | None) -> None:
        self.options = options
        self.stdin_text = stdin_text
        self.extends = ExtendsResolver(self._read_extends_file)
        self._texts: dict[str, str] = {}
        self._unread: dict[str, list[Any]] = {}

    # ---- reading -------------------------------------------------------------
    def text(self, file: str) -> str:
        if file not in self._texts:
            if file == "-":
                self._texts[file] = self.stdin_text or ""
            else:
                self._texts[file] = read_text(file)
        return self._texts[file]

    def peek_documents(self, file: str) -> list[Any]:
        """Parse `file` for a read-only look (the project name); the next
        `documents(file)` call takes these documents instead of parsing again."""
        docs = self.documents(file)
        self._unread[file] = docs
        return docs

    def documents(self, file: str) -> list[Any]:
        """The file's documents, parsed afresh for each caller (later stages modify
        them in place), except the ones `peek_documents` parsed and nobody used yet."""
        if file in self._unread:
            return self._unread.pop(file)
        display = "(stdin)" if file == "-" else file
        docs = parse_documents(self.text(file), display)
        for doc in docs:
            if not isinstance(doc, dict):
                raise YamlError(
                    "top-level object must be a mapping",
                    code="yaml-top-level",
                    location=loc_of(doc) or Location(display, 1, 1),
                    hint="a Compose file starts with keys such as `services:`",
                )
        return docs

    # ---- per-file stages -----------------------------------------------------
    def prepare(self, cfg: dict[str, Any], file: str, ctx: LoadContext) -> dict[str, Any]:
        """parse result -> interpolated, extended, included raw data of one document."""
        if ctx.interpolate:
            cfg = interpolate(
                cfg,
                ctx.lookup(),
                warnings=ctx.warnings,
                errors=ctx.errors,
                sources=self.options.variable_hook,
            )
        self.extends.apply(cfg, file, ctx)
        apply_include(cfg, file, ctx.child(included=[*ctx.included, file]), self._read_include)
        return cfg

    def load_files(
        self, files: list[str], ctx: LoadContext, *, validate: bool = True
    ) -> dict[str, Any]:
        """Merge `files` in order; each step is validated against the schema as the
        reference does: on the merged-so-far data, naming the file just added."""
        merged: dict[str, Any] = YMap()
        for file in files:
            try:
                docs = self.documents(file)
            except ComposerError as error:
                ctx.fail(error)
                continue
            for doc in docs:
                try:
                    merged = self._add_document(merged, doc, file, ctx, validate)
                except ComposerError as error:
                    ctx.fail(error)
        return merged

    def _add_document(
        self,
        merged: dict[str, Any],
        doc: dict[str, Any],
        file: str,
        ctx: LoadContext,
        validate: bool,
    ) -> dict[str, Any]:
        cfg = self.prepare(doc, file, ctx)
        candidate = enforce_unicity(merge(merged, cfg))
        if validate:
            if ctx.errors is None:
                schema.check_schema(candidate, file=file)
            else:
                problems = schema.schema_errors(candidate, file=file)
                if problems:
                    ctx.errors.extend(problems)
                    return merged  # go on with the other files, without this one
        if "version" in candidate:
            if validate and file not in ctx.version_warned:
                ctx.version_warned.add(file)
                ctx.warnings.append(
                    Located(
                        f"{file}: the attribute `version` is obsolete, it will be ignored, "
                        "please remove it to avoid potential confusion",
                        key_loc_of(cfg, "version"),
                        code="obsolete-version",
                        path="version",
                    )
                )
            del candidate["version"]
        candidate = canonical(
            candidate, skip_interpolation=not ctx.interpolate, warnings=ctx.warnings
        )
        return enforce_unicity(candidate)

    def _read_extends_file(self, path: str, ctx: LoadContext) -> dict[str, Any] | None:
        docs = self.documents(path)
        services: dict[str, Any] = {}
        found = False
        for doc in docs:
            cfg = (
                interpolate(
                    doc,
                    ctx.lookup(),
                    warnings=ctx.warnings,
                    errors=ctx.errors,
                    sources=self.options.variable_hook,
                )
                if ctx.interpolate
                else doc
            )
            if isinstance(cfg.get("services"), dict):
                found = True
                part = canonical(
                    {"services": cfg["services"]}, skip_interpolation=not ctx.interpolate
                )
                if ctx.resolve_paths:
                    part = resolve_paths(part, os.path.dirname(path), home=ctx.home)
                services.update(part["services"])
        if not found:
            return None
        return services

    def _read_include(self, files: list[str], ctx: LoadContext) -> dict[str, Any]:
        project = self.load_files(files, ctx)
        project = set_defaults(project)
        if ctx.resolve_paths:
            project = resolve_paths(project, ctx.working_dir, home=ctx.home)
        return project


def _project_name(loader: _Loader, files: list[str], ctx: LoadContext, explicit: str | None) -> str:
    if explicit:
        return explicit
    from_yaml = ""
    for file in files:
        try:
            docs = loader.peek_documents(file)
        except ComposerError:
            continue  # reported by the real load with its position
        for doc in docs:
            value = doc.get("name")
            if isinstance(value, str) and value:
                from_yaml = value
    if from_yaml:
        # A name written in a file is used even when it ends up empty after
        # interpolation and normalisation (`name: "!!!"`, `name: ${UNSET}`): the
        # reference then fails with "project name must not be empty".
        if ctx.interpolate:
            from_yaml = interpolate({"name": from_yaml}, ctx.lookup(), warnings=[])["name"]
        return normalize_project_name(from_yaml)
    return normalize_project_name(os.path.basename(ctx.working_dir))


def load_project(
    options: LoadOptions, *, errors: list[ComposerError] | None = None
) -> LoadedProject:
    """Run the whole pipeline for `options`.

    Without `errors` the first problem raises ComposerError (what `config` does).
    With a list, every problem found is appended to it and loading goes on as far as
    it sensibly can (what `validate` does); the returned project may then be partial.
    """
    inputs = resolve_inputs(options)
    environ = options.environ if options.environ is not None else os.environ
    ctx = LoadContext(
        working_dir=inputs.working_dir,
        environment=inputs.environment,
        resource_dir=inputs.working_dir,
        interpolate=options.interpolate,
        resolve_paths=options.resolve_paths,
        home=environ.get("HOME") or os.path.expanduser("~"),
        errors=errors,
    )
    loader = _Loader(options, options.stdin_text)
    name = _project_name(loader, inputs.files, ctx, inputs.project_name)
    if not name:
        raise ComposerError(
            "project name must not be empty",
            code="project-name",
            hint="pass -p NAME or set `name:` in the Compose file",
        )
    ctx.environment["COMPOSE_PROJECT_NAME"] = name
    result = LoadedProject(
        project={"name": name},
        name=name,
        working_dir=inputs.working_dir,
        files=inputs.files,
        environment=ctx.environment,
        env_files=inputs.env_files,
        profiles=inputs.profiles,
        warnings=ctx.warnings,
        bound=options.interpolate,
        env_sources=inputs.env_sources,
    )
    project = loader.load_files(inputs.files, ctx)
    if errors and not project.get("services"):
        result.project = _named(name, project)
        return result  # nothing loaded cleanly: later stages would only echo the problems
    # With problems in some documents, the rest still goes through every stage, so
    # `validate` reports the semantic problems of what did load too.
    try:
        project, disabled = _finish(project, options, inputs, ctx, name)
    except ComposerError as error:
        ctx.fail(error)
        return result
    if errors is not None:
        result.unpruned = _unpruned(project)
    if options.interpolate:  # also with --no-normalize (WithoutUnnecessaryResources)
        project = prune_unused(project)
    result.project = _named(name, project)
    result.disabled_services = disabled
    return result


_PRUNED = ("networks", "volumes", "secrets", "configs", "models")


def _unpruned(project: dict[str, Any]) -> dict[str, Any]:
    """What prune_unused is about to change, copied (it deletes in place)."""
    keep = shallow_copy(project)
    for kind in _PRUNED:
        section = project.get(kind)
        if isinstance(section, dict):
            keep[kind] = shallow_copy(section)
    return keep


def _named(name: str, project: dict[str, Any]) -> dict[str, Any]:
    """The project with `name` first, keeping the positions the data carries."""
    named = YMap(name=name)
    named.update(project)
    if isinstance(project, YMap):
        named.loc = project.loc
        named.locs.update(project.locs)
        named.key_locs.update(project.key_locs)
    return named


def _finish(
    project: dict[str, Any],
    options: LoadOptions,
    inputs: ProjectInputs,
    ctx: LoadContext,
    name: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stages that run once on the merged project."""
    if not project:
        raise ComposerError("empty compose file", code="empty-file", file=inputs.files[0])
    project.pop("name", None)
    project = set_defaults(project)
    if options.resolve_paths:
        project = resolve_paths(project, inputs.working_dir, home=ctx.home)
    # Without interpolation the reference prints the plain dict (no model binding,
    # bare variables unresolved, nothing pruned); otherwise it binds to its model.
    if options.normalize:
        lookup = ctx.lookup() if options.interpolate else (lambda _name: None)
        project = normalize(project, project_name=name, lookup=lookup, bind=options.interpolate)
    elif options.interpolate:
        project = to_model(project)

    # Without interpolation the reference renders its raw model: profiles are not
    # applied and consistency is not checked (docker compose's runConfigNoInterpolate).
    disabled: dict[str, Any] = {}
    if options.interpolate:
        project, disabled = profiles.apply_profiles(project, inputs.profiles)
    if options.consistency and options.interpolate:
        if ctx.errors is None:
            consistency.check(project, disabled)
        else:
            ctx.errors.extend(consistency.problems(project, disabled))
    if options.resolve_environment and options.interpolate:
        project = resolve_environment(
            project,
            ctx.lookup(),
            warnings=ctx.warnings,
            keep_label_files=options.keep_label_files,
            keep_env_files=options.keep_env_files,
        )
    return project, disabled
