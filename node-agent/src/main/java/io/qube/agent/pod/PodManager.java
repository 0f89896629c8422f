package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.endpoint.ContainerLocator;
import io.qube.agent.metrics.KubeletMetrics;
import io.qube.agent.node.NodePressure;
import io.qube.agent.runtime.ContainerRuntime;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs the pods bound to one node on a runtime: the pod source, the workers and what they share. */
public final class PodManager implements ContainerLocator, AutoCloseable {

    private final PodWorkers workers;
    private final PodSource source;
    private final PodEvents events;
    private final Probes probes;

    private PodManager(PodWorkers workers, PodSource source, PodEvents events, Probes probes) {
        this.workers = workers;
        this.source = source;
        this.events = events;
        this.probes = probes;
    }

    /**
     * @param hostIp      the node's InternalIP (pods in the node's network have it as their IP)
     * @param allocatable the node's allocatable resources, for admission and the downward API
     * @param dns         the pods' resolv.conf rules, null for a runtime that leaves pods the node's resolv.conf
     * @param metrics     the node's kubelet metrics
     */
    public static PodManager start(KubernetesClient client, ContainerRuntime runtime, String node, String hostIp,
                                   Map<String, Quantity> allocatable, NodePressure pressure, PodDns dns,
                                   KubeletMetrics metrics) throws IOException {
        PodEvents events = new PodEvents(client, node);
        Probes probes = new Probes(runtime);
        PodSources sources = new PodSources(client);
        NodeServices services = new NodeServices(client, runtime, node, hostIp, allocatable, events,
                new CrashBackoff(), sources, new PodVolumes(sources), probes,
                runtime.images().map(images -> new ImagePulls(images, events, sources)).orElse(null), pressure,
                dns, metrics);
        PodWorkers workers = new PodWorkers(services);
        workers.adopt();
        PodSource source = new PodSource(client, node, workers);
        workers.startRelist();
        return new PodManager(workers, source, events, probes);
    }

    @Override
    public String containerId(String namespace, String name, String container, boolean previous) throws NotFound {
        Pod pod = workers.pod(namespace, name);
        if (pod == null) {
            throw new NotFound(404, "pod \"" + name + "\" in namespace \"" + namespace + "\" is not on this node");
        }
        ContainerStatus status = pod.getStatus() == null ? null : Stream.of(pod.getStatus().getContainerStatuses(),
                        pod.getStatus().getInitContainerStatuses(), pod.getStatus().getEphemeralContainerStatuses())
                .flatMap(List::stream).filter(s -> s.getName().equals(container)).findFirst().orElse(null);
        boolean known = Stream.concat(Stream.concat(pod.getSpec().getContainers().stream(),
                        pod.getSpec().getInitContainers().stream()).map(c -> c.getName()),
                pod.getSpec().getEphemeralContainers().stream().map(c -> c.getName())).anyMatch(container::equals);
        if (!known) {
            throw new NotFound(400, "container " + container + " is not valid for pod " + name);
        }
        ContainerStateTerminated last = status == null || status.getLastState() == null ? null
                : status.getLastState().getTerminated();
        if (previous) {
            if (last == null || last.getContainerID() == null) {
                throw new NotFound(400, "previous terminated container \"" + container + "\" in pod \"" + name
                        + "\" not found");
            }
            return runtimeId(last.getContainerID());
        }
        if (status != null && status.getState() != null && status.getState().getWaiting() == null
                && status.getContainerID() != null) {
            return runtimeId(status.getContainerID());
        }
        if (last != null && last.getContainerID() != null) {
            return runtimeId(last.getContainerID());
        }
        String reason = status == null || status.getState() == null || status.getState().getWaiting() == null
                ? "ContainerCreating" : status.getState().getWaiting().getReason();
        throw new NotFound(400, "container \"" + container + "\" in pod \"" + name + "\" is waiting to start: "
                + reason);
    }

    @Override
    public PodAddress podAddress(String namespace, String name) throws NotFound {
        Pod pod = workers.pod(namespace, name);
        if (pod == null || pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
            throw new NotFound(404, "pod \"" + name + "\" in namespace \"" + namespace + "\" has no address on this "
                    + "node");
        }
        return new PodAddress(pod.getMetadata().getUid(), pod.getStatus().getPodIP(),
                Boolean.TRUE.equals(pod.getSpec().getHostNetwork()));
    }

    /** The pods this node runs that have not ended. */
    public List<Pod> active() {
        return workers.active();
    }

    /** Evicts the pod (its containers stopped at once, the pod Failed with reason Evicted and this message). */
    public void evict(String podUid, String message) {
        workers.evict(podUid, message);
    }

    /** The runtime's id in a status's containerID ({@code <runtime>://<id>}). */
    private static String runtimeId(String containerId) {
        return containerId.substring(containerId.indexOf("://") + 3);
    }

    @Override
    public void close() {
        source.close();
        workers.close();
        probes.close();
        events.close();
    }
}
