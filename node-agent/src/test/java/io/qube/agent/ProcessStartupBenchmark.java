package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.awaitility.Awaitility.await;

/**
 * Issue 8's startup figure for the process runtime: pod startup latency, from the create request to Running as a
 * watch sees it, for pods created one after another and for a burst created at once, next to the bare cost of
 * starting the same command from Java ({@link ProcessBuilder#start()}) in the same run. A warm-up round runs
 * first: a server runs warm. Run with bench/agent.sh --startup [PODS] (default 100), or with the scale figure in
 * one run by bench/agent.sh; needs root for the pods' namespaces and cgroups, as the agent has in production.
 */
public final class ProcessStartupBenchmark {

    private static final String NODE = "bench-node";
    private static final String[] COMMAND = {"sleep", "3600"};

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 100);
    }

    static void run(int pods) throws Exception {
        Path work = Files.createTempDirectory("qube-startup-bench");
        try (QubeServer qube = QubeServer.start(); KubernetesClient client = qube.client();
             QubeAgent agent = QubeAgent.start(qube.kubeconfig(), NODE, work.resolve("state"), "qubebench0",
                     "10.77.200.0/24")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.nodes().withName(NODE).get() != null);
            Map<String, Long> runningAt = new ConcurrentHashMap<>();
            try (Watch watch = client.pods().inNamespace("default").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod pod) {
                    if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                        runningAt.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                sequential(client, "warmup", 20, runningAt);
                deleteAll(client, work, agent);
                long[] bare = bareStarts(pods);
                long[] oneByOne = sequential(client, "seq", pods, runningAt);
                deleteAll(client, work, agent);
                long[] burst = burst(client, "burst", pods, runningAt);
                System.out.printf("%nProcess runtime pod startup, %d pods (create -> Running seen by a watch)%n",
                        pods);
                System.out.printf("%-44s %10s %10s %10s%n", "", "p50 ms", "p99 ms", "max ms");
                row("baseline: ProcessBuilder.start() of `sleep`", bare);
                row("pods created one after another", oneByOne);
                row("pods created at once (burst of " + pods + ")", burst);
                System.out.println("apiserver: " + SimulatedScaleBenchmark.usage(qube.pid()));
                deleteAll(client, work, agent);
            }
        } finally {
            new ProcessBuilder("ip", "link", "del", "qubebench0").start().waitFor();
            try (var files = Files.walk(work)) {
                for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static long[] bareStarts(int count) throws Exception {
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            Process process = new ProcessBuilder(COMMAND).start();
            latencies[i] = System.nanoTime() - start;
            process.destroyForcibly().waitFor();
        }
        return latencies;
    }

    private static long[] sequential(KubernetesClient client, String prefix, int count, Map<String, Long> runningAt) {
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            long start = System.nanoTime();
            client.pods().inNamespace("default").resource(pod(name)).create();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> runningAt.containsKey(name));
            latencies[i] = runningAt.get(name) - start;
        }
        return latencies;
    }

    private static long[] burst(KubernetesClient client, String prefix, int count, Map<String, Long> runningAt) {
        long[] created = new long[count];
        for (int i = 0; i < count; i++) {
            created[i] = System.nanoTime();
            client.pods().inNamespace("default").resource(pod(prefix + "-" + i)).create();
        }
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(10)).until(() -> java.util.stream
                .IntStream.range(0, count).allMatch(i -> runningAt.containsKey(prefix + "-" + i)));
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            latencies[i] = runningAt.get(prefix + "-" + i) - created[i];
        }
        return latencies;
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeName(NODE)
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("main").withImage("busybox")
                .withCommand(COMMAND).endContainer().endSpec().build();
    }

    private static void deleteAll(KubernetesClient client, Path work, QubeAgent agent) throws IOException {
        client.pods().inNamespace("default").withGracePeriod(0).delete();
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                try (var left = Files.list(work.resolve("state").resolve("pods"))) {
                    return left.findAny().isEmpty();
                }
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            try (var left = Files.list(work.resolve("state").resolve("pods"))) {
                String log = agent.log();
                throw new AssertionError("pods still on the node 2 minutes after their delete: " + left.toList()
                        + "\nagent log (end):\n" + log.substring(Math.max(0, log.length() - 20_000)), e);
            }
        }
    }

    static void row(String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-44s %10.1f %10.1f %10.1f%n", label, SimulatedScaleBenchmark.percentile(sorted, 0.50),
                SimulatedScaleBenchmark.percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
    }
}
