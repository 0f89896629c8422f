package io.qube.agent.stats;

import io.qube.agent.runtime.ContainerUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** /proc/stat and /proc/meminfo as the kernel writes them, in a temporary directory. */
class NodeUsageTest {

    @Test
    void cpuIsEveryStateButIdleAndIowaitAndMemoryIsTotalLessFree(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("stat"), """
                cpu  100 20 30 5000 40 5 6 7 0 0
                cpu0 50 10 15 2500 20 2 3 3 0 0
                intr 1 2 3
                """);
        Files.writeString(proc.resolve("meminfo"), """
                MemTotal:        1000 kB
                MemFree:          200 kB
                MemAvailable:     600 kB
                Inactive(file):   300 kB
                AnonPages:        250 kB
                HugePages_Total:       0
                """);
        NodeUsage node = new NodeUsage(proc);
        // user + nice + system + irq + softirq + steal = 168 ticks of 10 ms
        assertThat(node.read()).isEqualTo(new ContainerUsage(1_680_000_000L, 800 * 1024, 500 * 1024, 250 * 1024));
        assertThat(node.capacityBytes()).isEqualTo(1000 * 1024);
    }
}
