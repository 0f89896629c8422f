package io.qube.agent.runtime.cri;

import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.cri.v1.Cri;

/**
 * A container's cpu and memory from the runtime's CRI stats, as the kubelet's CRI stats provider reads them:
 * cumulative cpu time ({@code usage_core_nano_seconds}; the rate is the sampler's, from two readings) and the
 * memory working set the runtime computed from the container's cgroup. The cgroup is not read again here: where it
 * is, under which parent and driver, is the runtime's choice, and a runtime that leaves a figure empty (a container
 * whose task it could not reach) is measured in the next round instead.
 */
final class CriUsage {

    private CriUsage() {
    }

    /** The container's usage, or null when the runtime gave no cpu time or no working set. */
    static ContainerUsage of(Cri.ContainerStats stats) {
        if (!stats.getCpu().hasUsageCoreNanoSeconds() || !stats.getMemory().hasWorkingSetBytes()) {
            return null;
        }
        Cri.MemoryUsage memory = stats.getMemory();
        long workingSet = memory.getWorkingSetBytes().getValue();
        // Usage is the working set and the inactive files: without its figure, the working set is the part known.
        long usage = memory.hasUsageBytes() ? memory.getUsageBytes().getValue() : workingSet;
        long rss = memory.hasRssBytes() ? memory.getRssBytes().getValue() : 0;
        return new ContainerUsage(stats.getCpu().getUsageCoreNanoSeconds().getValue(), usage, workingSet, rss);
    }
}
