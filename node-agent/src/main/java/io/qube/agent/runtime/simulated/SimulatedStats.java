package io.qube.agent.runtime.simulated;

import io.fabric8.kubernetes.api.model.Pod;
import io.qube.agent.metrics.KubeletMetrics;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxStatus;
import io.qube.agent.stats.ResourceSampler.ContainerSample;
import io.qube.agent.stats.ResourceSampler.PodSample;
import io.qube.agent.stats.ResourceSampler.Reading;
import io.qube.agent.stats.ResourceSampler.Snapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What each simulated node runs, for its endpoint: the pods running on it with their containers' usage
 * ({@link SimulatedUsage}), the node's kubelet metrics, and its figures in the form the sampler of a real node
 * gives them, computed when asked (the model needs no sampling). The node's cpu counter keeps the cpu time of pods
 * that ended, so that it never goes back.
 */
public final class SimulatedStats {

    private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();
    private final Instant nodeStart;

    public SimulatedStats(Collection<String> nodeNames, Instant nodeStart) {
        this.nodeStart = nodeStart;
        nodeNames.forEach(name -> nodes.put(name, new NodeState(new KubeletMetrics(name))));
    }

    /** The pod runs on the node from {@code startedAt}, every container of it. */
    public void started(String node, Pod pod, Instant startedAt) {
        NodeState state = nodes.get(node);
        List<RunningContainer> containers = pod.getSpec().getContainers().stream().map(container ->
                new RunningContainer(SimulatedPods.containerId(pod, container.getName()), container.getName(),
                        SimulatedUsage.of(container))).toList();
        RunningPod running = new RunningPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), startedAt, containers);
        if (state.pods.putIfAbsent(running.uid(), running) == null) {
            state.metrics.sandboxStarted();
            containers.forEach(c -> state.metrics.containerStarted("container"));
        }
    }

    /** The pod ended (or is gone) at {@code endedAt}: its cpu time stays in the node's. */
    public void ended(String node, String uid, Instant endedAt) {
        NodeState state = nodes.get(node);
        RunningPod pod = state == null ? null : state.pods.remove(uid);
        if (pod != null) {
            state.endedCpuNanos.addAndGet(pod.containers().stream()
                    .mapToLong(c -> c.usage().cpuNanos(pod.startedAt(), endedAt)).sum());
        }
    }

    public KubeletMetrics metrics(String node) {
        return nodes.get(node).metrics;
    }

    /** The node's running pods as sandboxes, for its metrics and health paths. */
    public List<SandboxStatus> sandboxes(String node) {
        return nodes.get(node).pods.values().stream().map(pod -> new SandboxStatus(
                new Sandbox(pod.uid(), null, null, null), pod.namespace(), pod.name(), pod.containers().stream()
                .map(c -> new ContainerStatus(c.id(), c.name(), 0, true, 0, pod.startedAt(), null, 0, null, null,
                        null)).toList())).toList();
    }

    /** The node's figures at {@code now}: each running container's, the node's their sum and the system share. */
    public Snapshot snapshot(String node, Instant now) {
        NodeState state = nodes.get(node);
        long monotonic = System.nanoTime();
        List<PodSample> pods = new ArrayList<>();
        long podCpuNanos = 0;
        SimulatedUsage total = SimulatedUsage.SYSTEM;
        for (RunningPod pod : state.pods.values()) {
            List<ContainerSample> containers = new ArrayList<>();
            for (RunningContainer container : pod.containers()) {
                ContainerUsage usage = container.usage().at(pod.startedAt(), now);
                podCpuNanos += usage.cpuNanos();
                total = total.plus(container.usage());
                containers.add(new ContainerSample(container.name(), pod.startedAt(),
                        new Reading(now, monotonic, usage, container.usage().nanoCores())));
            }
            pods.add(new PodSample(pod.namespace(), pod.name(), pod.uid(), containers));
        }
        long nodeCpuNanos = SimulatedUsage.SYSTEM.cpuNanos(nodeStart, now) + state.endedCpuNanos.get() + podCpuNanos;
        ContainerUsage nodeUsage = new ContainerUsage(nodeCpuNanos, total.workingSetBytes(),
                total.workingSetBytes(), total.workingSetBytes());
        return new Snapshot(nodeStart, new Reading(now, monotonic, nodeUsage, total.nanoCores()), List.copyOf(pods),
                false);
    }

    private record NodeState(KubeletMetrics metrics, Map<String, RunningPod> pods, AtomicLong endedCpuNanos) {
        NodeState(KubeletMetrics metrics) {
            this(metrics, new ConcurrentHashMap<>(), new AtomicLong());
        }
    }

    private record RunningPod(String namespace, String name, String uid, Instant startedAt,
                              List<RunningContainer> containers) {
    }

    private record RunningContainer(String id, String name, SimulatedUsage usage) {
    }
}
