package io.qube.agent.runtime.cri;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.cri.v1.Cri;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRI stats message as a runtime sends it, mapped to the agent's usage. */
class CriUsageTest {

    private static Cri.UInt64Value value(long value) {
        return Cri.UInt64Value.newBuilder().setValue(value).build();
    }

    @Test
    void cpuTimeAndTheMemoryFiguresAreTakenAsTheRuntimeGivesThem() {
        Cri.ContainerStats stats = Cri.ContainerStats.newBuilder()
                .setAttributes(Cri.ContainerAttributes.newBuilder().setId("c1"))
                .setCpu(Cri.CpuUsage.newBuilder().setTimestamp(1).setUsageCoreNanoSeconds(value(45_534_157_866L)))
                .setMemory(Cri.MemoryUsage.newBuilder().setWorkingSetBytes(value(8_388_608))
                        .setUsageBytes(value(10_485_760)).setRssBytes(value(6_291_456)))
                .build();
        assertThat(CriUsage.of(stats))
                .isEqualTo(new ContainerUsage(45_534_157_866L, 10_485_760L, 8_388_608L, 6_291_456L));
    }

    @Test
    void withoutCpuTimeOrWorkingSetThereIsNoUsage() {
        Cri.CpuUsage cpu = Cri.CpuUsage.newBuilder().setUsageCoreNanoSeconds(value(5)).build();
        Cri.MemoryUsage memory = Cri.MemoryUsage.newBuilder().setWorkingSetBytes(value(7)).build();
        // A container whose task the runtime could not reach: its attributes only.
        assertThat(CriUsage.of(Cri.ContainerStats.newBuilder()
                .setAttributes(Cri.ContainerAttributes.newBuilder().setId("c1")).build())).isNull();
        assertThat(CriUsage.of(Cri.ContainerStats.newBuilder().setCpu(cpu).build())).isNull();
        assertThat(CriUsage.of(Cri.ContainerStats.newBuilder().setMemory(memory).build())).isNull();
        // A zero is a figure (a container that has not run yet), an absent value is not.
        assertThat(CriUsage.of(Cri.ContainerStats.newBuilder().setCpu(Cri.CpuUsage.getDefaultInstance())
                .setMemory(memory).build())).isNull();
        assertThat(CriUsage.of(Cri.ContainerStats.newBuilder()
                .setCpu(Cri.CpuUsage.newBuilder().setUsageCoreNanoSeconds(value(0))).setMemory(memory).build()))
                .isEqualTo(new ContainerUsage(0, 7, 7, 0));
    }

    @Test
    void withoutUsageBytesTheWorkingSetStandsForItAndRssIsZero() {
        Cri.ContainerStats stats = Cri.ContainerStats.newBuilder()
                .setCpu(Cri.CpuUsage.newBuilder().setUsageCoreNanoSeconds(value(1_000)))
                .setMemory(Cri.MemoryUsage.newBuilder().setWorkingSetBytes(value(4_096))).build();
        assertThat(CriUsage.of(stats)).isEqualTo(new ContainerUsage(1_000, 4_096, 4_096, 0));
    }

    /**
     * The response written field by field with runtime.v1's numbers (ListContainerStatsResponse.stats 1;
     * ContainerStats attributes 1, cpu 2, memory 3; CpuUsage usage_core_nano_seconds 2; MemoryUsage
     * working_set_bytes 2, usage_bytes 4, rss_bytes 5; a field the agent leaves out, writable_layer 4, skipped).
     */
    @Test
    void aResponseWithRuntimeV1sFieldNumbersDecodes() throws IOException {
        byte[] cpu = message(out -> {
            out.writeInt64(1, 1_700_000_000_000_000_000L);
            out.writeBytes(2, ByteString.copyFrom(message(v -> v.writeUInt64(1, 123_456_789L))));
        });
        byte[] memory = message(out -> {
            out.writeBytes(2, ByteString.copyFrom(message(v -> v.writeUInt64(1, 3_000_000L))));
            out.writeBytes(4, ByteString.copyFrom(message(v -> v.writeUInt64(1, 5_000_000L))));
            out.writeBytes(5, ByteString.copyFrom(message(v -> v.writeUInt64(1, 2_000_000L))));
        });
        byte[] stats = message(out -> {
            out.writeBytes(1, ByteString.copyFrom(message(a -> a.writeString(1, "abc123"))));
            out.writeBytes(2, ByteString.copyFrom(cpu));
            out.writeBytes(3, ByteString.copyFrom(memory));
            out.writeBytes(4, ByteString.copyFrom(message(fs -> fs.writeInt64(1, 42))));
        });
        Cri.ListContainerStatsResponse response = Cri.ListContainerStatsResponse.parseFrom(
                message(out -> out.writeBytes(1, ByteString.copyFrom(stats))));
        assertThat(response.getStats(0).getAttributes().getId()).isEqualTo("abc123");
        assertThat(CriUsage.of(response.getStats(0)))
                .isEqualTo(new ContainerUsage(123_456_789L, 5_000_000L, 3_000_000L, 2_000_000L));
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
