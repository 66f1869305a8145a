"""What each diagnostic code means and where its documentation page is.

Semantic rules describe themselves (composer.semantic.RULES); the codes the loader
raises are listed here. A code without its own page falls back to its family's page
(`schema.additional` -> schema), then to docs/validate.md. Pages live in docs/rules/.
`COMPOSER_DOCS_URL` sets the base URL that SARIF `helpUri` links point at (default:
the docs/ folder next to this package, as a file:// URI).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    summary: str
    page: str  # path below docs/, e.g. "rules/port-conflict.md"


# code (or family prefix ending in "*") -> (summary, page below docs/rules/ without .md)
LOADER_CODES: dict[str, tuple[str, str]] = {
    "yaml-*": ("The file is not valid YAML, or uses YAML in a way Compose rejects", "yaml"),
    "file-*": ("A Compose file cannot be read", "yaml"),
    "empty-file": ("The Compose files define nothing", "yaml"),
    "interpolation": ("A `${...}` expression is malformed", "interpolation"),
    "interpolation-cast": ("A substituted value has the wrong type", "interpolation"),
    "required-variable": ("`${VAR:?msg}` with VAR unset", "required-variable"),
    "dotenv": ("A .env or env_file line cannot be parsed", "env-file-missing"),
    "env-file": ("An env_file cannot be read", "env-file-missing"),
    "schema.*": ("The project does not match the compose-spec schema", "schema"),
    "extends-*": ("An `extends:` reference is broken or cyclic", "extends"),
    "include-*": ("An `include:` entry is broken, cyclic or conflicting", "include"),
    "undefined-*": ("A reference to something that is not defined", "undefined"),
    "dependency-cycle": ("Services depend on each other in a cycle", "dependency-cycle"),
    "container-name-duplicate": (
        "Two services use the same container_name",
        "container-name-duplicate",
    ),
    "container-name-replicas": (
        "container_name on a service with more than one replica",
        "container-name-replicas",
    ),
    "watch-target": ("A develop.watch rule that copies files has no target", "watch-target"),
    "duration": ("A duration that cannot be parsed", "invalid-duration"),
    "size": ("A byte size that cannot be parsed", "invalid-size"),
    "port": ("A port specification that cannot be parsed", "invalid-port"),
}


def _lookup(code: str) -> tuple[str, str] | None:
    if code in LOADER_CODES:
        return LOADER_CODES[code]
    for pattern, info in LOADER_CODES.items():
        if pattern.endswith("*") and code.startswith(pattern[:-1]):
            return info
    return None


def describe(code: str) -> CodeInfo:
    """Summary and documentation page of `code`."""
    from composer.semantic import RULES

    rule = RULES.get(code)
    if rule is not None:
        return CodeInfo(code, rule.summary, f"rules/{code}.md")
    found = _lookup(code)
    if found is not None:
        summary, page = found
        if (DOCS_DIR / "rules" / f"{code}.md").is_file():
            page = code
        return CodeInfo(code, summary, f"rules/{page}.md")
    if (DOCS_DIR / "rules" / f"{code}.md").is_file():
        return CodeInfo(code, code.replace("-", " "), f"rules/{code}.md")
    return CodeInfo(code, code.replace("-", " "), "validate.md")


def page_url(page: str) -> str:
    """The absolute URL of a page below docs/."""
    base = os.environ.get("COMPOSER_DOCS_URL")
    if base:
        return base.rstrip("/") + "/" + page
    return (DOCS_DIR / page).as_uri()


def docs_url(info: CodeInfo) -> str:
    """The absolute URL of the code's page."""
    return page_url(info.page)
