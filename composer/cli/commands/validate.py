"""`composer validate` and `composer validate-hook` (the pre-commit entry point).

validate: every problem of one project (the same -f/-p/--profile/--env-file/
--project-directory options as `config`), printed as text, JSON, SARIF or GitHub
workflow commands. Exit 0 when valid, 1 on errors (or on warnings with --strict),
2 on bad usage.

validate-hook: the changed files pre-commit passes, grouped into stacks (an override,
`.prod`, `.test`... file goes with the base file beside it, whose folder's `.env` is
read as usual), each stack validated as one project. The work itself is in
composer/cli/validate_run.py.
"""

from __future__ import annotations

from composer.cli.project_args import ProjectArgs
from composer.cli.spec import FLAG, TEXT, Argument, Command, Option
from composer.cli.validate_run import ValidateFlags, run_hook, run_validate

FORMAT = Option("output_format", ("--format",), TEXT, "text, json, sarif or github", default="text")
STRICT = Option("strict", ("--strict",), FLAG, "Fail on warnings; unset variables are errors")


def validate(project: ProjectArgs, *, output_format: str, strict: bool) -> None:
    run_validate(project, ValidateFlags(output_format=output_format, strict=strict))


def validate_hook(*, files: list[str] | None, output_format: str, strict: bool) -> None:
    run_hook(ValidateFlags(output_format=output_format, strict=strict, files=list(files or ())))


COMMANDS = (
    Command(
        "validate",
        "Report every problem of the project, each at its file, line and column.",
        f"{__name__}:validate",
        options=(FORMAT, STRICT),
    ),
    Command(
        "validate-hook",
        "pre-commit entry point: validate each stack the changed files belong to.",
        f"{__name__}:validate_hook",
        arguments=(Argument("files", "Changed files"),),
        options=(FORMAT, STRICT),
        project_options=False,
        hidden=True,
    ),
)
