"""How the Docker CLI writes the fields of `ps`: go-units durations, commands cut with
an ellipsis, creation times. Shared by the Docker runtime's rows (the engine's
summaries) and the rows made from instance states (the process runtime).
"""

from __future__ import annotations

import time

ELLIPSIS = "\u2026"


def ellipsis(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def human_duration(seconds: float) -> str:
    """docker/go-units HumanDuration: `5 seconds`, `About a minute`, `3 hours`, ..."""
    whole = int(seconds)
    if whole < 1:
        return "Less than a second"
    if whole == 1:
        return "1 second"
    if whole < 60:
        return f"{whole} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def created_at(seconds: float) -> str:
    """`2024-01-02 03:04:05 +0000 UTC`: Go's time.String() of the creation time, in
    the local zone (time.strftime: `datetime` would cost every `ps` ~1 ms to import)."""
    return time.strftime("%Y-%m-%d %H:%M:%S %z %Z", time.localtime(seconds))


def human_size(size: float) -> str:
    """docker/go-units HumanSizeWithPrecision(size, 3): decimal units, three
    significant digits (`1.98MB`, `512kB`, `0B`), as `images` shows sizes."""
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
    index = 0
    while size >= 1000.0 and index < len(units) - 1:
        size /= 1000.0
        index += 1
    return f"{size:.3g}{units[index]}"


def tabulate(rows: list[list[str]], *, minwidth: int, padding: int) -> str:
    """Go's text/tabwriter as the Docker CLI and Compose set it up for their tables:
    every cell but a line's last is padded with spaces to its column's width, the
    widest cell plus `padding` and at least `minwidth` (ps: 10 and 3; ls, images and
    config --variables: 20 and 3; top: 4 and 2). Go sizes a column over the run of
    consecutive lines that have it; these tables' rows are all of one length."""
    widths: list[int] = []
    for row in rows:
        for index, cell in enumerate(row[:-1]):
            width = max(minwidth, len(cell) + padding)
            if index == len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
    return "".join(
        "".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False))
        + row[-1]
        + "\n"
        for row in rows
    )
