package io.qube.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.LocalRegistry;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.runtime.ContainerConfig;
import io.qube.agent.runtime.ProcessNamespace;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxConfig;
import io.qube.agent.runtime.cri.CriRuntime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Issue 11's figures for the cri runtime, in one run: pod startup (create request to Running seen by a watch) for
 * pods whose image is present, created one after another, next to a bare {@code ctr run -d} of the same image on
 * the same containerd and a {@code ctr run -d --cni} (a network namespace with the agent's CNI chain, as a pod's
 * sandbox has) and the agent's own runtime calls for a pod made directly (the runtime's floor), with the pods'
 * phases from the agent's metrics; and the image pull as the agent reports it (its
 * Pulled event) next to {@code ctr images pull} of the same image, the image removed before each pull (its layer
 * stays: see removeImage). A warm-up round runs first. Run with bench/agent.sh --cri [PODS] (default 50), as root.
 */
public final class CriStartupBenchmark {

    static final String NODE = "cri-bench";
    private static final int PULLS = 5;
    /** The pods' bridge and range; properties, so that runs on a shared machine can each take their own. */
    private static final String BRIDGE = System.getProperty("bench.cri.bridge", "qubecribench0");
    private static final String POD_CIDR = System.getProperty("bench.cri.pod-cidr", "10.77.201.0/24");
    private static final String OPERATION = "kubelet_runtime_operations_duration_seconds";

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 50);
    }

    static void run(int pods) throws Exception {
        Path work = Files.createTempDirectory("qube-cri-bench");
        Path socket = work.resolve("state").resolve("containerd").resolve("containerd.sock");
        RegistryImages images = RegistryImages.publish();
        try (LocalRegistry registry = images.registry(); QubeServer qube = QubeServer.start(); KubernetesClient client = qube.client();
             QubeAgent agent = QubeAgent.startCri(qube.kubeconfig(), NODE, work.resolve("state"), BRIDGE, POD_CIDR,
                     images.pause())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.nodes().withName(NODE).get() != null);
            Map<String, Long> runningAt = new ConcurrentHashMap<>();
            try (RunningWatch watch = RunningWatch.open(qube.url(), "default",
                    name -> runningAt.putIfAbsent(name, System.nanoTime()))) {
                String image = images.busybox();
                sequential(client, "warmup", 10, image, runningAt);
                deleteAll(client, socket);
                long[] direct = directRuns(work, socket, images.pause(), image, pods);
                long[] bare = bareRuns(socket, List.of(), image, pods, "bare");
                long[] bareCni;
                try (HostCniView view = HostCniView.open(work.resolve("state").resolve("containerd")
                        .resolve("config.toml"))) {
                    bareCni = bareRuns(socket, view.enter(), image, pods, "bare-cni");
                }
                AgentPhases before = AgentPhases.scrape(client);
                long[] created = new long[pods];
                long[] oneByOne = sequential(client, "seq", pods, image, runningAt, created);
                AgentPhases phases = AgentPhases.scrape(client).since(before);
                deleteAll(client, socket);
                long[][] pulls = pulls(client, socket, image, runningAt);
                System.out.printf("%ncri runtime (containerd %s), %d pods of %s%n", ctr(socket, "version")
                        .lines().filter(l -> l.trim().startsWith("Version")).findFirst().orElse("?").trim(), pods,
                        image);
                System.out.printf("%-56s %10s %10s %10s%n", "", "p50 ms", "p99 ms", "max ms");
                ProcessStartupBenchmark.row("baseline: ctr run -d (container only, no network)", bare);
                ProcessStartupBenchmark.row("baseline: ctr run -d --cni (own netns, agent's CNI chain)", bareCni);
                ProcessStartupBenchmark.row("baseline: the agent's runtime calls alone, direct", direct);
                ProcessStartupBenchmark.row("pods created one after another (image present)", oneByOne);
                System.out.printf("ratio at p50: %.1fx ctr run -d, %.1fx ctr run -d --cni, %.1fx direct; at p99: "
                        + "%.1fx, %.1fx, %.1fx%n", ratio(oneByOne, bare, 0.50), ratio(oneByOne, bareCni, 0.50),
                        ratio(oneByOne, direct, 0.50), ratio(oneByOne, bare, 0.99), ratio(oneByOne, bareCni, 0.99),
                        ratio(oneByOne, direct, 0.99));
                System.out.printf("the runtime's own floor, direct against ctr run -d: %.1fx at p50, %.1fx at p99%n",
                        ratio(direct, bare, 0.50), ratio(direct, bare, 0.99));
                printPhases(pods, created, oneByOne, phases);
                ProcessStartupBenchmark.row("baseline: ctr images pull (" + PULLS + " pulls)", pulls[0]);
                ProcessStartupBenchmark.row("agent's pull (Pulled event, " + PULLS + " pulls)", pulls[1]);
                deleteAll(client, socket);
            }
        } finally {
            new ProcessBuilder("ip", "link", "del", BRIDGE).start().waitFor();
            ProcessCluster.deleteTree(work);
        }
    }

    /**
     * Where the measured round's time went, mean ms per pod. Only what the agent's metrics give per pod directly:
     * the first sync (pod_worker_duration, type create) and the runtime calls only a new pod makes (ImageStatus,
     * and start_container: CreateContainer, StartContainer, ContainerStatus). The sandbox's RunPodSandbox and the
     * status reads share their operation names with the relist's calls (every pod synced each second), so they
     * stay in one remainder.
     */
    private static void printPhases(int pods, long[] created, long[] total, AgentPhases round) {
        System.out.printf("%npods' phases, mean ms per pod (the agent's from its kubelet metrics):%n");
        double create = LongStream.of(created).average().orElse(0) / 1e6;
        double start = round.mean("kubelet_pod_start_duration_seconds", null);
        double firstSync = round.mean("kubelet_pod_worker_duration_seconds", "create");
        double image = round.sum(OPERATION, "image_status") / pods;
        double containers = round.sum(OPERATION, "start_container") / pods;
        System.out.printf("  %-74s %7.1f%n", "create request (client's POST to its answer)", create);
        System.out.printf("  %-74s %7.1f%n", "agent: pod first seen to its Running status written", start);
        System.out.printf("    %-72s %7.1f%n", "waiting for a pod worker (shared with the relist's syncs)",
                start - firstSync);
        System.out.printf("    %-72s %7.1f%n", "first sync", firstSync);
        System.out.printf("      %-70s %7.1f%n", "image_status", image);
        System.out.printf("      %-70s %7.1f%n", "start_container (CreateContainer, StartContainer, ContainerStatus)",
                containers);
        System.out.printf("      %-70s %7.1f%n", "the rest: RunPodSandbox, status reads, volumes, status write",
                firstSync - image - containers);
        System.out.printf("  %-74s %7.1f%n", "the rest: the watches to the agent and to the client",
                LongStream.of(total).average().orElse(0) / 1e6 - create - start);
    }

    private static double ratio(long[] pods, long[] baseline, double quantile) {
        long[] a = pods.clone();
        long[] b = baseline.clone();
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        return SimulatedScaleBenchmark.percentile(a, quantile) / SimulatedScaleBenchmark.percentile(b, quantile);
    }

    /**
     * {@code ctr run -d} then delete, in a namespace of the benchmark's own on the agent's containerd; with a
     * {@code prefix} (a {@link HostCniView}'s), {@code ctr run -d --cni}: the container's network namespace gets the
     * agent's CNI chain, as a pod's sandbox does. ctr runs no CNI DEL at the delete: each of those containers'
     * addresses stays taken in the agent's IPAM directory (the benchmark's temporary one), which the range allows.
     */
    private static long[] bareRuns(Path socket, List<String> prefix, String image, int count, String name)
            throws Exception {
        ctr(socket, "-n", "bench", "images", "pull", "--plain-http", image);
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            String id = name + "-" + i;
            long start = System.nanoTime();
            if (prefix.isEmpty()) {
                ctr(socket, "-n", "bench", "run", "-d", image, id, "sleep", "3600");
            } else {
                run(prefix, command(socket, "-n", "bench", "run", "-d", "--cni", image, id, "sleep", "3600"));
            }
            latencies[i] = System.nanoTime() - start;
            ctr(socket, "-n", "bench", "tasks", "kill", "-s", "KILL", id);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                ctr(socket, "-n", "bench", "tasks", "delete", id);
                return true;
            });
            ctr(socket, "-n", "bench", "containers", "delete", id);
        }
        return latencies;
    }

    /**
     * What a pod's start costs the runtime alone: the agent's own CRI calls for a new pod (RunPodSandbox with its
     * CNI chain, CreateContainer, StartContainer and the status reads the agent makes), called directly through a
     * second client of the agent's containerd, with no API and no agent loop. The agent ignores these sandboxes: it
     * adopts only those it finds at its start.
     */
    private static long[] directRuns(Path work, Path socket, String pauseImage, String image, int count)
            throws IOException {
        long[] latencies = new long[count];
        try (CriRuntime runtime = CriRuntime.start(work.resolve("direct"), socket, pauseImage, null, null, null)) {
            for (int i = 0; i < count; i++) {
                String name = "direct-" + i;
                String uid = UUID.randomUUID().toString();
                long start = System.nanoTime();
                Sandbox sandbox = runtime.runSandbox(new SandboxConfig(uid, "bench", name, false, name, false, null,
                        ProcessNamespace.CONTAINER, false));
                runtime.startContainer(sandbox, new ContainerConfig("main", 0, name, image, List.of("sleep", "3600"),
                        List.of(), null, Map.of(), List.of(), new ContainerConfig.Resources(0, 0, 0),
                        ContainerConfig.Security.NONE, ContainerConfig.Streams.NONE, null));
                latencies[i] = System.nanoTime() - start;
                runtime.removeSandbox(uid);
            }
        }
        return latencies;
    }

    private static long[] sequential(KubernetesClient client, String prefix, int count, String image,
                                     Map<String, Long> runningAt) {
        return sequential(client, prefix, count, image, runningAt, new long[count]);
    }

    /** @param created filled with each create request's time to its answer */
    private static long[] sequential(KubernetesClient client, String prefix, int count, String image,
                                     Map<String, Long> runningAt, long[] created) {
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            long start = System.nanoTime();
            client.pods().inNamespace("default").resource(pod(name, image, "IfNotPresent")).create();
            created[i] = System.nanoTime() - start;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> runningAt.containsKey(name));
            latencies[i] = runningAt.get(name) - start;
        }
        return latencies;
    }

    /** [ctr's pull times, the agent's], the image removed before each pull. */
    private static long[][] pulls(KubernetesClient client, Path socket, String image, Map<String, Long> runningAt)
            throws Exception {
        long[] bare = new long[PULLS];
        long[] agent = new long[PULLS];
        for (int i = 0; i < PULLS; i++) {
            removeImage(socket);
            long start = System.nanoTime();
            ctr(socket, "-n", "bench", "images", "pull", "--plain-http", image);
            bare[i] = System.nanoTime() - start;
            removeImage(socket);
            String name = "pull-" + i;
            client.pods().inNamespace("default").resource(pod(name, image, "Always")).create();
            await().atMost(Duration.ofSeconds(60)).until(() -> runningAt.containsKey(name));
            agent[i] = pulledIn(client, name);
            client.pods().inNamespace("default").withName(name).withGracePeriod(0).delete();
            await().atMost(Duration.ofSeconds(60)).until(() -> ctr(socket, "containers", "ls", "-q").isBlank()
                    || !ctr(socket, "containers", "ls").contains(name));
        }
        return new long[][] {bare, agent};
    }

    /** The time the agent's Pulled event reports: "Successfully pulled image ... in 0.123s (...)". */
    private static long pulledIn(KubernetesClient client, String pod) {
        Pattern took = Pattern.compile("Successfully pulled image .* in ([0-9.]+)s ");
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.v1().events().inNamespace("default")
                .withField("involvedObject.name", pod).list().getItems().stream().map(Event::getMessage)
                .map(took::matcher).filter(Matcher::find).map(m -> (long) (Double.parseDouble(m.group(1)) * 1e9))
                .findFirst().orElse(-1L), nanos -> nanos >= 0);
    }

    /**
     * No busybox image in either namespace; the garbage collection (--sync) drops its manifest and config, so the
     * next pull fetches them again. Its one layer stays: the pause image (the same busybox) holds it.
     */
    private static void removeImage(Path socket) throws Exception {
        for (String namespace : List.of("bench", "k8s.io")) {
            for (String ref : ctr(socket, "-n", namespace, "images", "ls", "-q").lines().toList()) {
                if (ref.contains("/busybox")) {
                    ctr(socket, "-n", namespace, "images", "rm", "--sync", ref);
                }
            }
        }
    }

    private static Pod pod(String name, String image, String policy) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeName(NODE)
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("main").withImage(image)
                .withImagePullPolicy(policy).withCommand("sleep", "3600").endContainer().endSpec().build();
    }

    private static void deleteAll(KubernetesClient client, Path socket) {
        client.pods().inNamespace("default").withGracePeriod(0).delete();
        await().atMost(Duration.ofMinutes(2)).until(() -> ctr(socket, "containers", "ls", "-q").isBlank());
    }

    private static List<String> command(Path socket, String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        if (Stream.of(args).noneMatch("-n"::equals)) {
            command.addAll(List.of("-n", "k8s.io"));
        }
        command.addAll(List.of(args));
        return command;
    }

    private static String ctr(Path socket, String... args) throws Exception {
        return run(List.of(), command(socket, args));
    }

    private static String run(List<String> prefix, List<String> command) throws Exception {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        Process process = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", all) + ": " + out);
        }
        return out;
    }
}
