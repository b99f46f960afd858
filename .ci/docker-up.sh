#!/usr/bin/env bash
# Starts a private Docker daemon for the container tests, per /work/shared/notes/testcontainers.md: no bridge, no
# iptables, its own socket, a cached data-root (images survive between runs). Must run as root.
# Prints the environment to use (eval "$(.ci/docker-up.sh)"). Stop it with .ci/docker-down.sh (the .ci/run EXIT trap does).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/docker-env.sh"

if ! command -v dockerd >/dev/null; then
    echo "docker-up: installing docker.io" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

mkdir -p "$JMP_DOCKER_CACHE/data-root" "$JMP_DOCKER_STATE"
if [ -S "$JMP_DOCKER_SOCKET" ] && docker version >/dev/null 2>&1; then
    echo "docker-up: a daemon already answers on $JMP_DOCKER_SOCKET" >&2
    echo "export DOCKER_HOST=$DOCKER_HOST DOCKER_API_VERSION=$DOCKER_API_VERSION JMP_DOCKER_STATE=$JMP_DOCKER_STATE"
    exit 0
fi
# A CI run killed hard (no EXIT trap) leaves its dockerd running, holding the cache's lock: .ci/run names its state
# directory after its own pid, so stop the daemons of runs that are gone.
for state in /run/jmp-docker.[0-9]*; do
    [ -d "$state" ] && [ "$state" != "$JMP_DOCKER_STATE" ] || continue
    if ! kill -0 "${state##*.}" 2>/dev/null; then
        echo "docker-up: stopping what the dead run ${state##*.} left ($state)" >&2
        JMP_DOCKER_STATE="$state" JMP_DOCKER_HOST= "$here/docker-down.sh"
    fi
done

# flock -o: the flock process holds the lock on the data-root for as long as dockerd runs, and dockerd (and the
# containerd it spawns) do not inherit the lock's descriptor. A second run on this machine waits for the first.
setsid flock -o -w 900 "$JMP_DOCKER_CACHE/lock" \
    "$here/docker-daemon.sh" --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
        --data-root "$JMP_DOCKER_CACHE/data-root" --exec-root "$JMP_DOCKER_STATE/exec" \
        --pidfile "$JMP_DOCKER_STATE/dockerd.pid" -H "$DOCKER_HOST" \
    </dev/null >"$JMP_DOCKER_STATE/dockerd.log" 2>&1 &
echo $! >"$JMP_DOCKER_STATE/flock.pid"

for _ in $(seq 1 1800); do
    if docker version >/dev/null 2>&1; then
        # Containers a killed run left behind (Ryuk is disabled, nothing else reaps them).
        docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f >/dev/null
        echo "docker-up: dockerd $(cat "$JMP_DOCKER_STATE/dockerd.pid") on $DOCKER_HOST" >&2
        echo "export DOCKER_HOST=$DOCKER_HOST DOCKER_API_VERSION=$DOCKER_API_VERSION JMP_DOCKER_STATE=$JMP_DOCKER_STATE"
        exit 0
    fi
    if ! kill -0 "$(cat "$JMP_DOCKER_STATE/flock.pid")" 2>/dev/null; then
        echo "docker-up: dockerd exited; its log:" >&2
        tail -n 30 "$JMP_DOCKER_STATE/dockerd.log" >&2
        exit 1
    fi
    sleep 0.5
done
echo "docker-up: no answer from dockerd within 15 minutes (another run holding $JMP_DOCKER_CACHE/lock?)" >&2
exit 1
