"""Turning every outcome of a command into an exit code, without tracebacks."""

from __future__ import annotations

import os
from collections.abc import Callable

from composer.cli import console
from composer.errors import ComposerError, UsageError


def run_guarded(
    action: Callable[[], object], *, extra: Callable[[Exception], int | None] | None = None
) -> int:
    """Run `action`; ComposerError -> 1 (usage 2), Ctrl-C -> 130, a bug of ours -> 3."""
    try:
        result = action()
    except ComposerError as err:
        console.error(err)
        return 2 if isinstance(err, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except Exception as exc:
        code = extra(exc) if extra is not None else None
        if code is not None:
            return code
        if os.environ.get("COMPOSER_DEBUG"):
            raise
        console.internal_error(exc)
        return 3
    # click (standalone_mode=False) returns the code of a `typer.Exit` instead of raising
    return result if isinstance(result, int) else 0
