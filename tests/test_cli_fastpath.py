"""The fast parser and Typer read the same declarations; for every call the fast
parser accepts, Typer must hand the runner exactly the same values, and every call
it declines must still work through Typer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main

from composer.cli import app as app_module
from composer.cli import entry
from composer.cli.commands import MODULES
from composer.cli.fastpath import find_command, parse_call
from composer.cli.project_args import ProjectArgs
from composer.cli.spec import PROJECT_OPTIONS, Command
from tests.helpers import call


def _option_names(params: list[Any]) -> set[str]:
    names: set[str] = set()
    for param in params:
        names.update(o for o in getattr(param, "opts", []) if o.startswith("-"))
        names.update(getattr(param, "secondary_opts", []))
    return names - {"-h", "--help"}


PROJECT_NAMES = {name for option in PROJECT_OPTIONS for name in option.names}


@pytest.mark.parametrize("name", list(MODULES))
def test_typer_offers_exactly_the_declared_options(name: str) -> None:
    group = typer.main.get_command(app_module.app)
    assert _option_names(group.params) == PROJECT_NAMES
    command = find_command(name)
    assert command is not None
    declared = set(command.option_table())
    if command.project_options:
        declared |= PROJECT_NAMES
    assert _option_names(group.commands[name].params) == declared  # type: ignore[attr-defined]


def test_no_command_reuses_a_project_option_dest() -> None:
    project_dests = {o.dest for o in PROJECT_OPTIONS}
    for name in MODULES:
        command = find_command(name)
        assert command is not None
        dests = [o.dest for o in command.options] + [a.dest for a in command.arguments]
        assert not project_dests & set(dests), name
        assert len(dests) == len(set(dests)), name


def _typer_values(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """What Typer hands the runner for `argv` (the runner itself is not called)."""
    seen: list[tuple[Any, ...]] = []

    def record(self: Command, project: ProjectArgs, values: dict[str, Any]) -> int:
        seen.append((self.name, project, dict(values)))
        return 0

    with monkeypatch.context() as patch:
        patch.setattr(Command, "call", record)
        code = app_module.main(argv)
    assert code == 0 and len(seen) == 1, (argv, code)
    return seen[0]


CALLS = [
    ["config"],
    ["-f", "a.yml", "--profile=x", "config", "-f", "b.yml", "--format=json", "-q"],
    ["-p", "demo", "config", "--services", "web", "db"],
    ["config", "--hash", "*", "--no-normalize"],
    ["up", "-d", "--wait", "--runtime", "docker"],
    ["-p", "x", "up", "web", "--scale", "web=2", "--scale=db=1", "-t", "3", "db"],
    ["up", "--wait-timeout=30", "--pull", "never", "--no-build", "--remove-orphans"],
    ["down", "-v", "--rmi", "local", "--timeout", "0"],
    ["-p", "x", "down", "--remove-orphans", "--project-directory", "/tmp"],
    ["ps", "-a", "--format", "json", "--status", "running", "--status=exited", "web"],
    ["ps", "-q", "--services"],
    ["ls", "-a", "--format", "json", "--filter", "name=x", "--filter=name=y", "-q"],
    ["ls", "--runtime", "process"],
    ["-p", "x", "top", "web", "db", "--runtime", "docker"],
    ["images", "-q", "--format", "json", "web"],
    ["logs", "-f", "-n", "5", "-t", "--index", "2", "web"],
    ["logs"],
    ["start", "web"],
    ["stop", "-t", "1"],
    ["restart", "--no-deps", "web", "-t", "2"],
    ["wait", "job", "other"],
    ["exec", "-T", "--index", "2", "-e", "A=1", "web", "ls", "-l", "--all"],
    ["exec", "web", "sh"],
    ["run", "--rm", "-w", "/tmp", "--entrypoint", "sh -c", "job", "echo", "-n", "hi"],
    ["run", "job"],
    ["graph", "--format", "mermaid", "-o", "g.txt", "--no-deps", "web"],
    ["validate", "--format", "sarif", "--strict", "-f", "compose.yaml"],
    ["validate-hook", "compose.yaml", "compose.prod.yaml", "--format", "github"],
    ["--env-file", "a.env", "validate", "--env-file", "b.env", "-p", "later"],
]


@pytest.mark.parametrize("argv", CALLS, ids=[" ".join(a) for a in CALLS])
def test_fast_parser_gives_what_typer_gives(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = parse_call(argv)
    assert fast is not None, argv
    assert (fast.command.name, fast.project, fast.values) == _typer_values(argv, monkeypatch)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["config", "--help"],
        ["up", "-h"],
        ["config", "--bogus"],
        ["nosuchcommand"],
        ["--format", "json", "config"],  # --format is not a project option
        ["config", "-f"],  # a value is missing
        ["down", "-t", "soon"],  # not a number
        ["up", "-dq"],  # combined short options: Typer's business
        ["down", "-t=3"],
        ["down", "extra"],  # down takes no argument
        ["wait"],  # wait needs a service
        ["exec", "web"],  # and exec a command
        ["up", "--", "web"],
        ["-p", "x", "validate-hook", "a.yml"],  # validate-hook takes no project options
        ["-p", "x", "ls"],  # nor does ls
    ],
)
def test_unusual_calls_go_to_typer(argv: list[str]) -> None:
    assert parse_call(argv) is None


def test_options_after_the_first_argument_belong_to_the_command_for_exec() -> None:
    parsed = parse_call(["exec", "web", "ls", "-e", "X=1"])
    assert parsed is not None
    assert parsed.values["command"] == ["ls", "-e", "X=1"]
    assert parsed.values["env"] is None


@pytest.mark.parametrize(
    "argv",
    [
        ["config"],
        ["config", "--format", "json"],
        ["-p", "demo", "config", "--services"],
        ["config", "--hash", "*"],
        ["config", "-f", "missing.yaml"],
        ["-p", "Bad Name", "config"],
        ["config", "--format", "xml"],
        ["graph", "--format", "json"],
        ["graph", "--format", "png"],
        ["validate", "--format", "json"],
        ["ps", "--format", "xml"],
        ["ls", "--format", "xml"],
        ["ls", "--filter", "label=x"],
        ["images", "--format", "xml"],
        ["down", "--rmi", "some"],
    ],
)
def test_fast_and_typer_paths_agree(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: postgres\n"
    )
    fast = call(entry.main, argv, tmp_path)
    full = call(app_module.main, argv, tmp_path)
    assert fast == full


@pytest.mark.parametrize(
    ("argv", "dest", "value"),
    [
        (["run", "-i=false", "job"], "interactive", False),
        (["run", "job"], "interactive", True),  # the default of `-i`
        (["exec", "--interactive=0", "web", "sh"], "interactive", False),
        (["down", "--volumes=true"], "volumes", True),
        (["down", "-v=F"], "volumes", False),
    ],
)
def test_a_flag_takes_a_go_boolean_as_cobra_s_do(argv: list[str], dest: str, value: bool) -> None:
    parsed = parse_call(argv)
    assert parsed is not None
    assert parsed.values[dest] is value


def test_a_flag_s_value_that_is_no_go_boolean_is_the_reference_s_error(tmp_path: Path) -> None:
    done = call(entry.main, ["down", "--volumes=yes"], tmp_path)
    assert done.code == 1
    assert done.stderr == (
        'error: invalid argument "yes" for "-v, --volumes" flag: strconv.ParseBool: '
        'parsing "yes": invalid syntax\n'
    )
