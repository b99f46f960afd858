#!/usr/bin/env bash
# Builds (or reuses) the images of the container tests in the daemon of .ci/docker-up.sh. Nothing is pulled:
#   localhost/james-mail-proxy/base:v<recipe>  Debian bookworm minbase + every package any image needs (RUN has no
#                                             network here), made with debootstrap and `docker import`;
#   localhost/james-mail-proxy/<name>:it      one per build context integration-tests/docker/<name>/ (FROM base).
# Warm runs reuse the cached base tar and the daemon's data-root; an image is rebuilt only when its context changed
# (label org.jamesproxy.context = hash of the context's files). Must run as root (debootstrap, chroot).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/docker-env.sh"

# Every Debian package any image needs. Changing this list means bumping JMP_DOCKER_RECIPE_VERSION.
BASE_PACKAGES="openjdk-17-jre-headless dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix clamav-daemon"
BASE_IMAGE="localhost/james-mail-proxy/base:v${JMP_DOCKER_RECIPE_VERSION}"
BASE_TAR="$JMP_DOCKER_CACHE/base-bookworm-v${JMP_DOCKER_RECIPE_VERSION}.tar"
MIRROR="${JMP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Developer machines only: a registry image to build the base from (e.g. debian:bookworm-slim) instead of debootstrap,
# with the packages installed by a RUN (needs a daemon whose containers reach a Debian mirror). Never used by CI.
BASE_FROM_REGISTRY="${JMP_BASE_FROM_REGISTRY:-}"

log() { echo "images: [$SECONDS s] $*" >&2; }

build_base_tar() {
    command -v debootstrap >/dev/null || {
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    local rootfs="$JMP_DOCKER_CACHE/rootfs.tmp"
    umount "$rootfs/proc" 2>/dev/null || true
    rm -rf "$rootfs"
    log "debootstrap bookworm from $MIRROR (about a minute)"
    DPKG_FORCE=unsafe-io debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$JMP_DOCKER_CACHE/debootstrap.log" 2>&1 \
        || { tail -n 20 "$JMP_DOCKER_CACHE/debootstrap.log" >&2; return 1; }
    cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
SOURCES
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    # Package scripts must not start daemons inside the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod +x "$rootfs/usr/sbin/policy-rc.d"
    # No fsync per unpacked file: a crash only loses this throw-away tree, and on a busy CI machine dpkg's syncs
    # are a large part of the cold build.
    echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/force-unsafe-io"
    mount -t proc proc "$rootfs/proc"
    trap 'umount "'"$rootfs"'/proc" 2>/dev/null || true' RETURN
    echo "postfix postfix/main_mailer_type select No configuration" | chroot "$rootfs" debconf-set-selections
    log "installing $BASE_PACKAGES"
    chroot "$rootfs" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $BASE_PACKAGES && apt-get clean" >"$JMP_DOCKER_CACHE/chroot-apt.log" 2>&1 \
        || { tail -n 20 "$JMP_DOCKER_CACHE/chroot-apt.log" >&2; return 1; }
    umount "$rootfs/proc"
    rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/etc/resolv.conf" "$rootfs/usr/sbin/policy-rc.d" \
        "$rootfs/etc/dpkg/dpkg.cfg.d/force-unsafe-io"
    tar --numeric-owner -C "$rootfs" -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$rootfs"
}

ensure_base() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        return
    fi
    if [ -n "$BASE_FROM_REGISTRY" ]; then
        log "building $BASE_IMAGE from the registry image $BASE_FROM_REGISTRY"
        printf 'FROM %s\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s && rm -rf /var/lib/apt/lists/*\nENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64\n' \
            "$BASE_FROM_REGISTRY" "$BASE_PACKAGES" | docker build -t "$BASE_IMAGE" - >&2
        return
    fi
    [ -f "$BASE_TAR" ] || build_base_tar
    log "importing $BASE_TAR as $BASE_IMAGE"
    docker import -c 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' "$BASE_TAR" "$BASE_IMAGE" >/dev/null
}

context_hash() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$BASE_IMAGE") | sha256sum | cut -c1-16
}

# $1 = context name under integration-tests/docker/; $2 = optional hook preparing extra files in the build directory.
ensure_image() {
    local name="$1" prepare="${2:-}" context="$repo/integration-tests/docker/$1"
    local image="localhost/james-mail-proxy/$name:it" hash current
    hash="$(context_hash "$context")"
    current="$(docker image inspect -f '{{index .Config.Labels "org.jamesproxy.context"}}' "$image" 2>/dev/null || true)"
    if [ "$current" = "$hash" ]; then
        log "$image is up to date"
        return
    fi
    local build
    build="$(mktemp -d)"
    cp -r "$context/." "$build/"
    [ -z "$prepare" ] || "$prepare" "$build"
    log "building $image"
    # The legacy builder (BuildKit is not installed here); its deprecation notice goes to the log with the rest.
    DOCKER_BUILDKIT=0 docker build --label "org.jamesproxy.context=$hash" --build-arg "BASE=$BASE_IMAGE" -t "$image" \
        "$build" >"$build.log" 2>&1 || { tail -n 30 "$build.log" >&2; rm -rf "$build" "$build.log"; return 1; }
    rm -f "$build.log"
    rm -rf "$build"
}

# The official James 3.8.1 memory server: james-server-memory-app and its runtime dependencies as Maven resolves them.
james_libs() {
    log "resolving james-server-memory-app 3.8.1 and its runtime dependencies"
    local offline=-o
    mvn -B -q -o -f "$1/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$1/libs" \
        >/dev/null 2>&1 || offline=
    [ -n "$offline" ] || mvn -B -q -f "$1/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$1/libs"
    rm -f "$1/pom.xml"
}

ensure_base
ensure_image james james_libs
ensure_image dovecot
ensure_image postfix
ensure_image clamd
log "done"
docker images --filter reference='localhost/james-mail-proxy/*' --format '{{.Repository}}:{{.Tag}} {{.Size}}' >&2
