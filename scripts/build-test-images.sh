#!/usr/bin/env bash
# Build the local images the runtime tests use, without any registry.
#
# Why: CI machines reach no image registry, so `image: busybox` cannot be pulled.
# We build `composer-test/busybox:latest` FROM scratch around the statically linked
# /bin/busybox of Debian's busybox-static, with every applet (sh, sleep, httpd, nc,
# wget, ...) shipped as a symlink in /bin, so no RUN step (no container) is needed.
# Idempotent: skipped when the image exists with the same busybox checksum and
# layout version (image labels).
#
# Usage: scripts/build-test-images.sh [--force]
set -euo pipefail

IMAGE=composer-test/busybox:latest
LAYOUT=1                       # bump when the image layout below changes
BUSYBOX=${COMPOSER_BUSYBOX:-/bin/busybox}
FORCE=0

for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-test-images: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

say() { echo "build-test-images: $*"; }
die() { echo "build-test-images: ERROR: $*" >&2; exit 1; }

timeout 10 docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/docker-engine.sh first"

if [ ! -x "$BUSYBOX" ] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
    die "$BUSYBOX missing; apt-get install -y busybox-static (scripts/docker-engine.sh does it)"
fi
# A dynamically linked busybox would not run in a scratch image.
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" 2>&1 | grep -q '=>'; then
    die "$BUSYBOX is dynamically linked; install busybox-static (not busybox)"
fi

sum=$(sha256sum "$BUSYBOX" | cut -d' ' -f1)
have_sum=$(docker image inspect --format '{{index .Config.Labels "org.composer.busybox-sha256"}}' "$IMAGE" 2>/dev/null || true)
have_layout=$(docker image inspect --format '{{index .Config.Labels "org.composer.layout"}}' "$IMAGE" 2>/dev/null || true)
if [ "$FORCE" -eq 0 ] && [ "$have_sum" = "$sum" ] && [ "$have_layout" = "$LAYOUT" ]; then
    say "$IMAGE up to date (busybox ${sum:0:12})"
    exit 0
fi

ctx=$(mktemp -d /tmp/composer-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/var/www" "$root/home"
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# Users/groups so `user: nobody` and `id` work like in the official busybox image.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
nogroup:x:65534:
EOF
echo "hello from composer-test/busybox" >"$root/var/www/index.html"

cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.composer.busybox-sha256="$sum" org.composer.layout="$LAYOUT"
CMD ["sh"]
EOF

say "building $IMAGE (busybox ${sum:0:12})"
# Legacy builder: needs no buildx plugin and no network.
if ! DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$ctx" >"$ctx/build.log" 2>&1; then
    cat "$ctx/build.log" >&2
    die "docker build of $IMAGE failed"
fi

# Smoke test: the image must run a shell and the applets tests rely on.
out=$(docker run --rm --network none "$IMAGE" sh -c \
    'for a in sleep httpd nc wget id; do command -v $a >/dev/null || exit 3; done; echo ok' 2>&1) \
    || die "$IMAGE does not run: $out"
[ "$out" = ok ] || die "$IMAGE smoke test printed: $out"
say "$IMAGE built and runs"
