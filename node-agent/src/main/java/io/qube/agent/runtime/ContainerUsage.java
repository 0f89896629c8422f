package io.qube.agent.runtime;

/**
 * A container's resource use at one moment, as its cgroups (or the CRI runtime) account it.
 *
 * @param cpuNanos        cpu time used since the container started (cumulative)
 * @param usageBytes      memory charged to the container, page cache included
 * @param workingSetBytes usage less the inactive file pages the kernel can drop (what the kubelet reports)
 * @param rssBytes        anonymous memory and swap cache
 */
public record ContainerUsage(long cpuNanos, long usageBytes, long workingSetBytes, long rssBytes) {
}
