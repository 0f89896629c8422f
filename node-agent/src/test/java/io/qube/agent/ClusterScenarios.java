package io.qube.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The base of the end-to-end scenario classes: the scenarios are written once and each subclass names the
 * {@link Cluster} they run against (simulated or process-runtime nodes). The class's tests share one cluster, started
 * before the first and closed after the last, when its workloads and pods are deleted first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterScenarios {

    static final String NAMESPACE = "default";

    Cluster cluster;
    KubernetesClient client;
    Kubectl kubectl;

    /** The cluster the class's scenarios share. */
    abstract Cluster startCluster() throws Exception;

    @BeforeAll
    void start() throws Exception {
        cluster = startCluster();
        client = cluster.client;
        kubectl = cluster.kubectl;
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            client.batch().v1().cronjobs().inNamespace(NAMESPACE).delete();
            client.batch().v1().jobs().inNamespace(NAMESPACE).delete();
            client.apps().daemonSets().inNamespace(NAMESPACE).delete();
            client.apps().deployments().inNamespace(NAMESPACE).delete();
            client.apps().replicaSets().inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        } finally {
            cluster.close();
        }
    }

    /** {@code kubectl apply -f} of the manifest, from a file of its own. */
    void apply(String yaml) throws Exception {
        Path manifest = Files.createTempFile("manifest", ".yaml");
        try {
            Files.writeString(manifest, yaml);
            kubectl.ok("apply", "-f", manifest.toString());
        } finally {
            Files.delete(manifest);
        }
    }
}
