package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the end-to-end workload scenarios need of a cluster, whatever runs its nodes: the packaged control plane, a
 * client and the real kubectl against it, the names of its nodes, and a node that joins later. {@link
 * SimulatedCluster} runs the nodes in `qube agent --runtime simulated`, {@link ProcessCluster} as real process-runtime
 * agents, so that one scenario class runs against both.
 */
abstract class Cluster implements AutoCloseable {

    final QubeServer qube;
    final KubernetesClient client;
    final Kubectl kubectl;

    /** Starts the control plane with configuration properties ({@code qube.controllers...}). */
    Cluster(Map<String, String> settings) throws IOException {
        qube = QubeServer.start(settings);
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
    }

    /** The nodes this cluster started with, in order. */
    abstract List<String> nodeNames();

    /** Starts one more node, as a machine joining the cluster, waits until it is registered, returns its name. */
    abstract String joinNode() throws Exception;

    /** How every pod IP of this cluster's nodes starts. */
    abstract String podIpPrefix();

    /** The pods labelled {@code app} that are Ready and not being deleted. */
    List<Pod> readyPods(String namespace, String app) {
        return client.pods().inNamespace(namespace).withLabel("app", app).list().getItems().stream()
                .filter(Cluster::ready).toList();
    }

    /** Ready and not being deleted. */
    static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Closes the client and stops the control plane, after the subclass stopped its nodes. */
    void closeControlPlane() throws Exception {
        try {
            client.close();
        } finally {
            qube.close();
        }
    }
}
