"""`composer validate` and `composer validate-hook` (the pre-commit entry point).

validate: every problem of one project (the same -f/-p/--profile/--env-file/
--project-directory options as `config`), printed as text, JSON, SARIF or GitHub
workflow commands. Exit 0 when valid, 1 on errors (or on warnings with --strict),
2 on bad usage.

validate-hook: the changed files pre-commit passes, grouped into stacks (an override,
`.prod`, `.test`... file goes with the base file beside it, whose folder's `.env` is
read as usual), each stack validated as one project. The work itself is in
composer/cli/validate_run.py, which the fast path also calls.
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from composer.cli.project_options import ProjectArgs, project_command
from composer.cli.validate_run import ValidateFlags, run_hook, run_validate


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


FormatOpt = Annotated[Format, typer.Option("--format", help="text, json, sarif or github")]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Fail on warnings; unset variables are errors")
]


def register(app: typer.Typer) -> None:
    @app.command("validate")
    @project_command
    def validate(
        project: ProjectArgs,
        output_format: FormatOpt = Format.text,
        strict: StrictOpt = False,
    ) -> None:
        """Report every problem of the project, each at its file, line and column."""
        run_validate(project, ValidateFlags(output_format=output_format.value, strict=strict))

    @app.command("validate-hook", hidden=True)
    def validate_hook(
        files: Annotated[list[str] | None, typer.Argument(help="Changed files")] = None,
        output_format: FormatOpt = Format.text,
        strict: StrictOpt = False,
    ) -> None:
        """pre-commit entry point: validate each stack the changed files belong to."""
        run_hook(
            ValidateFlags(output_format=output_format.value, strict=strict, files=list(files or ()))
        )
