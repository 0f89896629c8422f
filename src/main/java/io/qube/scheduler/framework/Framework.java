package io.qube.scheduler.framework;

import io.qube.scheduler.framework.ExtensionPoints.Bind;
import io.qube.scheduler.framework.ExtensionPoints.EnqueueExtensions;
import io.qube.scheduler.framework.ExtensionPoints.Filter;
import io.qube.scheduler.framework.ExtensionPoints.Permit;
import io.qube.scheduler.framework.ExtensionPoints.Plugin;
import io.qube.scheduler.framework.ExtensionPoints.PostBind;
import io.qube.scheduler.framework.ExtensionPoints.PostFilter;
import io.qube.scheduler.framework.ExtensionPoints.PostFilterResult;
import io.qube.scheduler.framework.ExtensionPoints.PreBind;
import io.qube.scheduler.framework.ExtensionPoints.PreFilter;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterExtensions;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterResult;
import io.qube.scheduler.framework.ExtensionPoints.PreScore;
import io.qube.scheduler.framework.ExtensionPoints.Reserve;
import io.qube.scheduler.framework.ExtensionPoints.Score;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One profile's plugins, and how each extension point runs them: in order, stopping at the first rejection, scores
 * normalised and weighted. The scheduling cycle ({@code io.qube.scheduler.ScheduleOne}) calls these in turn.
 */
public final class Framework {

    /**
     * What the PreFilter plugins made of the pod: success, SKIPs recorded in the state, or a rejection; and the
     * nodes worth filtering (null: all) with the plugins that narrowed them down.
     */
    public record PreFilterOutcome(Status status, Set<String> nodeNames, Set<String> restrictingPlugins) {
    }

    /** A Score plugin with the weight the profile gives it. */
    public record WeightedScore(Score plugin, int weight) {
    }

    private final String profileName;
    private final List<PreFilter> preFilters = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private final List<PostFilter> postFilters = new ArrayList<>();
    private final List<PreScore> preScores = new ArrayList<>();
    private final List<WeightedScore> scores = new ArrayList<>();
    private final List<Reserve> reserves = new ArrayList<>();
    private final List<Permit> permits = new ArrayList<>();
    private final List<PreBind> preBinds = new ArrayList<>();
    private final List<Bind> binds = new ArrayList<>();
    private final List<PostBind> postBinds = new ArrayList<>();
    private final List<EnqueueExtensions> enqueueExtensions = new ArrayList<>();
    private Handle handle;

    /**
     * @param plugins the profile's plugins in order, each at every point it implements
     * @param weights Score weights by plugin name (1 when absent)
     */
    public Framework(String profileName, List<Plugin> plugins, Map<String, Integer> weights) {
        this.profileName = profileName;
        for (Plugin plugin : plugins) {
            if (plugin instanceof PreFilter p) {
                preFilters.add(p);
            }
            if (plugin instanceof Filter p) {
                filters.add(p);
            }
            if (plugin instanceof PostFilter p) {
                postFilters.add(p);
            }
            if (plugin instanceof PreScore p) {
                preScores.add(p);
            }
            if (plugin instanceof Score p) {
                scores.add(new WeightedScore(p, weights.getOrDefault(p.name(), 1)));
            }
            if (plugin instanceof Reserve p) {
                reserves.add(p);
            }
            if (plugin instanceof Permit p) {
                permits.add(p);
            }
            if (plugin instanceof PreBind p) {
                preBinds.add(p);
            }
            if (plugin instanceof Bind p) {
                binds.add(p);
            }
            if (plugin instanceof PostBind p) {
                postBinds.add(p);
            }
            if (plugin instanceof EnqueueExtensions p) {
                enqueueExtensions.add(p);
            }
        }
    }

    public String profileName() {
        return profileName;
    }

    public Handle handle() {
        return handle;
    }

    public void setHandle(Handle handle) {
        this.handle = handle;
    }

    public boolean hasScorePlugins() {
        return !scores.isEmpty();
    }

