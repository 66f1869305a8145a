"""`composer ls`: the projects that have instances on the runtime, as `docker compose
ls` lists them: `NAME  STATUS  CONFIG FILES`, the states of each project's instances
counted (`exited(1), running(2)`), running projects only unless `-a`.

It reads no Compose file (it takes no project options): it works from any folder.
`--filter name=REGEXP` keeps the names the expression matches anywhere (repeat it
to keep what any of them matches), as the reference's filters do.
"""

from __future__ import annotations

import re

from composer.cli import console
from composer.cli.spec import FLAG, LIST, RUNTIME, TEXT, Command, Option
from composer.errors import UsageError
from composer.runtimes.base import ProjectSummary

HEADERS = ["NAME", "STATUS", "CONFIG FILES"]
FORMATS = ("table", "json")
FILTERS = ("name",)


def parse_filters(given: list[str]) -> list[str]:
    """The patterns of the `--filter name=X` options, read as the Docker CLI reads a
    filter (key lower-cased, both sides trimmed, an empty option ignored); anything
    but `name` is refused with the reference's words."""
    names = []
    for item in given:
        if not item:
            continue
        key, equals, value = item.partition("=")
        if not equals:
            raise UsageError(
                f'invalid argument "{item}" for "--filter" flag: bad format of filter '
                "(expected name=value)",
                code="usage",
            )
        key = key.strip().lower()
        if key not in FILTERS:
            raise UsageError(
                f"invalid filter '{key}'", code="usage", hint="ls filters by name only: name=X"
            )
        names.append(value.strip())
    return names


def name_matches(patterns: list[str], name: str) -> bool:
    """moby's filters.Match: an exact name, or a regular expression found anywhere in
    it (an invalid expression matches nothing). No patterns keep everything."""
    if not patterns or name in patterns:
        return True
    for pattern in patterns:
        try:
            if re.search(pattern, name):
                return True
        except re.error:
            continue
    return False


def as_json(projects: list[ProjectSummary]) -> str:
    """The reference's array: one line, `<>&` not escaped (Go's encoder without HTML
    escaping), `[]` for none."""
    from composer.runtimes.docker.ps import go_json

    rows = [{"Name": p.name, "Status": p.status, "ConfigFiles": p.config_files} for p in projects]
    return go_json(rows, escape_html=False) + "\n"


def as_table(projects: list[ProjectSummary]) -> str:
    from composer.runtimes.psformat import tabulate

    cells = [HEADERS] + [[p.name, p.status, p.config_files] for p in projects]
    return tabulate(cells, minwidth=20, padding=3)


def ls(
    *,
    all_: bool,
    quiet: bool,
    output_format: str | None,
    filters: list[str] | None,
    runtime: str | None,
) -> None:
    chosen = (output_format or "table").lower()  # the reference takes JSON, Table too
    if chosen not in FORMATS:
        raise UsageError(
            f'invalid value for --format: "{output_format}"', code="usage", hint="use table or json"
        )
    patterns = parse_filters(list(filters or []))
    from composer.cli.commands.runtime_common import close_backend
    from composer.runtimes.select import make_backend, resolve_runtime

    backend = make_backend(resolve_runtime(runtime))
    try:
        found = backend.projects(all=all_)
    finally:
        close_backend(backend)
    for project in found:
        if project.warning:
            console.warn(project.warning)
    found = [p for p in found if name_matches(patterns, p.name)]
    if quiet:
        console.out("".join(f"{p.name}\n" for p in found))
    elif chosen == "json":
        console.out(as_json(found))
    else:
        console.out(as_table(found))


COMMANDS = (
    Command(
        "ls",
        "List the projects that have instances on the runtime.",
        f"{__name__}:ls",
        options=(
            Option("all_", ("--all", "-a"), FLAG, "Show stopped projects too"),
            Option("quiet", ("--quiet", "-q"), FLAG, "Only display project names"),
            Option("output_format", ("--format",), TEXT, "table or json"),
            Option("filters", ("--filter",), LIST, "Keep the names matching: name=REGEXP"),
            RUNTIME,
        ),
        project_options=False,
    ),
)
