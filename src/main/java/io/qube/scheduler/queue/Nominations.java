package io.qube.scheduler.queue;

import io.qube.scheduler.framework.Nominator;
import io.qube.scheduler.framework.PodInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Which pending pods preemption made room for on which node (status.nominatedNodeName, or this scheduler's own). */
public final class Nominations implements Nominator {

    private final Map<String, List<PodInfo>> byNode = new HashMap<>();
    private final Map<String, String> nodeByPod = new HashMap<>();
    /** Whether any pod is nominated: Filter asks for every node of every cycle, and nearly always there is none. */
    private volatile boolean any;

    @Override
    public List<PodInfo> nominatedPods(String nodeName) {
        if (!any) {
            return List.of();
        }
        synchronized (this) {
            List<PodInfo> pods = byNode.get(nodeName);
            return pods == null ? List.of() : List.copyOf(pods);
        }
    }

    /** Records the pod's nomination: {@code nodeName}, or else what its status says; none clears it. */
    public synchronized void nominate(PodInfo pod, String nodeName) {
        remove(pod.key());
        String node = nodeName;
        if (node == null || node.isEmpty()) {
            node = pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
        }
        if (node == null || node.isEmpty()) {
            return;
        }
        nodeByPod.put(pod.key(), node);
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
        any = true;
    }

    public synchronized void remove(String podKey) {
        String node = nodeByPod.remove(podKey);
        if (node != null) {
            List<PodInfo> pods = byNode.get(node);
            pods.removeIf(p -> p.key().equals(podKey));
            if (pods.isEmpty()) {
                byNode.remove(node);
            }
            any = !byNode.isEmpty();
        }
    }

    public synchronized String nominatedNode(String podKey) {
        return nodeByPod.get(podKey);
    }
}
