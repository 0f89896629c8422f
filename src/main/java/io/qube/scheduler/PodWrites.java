package io.qube.scheduler;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.scheduler.framework.PodActions;
import io.qube.scheduler.framework.PodInfo;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The scheduler's writes to pods: bindings, its PodScheduled condition and nomination, and preemption's evictions. */
final class PodWrites implements PodActions {

    private static final String STRATEGIC = "application/strategic-merge-patch+json";
    private static final String JSON = "application/json";

    private final ApiRequests api;
    private final EventRecorder events;
    private final String schedulerName;

    PodWrites(ApiRequests api, EventRecorder events, String schedulerName) {
        this.api = api;
        this.events = events;
        this.schedulerName = schedulerName;
    }

    @Override
    public CompletionStage<Void> bind(PodInfo pod, String nodeName) {
        ObjectNode binding = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "Binding");
        binding.putObject("metadata").put("name", pod.name()).put("namespace", pod.namespace()).put("uid", pod.uid());
        binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", nodeName);
        return api.send("POST", ApiRequests.corePath(pod.namespace(), "pods", pod.name(), "binding"), JSON,
                binding.toString());
    }

    /**
     * Marks a pod that fits nowhere: PodScheduled=False with reason Unschedulable (or SchedulerError) and the
     * message, and the node preemption nominated for it, if any. Nothing is written when the pod already says so.
     */
    CompletionStage<Void> markUnschedulable(PodInfo pod, String reason, String message, String nominatedNode) {
        var current = pod.pod().getStatus() == null || pod.pod().getStatus().getConditions() == null ? null
                : pod.pod().getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                .findFirst().orElse(null);
        String currentNomination = pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
        boolean sameCondition = current != null && "False".equals(current.getStatus())
                && reason.equals(current.getReason()) && message.equals(current.getMessage());
        boolean sameNomination = nominatedNode == null || nominatedNode.equals(currentNomination);
        if (sameCondition && sameNomination) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode status = patch.putObject("status");
        ObjectNode condition = status.putArray("conditions").addObject().put("type", "PodScheduled")
                .put("status", "False").put("reason", reason).put("message", message).putNull("lastProbeTime");
        condition.put("lastTransitionTime", current != null && "False".equals(current.getStatus())
                ? current.getLastTransitionTime() : now());
        if (nominatedNode != null) {
            status.put("nominatedNodeName", nominatedNode);
        }
        return patchStatus(pod, patch);
    }

    @Override
    public CompletionStage<Void> evict(PodInfo victim, PodInfo preemptor) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("status").putArray("conditions").addObject().put("type", "DisruptionTarget")
                .put("status", "True").put("reason", "PreemptionByScheduler")
                .put("message", schedulerName + ": preempting to accommodate a higher priority pod")
                .put("lastTransitionTime", now());
        events.normal(victim.pod(), "Preempted", "Preempted by pod " + preemptor.uid() + " on node "
                + victim.nodeName());
        return patchStatus(victim, patch).exceptionally(ignored -> null).thenCompose(done -> api.send("DELETE",
                ApiRequests.corePath(victim.namespace(), "pods", victim.name(), null), JSON,
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"" + victim.uid() + "\"}}"));
    }

    @Override
    public CompletionStage<Void> clearNomination(PodInfo pod) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("status").putNull("nominatedNodeName");
        return patchStatus(pod, patch);
    }

    private CompletionStage<Void> patchStatus(PodInfo pod, ObjectNode patch) {
        return api.send("PATCH", ApiRequests.corePath(pod.namespace(), "pods", pod.name(), "status"), STRATEGIC,
                patch.toString());
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
