"""The service config hash (`config --hash`, label com.docker.compose.config-hash).

Docker Compose hashes the JSON encoding of the service model with the fields that
must not cause a recreate blanked: build, pull_policy, scale, deploy.replicas,
depends_on and profiles. The JSON is the one `config --format json` prints for the
service (same field order, Go escaping), compact and with `$` unescaped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

# Fields whose change must not recreate the service.
IGNORED_FIELDS = ("build", "pull_policy", "scale", "depends_on", "profiles")


def _scan(text: str, start: int = 0) -> Iterator[tuple[int, str, bool]]:
    """(index, character, inside a JSON string?) for each character from `start`."""
    in_string = escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            yield index, char, True
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        else:
            in_string = char == '"'
            yield index, char, in_string


def _compact(text: str) -> str:
    """Remove the indentation of rendered JSON without touching string contents."""
    return "".join(char for _, char, quoted in _scan(text) if quoted or char not in " \n\t\r")


def model_json(section: str, key: str, value: dict[str, Any]) -> str:
    """The compact JSON of one entry of a top-level section (`services`, `networks`,
    `volumes`...) as the reference's json.Marshal writes it: model field order, Go
    escaping, `$` unescaped."""
    from composer.render import render_json

    text = _compact(render_json({section: {key: value}}, escape_dollars=False))
    prefix = f'"{section}":{{' + json.dumps(key, ensure_ascii=False) + ":"
    start = text.index(prefix) + len(prefix)
    return text[start : _matching_brace(text, start) + 1]


def _matching_brace(text: str, start: int) -> int:
    """Index of the `}` closing the JSON object that opens at `start` (strings skipped)."""
    depth = 0
    for index, char, quoted in _scan(text, start):
        if quoted:
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced JSON object")


def hashed_json(name: str, service: dict[str, Any]) -> str:
    """The compact JSON of `service` as the hash sees it."""
    trimmed = {k: v for k, v in service.items() if k not in IGNORED_FIELDS}
    deploy = trimmed.get("deploy")
    if isinstance(deploy, dict) and "replicas" in deploy:
        trimmed["deploy"] = {k: v for k, v in deploy.items() if k != "replicas"}
    return model_json("services", name, trimmed)


def sha256_hex(text: str) -> str:
    """The hex SHA-256 of `text` (UTF-8): every config-hash label is one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def service_hash(name: str, service: dict[str, Any]) -> str:
    """SHA-256 hex digest of the service, equal to Docker Compose's config hash."""
    return sha256_hex(hashed_json(name, service))
