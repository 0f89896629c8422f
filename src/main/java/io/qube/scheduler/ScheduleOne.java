package io.qube.scheduler;

import io.qube.client.EventRecorder;
import io.qube.scheduler.cache.SchedulerCache;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints.PostFilterResult;
import io.qube.scheduler.framework.FitError;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.queue.Nominations;
import io.qube.scheduler.queue.QueuedPodInfo;
import io.qube.scheduler.queue.SchedulingQueue;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One pod's trip through the scheduler, top to bottom. The scheduling cycle runs on the scheduling thread, one pod
 * at a time, against a snapshot: filter the nodes (a share of them in big clusters), score the feasible ones, pick
 * the best, assume the pod there in the cache, reserve, permit. The binding cycle (PreBind, Bind, PostBind) then runs
 * on a binding thread, so the next pod is scheduled while this one's volumes and binding are on their way; a failed
 * binding forgets the assumption.
 */
final class ScheduleOne {

    private static final Logger LOG = Logger.getLogger(ScheduleOne.class);
    static final String NO_NODES = "no nodes available to schedule pods";

    /**
     * Why a cycle found no node: every node's rejection, the plugins that rejected, a PreFilter's message. Cycles
     * that succeed reject nodes too (tainted ones, say), so rejections are kept as two lists and become a map only
     * for a pod that fits nowhere.
     */
    private static final class Diagnosis {
        private final List<String> nodes = new ArrayList<>();
        private final List<Status> statuses = new ArrayList<>();
        final Set<String> rejectingPlugins = new HashSet<>();
        String preFilterMessage = "";

        void reject(String node, Status status) {
            nodes.add(node);
            statuses.add(status);
            rejectingPlugins.add(status.plugin());
        }

        Map<String, Status> rejections() {
            Map<String, Status> byNode = new HashMap<>(nodes.size() * 2);
            for (int i = 0; i < nodes.size(); i++) {
                byNode.put(nodes.get(i), statuses.get(i));
            }
            return byNode;
        }
    }

    private final Framework framework;
    private final SchedulerCache cache;
    private final SchedulingQueue queue;
    private final Snapshot snapshot;
    private final Nominations nominations;
    private final PodWrites writes;
    private final EventRecorder events;
    private final SchedulerMetrics metrics;
    private final int percentageOfNodesToScore;
    private final Executor binding;
    /** Where the next cycle starts filtering, so that successive pods look at different nodes first. */
    private int nextStartNodeIndex;

    ScheduleOne(Framework framework, SchedulerCache cache, SchedulingQueue queue, Snapshot snapshot,
                Nominations nominations, PodWrites writes, EventRecorder events, SchedulerMetrics metrics,
                int percentageOfNodesToScore, Executor binding) {
        this.framework = framework;
        this.cache = cache;
        this.queue = queue;
        this.snapshot = snapshot;
        this.nominations = nominations;
        this.writes = writes;
        this.events = events;
        this.metrics = metrics;
        this.percentageOfNodesToScore = percentageOfNodesToScore;
        this.binding = binding;
    }

    void run(QueuedPodInfo queued) {
        long start = System.nanoTime();
        long cycle = queue.schedulingCycle();
        PodInfo pod = queued.pod();
        if (pod.terminating() || cache.contains(pod.key())) {
            queue.done(pod.key());
            return;
        }
        CycleState state = new CycleState();
        cache.updateSnapshot(snapshot);

        // Scheduling cycle.
        Diagnosis diagnosis = new Diagnosis();
        String node;
        try {
            node = schedulePod(state, pod, diagnosis);
        } catch (RuntimeException e) {
            LOG.warnf(e, "scheduling pod %s failed", pod.key());
            fail(queued, cycle, "SchedulerError", String.valueOf(e.getMessage()), null, Set.of(), true, start);
            return;
        }
        if (node == null) {
            unschedulable(state, queued, cycle, diagnosis, start);
            return;
        }
        PodInfo assumed = pod.assumedOn(node);
        cache.assume(assumed);
        Status reserved = framework.runReserve(state, assumed, node);
        Status permitted = reserved.isSuccess() ? framework.runPermit(state, assumed, node) : reserved;
        if (!permitted.isSuccess()) {
            framework.runUnreserve(state, assumed, node);
            cache.forget(pod.key());
            fail(queued, cycle, permitted.isRejected() ? "Unschedulable" : "SchedulerError", permitted.message(), null,
                    Set.of(permitted.plugin()), !permitted.isRejected(), start);
            return;
        }
        queue.done(pod.key());
        nominations.remove(pod.key());

        // Binding cycle, on a binding thread: PreBind may wait long for volumes, and the next pod need not wait.
        try {
            binding.execute(() -> {
                try {
                    bindingCycle(state, queued, assumed, node, start);
                } catch (RuntimeException e) {
                    // A bug, or the client closing under a waiting PreBind as the scheduler stops: the pod is
                    // forgotten here and tried again (by the next leader, if this scheduler is stopping).
                    LOG.warnf(e, "binding cycle of pod %s failed", pod.key());
                    framework.runUnreserve(state, assumed, node);
                    cache.forget(pod.key());
                    queue.requeueAfterBindFailure(queued);
                }
            });
        } catch (RejectedExecutionException closing) {
            // The scheduler is closing: the pod stays pending for the next leader.
            framework.runUnreserve(state, assumed, node);
            cache.forget(pod.key());
        }
    }

