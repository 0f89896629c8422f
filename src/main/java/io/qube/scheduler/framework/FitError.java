package io.qube.scheduler.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why a pod fits no node, in Kubernetes' words: "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) didn't
 * match Pod's node affinity/selector. preemption: ...". Reasons are counted over nodes and sorted.
 */
public record FitError(PodInfo pod, int allNodes, Map<String, Status> rejections, String preFilterMessage,
                       String postFilterMessage) {

    public String message() {
        StringBuilder message = new StringBuilder("0/").append(allNodes).append(" nodes are available:");
        if (!preFilterMessage.isEmpty()) {
            // A PreFilter rejection stands for every node; the per-node statuses would only repeat it.
            message.append(' ').append(preFilterMessage).append('.');
        } else {
            Map<String, Integer> counts = new TreeMap<>();
            for (Status status : rejections.values()) {
                for (String reason : status.reasons()) {
                    counts.merge(reason, 1, Integer::sum);
                }
            }
            List<String> parts = new ArrayList<>();
            counts.forEach((reason, count) -> parts.add(count + " " + reason));
            parts.sort(null);
            if (!parts.isEmpty()) {
                message.append(' ').append(String.join(", ", parts)).append('.');
            }
        }
        if (!postFilterMessage.isEmpty()) {
            message.append(' ').append(postFilterMessage);
            if (!postFilterMessage.endsWith(".")) {
                message.append('.');
            }
        }
        return message.toString();
    }
}
