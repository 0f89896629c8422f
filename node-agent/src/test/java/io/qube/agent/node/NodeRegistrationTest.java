package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeRegistrationTest {

    @Test
    void allocatableIsCapacityLessWhatIsReserved() {
        NodeProfile profile = new NodeProfile("n", "2", "4Gi", 110, "10.0.0.1", Map.of(), "process://0.1.0", null,
                Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1124Mi")));
        Map<String, Quantity> allocatable = NodeRegistration.node(profile, Instant.EPOCH).getStatus()
                .getAllocatable();
        assertThat(Quantity.getAmountInBytes(allocatable.get("cpu"))).isEqualByComparingTo("1.5");
        assertThat(Quantity.getAmountInBytes(allocatable.get("memory")))
                .isEqualByComparingTo(Long.toString((4096L - 1124) * 1024 * 1024));
        assertThat(allocatable.get("pods")).isEqualTo(new Quantity("110"));
        assertThat(NodeRegistration.node(profile, Instant.EPOCH).getStatus().getCapacity().get("cpu"))
                .isEqualTo(new Quantity("2"));
    }

    @Test
    void aReservationLargerThanTheCapacityLeavesNothingRatherThanLessThanNothing() {
        assertThat(NodeRegistration.allocatable(Map.of("memory", new Quantity("1Gi")),
                Map.of("memory", new Quantity("2Gi")))).containsEntry("memory", new Quantity("0"));
    }
}
