"""`config` output: the canonical project printed byte for byte as the reference does.

The reference (Docker Compose v2.40.3) marshals compose-go's typed `Project` with
go-yaml v3 (YAML) or `Project.MarshalJSON` + encoding/json (JSON), then doubles every
`$`. So key order is the Go struct field order (table in `schema.py`), maps are sorted
(yaml.v3's natural order / byte order), `x-*` come after a struct's fields and are
absent from JSON except at the top level.

Input contract (the canonical project): a plain dict whose key order does not matter,
using the YAML key names; values already normalised the way the reference prints them
(durations like "1m0s", byte sizes as strings, `mode` as "0440" or an int, ports and
volumes in long form, `build.ssh` as `{id: path-or-None}` or a list of "id"/"id=path",
etc.). Literal `$`
are single: the renderer escapes them. Keys the struct does not know are dropped, as
Go's typed marshalling drops them; empty/zero values follow the `omitempty` tags.

Public API:
  render_yaml(project) / render_json(project)  - `config` / `config --format json`
  dump_yaml(value) / dump_json(value)          - any plain value, maps sorted (the
                                                 `--no-interpolate` output, other
                                                 subcommands' YAML/JSON)
"""

from __future__ import annotations

from collections.abc import Mapping

from composer.render.json_emit import emit_json
from composer.render.model import (
    RenderError,
    any_json,
    any_yaml,
    project_json_tree,
    project_yaml_tree,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

    from composer.render.yaml_emit import Annotate

# The YAML emitter is imported by the functions that print YAML: its scalar-style
# patterns take ~8 ms to compile, and the config hash of the run commands (JSON)
# never needs them.

__all__ = ["RenderError", "dump_json", "dump_yaml", "render_json", "render_yaml"]


def render_yaml(
    project: Mapping[str, Any],
    *,
    escape_dollars: bool = True,
    annotate: Annotate | None = None,
) -> str:
    """`docker compose config` text for a canonical project (ends with a newline).
    `annotate(key_path)` may return a comment for a value's line (`config --sources`);
    comments must not contain `$` when `escape_dollars` is on."""
    from composer.render.yaml_emit import emit_yaml

    text = emit_yaml(project_yaml_tree(project), annotate=annotate)
    return text.replace("$", "$$") if escape_dollars else text


def render_json(project: Mapping[str, Any], *, escape_dollars: bool = True) -> str:
    """`docker compose config --format json` text (no trailing newline, as the
    reference). Raises RenderError where the reference fails (`build.ssh` with a path,
    NaN/Inf numbers)."""
    text = emit_json(project_json_tree(project))
    return text.replace("$", "$$") if escape_dollars else text


def dump_yaml(value: Any, *, indent: int = 2, sort_keys: bool = True) -> str:
    """Any plain value as yaml.v3 prints a Go `map[string]any`/`[]any`: maps sorted by
    yaml.v3's key order (`sort_keys=False` keeps the given order, as for a struct), no
    `$` escaping. `indent=4` matches `yaml.Marshal` (e.g. `config --variables`)."""
    from composer.render.yaml_emit import emit_yaml

    return emit_yaml(any_yaml(value, sort_keys), indent)


def dump_json(value: Any, *, sort_keys: bool = True) -> str:
    """Any plain value as `json.MarshalIndent(v, "", "  ")`: keys sorted (or kept, for a
    struct), no trailing newline, no `$` escaping."""
    return emit_json(any_json(value, sort_keys=sort_keys))
