package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.Nominator;
import io.qube.scheduler.framework.PodActions;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Handle for unit tests: a snapshot of given nodes, namespace labels from a map, nominations from a map, and
 * PodActions that record what they are asked and succeed at once.
 */
public final class TestHandle implements Handle {

    /** One eviction asked for: the victim's key and the preemptor's. */
    public record Eviction(String victim, String preemptor) {
    }

    public final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    public final Map<String, List<PodInfo>> nominated = new HashMap<>();
    public final List<Eviction> evictions = new ArrayList<>();
    public final List<String> clearedNominations = new ArrayList<>();
    public final List<String> bindings = new ArrayList<>();
    public final List<Integer> preemptions = new ArrayList<>();
    public LabelSelector defaultSpreadSelector;
    private Snapshot snapshot;
    private Framework framework;

    public TestHandle(List<NodeInfo> nodes) {
        this.snapshot = Snapshot.of(nodes);
    }

    public TestHandle() {
        this(List.of());
    }

    public TestHandle namespace(String name, String... keyValues) {
        namespaceLabels.put(name, Fixtures.map(keyValues));
        return this;
    }

    public TestHandle nominate(String nodeName, PodInfo pod) {
        nominated.computeIfAbsent(nodeName, n -> new ArrayList<>()).add(pod);
        return this;
    }

    /** The default profile's framework on this handle, each knowing the other. */
    public Framework defaultFramework() {
        Framework built = PluginRegistry.framework(PluginRegistry.Profile.defaults(), this);
        built.setHandle(this);
        this.framework = built;
        return built;
    }

    public void setFramework(Framework framework) {
        this.framework = framework;
        framework.setHandle(this);
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
        return namespaceLabels.getOrDefault(namespace, Map.of());
    }

    @Override
    public Nominator nominator() {
        return nodeName -> List.copyOf(nominated.getOrDefault(nodeName, List.of()));
    }

    @Override
    public LabelSelector defaultSpreadSelector(PodInfo pod) {
        return defaultSpreadSelector;
    }

    @Override
    public Framework framework() {
        return framework;
    }

    @Override
    public PodActions actions() {
        return new PodActions() {
            @Override
            public CompletionStage<Void> bind(PodInfo pod, String nodeName) {
                bindings.add(pod.key() + "->" + nodeName);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> evict(PodInfo victim, PodInfo preemptor) {
                evictions.add(new Eviction(victim.key(), preemptor.key()));
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> clearNomination(PodInfo pod) {
                clearedNominations.add(pod.key());
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    @Override
    public void recordPreemption(int victims) {
        preemptions.add(victims);
    }
}
