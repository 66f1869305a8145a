"""The fast `config` parser must know exactly the options the Typer command has,
and both paths must behave the same."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from composer.cli import app as app_module
from composer.cli import entry
from composer.cli.fastpath import CONFIG_OPTIONS, PROJECT_OPTIONS, parse_config_call
from tests.helpers import call


def _option_names(params: list) -> set[str]:  # type: ignore[type-arg]
    names: set[str] = set()
    for param in params:
        names.update(o for o in getattr(param, "opts", []) if o.startswith("-"))
        names.update(getattr(param, "secondary_opts", []))
    return names - {"-h", "--help"}


def test_tables_match_the_typer_commands() -> None:
    group = typer.main.get_command(app_module.app)
    assert _option_names(group.params) == set(PROJECT_OPTIONS)
    config = group.commands["config"]  # type: ignore[attr-defined]
    assert _option_names(config.params) == set(PROJECT_OPTIONS) | set(CONFIG_OPTIONS)


@pytest.mark.parametrize(
    "argv",
    [
        ["config", "--help"],
        ["config", "--bogus"],
        ["up"],
        ["config", "extra-positional"],
        ["--format", "json", "config"],  # --format is not a project option
        ["config", "--format", "xml"],
        ["config", "-f"],
    ],
)
def test_unusual_calls_go_to_typer(argv: list[str]) -> None:
    assert parse_config_call(argv) is None


def test_parses_both_sides_of_the_subcommand() -> None:
    parsed = parse_config_call(
        ["-f", "a.yml", "--profile=x", "config", "-f", "b.yml", "--format=json", "-q"]
    )
    assert parsed is not None
    project, flags = parsed
    assert project.files == ["a.yml", "b.yml"]
    assert project.profiles == ["x"]
    assert flags.output_format == "json" and flags.quiet


@pytest.mark.parametrize(
    "argv",
    [
        ["config"],
        ["config", "--format", "json"],
        ["-p", "demo", "config", "--services"],
        ["config", "--hash", "*"],
        ["config", "-f", "missing.yaml"],
        ["-p", "Bad Name", "config"],
    ],
)
def test_fast_and_typer_paths_agree(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: postgres\n"
    )
    fast = call(entry.main, argv, tmp_path)
    full = call(app_module.main, argv, tmp_path)
    assert fast == full
