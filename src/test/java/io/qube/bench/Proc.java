package io.qube.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What Linux's /proc says about processes: CPU time (also per thread), resident memory, the machine. */
final class Proc {

    /** Clock ticks per second, the unit of CPU times in /proc/PID/stat (USER_HZ: 100 on every Linux we run). */
    static final long TICKS_PER_SECOND = 100;

    private Proc() {
    }

    /** CPU seconds a process used, including its waited-for children that have exited. */
    static double cpuSeconds(long pid) {
        long[] times = times(Path.of("/proc", Long.toString(pid), "stat"));
        return times == null ? 0 : (times[0] + times[1] + times[2] + times[3]) / (double) TICKS_PER_SECOND;
    }

    /** CPU seconds of a process and of all its living descendants. */
    static double treeCpuSeconds(long pid) {
        double total = cpuSeconds(pid);
        try (Stream<ProcessHandle> descendants = ProcessHandle.of(pid).map(ProcessHandle::descendants)
                .orElse(Stream.empty())) {
            total += descendants.mapToDouble(p -> cpuSeconds(p.pid())).sum();
        }
        return total;
    }

    /** CPU seconds per thread group of a process: thread names with their numbers removed ("GC Thread#3" → "GC Thread"). */
    static Map<String, Double> threadCpuSeconds(long pid) {
        Map<String, Double> groups = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                Path stat = thread.resolve("stat");
                String text = read(stat);
                long[] times = times(stat);
                if (text == null || times == null) {
                    continue;
                }
                String name = text.substring(text.indexOf('(') + 1, text.lastIndexOf(')'))
                        .replaceAll("[#-]?\\d+$", "").strip();
                groups.merge(name, (times[0] + times[1]) / (double) TICKS_PER_SECOND, Double::sum);
            }
        } catch (IOException e) {
            return groups;
        }
        return groups;
    }

    /** The difference of two per-thread-group snapshots (threads that ended in between are lost, not negative). */
    static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> difference = new TreeMap<>();
        after.forEach((name, seconds) -> {
            double d = seconds - before.getOrDefault(name, 0.0);
            if (d > 0) {
                difference.put(name, d);
            }
        });
        return difference;
    }

    /** Resident memory (VmRSS) in KiB, or -1 when the process is gone. */
    static long rssKib(long pid) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return -1;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /** The pid of the PostgreSQL server running on a data directory (first line of its postmaster.pid). */
    static long postmasterPid(Path dataDirectory) {
        return Long.parseLong(postmasterLines(dataDirectory).get(0).strip());
    }

    /** The port of the PostgreSQL server running on a data directory (fourth line of its postmaster.pid). */
    static int postmasterPort(Path dataDirectory) {
        return Integer.parseInt(postmasterLines(dataDirectory).get(3).strip());
    }

    private static List<String> postmasterLines(Path dataDirectory) {
        try {
            return Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL running on " + dataDirectory, e);
        }
    }

    static String cpuModel() {
        String info = read(Path.of("/proc/cpuinfo"));
        if (info != null) {
            for (String line : info.split("\n")) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        }
        return "unknown CPU";
    }

    static long memTotalMib() {
        String info = read(Path.of("/proc/meminfo"));
        if (info != null) {
            for (String line : info.split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        }
        return -1;
    }

    static String kernel() {
        String release = read(Path.of("/proc/sys/kernel/osrelease"));
        return release == null ? "?" : release.strip();
    }

    /** The 1-minute load average, a hint of how much else ran on the machine. */
    static String loadAverage() {
        String load = read(Path.of("/proc/loadavg"));
        return load == null ? "?" : String.join(" ", List.of(load.split(" ")).subList(0, 3));
    }

    /** utime, stime, cutime, cstime in ticks, or null when the process is gone. */
    private static long[] times(Path stat) {
        String text = read(stat);
        if (text == null) {
            return null;
        }
        // Fields after the command name, which is in parentheses and may contain spaces: field 3 (state) first.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return new long[]{Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[13]),
                Long.parseLong(fields[14])};
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return null;
        }
    }
}