    private void bindingCycle(CycleState state, QueuedPodInfo queued, PodInfo assumed, String node, long start) {
        Status preBound = framework.runPreBind(state, assumed, node);
        if (!preBound.isSuccess() && !framework.handle().podExists(assumed)) {
            podGone(state, assumed, node, start);
            return;
        }
        if (!preBound.isSuccess()) {
            bindingFailed(state, queued, assumed, node, "running PreBind plugin \"" + preBound.plugin() + "\": "
                    + preBound.message(), start);
            return;
        }
        framework.runBind(state, assumed, node).whenComplete((status, failure) -> {
            if (failure != null || !status.isSuccess()) {
                String message = failure != null ? failure.getMessage() : status.message();
                if (message != null && message.contains(": 404 ")) {
                    podGone(state, assumed, node, start);
                    return;
                }
                bindingFailed(state, queued, assumed, node, "Binding rejected: " + message, start);
                return;
            }
            framework.runPostBind(state, assumed, node);
            metrics.attempt("scheduled", System.nanoTime() - start);
            metrics.scheduled(queued.attempts(),
                    Duration.ofMillis(System.currentTimeMillis() - queued.initialAttemptTimestamp()));
            events.normal(assumed.pod(), "Scheduled", "Successfully assigned " + assumed.key() + " to " + node);
        });
    }

    /** The node for the pod, or null with the diagnosis filled in when no node fits. */
    private String schedulePod(CycleState state, PodInfo pod, Diagnosis diagnosis) {
        List<NodeInfo> all = snapshot.nodes();
        if (all.isEmpty()) {
            diagnosis.preFilterMessage = NO_NODES;
            return null;
        }
        List<NodeInfo> feasible = findNodesThatFit(state, pod, diagnosis);
        if (feasible.isEmpty()) {
            return null;
        }
        if (feasible.size() == 1) {
            return feasible.get(0).name();
        }
        Status preScored = framework.runPreScore(state, pod, feasible);
        if (!preScored.isSuccess()) {
            throw new IllegalStateException("PreScore " + preScored.plugin() + ": " + preScored.message());
        }
        long[] scores = framework.runScore(state, pod, feasible);
        return selectHost(feasible, scores);
    }

    private List<NodeInfo> findNodesThatFit(CycleState state, PodInfo pod, Diagnosis diagnosis) {
        List<NodeInfo> all = snapshot.nodes();
        Framework.PreFilterOutcome preFiltered = framework.runPreFilter(state, pod, all);
        Status status = preFiltered.status();
        if (!status.isSuccess()) {
            if (!status.isRejected()) {
                throw new IllegalStateException("PreFilter " + status.plugin() + ": " + status.message());
            }
            for (NodeInfo node : all) {
                diagnosis.reject(node.name(), status);
            }
            diagnosis.preFilterMessage = status.message();
            return List.of();
        }
        // A pod that preemption made room for tries its nominated node first.
        String nominated = pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
        if (nominated != null && !nominated.isEmpty()) {
            NodeInfo node = snapshot.get(nominated);
            if (node != null && node.node() != null
                    && (preFiltered.nodeNames() == null || preFiltered.nodeNames().contains(nominated))
                    && framework.runFiltersWithNominatedPods(state, pod, node).isSuccess()) {
                return List.of(node);
            }
        }
        List<NodeInfo> candidates = all;
        if (preFiltered.nodeNames() != null) {
            candidates = new ArrayList<>();
            // Nodes a PreFilter ruled out are rejected in its name, so the message accounts for every node.
            Status ruledOut = Status.unresolvable("node(s) didn't satisfy plugin(s) " + preFiltered.restrictingPlugins())
                    .withPlugin(preFiltered.restrictingPlugins().iterator().next());
            for (NodeInfo node : all) {
                if (preFiltered.nodeNames().contains(node.name())) {
                    candidates.add(node);
                } else {
                    diagnosis.reject(node.name(), ruledOut);
                }
            }
        }
        return passFilters(state, pod, candidates, diagnosis);
    }

