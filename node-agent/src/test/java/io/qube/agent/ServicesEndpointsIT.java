package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Services as a user sees them with the real kubectl, end to end: the packaged control plane (scheduler,
 * Deployment, ReplicaSet, Endpoints, EndpointSlice and ServiceAccount controllers, the kubernetes service) and
 * two simulated nodes a real `qube agent --runtime simulated` runs, whose pods get IPs from 10.240.0.0/12. A
 * deployment exposed as a service lists its ready pods' IPs in its Endpoints and EndpointSlices, scaling changes
 * them, and `kubectl describe svc` shows them.
 */
class ServicesEndpointsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String NAMESPACE = "default";

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;

    @BeforeAll
    static void startClusterOfTwoSimulatedNodes() throws Exception {
        cluster = SimulatedCluster.start(2, "svc", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
        client = cluster.client;
        kubectl = cluster.kubectl;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            client.apps().deployments().inNamespace(NAMESPACE).delete();
            client.apps().replicaSets().inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        } finally {
            cluster.close();
        }
    }

    @Test
    void anExposedDeploymentListsItsReadyPodsAndFollowsScaling() throws Exception {
        kubectl.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80");
        kubectl.ok("expose", "deployment", "web", "--port=8080", "--target-port=80");
        kubectl.ok("rollout", "status", "deployment/web", "--timeout=80s");

        awaitEndpointsOfReadyPods("web", 3);
        assertThat(readyPodIps("web")).allMatch(ip -> ip.startsWith("10.24"));
        String table = kubectl.ok("get", "endpoints", "web");
        for (String ip : readyPodIps("web")) {
            assertThat(table).contains(ip + ":80");
        }
        assertThat(kubectl.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=web"))
                .containsPattern("web-\\w+\\s+IPv4\\s+80\\s+");
        assertThat(kubectl.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o",
                "jsonpath={.items[*].metadata.labels.endpointslice\\.kubernetes\\.io/managed-by}"))
                .isEqualTo("endpointslice-controller.k8s.io");

        kubectl.ok("scale", "deployment/web", "--replicas=5");
        kubectl.ok("rollout", "status", "deployment/web", "--timeout=80s");
        awaitEndpointsOfReadyPods("web", 5);

        kubectl.ok("scale", "deployment/web", "--replicas=2");
        awaitEndpointsOfReadyPods("web", 2);

        String describe = kubectl.ok("describe", "svc", "web");
        assertThat(describe).containsPattern("TargetPort:\\s+80/TCP");
        String endpointsLine = describe.lines().filter(line -> line.startsWith("Endpoints:")).findFirst()
                .orElseThrow(() -> new AssertionError("no Endpoints line in:\n" + describe));
        for (String ip : readyPodIps("web")) {
            assertThat(endpointsLine).contains(ip + ":80");
        }

        kubectl.ok("delete", "service", "web");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(kubectl.run("get", "endpoints", "web").out()).contains("NotFound");
            assertThat(kubectl.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=web"))
                    .contains("No resources found");
        });
    }

    @Test
    void theClusterHasTheKubernetesServiceAndDefaultServiceAccounts() throws Exception {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(kubectl.ok("get", "service", "kubernetes"))
                    .containsPattern("kubernetes\\s+ClusterIP\\s+10\\.96\\.0\\.1\\s+<none>\\s+443/TCP");
            assertThat(kubectl.ok("get", "endpoints", "kubernetes")).contains("127.0.0.1:" + cluster.qube.port());
            assertThat(kubectl.ok("get", "serviceaccount", "default", "-n", "kube-system")).contains("default");
        });
    }

    /** Waits until the service's Endpoints and EndpointSlices list exactly the IPs of its {@code count} ready pods. */
    private void awaitEndpointsOfReadyPods(String app, int count) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            Set<String> ready = readyPodIps(app);
            assertThat(ready).hasSize(count);
            assertThat(words(kubectl.ok("get", "endpoints", app, "-o",
                    "jsonpath={.subsets[*].addresses[*].ip}"))).isEqualTo(ready);
            assertThat(words(kubectl.ok("get", "endpoints", app, "-o",
                    "jsonpath={.subsets[*].notReadyAddresses[*].ip}"))).isEmpty();
            assertThat(words(kubectl.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=" + app, "-o",
                    "jsonpath={.items[*].endpoints[*].addresses[*]}"))).isEqualTo(ready);
        });
    }

    private static Set<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(word -> !word.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> readyPodIps(String app) {
        List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems();
        return pods.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                        && pod.getStatus().getPodIP() != null && pod.getStatus().getConditions() != null
                        && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .map(pod -> pod.getStatus().getPodIP())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
