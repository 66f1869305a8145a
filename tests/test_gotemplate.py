"""The Go template subset of `ps --format TEMPLATE` (composer/cli/gotemplate.py),
on rows shaped like `ps --format json` objects. The same templates run against the
reference binary on a real engine in tests/docker/test_interop.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from composer.cli.commands.ps import TITLES
from composer.cli.gotemplate import Row, Template, TemplateError, render_rows

ROW: dict[str, Any] = {
    "Name": "p-web-1",
    "State": "running",
    "ExitCode": 0,
    "Labels": "com.docker.compose.service=web,org.example.tier=front",
    "Publishers": [
        {"URL": "0.0.0.0", "TargetPort": 80, "PublishedPort": 8080, "Protocol": "tcp"},
        {"URL": "", "TargetPort": 443, "PublishedPort": 0, "Protocol": "tcp"},
    ],
    "Health": "",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{.Name}}", "p-web-1"),
        ("{{ .Name }}/{{.State}}", "p-web-1/running"),
        ('{{.Label "org.example.tier"}}|{{.Label "missing"}}|', "front||"),
        ("{{.Name | upper}} {{lower .State}} {{title .State}}", "P-WEB-1 running Running"),
        ("{{json .State}} {{json .ExitCode}}", '"running" 0'),
        ("{{range .Publishers}}{{.PublishedPort}},{{end}}", "8080,0,"),
        ("{{.Publishers}}", "[{0.0.0.0 80 8080 tcp} { 443 0 tcp}]"),
        ("{{len .Publishers}} {{(index .Publishers 0).URL}}", "2 0.0.0.0"),
        ('{{if eq .State "running"}}up{{else}}down{{end}}', "up"),
        ('{{if eq .State "exited"}}a{{else if .ExitCode}}b{{else}}c{{end}}', "c"),
        ("{{if .Health}}{{.Health}}{{else}}none{{end}}", "none"),
        ("{{with .Name}}[{{.}}]{{end}}", "[p-web-1]"),
        ('{{join (split .Name "-") "_"}}', "p_web_1"),
        ("{{truncate .Name 3}}|{{pad .State 1 2}}|", "p-w| running  |"),
        ('{{printf "%s=%d" .Name .ExitCode}}', "p-web-1=0"),
        ("{{not .ExitCode}} {{and .Name .State}} {{or .Health .Name}}", "true running p-web-1"),
        ("a  {{- .State -}}  b", "arunningb"),
        ("{{println .Name .State}}", "p-web-1 running\n"),
    ],
)
def test_templates_print_what_go_prints(source: str, expected: str) -> None:
    assert Template(source).execute(Row(ROW)) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{.Nope}}", "can't evaluate field Nope in type *formatter.ContainerContext"),
        ("{{.Name", "unclosed action"),
        ("{{if .Name}}x", "has no {{end}}"),
        ("{{end}}", "unexpected {{end}}"),
        ("{{nope .Name}}", 'function "nope" not defined'),
        ("{{$x := .Name}}", "variables are not supported"),
        ("{{.Name 1}}", "cannot be invoked as function"),
        ("{{index .Publishers 5}}", "error calling index"),
    ],
)
def test_what_it_cannot_do_is_a_clear_error(source: str, message: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(message)):
        Template(source).execute(Row(ROW))


def test_table_templates_have_the_references_titles_and_columns() -> None:
    """`table`: a header line of the fields' titles (`<no value>` where the reference
    has none; a label's title is its last dotted part), tabwriter columns (minwidth
    10, padding 3), `\\t` typed as two characters is a tab."""
    rows = [ROW, dict(ROW, Name="p-db-1", State="exited")]
    text = render_rows(
        'table {{.Name}}\\t{{.State}}\\t{{.Health}}\\t{{.Label "org.example.tier"}}', rows, TITLES
    )
    assert text.splitlines() == [
        "NAME      STATE     <no value>   tier",
        "p-web-1   running                front",
        "p-db-1    exited                 front",
    ]
    assert render_rows("{{.Name}}\\n", rows[:1], TITLES) == "p-web-1\n\n"