    /** Filters from where the last cycle stopped until enough feasible nodes are found (Kubernetes' sampling). */
    private List<NodeInfo> passFilters(CycleState state, PodInfo pod, List<NodeInfo> nodes, Diagnosis diagnosis) {
        int wanted = feasibleNodesToFind(nodes.size());
        List<NodeInfo> feasible = new ArrayList<>();
        int count = nodes.size();
        if (count == 0) {
            return feasible;
        }
        int first = nextStartNodeIndex % count;
        int processed = 0;
        for (; processed < count && feasible.size() < wanted; processed++) {
            NodeInfo node = nodes.get((first + processed) % count);
            Status status = framework.runFiltersWithNominatedPods(state, pod, node);
            if (status.isSuccess()) {
                feasible.add(node);
            } else if (status.isRejected()) {
                diagnosis.reject(node.name(), status);
            } else {
                throw new IllegalStateException("Filter " + status.plugin() + " on " + node.name() + ": " + status.message());
            }
        }
        nextStartNodeIndex = (first + processed) % count;
        return feasible;
    }

    /** Kubernetes' numFeasibleNodesToFind: all nodes below 100; else a share falling from 50% to 5% with size. */
    int feasibleNodesToFind(int nodes) {
        if (nodes < 100 || percentageOfNodesToScore >= 100) {
            return nodes;
        }
        int percentage = percentageOfNodesToScore;
        if (percentage <= 0) {
            percentage = Math.max(5, 50 - nodes / 125);
        }
        return Math.max(100, nodes * percentage / 100);
    }

    /** The highest total; ties broken at random, so equal nodes share the load. */
    private static String selectHost(List<NodeInfo> nodes, long[] scores) {
        int best = 0;
        int ties = 1;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
                ties = 1;
            } else if (scores[i] == scores[best] && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = i;
            }
        }
        return nodes.get(best).name();
    }

    private void unschedulable(CycleState state, QueuedPodInfo queued, long cycle, Diagnosis diagnosis, long start) {
        PodInfo pod = queued.pod();
        String postFilterMessage = "";
        String nominated = null;
        Map<String, Status> rejections = diagnosis.rejections();
        if (!snapshot.nodes().isEmpty()) {
            metrics.preemptionAttempt();
            PostFilterResult result = framework.runPostFilter(state, pod, rejections);
            if (result.status().isSuccess()) {
                nominated = result.nominatedNode();
            } else {
                postFilterMessage = result.status().message();
            }
        }
        String message = diagnosis.preFilterMessage.equals(NO_NODES) ? NO_NODES
                : new FitError(pod, snapshot.nodes().size(), rejections, diagnosis.preFilterMessage,
                postFilterMessage).message();
        if (nominated != null) {
            nominations.nominate(pod, nominated);
        }
        fail(queued, cycle, "Unschedulable", message, nominated, diagnosis.rejectingPlugins, false, start);
    }

    /** The pod goes back to the queue; the user reads why in its PodScheduled condition and a FailedScheduling event. */
    private void fail(QueuedPodInfo queued, long cycle, String reason, String message, String nominated,
                      Set<String> rejectingPlugins, boolean error, long start) {
        PodInfo pod = queued.pod();
        queued.setRejectingPlugins(rejectingPlugins);
        queue.requeueUnschedulable(queued, cycle, error);
        metrics.attempt(error ? "error" : "unschedulable", System.nanoTime() - start);
        tellWhy(pod, reason, message, nominated);
    }

    /** The FailedScheduling event and the PodScheduled=False condition with the message. */
    private void tellWhy(PodInfo pod, String reason, String message, String nominated) {
        events.warning(pod.pod(), "FailedScheduling", message);
        writes.markUnschedulable(pod, reason, message, nominated).whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.debugf("marking pod %s unschedulable: %s", pod.key(), failure.getMessage());
            }
        });
    }

    /** The pod was deleted during its binding cycle: nothing left to schedule, nobody to tell. */
    private void podGone(CycleState state, PodInfo assumed, String node, long start) {
        framework.runUnreserve(state, assumed, node);
        cache.forget(assumed.key());
        metrics.attempt("error", System.nanoTime() - start);
    }

    /** Undoes the assumption; the pod says why (PodScheduled=False, SchedulerError) and goes back to the queue. */
    private void bindingFailed(CycleState state, QueuedPodInfo queued, PodInfo assumed, String node, String message,
                               long start) {
        framework.runUnreserve(state, assumed, node);
        cache.forget(assumed.key());
        metrics.attempt("error", System.nanoTime() - start);
        LOG.debugf("binding pod %s to %s failed: %s", assumed.key(), node, message);
        tellWhy(queued.pod(), "SchedulerError", message, null);
        queue.requeueAfterBindFailure(queued);
    }
}