    /**
     * Runs every PreFilter; the nodes worth filtering are the intersection of what they restrict to (null: all).
     * A rejection carries the plugin's name so the queue knows which events may help.
     */
    public PreFilterOutcome runPreFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        Set<String> allowed = null;
        Set<String> restricting = new TreeSet<>();
        for (PreFilter plugin : preFilters) {
            PreFilterResult result = plugin.preFilter(state, pod, nodes);
            if (result.status().isSkip()) {
                state.skipFilter.add(plugin.name());
                continue;
            }
            if (!result.status().isSuccess()) {
                return new PreFilterOutcome(result.status().withPlugin(plugin.name()), null, Set.of());
            }
            if (result.nodeNames() != null) {
                restricting.add(plugin.name());
                if (allowed == null) {
                    allowed = new HashSet<>(result.nodeNames());
                } else {
                    allowed.retainAll(result.nodeNames());
                }
            }
        }
        state.skippedFilters = skippedFilters(state);
        return new PreFilterOutcome(Status.SUCCESS, allowed, restricting);
    }

    private boolean[] skippedFilters(CycleState state) {
        boolean[] skipped = new boolean[filters.size()];
        for (int i = 0; i < skipped.length; i++) {
            skipped[i] = state.skipFilter.contains(filters.get(i).name());
        }
        return skipped;
    }

    /** Every Filter on one node, stopping at the first that does not pass. */
    public Status runFilters(CycleState state, PodInfo pod, NodeInfo node) {
        boolean[] skipped = state.skippedFilters;
        if (skipped == null) {
            skipped = skippedFilters(state);
            state.skippedFilters = skipped;
        }
        for (int i = 0; i < skipped.length; i++) {
            if (skipped[i]) {
                continue;
            }
            Filter plugin = filters.get(i);
            Status status = plugin.filter(state, pod, node);
            if (!status.isSuccess()) {
                return status.withPlugin(plugin.name());
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Filters as Kubernetes does when pods are nominated to the node: the pod must fit both with the nominated pods
     * of at least its priority counted as if they ran there (so it does not take the room preemption made for
     * them) and without them (so a pod that depends on them, by affinity, does not count on them yet).
     */
    public Status runFiltersWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node) {
        List<PodInfo> candidates = handle.nominator().nominatedPods(node.name());
        if (candidates.isEmpty()) {
            return runFilters(state, pod, node);
        }
        List<PodInfo> nominated = new ArrayList<>();
        for (PodInfo other : candidates) {
            if (other.priority() >= pod.priority() && !other.key().equals(pod.key())) {
                nominated.add(other);
            }
        }
        if (nominated.isEmpty()) {
            return runFilters(state, pod, node);
        }
        CycleState withNominated = state.copy();
        NodeInfo nodeWithNominated = node.copy();
        for (PodInfo other : nominated) {
            nodeWithNominated.addPod(other);
            runAddPod(withNominated, pod, other, nodeWithNominated);
        }
        Status status = runFilters(withNominated, pod, nodeWithNominated);
        if (!status.isSuccess()) {
            return status;
        }
        return runFilters(state, pod, node);
    }

    public void runAddPod(CycleState state, PodInfo toSchedule, PodInfo added, NodeInfo node) {
        for (PreFilter plugin : preFilters) {
            PreFilterExtensions extensions = plugin.extensions();
            if (extensions != null && !state.skipFilter.contains(plugin.name())) {
                extensions.addPod(state, toSchedule, added, node);
            }
        }
    }

    public void runRemovePod(CycleState state, PodInfo toSchedule, PodInfo removed, NodeInfo node) {
        for (PreFilter plugin : preFilters) {
            PreFilterExtensions extensions = plugin.extensions();
            if (extensions != null && !state.skipFilter.contains(plugin.name())) {
                extensions.removePod(state, toSchedule, removed, node);
            }
        }
    }

    /** The first PostFilter that finds a way (a nominated node) wins; otherwise the last answer stands. */
    public PostFilterResult runPostFilter(CycleState state, PodInfo pod, Map<String, Status> rejections) {
        PostFilterResult last = new PostFilterResult(Status.unschedulable(), null);
        for (PostFilter plugin : postFilters) {
            PostFilterResult result = plugin.postFilter(state, pod, rejections);
            if (result.status().isSuccess()) {
                return result;
            }
            last = new PostFilterResult(result.status().withPlugin(plugin.name()), null);
            if (result.status().code() == Status.Code.ERROR) {
                return last;
            }
        }
        return last;
    }

    public Status runPreScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        for (PreScore plugin : preScores) {
            Status status = plugin.preScore(state, pod, nodes);
            if (status.isSkip()) {
                state.skipScore.add(plugin.name());
            } else if (!status.isSuccess()) {
                return status.withPlugin(plugin.name());
            }
        }
        return Status.SUCCESS;
    }

    /** Each node's total: every Score plugin's normalised score times its weight. */
    public long[] runScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        long[] totals = new long[nodes.size()];
        for (WeightedScore weighted : scores) {
            Score plugin = weighted.plugin();
            if (state.skipScore.contains(plugin.name())) {
                continue;
            }
            long[] own = new long[nodes.size()];
            for (int i = 0; i < own.length; i++) {
                own[i] = plugin.score(state, pod, nodes.get(i));
            }
            plugin.normalize(state, pod, own);
            for (int i = 0; i < own.length; i++) {
                totals[i] += own[i] * weighted.weight();
            }
        }
        return totals;
    }

    public Status runReserve(CycleState state, PodInfo pod, String nodeName) {
        return firstFailure(reserves, plugin -> plugin.reserve(state, pod, nodeName));
    }

    /** Runs the plugins in order; the first answer other than success, named after its plugin, ends the run. */
    private static <P extends Plugin> Status firstFailure(List<P> plugins, Function<P, Status> run) {
        for (P plugin : plugins) {
            Status status = run.apply(plugin);
            if (!status.isSuccess()) {
                return status.withPlugin(plugin.name());
            }
        }
        return Status.SUCCESS;
    }

    /** Undoes every Reserve, in reverse order, as Kubernetes does. */
    public void runUnreserve(CycleState state, PodInfo pod, String nodeName) {
        for (int i = reserves.size() - 1; i >= 0; i--) {
            reserves.get(i).unreserve(state, pod, nodeName);
        }
    }

    public Status runPermit(CycleState state, PodInfo pod, String nodeName) {
        return firstFailure(permits, plugin -> plugin.permit(state, pod, nodeName));
    }

    public Status runPreBind(CycleState state, PodInfo pod, String nodeName) {
        return firstFailure(preBinds, plugin -> plugin.preBind(state, pod, nodeName));
    }

    /** The first Bind plugin that does not SKIP binds. */
    public CompletionStage<Status> runBind(CycleState state, PodInfo pod, String nodeName) {
        return bindFrom(0, state, pod, nodeName);
    }

    private CompletionStage<Status> bindFrom(int index, CycleState state, PodInfo pod, String nodeName) {
        if (index == binds.size()) {
            return CompletableFuture.completedFuture(Status.error("no bind plugin bound the pod"));
        }
        Bind plugin = binds.get(index);
        return plugin.bind(state, pod, nodeName).thenCompose(status -> status.isSkip()
                ? bindFrom(index + 1, state, pod, nodeName)
                : CompletableFuture.completedFuture(status.withPlugin(plugin.name())));
    }

    public void runPostBind(CycleState state, PodInfo pod, String nodeName) {
        for (PostBind plugin : postBinds) {
            plugin.postBind(state, pod, nodeName);
        }
    }

    /** The events that may help a pod rejected by these plugins (all events when the set names none it knows). */
    public Set<ClusterEvent> eventsFor(Set<String> rejectingPlugins) {
        Set<ClusterEvent> events = EnumSet.of(ClusterEvent.UNSCHEDULABLE_TIMEOUT);
        boolean known = false;
        for (EnqueueExtensions plugin : enqueueExtensions) {
            if (rejectingPlugins.contains(plugin.name())) {
                events.addAll(plugin.events());
                known = true;
            }
        }
        return known ? events : EnumSet.allOf(ClusterEvent.class);
    }
}
