#!/usr/bin/env bash
# Stops what .ci/docker-up.sh started: the test containers, dockerd (by its pid file), and the mounts dockerd leaves.
# Safe to call when nothing runs.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/docker-env.sh"

{
    if [ -S "$JMP_DOCKER_SOCKET" ]; then
        timeout 60 docker ps -aq --filter label=org.testcontainers=true 2>/dev/null | xargs -r timeout 60 docker rm -f >/dev/null 2>&1
    fi
    pid="$(cat "$JMP_DOCKER_STATE/dockerd.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    lockpid="$(cat "$JMP_DOCKER_STATE/flock.pid" 2>/dev/null || true)"
    if [ -n "$lockpid" ]; then
        for _ in $(seq 1 20); do kill -0 "$lockpid" 2>/dev/null || break; sleep 0.25; done
    fi
}

# dockerd leaves its network namespace mounted (exec-root/netns/default).
if [ -z "$(cat "$JMP_DOCKER_STATE/dockerd.pid" 2>/dev/null)" ] || ! kill -0 "$(cat "$JMP_DOCKER_STATE/dockerd.pid")" 2>/dev/null; then
    awk -v a="$JMP_DOCKER_STATE/" 'index($2, a) == 1 { print $2 }' /proc/mounts \
        | sort -r | while read -r mountpoint; do umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint"; done
    rm -f "$JMP_DOCKER_STATE/dockerd.pid" "$JMP_DOCKER_STATE/flock.pid" "$JMP_DOCKER_SOCKET"
    case "$JMP_DOCKER_STATE" in /run/jmp-docker.*) rm -rf "$JMP_DOCKER_STATE" ;; esac
fi
exit 0
