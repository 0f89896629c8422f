package io.qube.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code kubectl top} prints, read back: its rows, its cpu in millicores and memory in whole mebibytes, and the
 * figure a container's memory cgroup gives to compare them with (the working set: usage less inactive files).
 */
final class KubectlTop {

    private KubectlTop() {
    }

    /** {@code kubectl top pod --containers} in the namespace: each row's cells by "pod/container". */
    static Map<String, List<String>> containers(Kubectl kubectl, String namespace) throws Exception {
        Map<String, List<String>> containers = new HashMap<>();
        String top = kubectl.ok("top", "pod", "--containers", "-n", namespace);
        for (String line : top.strip().split("\n")) {
            List<String> cells = List.of(line.trim().split("\\s+"));
            containers.put(cells.get(0) + "/" + cells.get(1), cells);
        }
        return containers;
    }

    /** The row whose first cell is {@code first}. */
    static List<String> row(String table, String first) {
        for (String line : table.strip().split("\n")) {
            List<String> cells = List.of(line.trim().split("\\s+"));
            if (cells.get(0).equals(first)) {
                return cells;
            }
        }
        throw new AssertionError("no row " + first + " in\n" + table);
    }

    static long millis(String cpu) {
        assertThat(cpu).matches("\\d+m");
        return Long.parseLong(cpu.substring(0, cpu.length() - 1));
    }

    static long mebibytes(String memory) {
        assertThat(memory).matches("\\d+Mi");
        return Long.parseLong(memory.substring(0, memory.length() - 2));
    }

    /** kubectl top rounds down to whole Mi: a mebibyte of slack besides the 20%. */
    static void assertWithin20Percent(long shownMi, long cgroupBytes) {
        double cgroupMi = cgroupBytes / 1048576.0;
        assertThat(Math.abs(shownMi - cgroupMi)).as("kubectl top %dMi, cgroup %.1fMi", shownMi, cgroupMi)
                .isLessThanOrEqualTo(Math.max(1.0, cgroupMi * 0.2));
    }

    /** The working set of a v1 memory cgroup directory now. */
    static long workingSetV1(Path memory) throws IOException {
        long usage = Long.parseLong(Files.readString(memory.resolve("memory.usage_in_bytes")).trim());
        return usage - stat(memory.resolve("memory.stat"), "total_inactive_file");
    }

    /** The working set of a v2 cgroup directory now. */
    static long workingSetV2(Path cgroup) throws IOException {
        long usage = Long.parseLong(Files.readString(cgroup.resolve("memory.current")).trim());
        return usage - stat(cgroup.resolve("memory.stat"), "inactive_file");
    }

    private static long stat(Path file, String key) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith(key + " "))
                .mapToLong(line -> Long.parseLong(line.substring(key.length() + 1).trim())).findFirst().orElse(0);
    }
}
