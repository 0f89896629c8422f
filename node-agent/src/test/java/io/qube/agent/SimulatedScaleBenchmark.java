package io.qube.agent;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Issue 8's scale figure for the simulated runtime: N simulated nodes (one agent process) Ready, a warm-up round
 * of M/5 pods (then deleted), then M pods with spec.nodeName preset created by 16 clients and seen Running by a
 * watch. The baseline in the same run is the
 * API's own rate for the same M creates (the create phase alone). Prints one table, with the apiserver's and the
 * agent's CPU time and resident memory read from /proc. Run with bench/agent.sh [nodes] [pods].
 */
public final class SimulatedScaleBenchmark {

    private static final int CLIENTS = 16;
    private static final Path AGENT = Path.of("target", "quarkus-app", "quarkus-run.jar");

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 1000, args.length > 1 ? Integer.parseInt(args[1]) : 10_000);
    }

    static void run(int nodes, int pods) throws Exception {
        try (QubeServer qube = QubeServer.start(); KubernetesClient client = qube.client()) {
            Path log = Files.createTempFile("agent-bench", ".log");
            long agentStart = System.nanoTime();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx1g"));
            // The agent may be profiled too: -Dbench.agent.jvm-args=-XX:StartFlightRecording=...
            String extra = System.getProperty("bench.agent.jvm-args", "");
            if (!extra.isBlank()) {
                command.addAll(List.of(extra.trim().split("\\s+")));
            }
            command.addAll(List.of("-jar", AGENT.toString(), "--kubeconfig", qube.kubeconfig().toString(),
                    "--runtime", "simulated", "--nodes", Integer.toString(nodes), "--name-prefix", "sim"));
            Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                double nodesReady = awaitNodesReady(client, nodes, agentStart, agent, log);
                // A server runs warm: a first round of a fifth of the pods lets both JVMs compile their hot paths
                // (cold, C2 alone took more CPU than the whole measured round); its pods are deleted before the
                // measured round starts, which then begins with no pods.
                Round warmUp = round(client, qube.url(), "warmup", pods / 5, nodes);
                client.namespaces().withName("warmup").delete();
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
                        .until(() -> client.namespaces().withName("warmup").get() == null);
                String apiserverBefore = usage(qube.pid());
                String agentBefore = usage(agent.pid());
                Path database = qube.kubeconfig().resolveSibling("postgres");
                double postgresBefore = postgresCpu(database);
                double benchmarkBefore = cpuSeconds(ProcessHandle.current().pid(), false);
                Round measured = round(client, qube.url(), "bench", pods, nodes);
                System.out.printf("Simulated runtime at scale (issue 8), %s, %d cores%n", Instant.now(),
                        Runtime.getRuntime().availableProcessors());
                System.out.printf("  %,d nodes Ready (agent start to the last Ready node seen): %.1f s%n", nodes,
                        nodesReady);
                System.out.printf("  warm-up round: %,d pods Running %.1f s after the first create (deleted after)%n",
                        warmUp.pods(), warmUp.lastRunningSeconds());
                System.out.printf("  baseline, the API's create rate: %,d pods created by %d HTTP clients in %.1f s"
                        + " (%,.0f/s)%n", pods, CLIENTS, measured.createSeconds(), pods / measured.createSeconds());
                System.out.printf("  %,d of %,d pods Running, seen by a watch, %.1f s after the first create"
                        + " (target < 60 s; KWOK's CI allows 120 s)%n", measured.running(), pods,
                        measured.lastRunningSeconds());
                System.out.printf("  create -> Running per pod: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                        percentile(measured.latencies(), 0.50), percentile(measured.latencies(), 0.99),
                        percentile(measured.latencies(), 1.0));
                System.out.printf("  apiserver: before the measured round %s; after %s%n", apiserverBefore,
                        usage(qube.pid()));
                System.out.printf("  agent:     before the measured round %s; after %s%n", agentBefore,
                        usage(agent.pid()));
                System.out.printf("  the measured round's CPU elsewhere on the machine: PostgreSQL %.1f s, this "
                        + "benchmark's clients and watch %.1f s%n", postgresCpu(database) - postgresBefore,
                        cpuSeconds(ProcessHandle.current().pid(), false) - benchmarkBefore);
            } finally {
                agent.destroy();
                agent.waitFor(60, TimeUnit.SECONDS);
                Files.deleteIfExists(log);
            }
        }
    }

    /** One round's figures: its size, how many became Running, and the times from its first create. */
    private record Round(int pods, int running, double createSeconds, double lastRunningSeconds,
                         long[] latencies) {
    }

    /** Creates the pods in a new namespace with 16 clients and waits (at most 10 minutes) for all to run. */
    private static Round round(KubernetesClient client, String url, String namespace, int pods, int nodes)
            throws Exception {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName(namespace).endMetadata().build()).create();
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        Map<String, Long> runningAt = new ConcurrentHashMap<>();
        CountDownLatch allRunning = new CountDownLatch(pods);
        RunningWatch watch = RunningWatch.open(url, namespace, name -> {
            if (runningAt.putIfAbsent(name, System.nanoTime()) == null) {
                allRunning.countDown();
            }
        });
        long first = System.nanoTime();
        createPods(client, url, namespace, pods, nodes, createdAt);
        long created = System.nanoTime();
        allRunning.await(10, TimeUnit.MINUTES);
        long last = runningAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
        watch.close();
        long[] latencies = createdAt.entrySet().stream().filter(e -> runningAt.containsKey(e.getKey()))
                .mapToLong(e -> runningAt.get(e.getKey()) - e.getValue()).sorted().toArray();
        return new Round(pods, runningAt.size(), seconds(created - first), seconds(last - first), latencies);
    }

    private static double awaitNodesReady(KubernetesClient client, int nodes, long start, Process agent, Path log) {
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited: " + Files.readString(log));
            }
            return client.nodes().list().getItems().stream().filter(n -> n.getStatus().getConditions().stream()
                    .anyMatch(SimulatedScaleBenchmark::isReady)).count() >= nodes;
        });
        return seconds(System.nanoTime() - start);
    }

    private static boolean isReady(NodeCondition condition) {
        return condition.getType().equals("Ready") && condition.getStatus().equals("True");
    }

    /**
     * The load: 16 clients POSTing pods as JSON over plain HTTP/1.1 (java.net.http), as light a client as
     * client-go is; fabric8's create, decoding every answer into a typed Pod, took more CPU than the apiserver on
     * these 2 cores and starved what is measured.
     */
    private static void createPods(KubernetesClient client, String url, String namespace, int pods, int nodes,
                                   Map<String, Long> createdAt) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.URI collection = java.net.URI.create(url + "/api/v1/namespaces/" + namespace + "/pods");
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int offset = c;
                done.add(clients.submit(() -> {
                    for (int i = offset; i < pods; i += CLIENTS) {
                        String name = "pod-" + i;
                        Pod pod = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                                .withNodeName("sim-" + (i % nodes)).addNewContainer().withName("main")
                                .withImage("busybox").endContainer().endSpec().build();
                        String body = client.getKubernetesSerialization().asJson(pod);
                        createdAt.put(name, System.nanoTime());
                        var response = http.send(java.net.http.HttpRequest.newBuilder(collection)
                                .header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() != 201) {
                            throw new IllegalStateException("creating " + name + " answered " + response.statusCode());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            clients.shutdown();
        }
    }

    /** CPU time and resident memory of a process, from /proc (Linux). */
    static String usage(long pid) throws IOException {
        double cpu = cpuSeconds(pid, false);
        String rss = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
        return String.format("CPU %.1f s, %s", cpu, rss);
    }

    /** utime + stime (USER_HZ 100), with the waited-for children's too if asked; 0 for a process gone. */
    static double cpuSeconds(long pid, boolean withReapedChildren) {
        try {
            String[] stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"))
                    .replaceAll("^.*\\) ", "").split(" ");
            long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
            if (withReapedChildren) {
                ticks += Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
            }
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The CPU seconds of a JVM's JIT compiler threads (C1 and C2), from each thread's /proc stat. */
    static double compilerCpuSeconds(long pid) {
        try (java.util.stream.Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return threads.mapToDouble(thread -> {
                try {
                    String stat = Files.readString(thread.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (!name.matches("C[12] CompilerThre.*")) {
                        return 0;
                    }
                    String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
                    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
                } catch (IOException | RuntimeException gone) {
                    return 0; // the thread ended while the list was read
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The CPU of the control plane's embedded PostgreSQL: its postmaster (found by its data directory; pg_ctl
     * detaches it from the control plane's process tree) with the backends it reaped, and its live backends.
     */
    private static double postgresCpu(Path database) {
        return ProcessHandle.allProcesses().filter(process -> process.info().arguments()
                        .map(arguments -> List.of(arguments).contains(database.toString())).orElse(false))
                .flatMap(postmaster -> java.util.stream.Stream.concat(java.util.stream.Stream.of(postmaster),
                        postmaster.descendants()))
                .mapToDouble(process -> cpuSeconds(process.pid(), true)).sum();
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

}
