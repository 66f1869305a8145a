"""`extends:`: build a service on top of another one, in the same file or another.

Semantics of the reference: the base service is itself extended first (chains),
a base from another file is read with that file's own folder as the root of its
relative paths, the two are merged with the same per-attribute rules as `-f`
files, and a chain that comes back to a service it already passed is a cycle.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from composer.errors import ExtendsError
from composer.loader.context import LoadContext
from composer.loader.merge import merge_service
from composer.loader.tags import Override
from composer.source import key_loc_of, loc_of

# (file, service) pairs on the way from the service being built to its base
Chain = tuple[tuple[str, str], ...]
# reads a file for extends: returns its services (raw, interpolated, paths resolved)
FileReader = Callable[[str, LoadContext], dict[str, Any] | None]


def _reference(name: str, service: dict[str, Any], file: str) -> tuple[str, str | None]:
    spec = service["extends"]
    if isinstance(spec, Override):
        spec = spec.value
    if isinstance(spec, str):
        return spec, None
    if isinstance(spec, dict):
        ref = spec.get("service")
        if not isinstance(ref, str):
            raise ExtendsError(
                f"extends.{name}.service is required",
                code="extends-service-missing",
                location=loc_of(service, "extends"),
                path=("services", name, "extends"),
                hint="write `extends: {service: NAME}` or `extends: NAME`",
            )
        other = spec.get("file")
        return ref, other if isinstance(other, str) else None
    raise ExtendsError(
        f"services.{name}.extends must be a string or a mapping",
        code="extends-invalid",
        location=loc_of(service, "extends"),
        path=("services", name, "extends"),
    )


class ExtendsResolver:
    """Applies `extends` to every service of one file's data."""

    def __init__(self, read_services: FileReader) -> None:
        self.read_services = read_services

    def apply(self, cfg: dict[str, Any], file: str, ctx: LoadContext) -> None:
        services = cfg.get("services")
        if not isinstance(services, dict):
            return
        for name in list(services):
            services[name] = self._resolve(name, services, file, ctx, ())

    def _resolve(
        self, name: str, services: dict[str, Any], file: str, ctx: LoadContext, chain: Chain
    ) -> Any:
        service = services.get(name)
        if not isinstance(service, dict) or "extends" not in service:
            return service
        ref, other_file = _reference(name, service, file)
        where = key_loc_of(service, "extends")

        def fail(message: str, code: str, hint: str | None = None) -> ExtendsError:
            at = ("services", name, "extends")
            return ExtendsError(message, code=code, location=where, path=at, hint=hint)

        if other_file is not None:
            path = os.path.join(ctx.resource_dir, os.path.expanduser(other_file))
            path = os.path.normpath(path)
            found = self.read_services(path, ctx)
            if found is None:
                raise fail(
                    f'cannot extend service "{name}" in {path}: no services section',
                    "extends-no-services",
                    f"{other_file} has no `services:` (a Compose v1 file?)",
                )
            base_services = found
            if ref not in base_services:
                raise fail(
                    f'cannot extend service "{name}" in {file}: service "{ref}" not found in {other_file}',
                    "extends-not-found",
                    f"services in {other_file}: {', '.join(sorted(base_services)) or 'none'}",
                )
            base_file = path
            base_ctx = ctx.child(resource_dir=os.path.dirname(path))
        else:
            if ref not in services:
                raise fail(
                    f'cannot extend service "{name}" in {file}: service "{ref}" not found',
                    "extends-not-found",
                    f"services in this file: {', '.join(sorted(services))}",
                )
            base_services, base_file, base_ctx = services, file, ctx

        step = (file, name)
        if step in chain:
            lines = ["Circular reference:", f"  {chain[0][1]} in {chain[0][0]}"]
            lines += [f"  extends {s} in {f}" for f, s in (*chain[1:], step)]
            raise fail("\n".join(lines), "extends-cycle")
        base = self._resolve(ref, base_services, base_file, base_ctx, (*chain, step))
        if base is None:
            return service
        if not isinstance(base, dict):
            raise ExtendsError(
                f"services.{ref} must be a mapping",
                code="extends-invalid",
                location=loc_of(base_services, ref),
                path=("services", ref),
            )
        # merge_service never mutates its inputs, so the base needs no copy; like the
        # reference it merges an already-canonical base with the raw extending service
        merged = merge_service(base, service, name=name)
        merged.pop("extends", None)
        return merged
