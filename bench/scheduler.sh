#!/usr/bin/env bash
# bench/scheduler.sh [NODES [DIVISOR]]: issue 9's scheduler benchmark (io.qube.bench.SchedulerBenchmark, see
# docs/PERFORMANCE.md, "Scheduler"): scheduler_perf's workloads end to end through the API against one packaged
# control plane with an embedded PostgreSQL; 5,000 Node objects by default; DIVISOR shrinks every pod count (for a
# quick look: bench/scheduler.sh 500 10). Builds Qube if its sources changed. BENCH_JAVA_OPTS passes system
# properties to the benchmark, e.g. -Dbench.server.jvm-args=-XX:StartFlightRecording=filename=/tmp/s.jfr.
# bench/scheduler.sh --cycle [NODES [DIVISOR]]: the scheduling thread alone, in process, no API
# (io.qube.scheduler.SchedulingCycleBenchmark): CPU ms per pod of each case.
set -euo pipefail
main_class=io.qube.bench.SchedulerBenchmark
jvm_options=(-Xmx1g -XX:TieredStopAtLevel=1)
if [ "${1:-}" = "--cycle" ]; then
    shift
    # Here the benchmark JVM is what is measured: full JIT, as in the control plane.
    main_class=io.qube.scheduler.SchedulingCycleBenchmark
    jvm_options=(-Xmx2g)
fi
cd "$(dirname "$0")/.."
app=$(ls target/quarkus-app/app/*.jar 2>/dev/null | head -n 1 || true) # none before the first build
main=target/test-classes/io/qube/bench/SchedulerBenchmark.class
if [ ! -f "$app" ] || [ ! -f "$main" ] || [ -n "$(find src/main pom.xml -newer "$app" -print -quit)" ] \
    || [ -n "$(find src pom.xml -newer "$main" -print -quit)" ]; then
    echo "bench/scheduler.sh: building (./mvnw -q -DskipTests package)..." >&2
    ./mvnw -q -DskipTests package
fi
classpath=target/bench-classpath.txt
if [ ! -f "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
    ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >/dev/null
fi
# The end-to-end benchmark's JVM is the load, not what is measured: C1 only, so its JIT does not take a core from
# the server.
exec java "${jvm_options[@]}" ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat "$classpath")" \
    "$main_class" "$@"
