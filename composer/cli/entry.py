"""The `composer` executable: a fast path for `config`, Typer for everything else."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from composer.cli.fastpath import parse_config_call

    parsed = parse_config_call(args)
    if parsed is not None:
        from composer.cli.config_run import run_config
        from composer.cli.guard import run_guarded

        project, flags = parsed
        return run_guarded(lambda: run_config(project, flags))
    from composer.cli.validate_run import parse_call, run_call

    call = parse_call(args)
    if call is not None:
        from composer.cli.guard import run_guarded

        return run_guarded(lambda: run_call(*call))
    from composer.cli.app import main as full_main

    return full_main(args)


def run() -> None:
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.exit(code)
