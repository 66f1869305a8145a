"""The diagnostic model and its formats: text (code frame), JSON, SARIF, GitHub."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from composer.diagnostics.catalog import DOCS_DIR, describe, docs_url
from composer.diagnostics.github import escape_data, escape_property, render_github
from composer.diagnostics.json_fmt import render_json
from composer.diagnostics.model import Diagnostic, from_error, is_valid, ordered, relative_path
from composer.diagnostics.sarif import render_sarif
from composer.diagnostics.text import render_text
from composer.errors import SchemaError
from composer.semantic import RULES
from composer.source import Location

SOURCE = "services:\n  web:\n    image: nginx\n\tports: [8080]\n"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text(SOURCE)
    return tmp_path


def _diag(**changes: object) -> Diagnostic:
    base = {
        "severity": "error",
        "code": "port-conflict",
        "message": "it clashes",
        "file": "compose.yaml",
        "line": 3,
        "column": 12,
        "path": "services.web.image",
        "hint": "use another port",
    }
    base.update(changes)
    return Diagnostic(**base)  # type: ignore[arg-type]


def test_from_error_keeps_position_path_and_hint() -> None:
    error = SchemaError(
        "services.web additional properties 'imgae' not allowed",
        code="schema.additional",
        location=Location("/p/compose.prod.yaml", 4, 5),
        path=("services", "web"),
        hint="did you mean: imgae -> image",
    )
    d = from_error(error)
    assert (d.severity, d.code, d.file, d.line, d.column, d.path, d.hint) == (
        "error",
        "schema.additional",
        "/p/compose.prod.yaml",
        4,
        5,
        "services.web",
        "did you mean: imgae -> image",
    )


def test_unknown_positions_become_the_start_of_the_file() -> None:
    no_line = from_error(SchemaError("x", file="/p/a.yaml"))
    assert (no_line.file, no_line.line, no_line.column) == ("/p/a.yaml", 1, 1)
    nowhere = from_error(SchemaError("x"), default_file="/p/compose.yaml")
    assert (nowhere.file, nowhere.line, nowhere.column) == ("/p/compose.yaml", 1, 1)


def test_relative_paths() -> None:
    assert relative_path("/repo/a/compose.yaml", "/repo") == "a/compose.yaml"
    assert relative_path("/elsewhere/compose.yaml", "/repo") == "/elsewhere/compose.yaml"
    assert relative_path("(stdin)", "/repo") == "(stdin)"
    d = _diag(file="/repo/x.env", message="failed to read /repo/x.env: line 2").relative_to("/repo")
    assert (d.file, d.message) == ("x.env", "failed to read x.env: line 2")


def test_validity_and_order() -> None:
    warning = _diag(severity="warning", line=9)
    error = _diag(line=2)
    assert is_valid([warning]) and not is_valid([warning], strict=True)
    assert not is_valid([error]) and is_valid([])
    assert ordered([warning, error, warning]) == [error, warning]


def test_text_format_with_code_frame(project: Path) -> None:
    text = render_text(
        [_diag(), _diag(severity="warning", code="unused-volume", line=4, column=2, hint=None)],
        open_file=lambda d: str(project / d.file),
    )
    assert text == (
        "compose.yaml:3:12: error port-conflict: it clashes\n"
        " 3 |     image: nginx\n"
        "   |            ^\n"
        "  hint: use another port\n"
        "compose.yaml:4:2: warning unused-volume: it clashes\n"
        " 4 | \tports: [8080]\n"
        "   | \t^\n"
        "1 error, 1 warning\n"
    )


def test_text_format_colours_only_when_asked(project: Path) -> None:
    plain = render_text([_diag()], open_file=lambda d: str(project / d.file))
    coloured = render_text([_diag()], color=True, open_file=lambda d: str(project / d.file))
    assert "\033[" not in plain
    assert "\033[1;31merror\033[0m" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain
    assert render_text([]) == "valid: no problems found\n"


def test_text_format_survives_a_missing_file() -> None:
    text = render_text([_diag(file="/nonexistent/compose.yaml")])
    assert text.splitlines()[0].startswith("/nonexistent/compose.yaml:3:12: error")
    assert "|" not in text


def test_json_format_exact_shape() -> None:
    data = json.loads(render_json([_diag()], valid=False))
    assert data == {
        "valid": False,
        "diagnostics": [
            {
                "severity": "error",
                "code": "port-conflict",
                "message": "it clashes",
                "file": "compose.yaml",
                "line": 3,
                "column": 12,
                "path": "services.web.image",
            }
        ],
    }


def test_github_escaping() -> None:
    assert escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    line = render_github(
        [
            _diag(
                file="dir,x/c:1.yaml",
                message="bad\nvalue",
                path="",
                hint=None,
                code="port-conflict",
            )
        ]
    )
    assert line == (
        "::error file=dir%2Cx/c%3A1.yaml,line=3,col=12,title=port-conflict::bad%0Avalue\n"
    )
    warn = render_github([_diag(severity="warning", hint="h")])
    assert warn.startswith("::warning file=compose.yaml,line=3,col=12,title=port-conflict::")
    assert warn.endswith("it clashes%0Aservices.web.image%0Ahint: h\n")


def test_sarif_has_what_github_code_scanning_requires(project: Path) -> None:
    diags = [
        _diag(),
        _diag(code="unused-volume", severity="warning", line=4, column=2),
        _diag(code="schema.additional", line=2, column=3),
        _diag(code="port-conflict", line=4, column=3),
    ]
    log = json.loads(
        render_sarif(
            diags,
            root=str(project),
            tool_version="1.2.3",
            open_file=lambda d: str(project / d.file),
        )
    )
    assert log["$schema"].endswith("sarif-2.1.0.json") and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "composer" and driver["version"] == "1.2.3"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["port-conflict", "unused-volume", "schema.additional"]
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"]
        assert urlparse(rule["helpUri"]).scheme in ("file", "https", "http")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert len(run["results"]) == 4
    fingerprints = set()
    for result, d in zip(run["results"], diags, strict=True):
        assert result["ruleId"] == d.code
        assert rules[result["ruleIndex"]]["id"] == d.code
        assert result["level"] == d.severity and result["message"]["text"].startswith(d.message)
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "compose.yaml", "uriBaseId": "%SRCROOT%"}
        region = physical["region"]
        assert (region["startLine"], region["startColumn"]) == (d.line, d.column)
        assert region["endLine"] == d.line and region["endColumn"] > d.column
        fingerprints.add(result["partialFingerprints"]["primaryLocationLineHash"])
    assert len(fingerprints) == 4
    # the region covers the token at the column: `nginx` on line 3
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["endColumn"] == 17


def test_sarif_uris_are_encoded_and_absolute_outside_the_root(tmp_path: Path) -> None:
    log = json.loads(
        render_sarif(
            [_diag(file="my dir/compose.yaml"), _diag(file="/other/compose.yaml")],
            root=str(tmp_path),
        )
    )
    first, second = (
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]
    )
    assert first == {"uri": "my%20dir/compose.yaml", "uriBaseId": "%SRCROOT%"}
    assert second == {"uri": "file:///other/compose.yaml"}


def test_docs_url_can_point_at_a_published_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPOSER_DOCS_URL", "https://example.org/composer/docs/")
    assert (
        docs_url(describe("port-conflict"))
        == "https://example.org/composer/docs/rules/port-conflict.md"
    )
    assert docs_url(describe("schema.enum")) == "https://example.org/composer/docs/rules/schema.md"


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_a_documented_page(code: str) -> None:
    info = describe(code)
    page = DOCS_DIR / info.page
    assert info.page == f"rules/{code}.md"
    text = page.read_text()
    for section in ("## What", "## Why", "## Fix", "## Example"):
        assert section in text, f"{page} lacks {section}"
    assert f"`{code}`" in text
    assert f"rules/{code}.md" in (DOCS_DIR / "validate.md").read_text()


@pytest.mark.parametrize(
    "code",
    [
        "yaml-syntax",
        "required-variable",
        "schema.additional",
        "undefined-volume",
        "extends-cycle",
        "dotenv",
        "watch-target",
    ],
)
def test_loader_codes_point_at_an_existing_page(code: str) -> None:
    assert (DOCS_DIR / describe(code).page).is_file()
