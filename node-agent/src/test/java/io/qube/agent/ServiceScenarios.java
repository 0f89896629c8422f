package io.qube.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Services as a user sees them with the real kubectl, end to end: the packaged control plane (scheduler,
 * Deployment, ReplicaSet, Endpoints, EndpointSlice and ServiceAccount controllers, the kubernetes service) and
 * the nodes of the subclass's {@link Cluster}, whose pods get IPs from the cluster's pod CIDRs. A deployment exposed
 * as a service lists its ready pods' IPs in its Endpoints and EndpointSlices, scaling changes them, and `kubectl
 * describe svc` shows them.
 */
abstract class ServiceScenarios extends ClusterScenarios {

    static final Duration PATIENCE = Duration.ofSeconds(90);

    @Test
    void anExposedDeploymentListsItsReadyPodsAndFollowsScaling() throws Exception {
        kubectl.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80", "--", "sleep",
                "3600");
        kubectl.ok("expose", "deployment", "web", "--port=8080", "--target-port=80");
        kubectl.ok("rollout", "status", "deployment/web", "--timeout=80s");

        awaitEndpointsOfReadyPods("web", 3);
        assertThat(readyPodIps("web")).allMatch(ip -> ip.startsWith(cluster.podIpPrefix()));
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
    void awaitEndpointsOfReadyPods(String app, int count) {
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

    static Set<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(word -> !word.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    Set<String> readyPodIps(String app) {
        return cluster.readyPods(NAMESPACE, app).stream().map(pod -> pod.getStatus().getPodIP())
                .filter(java.util.Objects::nonNull).collect(Collectors.toCollection(TreeSet::new));
    }
}
