package io.qube.agent.runtime.simulated;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.agent.runtime.ContainerUsage;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The usage model of simulated containers and nodes, deterministic so that tests and autoscaling demos can count
 * on it. A running container uses, steadily from its start, half of its cpu request (5m without one) and holds a
 * working set of half of its memory request (8Mi without one); its cpu time is that rate times the time it has run,
 * so successive readings are consistent with the rate. A node uses what its running pods use plus a system share
 * of 50m cpu (counted from the node's start) and 128Mi.
 *
 * @param milliCores       the cpu the container uses, in thousandths of a core
 * @param workingSetBytes  the memory it holds (also its usage and rss: nothing of it is page cache)
 */
public record SimulatedUsage(long milliCores, long workingSetBytes) {

    public static final SimulatedUsage SYSTEM = new SimulatedUsage(50, 128L << 20);
    static final long DEFAULT_MILLI_CORES = 5;
    static final long DEFAULT_WORKING_SET_BYTES = 8L << 20;

    /** What the container uses while it runs, from its requests. */
    public static SimulatedUsage of(Container container) {
        Map<String, Quantity> requests = container.getResources() == null
                || container.getResources().getRequests() == null ? Map.of()
                : container.getResources().getRequests();
        Quantity cpu = requests.get("cpu");
        Quantity memory = requests.get("memory");
        long milliCores = cpu == null ? DEFAULT_MILLI_CORES : Quantity.getAmountInBytes(cpu)
                .multiply(BigDecimal.valueOf(500)).longValue();
        long bytes = memory == null ? DEFAULT_WORKING_SET_BYTES : Quantity.getAmountInBytes(memory)
                .divide(BigDecimal.valueOf(2)).longValue();
        return new SimulatedUsage(milliCores, bytes);
    }

    /** The cpu rate in billionths of a core, as the summary's usageNanoCores. */
    public long nanoCores() {
        return milliCores * 1_000_000;
    }

    /** Cpu time used from {@code start} to {@code now} at this rate (0 before the start). */
    public long cpuNanos(Instant start, Instant now) {
        long ran = Math.max(0, Duration.between(start, now).toNanos());
        // milliCores * nanoseconds / 1000, split so that a long run of a large request does not overflow.
        return ran / 1000 * milliCores + ran % 1000 * milliCores / 1000;
    }

    /** The reading of a container that started at {@code start}, at {@code now}. */
    public ContainerUsage at(Instant start, Instant now) {
        return new ContainerUsage(cpuNanos(start, now), workingSetBytes, workingSetBytes, workingSetBytes);
    }

    public SimulatedUsage plus(SimulatedUsage other) {
        return new SimulatedUsage(milliCores + other.milliCores, workingSetBytes + other.workingSetBytes);
    }
}
