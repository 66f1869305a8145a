#!/usr/bin/env python3
"""Print Composer's conformance rates on ../shared/corpus (and the failing cases).

Usage: .venv/bin/python scripts/corpus_report.py [-v] [CASE ...]
Targets (issue 2): valid cases 100% same data and >=95% same text; invalid 100% rejected.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpus import cases, corpus_dir, judge  # noqa: E402


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    wanted = [a for a in argv if not a.startswith("-")]
    if corpus_dir() is None:
        print("corpus not found (../shared/corpus); nothing to report")
        return 0
    valid = invalid = data = text = rejected = 0
    for case in cases():
        if wanted and case.name not in wanted:
            continue
        verdict = judge(case)
        if case.invalid:
            invalid += 1
            rejected += verdict.rejected_ok
        else:
            valid += 1
            data += verdict.data_ok
            text += verdict.text_ok
        if verdict.details and (verbose or not (verdict.data_ok or verdict.rejected_ok)):
            print(f"{case.name}: {'; '.join(verdict.details)}")
    print(
        f"valid cases:   {valid}  same data: {data} ({100 * data / max(valid, 1):.1f}%)"
        f"  same text: {text} ({100 * text / max(valid, 1):.1f}%)"
    )
    print(
        f"invalid cases: {invalid}  rejected: {rejected} ({100 * rejected / max(invalid, 1):.1f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
