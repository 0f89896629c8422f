package io.qube.controller;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.net.URL;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A controller test's view of its @QuarkusTest API: a fabric8 client, a fresh namespace, and the chores that a
 * scheduler and a node would otherwise do for the pods controllers make (none runs in these tests).
 */
public final class ControllerTestClient implements AutoCloseable {

    public final KubernetesClient client;
    public final String namespace;

    public ControllerTestClient(URL server, String namespacePrefix) {
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.toString()).build()).build();
        namespace = namespacePrefix + "-" + Long.toHexString(System.nanoTime());
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
    }

    /** Binds the pod to a node, as a scheduler would. */
    public void bind(String pod, String node) {
        client.raw("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/binding", "POST",
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod
                        + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"" + node + "\"}}");
    }

    /** Running and Ready since now, as a node's agent would report it. */
    public void markReady(String pod) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> new PodBuilder(p).editStatus()
                .withPhase("Running").addToConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                        .withLastTransitionTime(now).build()).endStatus().build());
    }

    /** Ready (or not) since now, the pod's other conditions as they were. */
    public void setReady(String pod, boolean ready) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            Pod edited = new PodBuilder(p).editStatus().withPhase("Running").endStatus().build();
            edited.getStatus().getConditions().removeIf(c -> "Ready".equals(c.getType()));
            edited.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready")
                    .withStatus(ready ? "True" : "False").withLastTransitionTime(now).build());
            return edited;
        });
    }

    /** Bound to the node and Running there with this IP, Ready or not: what a scheduler and an agent would do. */
    public void run(String pod, String node, String ip, boolean ready) {
        bind(pod, node);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            Pod edited = new PodBuilder(p).editStatus().withPhase("Running").withPodIP(ip).withPodIPs(new PodIP(ip))
                    .endStatus().build();
            edited.getStatus().getConditions().removeIf(c -> "Ready".equals(c.getType()));
            edited.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready")
                    .withStatus(ready ? "True" : "False").withLastTransitionTime(now).build());
            return edited;
        });
    }

    /** The pod's IP, as its node's agent reports it. */
    public void setPodIp(String pod, String ip) {
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> new PodBuilder(p).editStatus()
                .withPodIP(ip).withPodIPs(new PodIP(ip)).endStatus().build());
    }

    /** A node as an agent would register it (no agent runs: it is only an object), in this zone if not null. */
    public void createNode(String name, String zone) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata();
        if (zone != null) {
            node.editMetadata().addToLabels("topology.kubernetes.io/zone", zone).endMetadata();
        }
        if (client.nodes().withName(name).get() == null) {
            client.nodes().resource(node.build()).create();
        }
    }

    /** The namespace's events with this reason. */
    public List<Event> events(String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }

    @Override
    public void close() {
        client.close();
    }
}
