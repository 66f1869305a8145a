#!/usr/bin/env bash
# The README's main job: bring the example project up on the built-in process runtime
# (no Docker needed), show it working, and take it down again.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMPOSER="$ROOT/.venv/bin/composer"
FILE="$ROOT/examples/quickstart/compose.yaml"
export COMPOSER_RUNTIME=process

cleanup() { "$COMPOSER" -f "$FILE" down >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== composer config (the merged, canonical project)"
"$COMPOSER" -f "$FILE" config --services
echo "== composer up -d --wait"
"$COMPOSER" -f "$FILE" up -d --wait
echo "== composer ps"
"$COMPOSER" -f "$FILE" ps
echo "== the web service answers on its published port"
python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:${WEB_PORT:-8765}/', timeout=5).status)"
echo "== composer logs --tail 2"
"$COMPOSER" -f "$FILE" logs --tail 2
echo "== composer down"
"$COMPOSER" -f "$FILE" down
trap - EXIT
