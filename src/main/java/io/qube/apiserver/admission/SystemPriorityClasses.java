package io.qube.apiserver.admission;

import java.util.Map;

/** The two priority classes every Kubernetes cluster has built in, by name, with their fixed values. */
public final class SystemPriorityClasses {

    /** Only these may use the "system-" name prefix and values above a billion. */
    public static final Map<String, Integer> VALUES = Map.of(
            "system-node-critical", 2_000_001_000,
            "system-cluster-critical", 2_000_000_000);

    private SystemPriorityClasses() {
    }
}
