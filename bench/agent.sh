#!/usr/bin/env bash
# bench/agent.sh: issue 8's figures in one run (io.qube.agent.AgentBenchmark, as root; see docs/PERFORMANCE.md,
# "Node agent"): the process runtime's pod startup for 100 pods, then 10,000 simulated pods on 1,000 nodes.
# bench/agent.sh --scale [NODES [PODS]]: the simulated figure alone (io.qube.agent.SimulatedScaleBenchmark).
# bench/agent.sh --startup [PODS]: the startup figure alone (io.qube.agent.ProcessStartupBenchmark).
# bench/agent.sh --cri [PODS]: issue 11's figures (io.qube.agent.CriStartupBenchmark): pod startup on the cri runtime next
# to bare `ctr run` and `ctr run --cni`, and image pulls next to `ctr images pull`. BENCH_JAVA_OPTS="-Dbench.cri.bridge=NAME
# -Dbench.cri.pod-cidr=CIDR" gives the run a bridge and pod range of its own.
# bench/agent.sh --cri-stats [PODS]: issue 13's cost of a cri node's resource sampling (io.qube.agent.CriStatsBenchmark):
# one ListContainerStats per round next to one call per container, on 30 running containers by default.
# bench/agent.sh --deployments [NODES [DEPLOYMENTS [REPLICAS]]]: issue 10's figure (io.qube.agent.DeploymentBenchmark,
# docs/PERFORMANCE.md "Deployments"): bare pods as the baseline, then 100 Deployments x 20 replicas to Available and a
# rolling update of all of them, on 500 simulated nodes by default.
# bench/agent.sh --proxy [SERVICES [ENDPOINTS]]: issue 12's figure (io.qube.agent.proxy.ServiceProxyBenchmark): the
# service proxy's full and incremental rule sync for 1,000 Services x 10 endpoints next to a bare iptables-restore.
# bench/agent.sh --services [SECONDS [CONNECTIONS [ROUNDS]]]: issue 12's figures (io.qube.agent.ServiceBenchmark,
# docs/PERFORMANCE.md "Services"): wrk through a Service's cluster IP and NodePort next to haproxy and to one backend
# directly (and through a Service of that one backend alone), the paths taking turns for ROUNDS rounds (default
# 6 x 5 s each, 8 connections (busybox httpd's listen backlog is 9); with BENCH_JAVA_OPTS=-Dbench.services.perf=DIR each wrk run is recorded by perf, and
# bench/services-cpu.py DIR OUTPUT turns that into CPU per request and path), then the
# time from scaling up to traffic on the new pod, then the rule sync of --proxy.
# Builds both projects if needed. BENCH_JAVA_OPTS passes system properties to the benchmark, e.g.
# -Dbench.server.jvm-args=... or -Dbench.agent.jvm-args=... (JVM options of the control plane or agent, to profile).
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
main=io.qube.agent.AgentBenchmark
case "${1:-}" in
    --startup) main=io.qube.agent.ProcessStartupBenchmark; shift ;;
    --cri) main=io.qube.agent.CriStartupBenchmark; shift ;;
    --cri-stats) main=io.qube.agent.CriStatsBenchmark; shift ;;
    --scale) main=io.qube.agent.SimulatedScaleBenchmark; shift ;;
    --deployments) main=io.qube.agent.DeploymentBenchmark; shift ;;
    --proxy) main=io.qube.agent.proxy.ServiceProxyBenchmark; shift ;;
    --services) main=io.qube.agent.ServiceBenchmark; shift ;;
esac
# The benchmark JVM is the load and the instrument, not what is measured: C1 only keeps its JIT compiler from
# taking a core from the measured processes on a 2-core machine (C2 alone took ~0.4 core during the measured round).
exec java -Xmx1g -XX:TieredStopAtLevel=1 ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat "$classpath")" "$main" "$@"
