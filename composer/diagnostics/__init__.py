"""Diagnostics: problems found by `validate`, and the formats CI systems read.

`model.Diagnostic` is one problem at one place; `text`, `json_fmt`, `sarif` and
`github` render a list of them. Nothing here loads projects or decides what is wrong.
"""

from composer.diagnostics.model import Diagnostic, from_error, is_valid, relative_path

__all__ = ["Diagnostic", "from_error", "is_valid", "relative_path"]
