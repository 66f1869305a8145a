"""What `composer validate` and `composer validate-hook` do, apart from Typer.

Free of the CLI framework: validate runs in pre-commit hooks and CI loops, where
start-up time dominates. composer/cli/commands/validate.py declares the commands.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field

from composer.cli import console
from composer.cli.project_args import ProjectArgs
from composer.diagnostics.model import Diagnostic
from composer.errors import UsageError
from composer.validation import Validation

FORMATS = ("text", "json", "sarif", "github")


@dataclass
class ValidateFlags:
    output_format: str = "text"
    strict: bool = False
    files: list[str] = field(default_factory=list)  # validate-hook: the changed files


def _color() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def _tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("composer")
    except PackageNotFoundError:
        return "0.0.0"


def render(result: Validation, fmt: str, *, strict: bool, root: str) -> str:
    """The report in `fmt`; file names relative to `root` where they lie inside it."""
    shown = [d.relative_to(root) for d in result.diagnostics]

    def open_file(d: Diagnostic) -> str:
        return os.path.join(root, d.file)

    valid = result.valid(strict=strict)
    if fmt == "json":
        from composer.diagnostics.json_fmt import render_json

        return render_json(shown, valid=valid)
    if fmt == "sarif":
        from composer.diagnostics.sarif import render_sarif

        return render_sarif(shown, root=root, tool_version=_tool_version(), open_file=open_file)
    if fmt == "github":
        from composer.diagnostics.github import render_github

        return render_github(shown)
    from composer.diagnostics.text import render_text

    return render_text(shown, color=_color(), open_file=open_file)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(
            f"unsupported format {fmt!r}", code="usage", hint="use " + ", ".join(FORMATS)
        )


def run_validate(args: ProjectArgs, flags: ValidateFlags) -> None:
    """Validate one project and print the report; exit 1 when it is not valid."""
    from composer.validation import validate

    _check_format(flags.output_format)
    root = os.getcwd()
    result = validate(args.load_options(), strict=flags.strict, root=root)
    console.out(render(result, flags.output_format, strict=flags.strict, root=root))
    if not result.valid(strict=flags.strict):
        raise SystemExit(1)


# compose.yaml, compose.prod.yml, docker-compose.override.yaml, compose-dev.yml: (family, variant)
_COMPOSE_NAME = re.compile(r"(docker-compose|compose)(?:[.-]([^/]+?))?\.ya?ml")
_BASE_NAMES = {
    "compose": ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"),
    "docker-compose": ("docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml"),
}
_OVERRIDES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


def _base_in(directory: str, family: str) -> str | None:
    for name in _BASE_NAMES[family]:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def stacks(changed: list[str]) -> list[list[str]]:
    """The `-f` lists to validate for the changed files, each once, in a stable order.

    A base file goes with the default override beside it (what `docker compose` loads);
    any other variant (`compose.prod.yaml`, `compose.override.yml`) goes after its base;
    a changed `.env` re-validates the default stack of its folder (the project
    directory is the base file's folder, so that `.env` is the one read). A variant
    without a base is validated alone, and so is any other file the hook was given.
    """
    found: dict[tuple[str, ...], None] = {}
    for file in changed:
        directory, name = os.path.split(file)
        match = _COMPOSE_NAME.fullmatch(name)
        if name == ".env" or (match and match.group(2) is None):
            family = match.group(1) if match else "compose"
            base = file if match else _base_in(directory or ".", family)
            if base is None:
                continue
            stack = [base]
            for override in _OVERRIDES:
                path = os.path.join(directory, override)
                if os.path.isfile(path):
                    stack.append(path)
                    break
        elif match:
            base = _base_in(directory or ".", match.group(1))
            stack = [file] if base is None else [base, file]
        else:
            stack = [file]
        found[tuple(stack)] = None
    return [list(stack) for stack in found]


def run_hook(flags: ValidateFlags) -> None:
    """pre-commit: validate each stack the changed files belong to; exit 1 if any fails."""
    from composer.loader.discovery import normalize_project_name
    from composer.loader.options import LoadOptions
    from composer.validation import validate

    _check_format(flags.output_format)
    root = os.getcwd()
    failed = False
    for stack in stacks(flags.files):
        folder = os.path.basename(os.path.dirname(os.path.abspath(stack[0])))
        options = LoadOptions(
            files=stack,
            project_name=normalize_project_name(folder) or "project",
            environ=dict(os.environ),
            cwd=root,
        )
        try:
            result = validate(options, strict=flags.strict, root=root)
        except UsageError as error:
            console.error(error)
            failed = True
            continue
        ok = result.valid(strict=flags.strict)
        if result.diagnostics or not ok:
            console.out(f"== {' + '.join(stack)}\n")
            console.out(render(result, flags.output_format, strict=flags.strict, root=root))
        failed = failed or not ok
    if failed:
        raise SystemExit(1)
