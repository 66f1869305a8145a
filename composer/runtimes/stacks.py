"""How `ls` sums up a project from its instances, on every runtime: the reference's
combined status (pkg/compose/ls.go: each state with its count, states sorted) and
its combined config files (every instance's list, in listing order, each file once).
"""

from __future__ import annotations

NOT_RECORDED = "N/A"


def combined_status(states: list[str]) -> str:
    """`exited(1), running(2)` for the states exited, running, running."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return ", ".join(f"{state}({counts[state]})" for state in sorted(counts))


def combined_config_files(recorded: list[str | None]) -> str:
    """The project's config files from each instance's comma-separated list (None:
    the instance did not record one, which makes the answer `N/A`, as in the
    reference; an empty list adds an empty name, as it does there)."""
    files: list[str] = []
    for listed in recorded:
        if listed is None:
            return NOT_RECORDED
        for name in listed.split(","):
            if name not in files:
                files.append(name)
    return ",".join(files)
