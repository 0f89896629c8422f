package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterResult;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterExtensions;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;
import io.qube.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.qube.scheduler.framework.ExtensionPoints.MAX_NODE_SCORE;

/**
 * Topology spread constraints. Filter (DoNotSchedule): placing the pod may not make the number of matching pods in
 * the node's domain exceed the smallest domain's by more than maxSkew (the smallest counting as 0 while there are
 * fewer domains than minDomains). Score (ScheduleAnyway, or the cluster's default constraints for pods a Service
 * or controller selects): fewer matching pods in the domain scores higher.
 */
public final class PodTopologySpread implements ExtensionPoints.PreFilter, ExtensionPoints.Filter,
        ExtensionPoints.PreScore, ExtensionPoints.Score, ExtensionPoints.EnqueueExtensions {

    static final String SKEW_REASON = "node(s) didn't match pod topology spread constraints";
    static final String MISSING_LABEL_REASON = "node(s) didn't match pod topology spread constraints (missing required label)";
    private static final String FILTER_STATE = Names.POD_TOPOLOGY_SPREAD + "/filter";
    private static final String SCORE_STATE = Names.POD_TOPOLOGY_SPREAD + "/score";

    /** Kubernetes' system defaults: spread over hosts (maxSkew 3) and zones (maxSkew 5), as a preference. */
    private static final List<Integer> DEFAULT_SKEWS = List.of(3, 5);
    private static final List<String> DEFAULT_KEYS = List.of(SpreadConstraint.HOSTNAME, "topology.kubernetes.io/zone");

    /** Matching pods per domain value, one map per constraint, with each constraint's smallest count. */
    private static final class Counts implements CycleState.Data {
        final List<SpreadConstraint> constraints;
        final List<Map<String, Integer>> perDomain;
        final int[] minMatch;
        /** 1 where the constraint's selector selects the pod itself (it counts itself in a domain), else 0. */
        final int[] selfMatch;

        Counts(List<SpreadConstraint> constraints, List<Map<String, Integer>> perDomain, int[] selfMatch) {
            this.constraints = constraints;
            this.perDomain = perDomain;
            this.minMatch = new int[constraints.size()];
            this.selfMatch = selfMatch;
            recomputeMinimums();
        }

        static int[] selfMatch(List<SpreadConstraint> constraints, PodInfo pod) {
            int[] self = new int[constraints.size()];
            for (int i = 0; i < self.length; i++) {
                self[i] = constraints.get(i).matches(pod, pod.namespace()) ? 1 : 0;
            }
            return self;
        }

        void recomputeMinimums() {
            for (int i = 0; i < constraints.size(); i++) {
                Map<String, Integer> domains = perDomain.get(i);
                int min = domains.values().stream().mapToInt(Integer::intValue).min().orElse(0);
                minMatch[i] = domains.size() < constraints.get(i).minDomains() ? 0 : min;
            }
        }

        @Override
        public CycleState.Data copy() {
            List<Map<String, Integer>> copied = new ArrayList<>();
            perDomain.forEach(map -> copied.add(new HashMap<>(map)));
            return new Counts(constraints, copied, selfMatch);
        }
    }

    /**
     * Per constraint, matching pods per domain; for the hostname key the snapshot's standing count per hostname, or
     * empty: count each scored node's own pods.
     */
    private record ScoreState(List<SpreadConstraint> constraints, List<Map<String, Integer>> perDomain,
                              double[] weights, Set<String> ignored, List<NodeInfo> nodes) implements CycleState.Immutable {
    }

    private final Handle handle;

    public PodTopologySpread(Handle handle) {
        this.handle = handle;
    }

    @Override
    public String name() {
        return Names.POD_TOPOLOGY_SPREAD;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        List<SpreadConstraint> constraints = SpreadConstraint.of(pod, "DoNotSchedule");
        if (constraints.isEmpty()) {
            return PreFilterResult.SKIP;
        }
        RequiredNodeAffinity affinity = RequiredNodeAffinity.of(pod.pod());
        List<Map<String, Integer>> perDomain = new ArrayList<>();
        if (everyNodeCounts(constraints, affinity, nodes.size(), true)) {
            for (SpreadConstraint constraint : constraints) {
                perDomain.add(new HashMap<>(handle.snapshot().podsPerDomain(pod.namespace(), constraint.selector(),
                        constraint.topologyKey(), false)));
            }
            state.write(FILTER_STATE, new Counts(constraints, perDomain, Counts.selfMatch(constraints, pod)));
            return PreFilterResult.SUCCESS;
        }
        constraints.forEach(c -> perDomain.add(new HashMap<>()));
        for (NodeInfo node : nodes) {
            if (!SpreadConstraint.hasAllKeys(node, constraints)) {
                continue;
            }
            for (int i = 0; i < constraints.size(); i++) {
                SpreadConstraint constraint = constraints.get(i);
                if (constraint.includes(node, affinity, pod)) {
                    perDomain.get(i).merge(node.labels().get(constraint.topologyKey()),
                            constraint.countMatching(node, pod.namespace()), Integer::sum);
                }
            }
        }
        state.write(FILTER_STATE, new Counts(constraints, perDomain, Counts.selfMatch(constraints, pod)));
        return PreFilterResult.SUCCESS;
    }

    /**
     * Whether every node with the constraints' keys counts for them all: then the snapshot's standing counts per
     * domain are exactly what a walk over every node would add up.
     *
     * @param requireAll whether a node lacking any one key is left out of every constraint's count
     */
    private boolean everyNodeCounts(List<SpreadConstraint> constraints, RequiredNodeAffinity affinity, int nodes,
                                    boolean requireAll) {
        for (SpreadConstraint constraint : constraints) {
            if (constraint.honorTaints() || constraint.honorNodeAffinity() && !affinity.isEmpty()) {
                return false;
            }
            if (requireAll && constraints.size() > 1
                    && handle.snapshot().nodesWithLabel(constraint.topologyKey()) != nodes) {
                return false;
            }
        }
        return true;
    }

    @Override
    public PreFilterExtensions extensions() {
        return CountingExtensions.of(this::update);
    }

    private void update(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, int delta) {
        Counts counts = state.read(FILTER_STATE);
        if (counts == null || !SpreadConstraint.hasAllKeys(node, counts.constraints)) {
            return;
        }
        RequiredNodeAffinity affinity = RequiredNodeAffinity.of(pod.pod());
        for (int i = 0; i < counts.constraints.size(); i++) {
            SpreadConstraint constraint = counts.constraints.get(i);
            if (constraint.includes(node, affinity, pod) && constraint.matches(other, pod.namespace())) {
                counts.perDomain.get(i).merge(node.labels().get(constraint.topologyKey()), delta, Integer::sum);
            }
        }
        counts.recomputeMinimums();
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.read(FILTER_STATE);
        for (int i = 0; i < counts.constraints.size(); i++) {
            SpreadConstraint constraint = counts.constraints.get(i);
            String value = node.labels().get(constraint.topologyKey());
            if (value == null) {
                return Status.unresolvable(MISSING_LABEL_REASON);
            }
            int skew = counts.perDomain.get(i).getOrDefault(value, 0) + counts.selfMatch[i] - counts.minMatch[i];
            if (skew > constraint.maxSkew()) {
                return Status.unschedulable(SKEW_REASON);
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        List<SpreadConstraint> constraints = SpreadConstraint.of(pod, "ScheduleAnyway");
        boolean systemDefaulted = false;
        if (constraints.isEmpty() && (pod.pod().getSpec().getTopologySpreadConstraints() == null
                || pod.pod().getSpec().getTopologySpreadConstraints().isEmpty())) {
            constraints = defaults(pod);
            systemDefaulted = true;
        }
        if (constraints.isEmpty()) {
            return Status.SKIP;
        }
        // With the system defaults a node without a zone label is scored on the other constraints alone.
        boolean requireAll = !systemDefaulted;
        Set<String> ignored = new HashSet<>();
        List<Map<String, Integer>> perDomain = new ArrayList<>();
        List<Set<String>> domains = new ArrayList<>();
        constraints.forEach(c -> {
            perDomain.add(new HashMap<>());
            domains.add(new HashSet<>());
        });
        for (NodeInfo node : nodes) {
            if (requireAll && !SpreadConstraint.hasAllKeys(node, constraints)) {
                ignored.add(node.name());
                continue;
            }
            for (int i = 0; i < constraints.size(); i++) {
                String value = node.labels().get(constraints.get(i).topologyKey());
                if (value != null) {
                    domains.get(i).add(value);
                    if (!constraints.get(i).topologyKey().equals(SpreadConstraint.HOSTNAME)) {
                        perDomain.get(i).putIfAbsent(value, 0);
                    }
                }
            }
        }
        RequiredNodeAffinity affinity = RequiredNodeAffinity.of(pod.pod());
        Snapshot snapshot = handle.snapshot();
        if (everyNodeCounts(constraints, affinity, snapshot.nodes().size(), requireAll)) {
            for (int i = 0; i < constraints.size(); i++) {
                SpreadConstraint constraint = constraints.get(i);
                Map<String, Integer> standing = snapshot.podsPerDomain(pod.namespace(), constraint.selector(),
                        constraint.topologyKey(), false);
                if (!constraint.topologyKey().equals(SpreadConstraint.HOSTNAME)) {
                    perDomain.get(i).replaceAll((value, none) -> standing.getOrDefault(value, 0));
                } else if (standing.size() == snapshot.nodesWithLabel(SpreadConstraint.HOSTNAME)) {
                    // Each node has a hostname of its own: its domain's count is its own pods'.
                    perDomain.set(i, standing);
                }
            }
        } else {
            countEveryNode(perDomain, constraints, affinity, pod, requireAll);
        }
        double[] weights = new double[constraints.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.log(domains.get(i).size() + 2);
        }
        state.write(SCORE_STATE, new ScoreState(constraints, perDomain, weights, ignored, nodes));
        return Status.SUCCESS;
    }

    /** Adds up the matching pods per domain over every node of the snapshot that counts (the scored nodes' domains). */
    private void countEveryNode(List<Map<String, Integer>> perDomain, List<SpreadConstraint> constraints,
                                RequiredNodeAffinity affinity, PodInfo pod, boolean requireAll) {
        for (NodeInfo node : handle.snapshot().nodes()) {
            if (requireAll && !SpreadConstraint.hasAllKeys(node, constraints)) {
                continue;
            }
            for (int i = 0; i < constraints.size(); i++) {
                SpreadConstraint constraint = constraints.get(i);
                String value = node.labels().get(constraint.topologyKey());
                if (value == null || constraint.topologyKey().equals(SpreadConstraint.HOSTNAME)
                        || !perDomain.get(i).containsKey(value) || !constraint.includes(node, affinity, pod)) {
                    continue;
                }
                perDomain.get(i).merge(value, constraint.countMatching(node, pod.namespace()), Integer::sum);
            }
        }
    }

    private List<SpreadConstraint> defaults(PodInfo pod) {
        LabelSelector selector = handle.defaultSpreadSelector(pod);
        if (selector == null) {
            return List.of();
        }
        List<SpreadConstraint> constraints = new ArrayList<>();
        for (int i = 0; i < DEFAULT_KEYS.size(); i++) {
            constraints.add(new SpreadConstraint(DEFAULT_SKEWS.get(i), DEFAULT_KEYS.get(i), selector, 1, true, false));
        }
        return constraints;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        ScoreState scoring = state.read(SCORE_STATE);
        if (scoring.ignored().contains(node.name())) {
            return 0;
        }
        double total = 0;
        for (int i = 0; i < scoring.constraints().size(); i++) {
            SpreadConstraint constraint = scoring.constraints().get(i);
            String value = node.labels().get(constraint.topologyKey());
            if (value == null) {
                continue;
            }
            int count = constraint.topologyKey().equals(SpreadConstraint.HOSTNAME) && scoring.perDomain().get(i).isEmpty()
                    ? constraint.countMatching(node, pod.namespace())
                    : scoring.perDomain().get(i).getOrDefault(value, 0);
            total += count * scoring.weights()[i] + (constraint.maxSkew() - 1);
        }
        return Math.round(total);
    }

    /** Fewer matching pods scores higher; nodes left out (missing a key) get 0. */
    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        ScoreState scoring = state.read(SCORE_STATE);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < scores.length; i++) {
            if (!scoring.ignored().contains(scoring.nodes().get(i).name())) {
                min = Math.min(min, scores[i]);
                max = Math.max(max, scores[i]);
            }
        }
        for (int i = 0; i < scores.length; i++) {
            if (scoring.ignored().contains(scoring.nodes().get(i).name())) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX_NODE_SCORE;
            } else {
                scores[i] = MAX_NODE_SCORE * (max + min - scores[i]) / max;
            }
        }
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.ASSIGNED_POD_ADDED, ClusterEvent.ASSIGNED_POD_CHANGED,
                ClusterEvent.ASSIGNED_POD_DELETED, ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED);
    }
}
