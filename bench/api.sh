#!/usr/bin/env bash
# bench/api.sh [--quick] [--profile] [--keep] [--only abcde] [--watchers N] [--qube-jvm 'OPTIONS']
# The API server benchmark of issue 3 (see docs/PERFORMANCE.md, "API server"). Installs etcd 3.4 (Debian) for
# the baseline if missing, builds Qube if its sources changed, then runs io.qube.bench.ApiBenchmark, which starts
# everything it measures on 127.0.0.1, prints one table and stops it all again. The full run takes ~5.5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
    echo "bench/api.sh: installing etcd-server and etcd-client (the baseline)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q etcd-server etcd-client >/dev/null; then
        apt-get update -q >/dev/null
        apt-get install -y -q etcd-server etcd-client >/dev/null
    fi
fi
if ! command -v kubectl >/dev/null; then
    echo "bench/api.sh: kubectl is not on the PATH; (d) needs the real kubectl 1.32" >&2
    exit 1
fi

# The application jar is compared with the main sources, the benchmark class with all sources: a test run compiles
# the classes without packaging, so a fresh benchmark class alone does not mean the measured jar is current.
app=$(ls target/quarkus-app/app/*.jar 2>/dev/null | head -n 1 || true) # none before the first build
main=target/test-classes/io/qube/bench/ApiBenchmark.class
if [ ! -f "$app" ] || [ ! -f "$main" ] || [ -n "$(find src/main pom.xml -newer "$app" -print -quit)" ] \
    || [ -n "$(find src pom.xml -newer "$main" -print -quit)" ]; then
    echo "bench/api.sh: building (./mvnw -q -DskipTests package)..." >&2
    ./mvnw -q -DskipTests package
fi
classpath=target/bench-classpath.txt
if [ ! -f "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
    ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >/dev/null
fi

exec java -Xmx2g -XX:+UseParallelGC -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -cp "target/test-classes:target/classes:$(cat "$classpath")" \
    io.qube.bench.ApiBenchmark --command "bench/api.sh${*:+ $*}" "$@"
