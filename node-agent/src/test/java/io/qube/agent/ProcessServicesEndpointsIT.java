package io.qube.agent;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Service scenarios on two process-runtime nodes (pod IPs 10.83.0.0/24 and 10.83.1.0/24), and what only real
 * probes show: Endpoints and EndpointSlices follow the pods' readiness as an exec probe flips it.
 */
class ProcessServicesEndpointsIT extends ServiceScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return ProcessCluster.start(Map.of(), 2, "psvc");
    }

    @Test
    void endpointsFollowTheReadinessAnExecProbeReports() throws Exception {
        // A container sees the node's file system (docs/process-runtime.md): the probe reads the test's own file.
        Path flag = Files.createTempFile("qube-e2e-ready", ".flag");
        Files.delete(flag);
        try {
            apply("""
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: probed}
                    spec:
                      replicas: 2
                      selector: {matchLabels: {app: probed}}
                      template:
                        metadata: {labels: {app: probed}}
                        spec:
                          containers:
                          - name: main
                            image: nginx:1.27
                            command: [sleep, "3600"]
                            ports: [{containerPort: 80}]
                            readinessProbe:
                              exec: {command: [test, -f, %s]}
                              periodSeconds: 1
                              failureThreshold: 1
                    """.formatted(flag));
            kubectl.ok("expose", "deployment", "probed", "--port=8080", "--target-port=80");

            awaitNotReadyEndpoints("probed", 2);
            Files.writeString(flag, "");
            awaitEndpointsOfReadyPods("probed", 2);
            assertThat(sliceEndpoints("probed")).allMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady()));
            Files.delete(flag);
            awaitNotReadyEndpoints("probed", 2);
        } finally {
            Files.deleteIfExists(flag);
        }
    }

    /** Waits until the service lists all {@code count} running pods, none of them ready, as not ready. */
    private void awaitNotReadyEndpoints(String app, int count) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            Set<String> running = client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems()
                    .stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null
                            && "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getPodIP() != null)
                    .map(pod -> pod.getStatus().getPodIP()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(running).hasSize(count);
            assertThat(readyPodIps(app)).isEmpty();
            assertThat(words(kubectl.ok("get", "endpoints", app, "-o",
                    "jsonpath={.subsets[*].notReadyAddresses[*].ip}"))).isEqualTo(running);
            assertThat(words(kubectl.ok("get", "endpoints", app, "-o",
                    "jsonpath={.subsets[*].addresses[*].ip}"))).isEmpty();
            assertThat(sliceEndpoints(app)).hasSize(count)
                    .allMatch(e -> Boolean.FALSE.equals(e.getConditions().getReady()))
                    .flatExtracting(Endpoint::getAddresses).containsExactlyInAnyOrderElementsOf(running);
        });
    }

    private java.util.List<Endpoint> sliceEndpoints(String app) {
        return client.discovery().v1().endpointSlices().inNamespace(NAMESPACE)
                .withLabel("kubernetes.io/service-name", app).list().getItems().stream()
                .flatMap(slice -> slice.getEndpoints().stream()).toList();
    }
}
