package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.AffinityTerm;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterResult;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterExtensions;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import static io.qube.scheduler.framework.ExtensionPoints.MAX_NODE_SCORE;

/**
 * Pod affinity and anti-affinity. Filter: the pod's required affinity terms must each find a matching pod in the
 * node's domain of the term's topology key; its required anti-affinity terms must find none; and no pod already
 * placed may have a required anti-affinity term matching this pod in the node's domain. Score: the pod's preferred
 * terms, and placed pods' terms that match this pod, add or subtract their weights per domain.
 */
public final class InterPodAffinity implements ExtensionPoints.PreFilter, ExtensionPoints.Filter,
        ExtensionPoints.PreScore, ExtensionPoints.Score, ExtensionPoints.EnqueueExtensions {

    static final String AFFINITY_REASON = "node(s) didn't match pod affinity rules";
    static final String ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
    static final String EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";
    private static final String FILTER_STATE = Names.INTER_POD_AFFINITY + "/filter";
    private static final String SCORE_STATE = Names.INTER_POD_AFFINITY + "/score";
    /** What a placed pod's required affinity term matching this pod counts in Score (hardPodAffinityWeight). */
    private static final int HARD_POD_AFFINITY_WEIGHT = 1;

    /**
     * Matching pods per domain: of placed pods' anti-affinity to this pod (Filter looks up the few keys those terms
     * use instead of every label of every node), and of this pod's terms to placed pods.
     */
    private record Counts(DomainTally existingAntiAffinity, DomainTally affinity, DomainTally antiAffinity)
            implements CycleState.Data {
        Counts() {
            this(new DomainTally(), new DomainTally(), new DomainTally());
        }

        @Override
        public CycleState.Data copy() {
            return new Counts(existingAntiAffinity.copy(), affinity.copy(), antiAffinity.copy());
        }
    }

    /** Score per topology key, then per domain (value) of that key. */
    private record DomainScores(Map<String, Map<String, Long>> scores) implements CycleState.Immutable {
    }

    private final Handle handle;

    public InterPodAffinity(Handle handle) {
        this.handle = handle;
    }

    @Override
    public String name() {
        return Names.INTER_POD_AFFINITY;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        boolean ownTerms = !pod.requiredAffinity().isEmpty() || !pod.requiredAntiAffinity().isEmpty();
        Map<AffinityTerm, Map<String, Integer>> placedTerms = handle.snapshot().requiredAntiAffinityTerms();
        if (!ownTerms && placedTerms.isEmpty()) {
            return PreFilterResult.SKIP;
        }
        Counts counts = new Counts();
        placedTerms.forEach((term, perValue) -> {
            if (term.matches(pod, handle::namespaceLabels)) {
                counts.existingAntiAffinity().share(term.topologyKey(), perValue);
            }
        });
        Set<String> namespaces = namespacesOf(pod.requiredAffinity(), pod.requiredAntiAffinity());
        if (namespaces != null && pod.requiredAffinity().size() <= 1) {
            // With one affinity term at most, each term counts pods on its own: the snapshot's counts serve.
            pod.requiredAffinity().forEach(term -> shareSelected(counts.affinity(), term));
            pod.requiredAntiAffinity().forEach(term -> shareSelected(counts.antiAffinity(), term));
        } else if (ownTerms) {
            forEachCandidate(nodes, namespaces, (placed, node) -> countOwnTerms(counts, pod, placed, node, 1));
        }
        state.write(FILTER_STATE, counts);
        return PreFilterResult.SUCCESS;
    }

    /** Counts the pods {@code term} selects, terminating ones too (Kubernetes counts them for affinity). */
    private void shareSelected(DomainTally tally, AffinityTerm term) {
        for (String namespace : term.namespaces()) {
            tally.share(term.topologyKey(),
                    handle.snapshot().podsPerDomain(namespace, term.selector(), term.topologyKey(), true));
        }
    }

    /**
     * The namespaces a pod's terms can select pods in, or null when a term has a namespace selector (any namespace
     * may match it).
     */
    private static Set<String> namespacesOf(List<AffinityTerm> terms, List<AffinityTerm> more) {
        Set<String> namespaces = new HashSet<>();
        for (List<AffinityTerm> list : List.of(terms, more)) {
            for (AffinityTerm term : list) {
                if (term.namespaceSelector() != null) {
                    return null;
                }
                namespaces.addAll(term.namespaces());
            }
        }
        return namespaces;
    }

    /** Every placed pod in {@code namespaces} (all pods when null) on {@code nodes}, with its node. */
    private void forEachCandidate(List<NodeInfo> nodes, Set<String> namespaces, BiConsumer<PodInfo, NodeInfo> action) {
        if (namespaces == null) {
            for (NodeInfo node : nodes) {
                for (PodInfo placed : node.pods()) {
                    action.accept(placed, node);
                }
            }
            return;
        }
        for (String namespace : namespaces) {
            for (NodeInfo node : handle.snapshot().withPodsIn(namespace)) {
                for (PodInfo placed : node.podsIn(namespace)) {
                    action.accept(placed, node);
                }
            }
        }
    }

    private void countExistingAntiAffinity(Counts counts, PodInfo pod, PodInfo placed, NodeInfo node, int delta) {
        for (AffinityTerm term : placed.requiredAntiAffinity()) {
            if (!term.matches(pod, handle::namespaceLabels)) {
                continue;
            }
            String value = node.labels().get(term.topologyKey());
            if (value != null) {
                counts.existingAntiAffinity().add(term.topologyKey(), value, delta);
            }
        }
    }

    private void countOwnTerms(Counts counts, PodInfo pod, PodInfo placed, NodeInfo node, int delta) {
        // Affinity counts a placed pod only if it matches all of the pod's affinity terms (Kubernetes' rule).
        if (!pod.requiredAffinity().isEmpty() && matchesAll(pod.requiredAffinity(), placed)) {
            for (AffinityTerm term : pod.requiredAffinity()) {
                String value = node.labels().get(term.topologyKey());
                if (value != null) {
                    counts.affinity().add(term.topologyKey(), value, delta);
                }
            }
        }
        for (AffinityTerm term : pod.requiredAntiAffinity()) {
            String value = node.labels().get(term.topologyKey());
            if (value != null && term.matches(placed, handle::namespaceLabels)) {
                counts.antiAffinity().add(term.topologyKey(), value, delta);
            }
        }
    }

    private boolean matchesAll(List<AffinityTerm> terms, PodInfo placed) {
        for (AffinityTerm term : terms) {
            if (!term.matches(placed, handle::namespaceLabels)) {
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
        if (counts != null) {
            countExistingAntiAffinity(counts, pod, other, node, delta);
            countOwnTerms(counts, pod, other, node, delta);
        }
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.read(FILTER_STATE);
        Map<String, String> labels = node.labels();
        if (!satisfiesAffinity(counts, pod, labels)) {
            return Status.unresolvable(AFFINITY_REASON);
        }
        for (AffinityTerm term : pod.requiredAntiAffinity()) {
            String value = labels.get(term.topologyKey());
            if (value != null && counts.antiAffinity().count(term.topologyKey(), value) > 0) {
                return Status.unschedulable(ANTI_AFFINITY_REASON);
            }
        }
        DomainTally existing = counts.existingAntiAffinity();
        for (String key : existing.keys()) {
            String value = labels.get(key);
            if (value != null && existing.count(key, value) > 0) {
                return Status.unschedulable(EXISTING_ANTI_AFFINITY_REASON);
            }
        }
        return Status.SUCCESS;
    }

    private boolean satisfiesAffinity(Counts counts, PodInfo pod, Map<String, String> labels) {
        boolean podsExist = true;
        for (AffinityTerm term : pod.requiredAffinity()) {
            String value = labels.get(term.topologyKey());
            if (value == null) {
                return false;
            }
            if (counts.affinity().count(term.topologyKey(), value) <= 0) {
                podsExist = false;
            }
        }
        if (podsExist) {
            return true;
        }
        // The first of a group of pods with affinity to each other may go anywhere its terms' keys exist.
        return counts.affinity().none() && matchesAll(pod.requiredAffinity(), pod);
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        boolean ownPreferences = !pod.preferredAffinity().isEmpty() || !pod.preferredAntiAffinity().isEmpty();
        // Placed pods with required anti-affinity alone are not walked: those terms only filter.
        if (!ownPreferences && handle.snapshot().scoringOthers().isEmpty()) {
            return Status.SKIP;
        }
        Map<String, Map<String, Long>> scores = new HashMap<>();
        if (ownPreferences) {
            forEachCandidate(handle.snapshot().nodes(),
                    namespacesOf(pod.preferredAffinity(), pod.preferredAntiAffinity()),
                    (placed, node) -> scoreOwnTerms(scores, pod, placed, node));
        }
        for (NodeInfo node : handle.snapshot().scoringOthers()) {
            for (PodInfo placed : node.podsScoringOthers()) {
                scorePlacedTerms(scores, pod, placed, node);
            }
        }
        if (scores.isEmpty()) {
            return Status.SKIP;
        }
        state.write(SCORE_STATE, new DomainScores(scores));
        return Status.SUCCESS;
    }

    private void scoreOwnTerms(Map<String, Map<String, Long>> scores, PodInfo pod, PodInfo placed, NodeInfo node) {
        for (AffinityTerm term : pod.preferredAffinity()) {
            addIfMatches(scores, term, placed, node, term.weight());
        }
        for (AffinityTerm term : pod.preferredAntiAffinity()) {
            addIfMatches(scores, term, placed, node, -term.weight());
        }
    }

    /** What placed pods' own terms say of this pod. */
    private void scorePlacedTerms(Map<String, Map<String, Long>> scores, PodInfo pod, PodInfo placed, NodeInfo node) {
        for (AffinityTerm term : placed.requiredAffinity()) {
            addIfMatches(scores, term, pod, node, HARD_POD_AFFINITY_WEIGHT);
        }
        for (AffinityTerm term : placed.preferredAffinity()) {
            addIfMatches(scores, term, pod, node, term.weight());
        }
        for (AffinityTerm term : placed.preferredAntiAffinity()) {
            addIfMatches(scores, term, pod, node, -term.weight());
        }
    }

    /** Adds {@code weight} to the domain of {@code node} when {@code term} selects {@code target}. */
    private void addIfMatches(Map<String, Map<String, Long>> scores, AffinityTerm term, PodInfo target, NodeInfo node,
                              long weight) {
        if (weight == 0 || !term.matches(target, handle::namespaceLabels)) {
            return;
        }
        String value = node.labels().get(term.topologyKey());
        if (value != null) {
            scores.computeIfAbsent(term.topologyKey(), key -> new HashMap<>()).merge(value, weight, Long::sum);
        }
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        DomainScores domains = state.read(SCORE_STATE);
        long total = 0;
        for (Map.Entry<String, Map<String, Long>> key : domains.scores().entrySet()) {
            String value = node.labels().get(key.getKey());
            if (value != null) {
                total += key.getValue().getOrDefault(value, 0L);
            }
        }
        return total;
    }

    /** Min-max scaling, since scores may be negative. */
    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long score : scores) {
            min = Math.min(min, score);
            max = Math.max(max, score);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = max > min ? MAX_NODE_SCORE * (scores[i] - min) / (max - min) : 0;
        }
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.ASSIGNED_POD_ADDED, ClusterEvent.ASSIGNED_POD_CHANGED,
                ClusterEvent.ASSIGNED_POD_DELETED, ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED,
                ClusterEvent.NAMESPACE_CHANGED);
    }
}
