"""The pure parts of `ls`, `top` and `images` (composer/cli/commands/ls.py, top.py,
images.py): filters, the top table, the JSON and `-q` forms."""

from __future__ import annotations

import pytest

from composer.cli.commands.images import as_json, unique_ids
from composer.cli.commands.ls import as_json as ls_json
from composer.cli.commands.ls import as_table, name_matches, parse_filters
from composer.cli.commands.top import top_table
from composer.errors import UsageError
from composer.runtimes.base import InstanceProcesses, InstanceRef, ProjectSummary
from composer.runtimes.docker.listing import ImageSummary

TITLES = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]


def test_filters_take_names_only_with_the_reference_s_words() -> None:
    assert parse_filters(["name=web", " NAME = ^a ", ""]) == ["web", "^a"]
    with pytest.raises(UsageError, match="invalid filter 'label'"):
        parse_filters(["label=x"])
    with pytest.raises(UsageError, match=r"bad format of filter \(expected name=value\)"):
        parse_filters(["name"])


def test_names_match_exactly_or_as_an_expression_found_anywhere() -> None:
    assert name_matches([], "anything")
    assert name_matches(["xy"], "xyz") and name_matches(["^x.z$"], "xyz")
    assert not name_matches(["XYZ"], "xyz")
    assert name_matches(["nope", "z$"], "xyz")  # any of them
    assert not name_matches(["(", "a"], "xyz")  # an invalid expression matches nothing
    assert name_matches(["a(b"], "a(b")  # but an exact name does


def test_ls_json_is_one_line_without_html_escaping() -> None:
    found = [ProjectSummary("p", "running(2)", "/tmp/a&b<c>/compose.yaml")]
    assert ls_json(found) == (
        '[{"Name":"p","Status":"running(2)","ConfigFiles":"/tmp/a&b<c>/compose.yaml"}]\n'
    )
    assert ls_json([]) == "[]\n"
    assert as_table([]) == "NAME                STATUS              CONFIG FILES\n"


def _procs(name: str, *rows: list[str], titles: list[str] = TITLES) -> InstanceProcesses:
    return InstanceProcesses(name, titles, [list(r) for r in rows])


def row(pid: str, cmd: str) -> list[str]:
    return ["root", pid, "1", "0", "10:00", "?", "00:00:00", cmd]


def test_top_rows_are_in_instance_name_order_with_service_and_number_first() -> None:
    web2 = InstanceRef("p", "web", 2)
    web1 = InstanceRef("p", "web", 1)
    once = InstanceRef("p", "web", oneoff=True, slug="abc")
    cells = top_table(
        [
            (web2, _procs("p-web-2", row("12", "sleep 2"))),
            (once, _procs("p-web-run-abc", row("13", "sh"))),
            (web1, _procs("p-web-1", row("10", "init"), row("11", "sleep 1"))),
        ]
    )
    assert cells == [
        ["SERVICE", "#", *TITLES],
        ["web", "1", *row("10", "init")],
        ["web", "1", *row("11", "sleep 1")],
        ["web", "2", *row("12", "sleep 2")],
        ["web", "", *row("13", "sh")],
    ]


def test_top_keeps_cmd_last_and_fills_missing_columns_with_a_dash() -> None:
    a = InstanceRef("p", "a")
    b = InstanceRef("p", "b")
    cells = top_table(
        [
            (a, _procs("p-a-1", ["1", "sh"], titles=["PID", "CMD"])),
            (b, _procs("p-b-1", ["2", "sh", "root"], titles=["PID", "CMD", "USER"])),
        ]
    )
    assert cells == [
        ["SERVICE", "#", "PID", "USER", "CMD"],
        ["a", "1", "1", "-", "sh"],
        ["b", "1", "2", "root", "sh"],
    ]
    assert top_table([]) == [["SERVICE", "#"]]


def test_images_ids_once_without_algorithm_and_json_as_the_reference() -> None:
    one = ImageSummary("p-a-1", "sha256:aaa", "x", "1", "linux/amd64", 5, "", "")
    two = one._replace(container="p-b-1", id="sha256:bbb")
    three = one._replace(container="p-c-1")
    assert unique_ids([one, two, three]) == ["aaa", "bbb"]
    assert as_json([]) == "null\n\n"
    text = as_json([one])
    assert text.endswith("}]\n\n") and text.count("\n") == 2
    assert text.startswith('[{"ID":"sha256:aaa","ContainerName":"p-a-1","Repository":"x"')
