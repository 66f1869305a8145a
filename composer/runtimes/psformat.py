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
