package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.agent.node.NodePressure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The kubelet's resource admission of a pod bound to the node. */
class NodeAdmissionTest {

    private static final Map<String, Quantity> NODE = Map.of("cpu", new Quantity("2"), "memory",
            new Quantity("1Gi"), "pods", new Quantity("3"));

    private static final NodePressure NONE = new NodePressure();

    private static Pod pod(String cpu, String memory, String initCpu) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addNewContainer().withName("a").withNewResources()
                .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))).endResources()
                .endContainer().endSpec();
        if (initCpu != null) {
            pod.editSpec().addNewInitContainer().withName("i").withNewResources()
                    .withRequests(Map.of("cpu", new Quantity(initCpu))).endResources().endInitContainer().endSpec();
        }
        return pod.build();
    }

    @Test
    void aPodThatFitsIsAdmitted() {
        assertThat(NodeAdmission.check(pod("1", "512Mi", null), List.of(pod("500m", "256Mi", null)), NODE, NONE)).isNull();
    }

    @Test
    void cpuBeyondWhatIsLeftIsOutOfcpuWithTheKubeletsMessage() {
        NodeAdmission.Refusal refusal = NodeAdmission.check(pod("1500m", "1Mi", null),
                List.of(pod("1", "1Mi", null)), NODE, NONE);
        assertThat(refusal.reason()).isEqualTo("OutOfcpu");
        assertThat(refusal.message()).isEqualTo("Pod was rejected: Node didn't have enough resource: cpu, "
                + "requested: 1500, used: 1000, capacity: 2000");
    }

    @Test
    void memoryBeyondWhatIsLeftIsOutOfmemory() {
        assertThat(NodeAdmission.check(pod("100m", "800Mi", null), List.of(pod("100m", "300Mi", null)), NODE, NONE)
                .reason()).isEqualTo("OutOfmemory");
    }

    @Test
    void theLargestInitContainerCountsWhenLargerThanTheContainers() {
        assertThat(NodeAdmission.request(pod("100m", "1Mi", "1500m"), "cpu")).isEqualTo(1500);
        assertThat(NodeAdmission.check(pod("100m", "1Mi", "2500m"), List.of(), NODE, NONE).reason()).isEqualTo("OutOfcpu");
    }

    @Test
    void theNodesPodCountIsALimitToo() {
        List<Pod> three = List.of(pod("1m", "1Mi", null), pod("1m", "1Mi", null), pod("1m", "1Mi", null));
        assertThat(NodeAdmission.check(pod("1m", "1Mi", null), three, NODE, NONE).reason()).isEqualTo("OutOfpods");
    }

    @Test
    void underMemoryPressureBestEffortPodsAreRefusedAndUnderDiskPressureAllAre() {
        Pod bestEffort = new PodBuilder(pod("1m", "1Mi", null)).withNewStatus().withQosClass("BestEffort")
                .endStatus().build();
        Pod burstable = new PodBuilder(pod("1m", "1Mi", null)).withNewStatus().withQosClass("Burstable")
                .endStatus().build();
        NodePressure memory = new NodePressure();
        memory.set(NodePressure.MEMORY, true);
        NodeAdmission.Refusal refusal = NodeAdmission.check(bestEffort, List.of(), NODE, memory);
        assertThat(refusal.reason()).isEqualTo("Evicted");
        assertThat(refusal.message()).isEqualTo("Pod was rejected: The node had condition: [MemoryPressure]. ");
        assertThat(NodeAdmission.check(burstable, List.of(), NODE, memory)).isNull();
        NodePressure disk = new NodePressure();
        disk.set(NodePressure.DISK, true);
        assertThat(NodeAdmission.check(burstable, List.of(), NODE, disk).message())
                .isEqualTo("Pod was rejected: The node had condition: [DiskPressure]. ");
    }
}
