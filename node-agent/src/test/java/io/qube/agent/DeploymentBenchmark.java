package io.qube.agent;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.awaitility.Awaitility.await;

/**
 * Issue 10's figure, in one run against one packaged control plane (scheduler and controllers in it) and N
 * simulated nodes of one agent: the baseline, a bare loop creating D x R pods directly through the API (the
 * scheduler binds them) until all are Running; then D Deployments of R replicas each until all are Available; then
 * a rolling update of all of them until every one is complete. Warm-up rounds of a tenth of each (bare pods,
 * Deployments, their rolling update, then deleted) run first, until the control plane's JIT compilers take at most a
 * tenth of its CPU in a round: a server runs warm, and C2 took 40 % of the CPU of a run after one small round. Prints pods/s for each, with the control plane's CPU time and resident memory read
 * from /proc. Run with bench/agent.sh --deployments [nodes [deployments [replicas]]].
 */
public final class DeploymentBenchmark {

    private static final int CLIENTS = 16;

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int deployments = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        try (SimulatedCluster cluster = SimulatedCluster.start(nodes, "sim", "--cpu", "64", "--memory", "256Gi",
                "--max-pods", "250")) {
            run(cluster, deployments, replicas);
        }
    }

    private static void run(SimulatedCluster cluster, int deployments, int replicas) throws Exception {
        KubernetesClient client = cluster.client;
        String url = cluster.qube.url();
        long pid = cluster.qube.pid();
        int pods = deployments * replicas;

        String warmUp = warmUp(client, url, pid, Math.max(1, deployments / 10), replicas);

        String before = SimulatedScaleBenchmark.usage(pid);
        double cpuBefore = SimulatedScaleBenchmark.cpuSeconds(pid, false);
        ApiRequestCounts requestsBefore = ApiRequestCounts.read(url);
        double bare = barePodsRunning(client, url, "bare", pods);
        String afterBare = SimulatedScaleBenchmark.usage(pid);
        double bareCpu = SimulatedScaleBenchmark.cpuSeconds(pid, false) - cpuBefore;
        String bareRequests = ApiRequestCounts.read(url).perUnitSince(requestsBefore, pods);
        deleteNamespace(client, "bare");

        String beforeDeployments = SimulatedScaleBenchmark.usage(pid);
        double cpuBeforeDeployments = SimulatedScaleBenchmark.cpuSeconds(pid, false);
        ApiRequestCounts requestsBeforeDeployments = ApiRequestCounts.read(url);
        double available = deploymentsAvailable(client, url, "bench", deployments, replicas);
        String afterAvailable = SimulatedScaleBenchmark.usage(pid);
        double cpuAvailable = SimulatedScaleBenchmark.cpuSeconds(pid, false);
        ApiRequestCounts requestsAvailable = ApiRequestCounts.read(url);
        double rolled = rollingUpdate(client, url, "bench", deployments, replicas);
        String afterRollout = SimulatedScaleBenchmark.usage(pid);
        double cpuRolled = SimulatedScaleBenchmark.cpuSeconds(pid, false);
        ApiRequestCounts requestsRolled = ApiRequestCounts.read(url);

        System.out.printf("Deployments end to end (issue 10), %s, %d cores, %d simulated nodes%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), cluster.client.nodes().list().getItems().size());
        System.out.printf("  warm-up: %s%n", warmUp);
        System.out.printf("  baseline, bare pods through the API: %,d pods Running in %.1f s (%,.0f pods/s)%n",
                pods, bare, pods / bare);
        System.out.printf("  %d Deployments x %d replicas: all Available in %.1f s (%,.0f pods/s; target >= 500)%n",
                deployments, replicas, available, pods / available);
        System.out.printf("  rolling update of all of them: complete in %.1f s (%,.0f pods replaced/s)%n", rolled,
                pods / rolled);
        System.out.printf("  control plane: before the baseline %s; after it %s%n", before, afterBare);
        System.out.printf("  control plane: before the Deployments %s; Available %s; rolled %s%n",
                beforeDeployments, afterAvailable, afterRollout);
        // Per pod, the nodes' heartbeats during the phase included (they are part of what a phase costs).
        System.out.printf("  control plane CPU per pod: baseline %.1f ms, Deployments %.1f ms, rollout %.1f ms%n",
                bareCpu * 1000 / pods, (cpuAvailable - cpuBeforeDeployments) * 1000 / pods,
                (cpuRolled - cpuAvailable) * 1000 / pods);
        System.out.printf("  API requests per pod, baseline: %s%n", bareRequests);
        System.out.printf("  API requests per pod, Deployments: %s%n",
                requestsAvailable.perUnitSince(requestsBeforeDeployments, pods));
        System.out.printf("  API requests per pod, rollout: %s%n", requestsRolled.perUnitSince(requestsAvailable, pods));
    }

    /**
     * Rounds of the three phases at a tenth of the size, each deleted after, until the JIT compilers used at most a
     * tenth of the control plane's CPU during a round (the second round at the earliest, eight at most).
     */
    private static String warmUp(KubernetesClient client, String url, long pid, int deployments, int replicas)
            throws Exception {
        StringBuilder rounds = new StringBuilder();
        for (int round = 1; ; round++) {
            double cpu = SimulatedScaleBenchmark.cpuSeconds(pid, false);
            double compilers = SimulatedScaleBenchmark.compilerCpuSeconds(pid);
            barePodsRunning(client, url, "warmup-bare", deployments * replicas);
            deploymentsAvailable(client, url, "warmup", deployments, replicas);
            rollingUpdate(client, url, "warmup", deployments, replicas);
            deleteNamespace(client, "warmup-bare");
            deleteNamespace(client, "warmup");
            cpu = SimulatedScaleBenchmark.cpuSeconds(pid, false) - cpu;
            compilers = SimulatedScaleBenchmark.compilerCpuSeconds(pid) - compilers;
            rounds.append(String.format("%sround %d: JIT compilers %.1f s of the control plane's %.1f s",
                    round == 1 ? "" : "; ", round, compilers, cpu));
            if (round >= 8 || round >= 2 && compilers <= cpu / 10) {
                return rounds + String.format(" (each: %d bare pods, %d Deployments x %d Available and rolled, "
                        + "deleted after)", deployments * replicas, deployments, replicas);
            }
        }
    }

    /** Seconds from the first create until every pod of the namespace is Running, seen by a watch. */
    private static double barePodsRunning(KubernetesClient client, String url, String namespace, int pods)
            throws Exception {
        createNamespace(client, namespace);
        CountDownLatch running = new CountDownLatch(pods);
        try (RunningWatch watch = RunningWatch.open(url, namespace, name -> running.countDown())) {
            long start = System.nanoTime();
            post(url + "/api/v1/namespaces/" + namespace + "/pods", pods, i -> client.getKubernetesSerialization()
                    .asJson(new PodBuilder().withNewMetadata().withName("pod-" + i).endMetadata().withNewSpec()
                            .addNewContainer().withName("main").withImage("nginx").endContainer().endSpec().build()));
            if (!running.await(15, TimeUnit.MINUTES)) {
                throw new IllegalStateException(running.getCount() + " bare pods never ran");
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Seconds from the first create until every Deployment reports all its replicas available. */
    private static double deploymentsAvailable(KubernetesClient client, String url, String namespace, int count,
                                               int replicas) throws Exception {
        createNamespace(client, namespace);
        long start = System.nanoTime();
        post(url + "/apis/apps/v1/namespaces/" + namespace + "/deployments", count, i -> client
                .getKubernetesSerialization().asJson(deployment("app-" + i, replicas, "nginx:1.27")));
        awaitComplete(client, namespace, count, replicas);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds from the first image change until every Deployment has only updated, available replicas. */
    private static double rollingUpdate(KubernetesClient client, String url, String namespace, int count,
                                        int replicas) throws Exception {
        long start = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        inParallel(count, i -> {
            HttpResponse<Void> patched = http.send(HttpRequest.newBuilder(URI.create(url + "/apis/apps/v1/namespaces/"
                            + namespace + "/deployments/app-" + i))
                    .header("Content-Type", "application/strategic-merge-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{\"template\":{\"spec\":"
                            + "{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.28\"}]}}}}")).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (patched.statusCode() != 200) {
                throw new IllegalStateException("patching app-" + i + " answered " + patched.statusCode());
            }
        });
        awaitComplete(client, namespace, count, replicas);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Waits until every Deployment's controller has seen its spec and all its replicas are updated and available. */
    private static void awaitComplete(KubernetesClient client, String namespace, int count, int replicas) {
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<Deployment> all = client.apps().deployments().inNamespace(namespace).list().getItems();
            return all.size() == count && all.stream().allMatch(d -> {
                DeploymentStatus status = d.getStatus();
                return status != null && status.getObservedGeneration() != null
                        && status.getObservedGeneration() >= d.getMetadata().getGeneration()
                        && equal(status.getUpdatedReplicas(), replicas) && equal(status.getAvailableReplicas(), replicas)
                        && equal(status.getReplicas(), replicas);
            });
        });
    }

    private static boolean equal(Integer value, int expected) {
        return value != null && value == expected;
    }

    private static Deployment deployment(String name, int replicas, String image) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName("main").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    /** POSTs {@code count} bodies with 16 plain HTTP clients (light as client-go, unlike fabric8's typed create). */
    private static void post(String collection, int count, IntFunction<String> body) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        inParallel(count, i -> {
            HttpResponse<Void> created = http.send(HttpRequest.newBuilder(URI.create(collection))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.apply(i))).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (created.statusCode() != 201) {
                throw new IllegalStateException("creating item " + i + " answered " + created.statusCode());
            }
        });
    }

    private interface Step {
        void run(int index) throws Exception;
    }

    private static void inParallel(int count, Step step) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                done.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        step.run(i);
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

    private static void createNamespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
    }

    private static void deleteNamespace(KubernetesClient client, String name) {
        client.namespaces().withName(name).delete();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> client.namespaces().withName(name).get() == null);
    }
}
