#!/usr/bin/env bash
# bench/agent.sh [NODES [PODS]]: issue 8's scale figure for the simulated runtime (see docs/PERFORMANCE.md, "Node
# agent"). Builds both projects if needed, then runs io.qube.agent.SimulatedScaleBenchmark: the control plane and
# one agent process with NODES simulated nodes (default 1000), PODS pods (default 10000) with spec.nodeName preset.
# bench/agent.sh --startup [PODS]: the process runtime's pod startup latency (io.qube.agent.ProcessStartupBenchmark,
# default 100 pods; as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src/main pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
    ./mvnw -q -DskipTests package
fi
cd node-agent
../mvnw -q -DskipTests package
../mvnw -q test-compile
classpath=target/bench-classpath.txt
if [ ! -f "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
    ../mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >/dev/null
fi
main=io.qube.agent.SimulatedScaleBenchmark
if [ "${1:-}" = --startup ]; then
    main=io.qube.agent.ProcessStartupBenchmark
    shift
fi
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat "$classpath")" "$main" "$@"
