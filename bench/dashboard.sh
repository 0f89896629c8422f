#!/usr/bin/env bash
# bench/dashboard.sh [PODS]
# The dashboard benchmark of issue 13 (see docs/PERFORMANCE.md, "Dashboard"): one packaged Qube with 10,000 pods
# (or PODS), /dashboard/ in Debian's headless chromium (installed here if missing) driven by Playwright; prints the
# first paint and the time until the pod list is drawn and answers a click, next to a plain HTTP client fetching
# the same list. Takes ~2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    echo "bench/dashboard.sh: installing chromium..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null; apt-get install -y -q chromium >/dev/null; }
fi
app=$(ls target/quarkus-app/app/*.jar 2>/dev/null | head -n 1 || true) # none before the first build
main=target/test-classes/io/qube/bench/DashboardBenchmark.class
if [ ! -f "$app" ] || [ ! -f "$main" ] || [ -n "$(find src/main pom.xml -newer "$app" -print -quit)" ] \
    || [ -n "$(find src pom.xml -newer "$main" -print -quit)" ]; then
    echo "bench/dashboard.sh: building (./mvnw -q -DskipTests package)..." >&2
    ./mvnw -q -DskipTests package
fi
classpath=target/bench-classpath.txt
if [ ! -f "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
    ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat "$classpath")" \
    io.qube.bench.DashboardBenchmark "$@"
