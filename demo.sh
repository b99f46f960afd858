#!/usr/bin/env bash
# Runs James 3.8.1 (memory) with the mail proxy plugin, demo certificates, demo users and messages.
# Work files (certificates, James's conf and data) go to ./demo-work/ (or -Ddemo.dir=...). Ctrl-C stops it.
# The build runs only when a source or pom changed since the last one; the certificates are kept between runs.
set -euo pipefail
cd "$(dirname "$0")"
classpath_file=james-conf/target/demo-classpath.txt
if [ ! -s "$classpath_file" ] || [ -n "$(find pom.xml mailet-plugin protocol-extensions guice-modules james-conf -path "*/target" -prune -o -newer "$classpath_file" -type f -print -quit)" ]; then
    echo "Building the demo (sources changed since the last build)..."
    # compile, not install: the reactor's own classes are used in place, nothing is written to ~/.m2.
    mvn -B -q -pl james-conf -am compile dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$PWD/$classpath_file.tmp"
    mv "$classpath_file.tmp" "$classpath_file"
fi
# java directly (not mvn exec:java): no Maven start-up, and Ctrl-C reaches James's shutdown hook without Maven's errors.
exec java -Ddemo.dir="$PWD/demo-work" "$@" \
    -cp "james-conf/target/classes:$(cat "$classpath_file")" org.jamesproxy.demo.DemoLauncher
