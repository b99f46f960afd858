#!/usr/bin/env bash
# Run by docker-up.sh while it holds the lock on the cache: nothing else uses this data-root now, so every mount left
# under it, and under the state directory of a run whose dockerd is gone, is stale (a hard-killed run). Then dockerd.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/docker-env.sh"
stale_prefixes=("$JMP_DOCKER_CACHE/")
for pidfile in /run/jmp-docker*/dockerd.pid; do
    [ -e "$pidfile" ] || continue
    kill -0 "$(cat "$pidfile")" 2>/dev/null || stale_prefixes+=("$(dirname "$pidfile")/")
done
stale_prefixes+=("$JMP_DOCKER_STATE/")
for prefix in "${stale_prefixes[@]}"; do
    awk -v p="$prefix" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mountpoint; do
        echo "docker-daemon: unmounting stale $mountpoint" >&2
        umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint"
    done
done
exec dockerd "$@"
