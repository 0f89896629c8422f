package io.qube.agent.stats;

import io.qube.agent.runtime.ContainerUsage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole machine's cpu and memory from {@code /proc/stat} and {@code /proc/meminfo}: cpu time is every state but
 * idle and iowait; memory in use is total less free, its working set that less the inactive file pages (as the
 * kubelet reads the root cgroup), rss the anonymous pages.
 */
public final class NodeUsage {

    /** /proc/stat counts in USER_HZ ticks, 100 a second on every Linux architecture Qube runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Path proc;

    public NodeUsage(Path proc) {
        this.proc = proc;
    }

    /** The node's use now, in the same form as a container's. */
    public ContainerUsage read() throws IOException {
        Map<String, Long> memory = meminfo(proc.resolve("meminfo"));
        long usage = memory.getOrDefault("MemTotal", 0L) - memory.getOrDefault("MemFree", 0L);
        long workingSet = Math.max(0, usage - memory.getOrDefault("Inactive(file)", 0L));
        return new ContainerUsage(cpuNanos(Files.readString(proc.resolve("stat"))), usage, workingSet,
                memory.getOrDefault("AnonPages", 0L));
    }

    /** The machine's memory in bytes ({@code MemTotal}). */
    public long capacityBytes() throws IOException {
        return meminfo(proc.resolve("meminfo")).getOrDefault("MemTotal", 0L);
    }

    static long cpuNanos(String stat) {
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] fields = line.trim().split("\\s+");
                long busy = 0;
                // user nice system idle iowait irq softirq steal (guest time is already counted in user)
                for (int i = 1; i < fields.length && i <= 8; i++) {
                    if (i != 4 && i != 5) {
                        busy += Long.parseLong(fields[i]);
                    }
                }
                return busy * NANOS_PER_TICK;
            }
        }
        throw new IllegalArgumentException("no cpu line in /proc/stat");
    }

    /** {@code /proc/meminfo} in bytes by field name. */
    static Map<String, Long> meminfo(Path file) throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] value = line.substring(colon + 1).trim().split("\\s+");
            long number = Long.parseLong(value[0]);
            values.put(line.substring(0, colon), value.length > 1 && value[1].equals("kB") ? number * 1024 : number);
        }
        return values;
    }
}
