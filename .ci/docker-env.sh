# Shared settings of the private Docker daemon used by the container tests (sourced by the other .ci/docker-*.sh and
# .ci/images.sh scripts). Recipe: /work/shared/notes/testcontainers.md. Override any of these in the environment.
#
# RECIPE_VERSION keys the cache: bump it when the base image's package list or the daemon layout changes, and the next
# run builds everything afresh in a new cache directory (delete the old one by hand).
JMP_DOCKER_RECIPE_VERSION=1
JMP_DOCKER_CACHE="${JMP_DOCKER_CACHE:-/var/cache/james-mail-proxy/docker-v${JMP_DOCKER_RECIPE_VERSION}}"
# Runtime state (socket, pid file, exec-root) of one daemon; .ci/run uses one per run (/run/jmp-docker.<pid>).
# Short path: containerd's socket paths must stay under 108 bytes.
JMP_DOCKER_STATE="${JMP_DOCKER_STATE:-/run/jmp-docker}"
JMP_DOCKER_SOCKET="${JMP_DOCKER_STATE}/docker.sock"
# The daemon (Debian's docker.io 20.10) speaks API <= 1.41; newer clients must be pinned.
export DOCKER_API_VERSION=1.41
# JMP_DOCKER_HOST: use an existing daemon instead (a developer's own Docker); docker-up.sh is then not needed.
export DOCKER_HOST="${JMP_DOCKER_HOST:-unix://${JMP_DOCKER_SOCKET}}"
