"""What every typed model shares: keep every canonical field, never mutate, and turn
pydantic's validation errors into ComposerError with the key path.

The loader stays free of pydantic (`composer config` must start fast); the models bind
the finished canonical dict at the end, for code that wants typed access.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from composer.errors import ComposerError
from composer.source import format_path, locate

# extra="allow": fields the models do not name are kept (in `model_extra`), so binding
# loses nothing of the canonical form; frozen: a bound project is a value.
CANONICAL = ConfigDict(extra="allow", frozen=True)


class CanonicalModel(BaseModel):
    model_config = CANONICAL


class BindError(ComposerError):
    """The canonical project holds a value its typed model cannot take."""


M = TypeVar("M", bound=BaseModel)


def bind(model: type[M], data: Any, *, prefix: tuple[Hashable, ...] = ()) -> M:
    """`data` validated into `model`; a bad value raises BindError naming its path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _bind_error(exc, data, prefix) from None


def _bind_error(exc: ValidationError, data: Any, prefix: tuple[Hashable, ...]) -> BindError:
    first = exc.errors(include_url=False)[0]
    loc: tuple[Hashable, ...] = tuple(first.get("loc", ()))
    path = format_path((*prefix, *loc))
    count = exc.error_count()
    more = f" (and {count - 1} more)" if count > 1 else ""
    where = f"{path}: " if path else ""
    return BindError(
        f"invalid value for {where}{first.get('msg', 'invalid value')}{more}",
        code="model-binding",
        path=path,
        location=locate(data, loc) if isinstance(data, Mapping) else None,
    )
