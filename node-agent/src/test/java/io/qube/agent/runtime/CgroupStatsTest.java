package io.qube.agent.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Cgroup files as the kernel writes them, in a temporary directory. */
class CgroupStatsTest {

    @Test
    void v1ReadsCpuacctAndTheHierarchicalMemoryFigures(@TempDir Path root) throws Exception {
        Path cpuacct = Files.createDirectories(root.resolve("cpuacct"));
        Path memory = Files.createDirectories(root.resolve("memory"));
        Files.writeString(cpuacct.resolve("cpuacct.usage"), "45534157866\n");
        Files.writeString(memory.resolve("memory.usage_in_bytes"), "10485760\n");
        Files.writeString(memory.resolve("memory.stat"), """
                cache 4096
                rss 8192
                inactive_file 4096
                total_cache 3145728
                total_rss 6291456
                total_inactive_file 2097152
                total_active_file 1048576
                """);
        ContainerUsage usage = CgroupStats.v1(cpuacct, memory);
        assertThat(usage).isEqualTo(new ContainerUsage(45_534_157_866L, 10_485_760L, 8_388_608L, 6_291_456L));
    }

    @Test
    void v2ReadsCpuStatAndMemoryCurrent(@TempDir Path cgroup) throws Exception {
        Files.writeString(cgroup.resolve("cpu.stat"), """
                usage_usec 1500000
                user_usec 1000000
                system_usec 500000
                """);
        Files.writeString(cgroup.resolve("memory.current"), "5000000\n");
        Files.writeString(cgroup.resolve("memory.stat"), "anon 3000000\nfile 2000000\ninactive_file 1000000\n");
        assertThat(CgroupStats.v2(cgroup)).isEqualTo(new ContainerUsage(1_500_000_000L, 5_000_000L, 4_000_000L,
                3_000_000L));
    }

    @Test
    void theWorkingSetIsNeverNegativeAndMemoryIsOptionalOnV2(@TempDir Path root) throws Exception {
        Path v1 = Files.createDirectories(root.resolve("v1"));
        Files.writeString(v1.resolve("cpuacct.usage"), "1");
        Files.writeString(v1.resolve("memory.usage_in_bytes"), "100");
        Files.writeString(v1.resolve("memory.stat"), "total_inactive_file 200\n");
        assertThat(CgroupStats.v1(v1, v1).workingSetBytes()).isZero();
        Path v2 = Files.createDirectories(root.resolve("v2"));
        Files.writeString(v2.resolve("cpu.stat"), "usage_usec 7\n");
        assertThat(CgroupStats.v2(v2)).isEqualTo(new ContainerUsage(7000, 0, 0, 0));
    }
}
