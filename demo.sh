#!/usr/bin/env bash
# Runs James 3.8.1 (memory) with the mail proxy plugin, demo certificates, demo users and messages.
# Work files (certificates, James's conf and data) go to ./demo-work/. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q install -DskipTests
exec mvn -B -q -pl james-conf exec:java "$@"
