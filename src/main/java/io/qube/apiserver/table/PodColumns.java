package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.qube.apiserver.registry.TableColumn;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.qube.apiserver.table.Cells.orNone;

/** {@code kubectl get pods}: NAME READY STATUS RESTARTS AGE; wide: IP NODE NOMINATED NODE READINESS GATES. */
final class PodColumns {

    private PodColumns() {
    }

    static List<TableColumn<? super Pod>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.",
                        (pod, now) -> ready(PodSummary.of(pod))),
                TableColumn.of("Status", "string", "The aggregate status of the containers in this pod.",
                        (pod, now) -> PodSummary.of(pod).status()),
                TableColumn.of("Restarts", "string", "The number of times the containers in this pod have been "
                        + "restarted and when the last container in this pod has restarted.",
                        (pod, now) -> restarts(PodSummary.of(pod), now)),
                CommonColumns.age(),
                TableColumn.wide("IP", "string", "The IP address allocated to the pod.", (pod, now) -> ip(pod)),
                TableColumn.wide("Node", "string", "The node the pod is bound to.",
                        (pod, now) -> orNone(spec(pod).getNodeName())),
                TableColumn.wide("Nominated Node", "string",
                        "The node the scheduler nominated for this pod after preempting others.",
                        (pod, now) -> orNone(status(pod).getNominatedNodeName())),
                TableColumn.wide("Readiness Gates", "string",
                        "How many of the pod's readiness gates hold, of how many.", (pod, now) -> readinessGates(pod)));
    }

    static String ready(PodSummary summary) {
        return summary.readyContainers() + "/" + summary.totalContainers();
    }

    /** "3" or, once a container has been restarted, "3 (5m ago)". */
    static String restarts(PodSummary summary, Instant now) {
        if (summary.restarts() == 0 || summary.lastRestart() == null) {
            return Integer.toString(summary.restarts());
        }
        return summary.restarts() + " (" + Durations.human(Duration.between(summary.lastRestart(), now)) + " ago)";
    }

    private static String ip(Pod pod) {
        PodStatus status = status(pod);
        // podIPs is the dual-stack list whose first entry is podIP; either may be all a writer filled in.
        if (status.getPodIPs() != null && !status.getPodIPs().isEmpty()) {
            return orNone(status.getPodIPs().get(0).getIp());
        }
        return orNone(status.getPodIP());
    }

    private static String readinessGates(Pod pod) {
        List<PodReadinessGate> gates = spec(pod).getReadinessGates();
        if (gates == null || gates.isEmpty()) {
            return Cells.NONE;
        }
        List<PodCondition> conditions = Cells.list(status(pod).getConditions());
        int passing = 0;
        for (PodReadinessGate gate : gates) {
            for (PodCondition condition : conditions) {
                if (condition.getType() != null && condition.getType().equals(gate.getConditionType())) {
                    if ("True".equals(condition.getStatus())) {
                        passing++;
                    }
                    break;
                }
            }
        }
        return passing + "/" + gates.size();
    }

    private static PodSpec spec(Pod pod) {
        return pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    }

    private static PodStatus status(Pod pod) {
        return pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    }
}
