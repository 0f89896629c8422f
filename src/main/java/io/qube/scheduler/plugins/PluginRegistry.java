package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.ExtensionPoints.Plugin;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.Handle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Every plugin by name, in the order Kubernetes' default profile runs them, with the default profile's score
 * weights. A profile is this list less what it disables, with its own weights and scoring strategy.
 */
public final class PluginRegistry {

    /** What a profile may set. */
    public record Profile(String schedulerName, Set<String> disabled, Map<String, Integer> weights,
                          NodeResourcesFit.Strategy scoringStrategy, Duration volumeBindTimeout) {
        /** Kubernetes' VolumeBindingArgs.bindTimeoutSeconds default. */
        public static final Duration DEFAULT_VOLUME_BIND_TIMEOUT = Duration.ofSeconds(600);

        public static Profile defaults() {
            return new Profile("default-scheduler", Set.of(), Map.of(), NodeResourcesFit.Strategy.LEAST_ALLOCATED,
                    DEFAULT_VOLUME_BIND_TIMEOUT);
        }
    }

    private static final Map<String, BiFunction<Handle, Profile, Plugin>> FACTORIES = new LinkedHashMap<>();
    private static final Map<String, Integer> DEFAULT_WEIGHTS = Map.of(
            Names.TAINT_TOLERATION, 3,
            Names.NODE_AFFINITY, 2,
            Names.NODE_RESOURCES_FIT, 1,
            Names.POD_TOPOLOGY_SPREAD, 2,
            Names.INTER_POD_AFFINITY, 2,
            Names.NODE_RESOURCES_BALANCED_ALLOCATION, 1);

    static {
        FACTORIES.put(Names.NODE_UNSCHEDULABLE, (handle, profile) -> new NodeUnschedulable());
        FACTORIES.put(Names.NODE_NAME, (handle, profile) -> new NodeName());
        FACTORIES.put(Names.TAINT_TOLERATION, (handle, profile) -> new TaintToleration());
        FACTORIES.put(Names.NODE_AFFINITY, (handle, profile) -> new NodeAffinity());
        FACTORIES.put(Names.NODE_PORTS, (handle, profile) -> new NodePorts());
        FACTORIES.put(Names.NODE_RESOURCES_FIT, (handle, profile) -> new NodeResourcesFit(profile.scoringStrategy()));
        FACTORIES.put(Names.VOLUME_BINDING, (handle, profile) -> new VolumeBinding(handle, profile.volumeBindTimeout()));
        FACTORIES.put(Names.POD_TOPOLOGY_SPREAD, (handle, profile) -> new PodTopologySpread(handle));
        FACTORIES.put(Names.INTER_POD_AFFINITY, (handle, profile) -> new InterPodAffinity(handle));
        FACTORIES.put(Names.DEFAULT_PREEMPTION, (handle, profile) -> new DefaultPreemption(handle));
        FACTORIES.put(Names.NODE_RESOURCES_BALANCED_ALLOCATION, (handle, profile) -> new NodeResourcesBalancedAllocation());
        FACTORIES.put(Names.DEFAULT_BINDER, (handle, profile) -> new DefaultBinder(handle));
    }

    private PluginRegistry() {
    }

    public static Set<String> names() {
        return FACTORIES.keySet();
    }

    /** The profile's framework; the handle learns of it, since plugins reach the framework through the handle. */
    public static Framework framework(Profile profile, Handle handle) {
        for (String name : profile.disabled()) {
            if (!FACTORIES.containsKey(name)) {
                throw new IllegalArgumentException("unknown scheduler plugin " + name + "; known: " + names());
            }
        }
        List<Plugin> plugins = new ArrayList<>();
        FACTORIES.forEach((name, factory) -> {
            if (!profile.disabled().contains(name)) {
                plugins.add(factory.apply(handle, profile));
            }
        });
        Map<String, Integer> weights = new HashMap<>(DEFAULT_WEIGHTS);
        weights.putAll(profile.weights());
        return new Framework(profile.schedulerName(), plugins, weights);
    }
}
