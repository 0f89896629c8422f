#!/usr/bin/env bash
# The store benchmark of issue 2 (see docs/PERFORMANCE.md): raw PostgreSQL insert baseline, store creates and
# updates, and cross-instance watch latency, in one run against an embedded PostgreSQL it starts itself.
# Usage: bench/store.sh [--warmup=0.5] [--measure=2.5] [--rounds=3] [--watch-measure=10] [--concurrency=1,16]
#                       [--watchers=1,1000] [--rate=200] [--body-bytes=1024] [--max-batch=N]
#                       [--batches-in-flight=N] [--durable] [--statements]
# Exits 1 if a write failed or a watch event went missing. BENCH_JAVA_OPTS replaces the default JVM options.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MVN:-}" ]; then
  if command -v mvn >/dev/null; then MVN=mvn; else MVN=./mvnw; fi
fi

# Compiles main and test classes (only what changed) and writes the test class path to a file.
"$MVN" -q -B test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

exec java ${BENCH_JAVA_OPTS:--Xms1g -Xmx4g} \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.qube.bench.StoreBenchmark "$@"
