package io.qube.scheduler.framework;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What plugins compute for one pod in one scheduling cycle (at PreFilter or PreScore) and read back at the later
 * points of the same cycle. Preemption works on a copy, so that trying victims does not change the real cycle.
 */
public final class CycleState {

    /** A piece of state that preemption can copy and then change as it removes or adds pods. */
    public interface Data {
        Data copy();
    }

    /** State that is never changed once written, which a copy of the cycle may share. */
    public interface Immutable extends Data {
        @Override
        default Data copy() {
            return this;
        }
    }

    private final Map<String, Data> data;
    /** Plugins whose PreFilter answered SKIP, whose Filter does not run this cycle. */
    final Set<String> skipFilter;
    /**
     * The same as a flag per position in the profile's Filter list, set once PreFilter is done (null before): Filter
     * runs for every plugin on every node, and a flag costs less than a set lookup there.
     */
    boolean[] skippedFilters;
    /** Plugins whose PreScore answered SKIP, whose Score does not run this cycle. */
    final Set<String> skipScore = new HashSet<>();

    public CycleState() {
        this.data = new HashMap<>();
        this.skipFilter = new HashSet<>();
    }

    private CycleState(Map<String, Data> data, Set<String> skipFilter) {
        this.data = data;
        this.skipFilter = new HashSet<>(skipFilter);
    }

    public void write(String key, Data value) {
        data.put(key, value);
    }

    @SuppressWarnings("unchecked")
    public <T extends Data> T read(String key) {
        return (T) data.get(key);
    }

    public CycleState copy() {
        Map<String, Data> copied = new HashMap<>();
        data.forEach((key, value) -> copied.put(key, value.copy()));
        CycleState copy = new CycleState(copied, skipFilter);
        copy.skippedFilters = skippedFilters;
        return copy;
    }
}
