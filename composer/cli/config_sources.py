"""`config --sources`: the merged YAML with a `# file:line` comment on every value.

Apart from config_run so the plain `config` path imports nothing of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from composer.cli import console
from composer.errors import UsageError
from composer.loader.options import LoadOptions


class _Flags(Protocol):
    output_format: str
    output: str | None
    quiet: bool
    no_interpolate: bool


def write_sources(
    options: LoadOptions, flags: _Flags, write: Callable[[str, str | None], None]
) -> None:
    """Load like `config`, then print the annotated YAML (YAML only: JSON has no
    comments; without interpolation there is no model to annotate)."""
    from composer.validation import sources_text

    if flags.output_format != "yaml":
        raise UsageError("--sources writes YAML comments; it cannot be used with --format json")
    if flags.no_interpolate:
        raise UsageError("--sources cannot be used with --no-interpolate")
    text, warnings = sources_text(options, root=os.getcwd())
    for warning in warnings:
        console.warn(warning)
    if not flags.quiet:
        write(text, flags.output)
