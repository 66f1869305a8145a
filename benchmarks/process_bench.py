#!/usr/bin/env python3
"""Time `composer up -d --wait` and `composer down` on the built-in process runtime.

Issue 4's benchmark: 100 services in 5 dependency levels (each level depends on
every service of the level above through one chain service), each a `sleep`
process. Prints the median of several runs; the aim is under 1.5 s each on the
2-core machine. Usage: .venv/bin/python benchmarks/process_bench.py [--services 100]
[--levels 5] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPOSER = [str(ROOT / ".venv/bin/python"), "-m", "composer"]


def project_yaml(services: int, levels: int) -> str:
    per_level = max(1, services // levels)
    lines = ["name: procbench", "services:"]
    for index in range(services):
        level = min(index // per_level, levels - 1)
        lines += [f"  s{index}:", "    image: none", '    command: ["sleep", "1000"]']
        if level > 0:
            parent = (level - 1) * per_level + index % per_level
            lines += ["    depends_on:", f"      s{parent}:", "        condition: service_started"]
    return "\n".join(lines) + "\n"


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(COMPOSER + args, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"composer {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        compose = Path(folder) / "compose.yaml"
        compose.write_text(project_yaml(args.services, args.levels))
        env = dict(
            os.environ, COMPOSER_RUNTIME="process", COMPOSER_STATE_DIR=str(Path(folder) / "state")
        )
        ups, downs = [], []
        for _ in range(args.runs):
            ups.append(timed(["-f", str(compose), "up", "-d", "--wait"], env))
            downs.append(timed(["-f", str(compose), "down"], env))
    up, down = statistics.median(ups), statistics.median(downs)
    print(
        f"{args.services} services in {args.levels} levels, process runtime, median of {args.runs}"
    )
    print(f"  up -d --wait  {up:6.2f} s   aim < 1.5 s  {'ok' if up < 1.5 else 'MISS'}")
    print(f"  down          {down:6.2f} s   aim < 1.5 s  {'ok' if down < 1.5 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
