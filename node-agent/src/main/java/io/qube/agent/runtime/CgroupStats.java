package io.qube.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a cgroup's cpu and memory figures as cadvisor does: on v1 from {@code cpuacct.usage} and
 * {@code memory.usage_in_bytes}/{@code memory.stat} (hierarchical {@code total_*} fields), on v2 from
 * {@code cpu.stat}'s {@code usage_usec} and {@code memory.current}/{@code memory.stat}. The working set is usage
 * less inactive file pages, never below zero.
 */
public final class CgroupStats {

    private CgroupStats() {
    }

    /** A v1 container: its cpuacct and memory directories. */
    public static ContainerUsage v1(Path cpuacct, Path memory) throws IOException {
        long cpu = Long.parseLong(Files.readString(cpuacct.resolve("cpuacct.usage")).trim());
        long usage = Long.parseLong(Files.readString(memory.resolve("memory.usage_in_bytes")).trim());
        Map<String, Long> stat = keyed(memory.resolve("memory.stat"));
        long inactiveFile = stat.getOrDefault("total_inactive_file", stat.getOrDefault("inactive_file", 0L));
        long rss = stat.getOrDefault("total_rss", stat.getOrDefault("rss", 0L));
        return new ContainerUsage(cpu, usage, Math.max(0, usage - inactiveFile), rss);
    }

    /** A v2 container: its one directory. */
    public static ContainerUsage v2(Path directory) throws IOException {
        long cpu = keyed(directory.resolve("cpu.stat")).getOrDefault("usage_usec", 0L) * 1000;
        Path current = directory.resolve("memory.current");
        if (!Files.exists(current)) {
            // A cgroup without the memory controller (it was not delegated to it) accounts cpu only.
            return new ContainerUsage(cpu, 0, 0, 0);
        }
        long usage = Long.parseLong(Files.readString(current).trim());
        Map<String, Long> stat = keyed(directory.resolve("memory.stat"));
        return new ContainerUsage(cpu, usage, Math.max(0, usage - stat.getOrDefault("inactive_file", 0L)),
                stat.getOrDefault("anon", 0L));
    }

    /** A file of {@code key value} lines ({@code memory.stat}, {@code cpu.stat}). */
    static Map<String, Long> keyed(Path file) throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                try {
                    values.put(parts[0], Long.parseLong(parts[1]));
                } catch (NumberFormatException e) {
                    // Not a counter (none is expected in these files); the others still count.
                }
            }
        }
        return values;
    }
}
