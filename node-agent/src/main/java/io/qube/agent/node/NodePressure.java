package io.qube.agent.node;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's pressure conditions as the eviction manager last found them (MemoryPressure, DiskPressure): the
 * status reporter writes them, pod admission reads them.
 */
public final class NodePressure {

    public static final String MEMORY = "MemoryPressure";
    public static final String DISK = "DiskPressure";

    private final Set<String> conditions = ConcurrentHashMap.newKeySet();

    public boolean under(String condition) {
        return conditions.contains(condition);
    }

    /** @return whether it changed */
    public boolean set(String condition, boolean holds) {
        return holds ? conditions.add(condition) : conditions.remove(condition);
    }
}
