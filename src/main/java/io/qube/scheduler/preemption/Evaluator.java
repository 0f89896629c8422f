package io.qube.scheduler.preemption;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints.PostFilterResult;
import io.qube.scheduler.framework.FitError;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Preemption as Kubernetes runs it: among the nodes where removing pods could help, try (a sample of) them with a
 * victim selector, pick the candidate that hurts least, evict its victims and nominate its node for the preemptor.
 */
public final class Evaluator {

    static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
    /** Kubernetes' defaults: try at least 10% of the nodes, and at least 100 of them. */
    private static final int MIN_CANDIDATE_PERCENTAGE = 10;
    private static final int MIN_CANDIDATE_ABSOLUTE = 100;

    private final Handle handle;
    private final VictimSelector selector;

    public Evaluator(Handle handle, VictimSelector selector) {
        this.handle = handle;
        this.selector = selector;
    }

    public PostFilterResult preempt(CycleState state, PodInfo pod, Map<String, Status> rejections) {
        List<NodeInfo> all = handle.snapshot().nodes();
        List<NodeInfo> potential = new ArrayList<>();
        Map<String, Status> outcome = new HashMap<>();
        for (NodeInfo node : all) {
            Status status = rejections.get(node.name());
            if (status != null && status.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                outcome.put(node.name(), Status.unresolvable(NOT_HELPFUL));
            } else {
                potential.add(node);
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        if (!potential.isEmpty()) {
            int wanted = Math.min(potential.size(),
                    Math.max(potential.size() * MIN_CANDIDATE_PERCENTAGE / 100, MIN_CANDIDATE_ABSOLUTE));
            int offset = ThreadLocalRandom.current().nextInt(potential.size());
            for (int i = 0; i < potential.size() && candidates.size() < wanted; i++) {
                NodeInfo node = potential.get((offset + i) % potential.size());
                VictimSelector.Victims victims = selector.select(state.copy(), pod, node.copy());
                if (victims.status().isSuccess()) {
                    candidates.add(new Candidate(node.name(), victims.pods()));
                } else {
                    outcome.put(node.name(), victims.status());
                }
            }
        }
        if (candidates.isEmpty()) {
            return new PostFilterResult(Status.unschedulable("preemption: "
                    + new FitError(pod, all.size(), outcome, "", "").message()), null);
        }
        Candidate best = CandidatePicker.pick(candidates);
        prepare(best, pod);
        return new PostFilterResult(Status.SUCCESS, best.nodeName());
    }

    /** Evicts the victims, and takes the node's nomination from lower-priority pods, whose room is now ours. */
    private void prepare(Candidate candidate, PodInfo pod) {
        handle.recordPreemption(candidate.victims().size());
        for (PodInfo victim : candidate.victims()) {
            handle.actions().evict(victim, pod);
        }
        for (PodInfo nominated : handle.nominator().nominatedPods(candidate.nodeName())) {
            if (nominated.priority() < pod.priority() && !nominated.key().equals(pod.key())) {
                handle.actions().clearNomination(nominated);
            }
        }
    }
}
