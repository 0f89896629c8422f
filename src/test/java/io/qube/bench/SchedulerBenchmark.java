package io.qube.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import static org.awaitility.Awaitility.await;

/**
 * scheduler_perf's workloads end to end through Qube's API (bench/scheduler.sh): Node objects for 5,000 nodes (no
 * agent; nodes are objects, as in scheduler_perf), pods created through the API by 16 clients, bound by Qube's
 * scheduler through pods/binding. Per case: pods/s from the first create to the last binding seen on a watch, p50
 * and p99 of create→bind, and the control plane's and PostgreSQL's CPU, next to kube-scheduler's CI floor.
 */
public final class SchedulerBenchmark {

    private static final int CLIENTS = 16;
    private static final int ZONES = 10;
    private static final Duration PATIENCE = Duration.ofMinutes(10);
    private static final int WARM_UP_ROUNDS = 8;

    /** One workload: pods created in their own namespace, each from its index. */
    private record Case(String label, String namespace, int pods, LongFunction<String> pod, String floor) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private QubeServer server;
    private PodBindings bindings;

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int scale = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        try {
            new SchedulerBenchmark().run(nodes, scale);
        } finally {
            Children.stopAll();
        }
        System.exit(0);
    }

    private void run(int nodeCount, int divisor) throws Exception {
        Path work = Files.createTempDirectory("scheduler-bench");
        List<String> jvm = new ArrayList<>(List.of("-Xmx2g"));
        // To profile the control plane: -Dbench.server.jvm-args=-XX:StartFlightRecording=filename=...
        String extra = System.getProperty("bench.server.jvm-args", "");
        if (!extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        // The nodes are objects without kubelets, as in scheduler_perf: the node lifecycle controller would find
        // their Leases missing and taint them all unreachable after its grace period. Node IPAM would give 5,000
        // nodes pod CIDRs (more than its default cluster CIDR holds) while the figures are measured.
        server = QubeServer.start("scheduler", work.resolve("qube"),
                Map.of("QUBE_CONTROLLERS_NODE_LIFECYCLE_ENABLED", "false", "QUBE_CONTROLLERS_NODE_IPAM_ENABLED",
                        "false"), jvm);
        try {
            int pool = nodeCount / 5;
            progress("creating " + nodeCount + " nodes in " + ZONES + " zones, " + pool + " of them tainted for "
                    + "preemption");
            create(nodeCount, (client, index) -> BenchHttp.post(client, "/api/v1/nodes",
                    node(index, index >= nodeCount - pool)));
            post("/apis/scheduling.k8s.io/v1/priorityclasses",
                    "{\"metadata\":{\"name\":\"bench-high\"},\"value\":1000}");
            List<Case> cases = List.of(
                    new Case("basic: 10,000 pods, 100m cpu / 500Mi each", "basic", 10_000 / divisor,
                            i -> basic("basic", i), "680-810"),
                    new Case("required pod anti-affinity (hostname), 2,000 pods", "anti", 2000 / divisor,
                            i -> antiAffinity("anti", i), "60"),
                    new Case("topology spreading (zone, maxSkew 1, DoNotSchedule), 5,000 pods", "spread",
                            5000 / divisor, i -> spread("spread", i), "460"),
                    new Case("preferred node affinity (zone-1, weight 100), 5,000 pods", "preferred", 5000 / divisor,
                            i -> preferred("preferred", i), "— (none in the issue)"),
                    new Case("preemption setup: a 3-cpu pod of priority 0 on each of the " + pool
                            + " preemption nodes (not counted)", "low", pool, i -> sized("low", i, "3", null), ""),
                    new Case("preemption: " + pool + " pods of priority 1000 and 2 cpu, each evicting one", "high",
                            pool, i -> sized("high", i, "2", "bench-high"), "570"));
            for (Case c : cases) {
                post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + c.namespace() + "\"}}");
            }
            String version = resourceVersion();
            bindings = PodBindings.watch(vertx, server.port, version, key -> key.startsWith("low/"));
            warmUp(divisor);
            for (Case c : cases) {
                runCase(c);
            }
            System.out.println();
            System.out.println("## Scheduler benchmark, " + Instant.now() + ", " + Proc.cpuModel() + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores, " + Proc.memTotalMib() + " MiB, "
                    + Proc.kernel());
            System.out.println("Command: bench/scheduler.sh" + (nodeCount != 5000 || divisor != 1
                    ? " " + nodeCount + " " + divisor : "") + "; " + nodeCount + " nodes; " + CLIENTS
                    + " creating clients; the cases run in this order in one control plane, each adding its pods.");
            System.out.println();
            System.out.println("| case | pods/s (first create → last bind) | kube-scheduler CI floor | create→bind p50 "
                    + "| p99 | control plane CPU | PostgreSQL CPU |");
            System.out.println("|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println("Control plane CPU by thread group during each case (seconds):");
            notes.forEach(note -> System.out.println("- " + note));
        } finally {
            if (bindings != null) {
                bindings.close();
            }
            server.close();
            vertx.close();
        }
    }

    /**
     * Rounds of every kind of pod but preemption's, each round's pods deleted after it, until the control plane's
     * JIT compilers take at most a tenth of its CPU during a round: a server runs warm, and C2 alone took a third of
     * the CPU of a first measured case after a single warm-up round.
     */
    private void warmUp(int divisor) throws Exception {
        for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
            double cpu = 0;
            double compilers = 0;
            String prefix = "warm" + round + "-";
            List<Case> mix = List.of(
                    new Case("warm-up round " + round + ": basic (not counted)", prefix + "basic", 1000 / divisor,
                            i -> basic(prefix + "basic", i), ""),
                    new Case("warm-up round " + round + ": anti-affinity (not counted)", prefix + "anti",
                            200 / divisor, i -> antiAffinity(prefix + "anti", i), ""),
                    new Case("warm-up round " + round + ": spread (not counted)", prefix + "spread", 500 / divisor,
                            i -> spread(prefix + "spread", i), ""),
                    new Case("warm-up round " + round + ": preferred affinity (not counted)", prefix + "preferred",
                            500 / divisor, i -> preferred(prefix + "preferred", i), ""));
            for (Case c : mix) {
                post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + c.namespace() + "\"}}");
                Measured measured = runCase(c);
                cpu += measured.cpuSeconds();
                compilers += measured.compilerSeconds();
            }
            for (Case c : mix) {
                deletePods(c.namespace());
            }
            progress(String.format("warm-up round %d: JIT compilers %.1f s of the control plane's %.1f s", round,
                    compilers, cpu));
            if (round >= 2 && compilers <= cpu / 10) {
                return;
            }
        }
    }

    /** Deletes a namespace's pods at once (no agent would end them) and waits until they are gone. */
    private void deletePods(String namespace) throws Exception {
        String pods = server.url("/api/v1/namespaces/" + namespace + "/pods");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(pods + "?gracePeriodSeconds=0"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("DELETE " + pods + ": " + response.statusCode() + " " + response.body());
        }
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).alias("pods of " + namespace + " deleted")
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(pods + "?limit=1")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("\"items\":[]"));
    }

    /** A case's control-plane CPU, and how much of it the JIT compilers took. */
    private record Measured(double cpuSeconds, double compilerSeconds) {
    }

    private Measured runCase(Case c) throws Exception {
        progress(c.label());
        long postgres = Proc.postmasterPid(server.embeddedPostgres());
        double cpuBefore = Proc.cpuSeconds(server.pid());
        double pgBefore = Proc.treeCpuSeconds(postgres);
        Map<String, Double> threadsBefore = Proc.threadCpuSeconds(server.pid());
        long start = System.nanoTime();
        create(c.pods(), (client, index) -> {
            String name = "p-" + index;
            sentAt.put(c.namespace() + "/" + name, System.nanoTime());
            return BenchHttp.post(client, "/api/v1/namespaces/" + c.namespace() + "/pods", c.pod().apply(index));
        });
        Histogram latency = new Histogram(600_000_000L, 3);
        long last = start;
        for (int i = 0; i < c.pods(); i++) {
            String key = c.namespace() + "/p-" + i;
            await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .alias(c.label() + ": pod " + key + " bound (see " + server.log + ")")
                    .until(() -> bindings.boundAt(key) != null);
            long bound = bindings.boundAt(key);
            latency.recordValue(Math.max(0, (bound - sentAt.get(key)) / 1000));
            last = Math.max(last, bound);
        }
        double seconds = (last - start) / 1e9;
        double cpu = Proc.cpuSeconds(server.pid()) - cpuBefore;
        double pg = Proc.treeCpuSeconds(postgres) - pgBefore;
        String row = String.format("| %s | **%,.0f** (%,d in %.1f s) | %s | %.0f ms | %.0f ms | %.1f s (%.2f ms/pod) "
                        + "| %.1f s |", c.label(), c.pods() / seconds, c.pods(), seconds, c.floor(),
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0, cpu,
                cpu * 1000 / c.pods(), pg);
        rows.add(row);
        progress(row);
        StringBuilder threads = new StringBuilder("  control plane CPU by thread (s):");
        Map<String, Double> byThread = Proc.minus(Proc.threadCpuSeconds(server.pid()), threadsBefore);
        byThread.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                .forEach(e -> threads.append(String.format(" %s %.1f;", e.getKey(), e.getValue())));
        notes.add(c.label() + ":" + threads.substring("  control plane CPU by thread (s):".length()));
        progress(threads.toString());
        double compilers = byThread.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToDouble(Map.Entry::getValue).sum();
        return new Measured(cpu, compilers);
    }

    private void create(int count, PodCall call) throws InterruptedException {
        List<HttpClient> clients = BenchHttp.clients(vertx, server.port, CLIENTS);
        try {
            ClosedLoop.Result result = ClosedLoop.forCount(CLIENTS, 0, count,
                    (client, index) -> call.send(clients.get(client), index));
            if (result.errors() > 0) {
                throw new IllegalStateException(result.errors() + " creates failed, the first: " + result.firstError());
            }
        } finally {
            BenchHttp.closeAll(clients);
        }
    }

    private interface PodCall {
        io.vertx.core.Future<?> send(HttpClient client, long index);
    }

    /**
     * A node of 4 cpu, 32Gi and 110 pods. The preemption pool's nodes are tainted, so that only that case's pods,
     * which tolerate the taint and select the pool, land there and fill them exactly.
     */
    private static String node(long index, boolean preemptionPool) {
        String name = "node-" + index;
        String resources = "{\"cpu\":\"4\",\"memory\":\"32Gi\",\"pods\":\"110\"}";
        String pool = preemptionPool ? ",\"bench/pool\":\"preemption\"}},\"spec\":{\"taints\":[{\"key\":"
                + "\"bench/pool\",\"value\":\"preemption\",\"effect\":\"NoSchedule\"}]}" : "}}";
        return "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"kubernetes.io/hostname\":\"" + name
                + "\",\"topology.kubernetes.io/zone\":\"zone-" + (index % ZONES) + "\"" + pool + ",\"status\":{\"capacity\":"
                + resources + ",\"allocatable\":" + resources + ",\"conditions\":[{\"type\":\"Ready\",\"status\":"
                + "\"True\"}]}}";
    }

    private static String pod(String namespace, long index, String labels, String spec, String cpu, String memory) {
        return "{\"metadata\":{\"name\":\"p-" + index + "\",\"namespace\":\"" + namespace + "\",\"labels\":{" + labels
                + "}},\"spec\":{" + spec + "\"containers\":[{\"name\":\"c\",\"image\":\"registry.k8s.io/pause:3.10\","
                + "\"resources\":{\"requests\":{\"cpu\":\"" + cpu + "\",\"memory\":\"" + memory + "\"}}}]}}";
    }

    private static String basic(String namespace, long index) {
        return pod(namespace, index, "\"app\":\"basic\"", "", "100m", "500Mi");
    }

    private static String antiAffinity(String namespace, long index) {
        return pod(namespace, index, "\"color\":\"green\"", "\"affinity\":{\"podAntiAffinity\":{"
                + "\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":"
                + "{\"color\":\"green\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}},", "100m", "500Mi");
    }

    private static String spread(String namespace, long index) {
        return pod(namespace, index, "\"app\":\"spread\"", "\"topologySpreadConstraints\":[{\"maxSkew\":1,"
                + "\"topologyKey\":\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
                + "\"labelSelector\":{\"matchLabels\":{\"app\":\"spread\"}}}],", "100m", "500Mi");
    }

    private static String preferred(String namespace, long index) {
        return pod(namespace, index, "\"app\":\"preferred\"", "\"affinity\":{\"nodeAffinity\":{"
                + "\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":100,\"preference\":{"
                + "\"matchExpressions\":[{\"key\":\"topology.kubernetes.io/zone\",\"operator\":\"In\",\"values\":"
                + "[\"zone-1\"]}]}}]}},", "100m", "500Mi");
    }

    private static String sized(String namespace, long index, String cpu, String priorityClass) {
        String pool = "\"nodeSelector\":{\"bench/pool\":\"preemption\"},\"tolerations\":[{\"key\":\"bench/pool\","
                + "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}],";
        return pod(namespace, index, "\"app\":\"" + namespace + "\"", pool + (priorityClass == null ? ""
                : "\"priorityClassName\":\"" + priorityClass + "\","), cpu, "1Gi");
    }

    private void post(String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.url(path)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + response.body());
        }
    }

    private String resourceVersion() throws Exception {
        String list = http.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/pods?limit=1"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return list.replaceAll("(?s).*?\"resourceVersion\":\"(\\d+)\".*", "$1");
    }

    private static void progress(String message) {
        System.err.println("[" + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "] " + message);
    }
}
