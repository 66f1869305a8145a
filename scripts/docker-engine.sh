#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`, starting one when needed.
#
# Why: the runtime tests (pytest -m docker) need a live engine, and CI machines
# start without one. This script is idempotent: when `docker info` already works
# it does nothing; otherwise it installs docker.io + busybox-static from apt
# (only what is missing, `apt-get update` only when the package is unknown),
# starts `dockerd` in the background and waits for it.
#
# Usage: scripts/docker-engine.sh [--swarm]
#   --swarm   also make this engine a single-node swarm manager (`docker swarm init`)
#
# Environment:
#   COMPOSER_DOCKERD_LOG   dockerd log file   (default /tmp/composer-dockerd.log)
#   COMPOSER_DOCKERD_PID   dockerd pid file   (default /tmp/composer-dockerd.pid)
#   COMPOSER_DOCKERD_WAIT  seconds to wait for the engine (default 60)
set -euo pipefail

LOG=${COMPOSER_DOCKERD_LOG:-/tmp/composer-dockerd.log}
PIDFILE=${COMPOSER_DOCKERD_PID:-/tmp/composer-dockerd.pid}
WAIT=${COMPOSER_DOCKERD_WAIT:-60}
SWARM=0

for arg in "$@"; do
    case "$arg" in
        --swarm) SWARM=1 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "docker-engine: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

say() { echo "docker-engine: $*"; }
die() { echo "docker-engine: ERROR: $*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
fi

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

# apt-get install the given packages; refresh the index only if apt does not know one.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
    local pkg need_update=0
    for pkg in "$@"; do
        # (no `| grep -q`: with pipefail an early grep exit fails the pipeline)
        if ! apt-cache policy "$pkg" 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
            need_update=1
        fi
    done
    if [ "$need_update" -eq 1 ]; then
        say "apt-get update"
        $SUDO apt-get update -qq >/dev/null || die "apt-get update failed"
    fi
    say "apt-get install $* (takes a few minutes)"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" \
        >/tmp/composer-apt.log 2>&1 \
        || { tail -n 30 /tmp/composer-apt.log >&2; die "apt-get install $* failed (log: /tmp/composer-apt.log)"; }
}

swarm_init() {
    local state
    state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || true)
    if [ "$state" = "active" ]; then
        say "swarm already active"
        return 0
    fi
    if docker swarm init >/tmp/composer-swarm.log 2>&1; then
        say "swarm initialised"
        return 0
    fi
    # Several interfaces: docker wants an explicit advertise address.
    local addr
    addr=$(hostname -I 2>/dev/null | awk '{print $1}')
    [ -n "$addr" ] || addr=127.0.0.1
    docker swarm init --advertise-addr "$addr" >>/tmp/composer-swarm.log 2>&1 \
        || { cat /tmp/composer-swarm.log >&2; die "docker swarm init failed"; }
    say "swarm initialised (advertise $addr)"
}

if engine_up; then
    say "engine already answering ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    [ "$SWARM" -eq 1 ] && swarm_init
    exit 0
fi

# --- install what is missing -------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
    # shellcheck disable=SC2207
    missing=($(printf '%s\n' "${missing[@]}" | sort -u))
    apt_install "${missing[@]}"
fi
command -v dockerd >/dev/null 2>&1 || die "dockerd still not on PATH after installing docker.io"

# --- start dockerd unless one of ours is already booting ---------------------
running_pid=""
if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    running_pid=$(cat "$PIDFILE")
    say "dockerd already started (pid $running_pid), waiting for it"
else
    say "starting dockerd (log $LOG)"
    # setsid + no inherited fds: the daemon outlives this script and the CI step.
    $SUDO setsid dockerd >"$LOG" 2>&1 </dev/null &
    running_pid=$!
    echo "$running_pid" >"$PIDFILE"
fi

deadline=$((SECONDS + WAIT))
until engine_up; do
    if ! kill -0 "$running_pid" 2>/dev/null; then
        tail -n 30 "$LOG" >&2 || true
        die "dockerd (pid $running_pid) exited; see $LOG"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        tail -n 30 "$LOG" >&2 || true
        die "engine did not answer \`docker info\` within ${WAIT}s; see $LOG"
    fi
    sleep 1
done
say "engine up ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), pid $running_pid)"

[ "$SWARM" -eq 1 ] && swarm_init
exit 0
