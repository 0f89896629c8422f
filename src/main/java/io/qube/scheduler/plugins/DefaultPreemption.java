package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.ExtensionPoints.PostFilterResult;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.preemption.Evaluator;
import io.qube.scheduler.preemption.VictimSelector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Preemption (PostFilter): when a pod fits nowhere, evict lower-priority pods from the node where that hurts least
 * and nominate the node for it. On a node, every lower-priority pod is removed; if the pod then fits, the most
 * important of them are put back one by one as long as it still fits, and the rest are the victims.
 */
public final class DefaultPreemption implements ExtensionPoints.PostFilter, VictimSelector {

    static final String NO_VICTIMS = "No preemption victims found for incoming pod";
    static final String POLICY_NEVER = "preemption: not eligible due to preemptionPolicy=Never.";
    static final String TERMINATING_VICTIM = "preemption: not eligible due to a terminating pod on the nominated node.";

    /** More important first: higher priority, then the earlier started. */
    static final Comparator<PodInfo> MORE_IMPORTANT = Comparator.comparingInt(PodInfo::priority).reversed()
            .thenComparing(PodInfo::startTime);

    private final Handle handle;
    private final Evaluator evaluator;

    public DefaultPreemption(Handle handle) {
        this.handle = handle;
        this.evaluator = new Evaluator(handle, this);
    }

    @Override
    public String name() {
        return Names.DEFAULT_PREEMPTION;
    }

    @Override
    public PostFilterResult postFilter(CycleState state, PodInfo pod, Map<String, Status> rejections) {
        String refusal = ineligibility(pod, rejections);
        if (refusal != null) {
            return new PostFilterResult(Status.unschedulable(refusal), null);
        }
        return evaluator.preempt(state, pod, rejections);
    }

    /** Why the pod may not preempt now, or null if it may. */
    String ineligibility(PodInfo pod, Map<String, Status> rejections) {
        if ("Never".equals(pod.pod().getSpec().getPreemptionPolicy())) {
            return POLICY_NEVER;
        }
        String nominated = pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
        if (nominated == null || nominated.isEmpty()) {
            return null;
        }
        Status onNominated = rejections.get(nominated);
        if (onNominated != null && onNominated.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
            return null;
        }
        // An earlier preemption for this pod is still under way: wait for its victims rather than pick more.
        NodeInfo node = handle.snapshot().get(nominated);
        if (node != null) {
            for (PodInfo placed : node.pods()) {
                if (placed.terminating() && placed.priority() < pod.priority()) {
                    return TERMINATING_VICTIM;
                }
            }
        }
        return null;
    }

    @Override
    public Victims select(CycleState state, PodInfo preemptor, NodeInfo node) {
        Framework framework = handle.framework();
        List<PodInfo> lower = new ArrayList<>();
        for (PodInfo placed : List.copyOf(node.pods())) {
            if (placed.priority() < preemptor.priority()) {
                lower.add(placed);
                node.removePod(placed.key());
                framework.runRemovePod(state, preemptor, placed, node);
            }
        }
        if (lower.isEmpty()) {
            return new Victims(List.of(), Status.unresolvable(NO_VICTIMS));
        }
        Status fits = framework.runFiltersWithNominatedPods(state, preemptor, node);
        if (!fits.isSuccess()) {
            return new Victims(List.of(), fits);
        }
        lower.sort(MORE_IMPORTANT);
        List<PodInfo> victims = new ArrayList<>();
        for (PodInfo candidate : lower) {
            node.addPod(candidate);
            framework.runAddPod(state, preemptor, candidate, node);
            if (!framework.runFiltersWithNominatedPods(state, preemptor, node).isSuccess()) {
                node.removePod(candidate.key());
                framework.runRemovePod(state, preemptor, candidate, node);
                victims.add(candidate);
            }
        }
        return new Victims(victims, Status.SUCCESS);
    }
}
