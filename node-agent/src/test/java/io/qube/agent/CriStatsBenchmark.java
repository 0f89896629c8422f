package io.qube.agent;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.LocalRegistry;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.cri.CriRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * Issue 13's cost of measuring a cri node's containers: one sampling round as the agent takes it (one
 * ListContainerStats for every running container) next to the baseline of one call per container (a
 * ListContainerStats filtered to it), on the same containerd in the same run, rounds of the two alternating. Prints
 * wall time per round and the cpu containerd and its shims spent on it (from /proc, 10 ms ticks). Run with
 * bench/agent.sh --cri-stats [PODS] (default 30), as root.
 */
public final class CriStatsBenchmark {

    private static final String NODE = "cri-stats-bench";
    private static final int ROUNDS = 40;

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 30);
    }

    static void run(int pods) throws Exception {
        Path work = Files.createTempDirectory("qube-cri-stats-bench");
        Path containerd = work.resolve("state").resolve("containerd");
        Path socket = containerd.resolve("containerd.sock");
        RegistryImages images = RegistryImages.publish();
        try (LocalRegistry registry = images.registry(); QubeServer qube = QubeServer.start();
             KubernetesClient client = qube.client();
             QubeAgent agent = QubeAgent.startCri(qube.kubeconfig(), NODE, work.resolve("state"), "qubecrisb0",
                     "10.131.4.0/24", images.pause())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.nodes().withName(NODE).get() != null);
            for (int i = 0; i < pods; i++) {
                client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata()
                        .withName("idle-" + i).endMetadata().withNewSpec().withNodeName(NODE)
                        .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("main")
                        .withImage(images.busybox()).withCommand("sleep", "3600").endContainer().endSpec().build())
                        .create();
            }
            await().atMost(Duration.ofMinutes(3)).until(() -> client.pods().inNamespace("default").list().getItems()
                    .stream().filter(p -> "Running".equals(p.getStatus().getPhase())).count() == pods);
            // A second client of the agent's containerd, as the agent's sampler uses it.
            try (CriRuntime runtime = CriRuntime.start(work.resolve("client"), socket, images.pause(), null, null,
                    null)) {
                List<String> ids = runtime.sandboxes().stream().flatMap(s -> s.containers().stream())
                        .filter(c -> c.running()).map(c -> c.id()).toList();
                long[][] perContainer = new long[2][ROUNDS];
                long[][] batched = new long[2][ROUNDS];
                for (int round = -5; round < ROUNDS; round++) {
                    measure(containerd, perContainer, round, () -> {
                        int measured = 0;
                        for (String id : ids) {
                            measured += runtime.usage(id) == null ? 0 : 1;
                        }
                        return measured;
                    }, ids.size());
                    measure(containerd, batched, round, () -> runtime.usage(ids).size(), ids.size());
                }
                System.out.printf("%ncri runtime, %d running containers, %d rounds each (alternating), load %s%n",
                        ids.size(), ROUNDS, Files.readString(Path.of("/proc/loadavg")).trim());
                System.out.printf("%-44s %10s %10s %10s%n", "wall time per round", "p50 ms", "p99 ms", "max ms");
                ProcessStartupBenchmark.row("baseline: one ListContainerStats per container", perContainer[0]);
                ProcessStartupBenchmark.row("agent: one ListContainerStats per round", batched[0]);
                System.out.printf("containerd + shims cpu per round: baseline %.1f ms, agent %.1f ms%n",
                        mean(perContainer[1]), mean(batched[1]));
            }
            client.pods().inNamespace("default").withGracePeriod(0).delete();
            await().atMost(Duration.ofMinutes(2)).until(() -> Commands.run(Duration.ofSeconds(30), "ctr",
                    "--address", socket.toString(), "-n", "k8s.io", "containers", "ls", "-q").ok().isBlank());
        } finally {
            new ProcessBuilder("ip", "link", "del", "qubecrisb0").start().waitFor();
            ProcessCluster.deleteTree(work);
        }
    }

    private interface Round {
        int take() throws IOException;
    }

    /** One round into {@code figures} ([wall ns], [cpu ms]) unless a warm-up (negative) round. */
    private static void measure(Path containerd, long[][] figures, int round, Round take, int expected)
            throws IOException {
        long cpu = cpuMillis(containerd);
        long start = System.nanoTime();
        int measured = take.take();
        long wall = System.nanoTime() - start;
        long used = cpuMillis(containerd) - cpu;
        if (measured != expected) {
            throw new IllegalStateException("measured " + measured + " of " + expected + " containers");
        }
        if (round >= 0) {
            figures[0][round] = wall;
            figures[1][round] = used;
        }
    }

    /** containerd's cpu time and its shims' (the processes whose command line names its socket), in ms. */
    private static long cpuMillis(Path containerd) throws IOException {
        long ticks = ticks(Long.parseLong(Files.readString(containerd.resolve("containerd.pid")).trim()));
        String socket = containerd.resolve("containerd.sock").toString();
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(process.resolve("cmdline"))).contains(socket)) {
                        ticks += ticks(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // ended meanwhile: not one of the measured processes
                }
            }
        }
        return ticks * 10;
    }

    /** utime + stime of /proc/PID/stat (fields 14 and 15, after the parenthesised command). */
    private static long ticks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static double mean(long[] values) {
        return java.util.Arrays.stream(values).average().orElse(0);
    }
}
