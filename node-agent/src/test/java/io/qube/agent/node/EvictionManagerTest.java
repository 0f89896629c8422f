package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvictionManagerTest {

    private static final long GI = 1L << 30;

    private static Pod pod(String name, String qos, Integer priority, String created) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(name)
                .withCreationTimestamp(created).endMetadata().withNewSpec().withPriority(priority).endSpec()
                .withNewStatus().withQosClass(qos).withPhase("Running").endStatus().build();
    }

    /** Pods on a node with {@code memory} and {@code disk} as [capacity, available]; evictions recorded. */
    private static final class Node implements EvictionManager.Pods, EvictionManager.Signals {
        final List<Pod> pods = new ArrayList<>();
        final List<String> evicted = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        long[] memory = {16 * GI, 8 * GI};
        long[] disk = {100 * GI, 50 * GI};

        @Override
        public List<Pod> active() {
            return pods.stream().filter(p -> !evicted.contains(p.getMetadata().getUid())).toList();
        }

        @Override
        public void evict(String podUid, String message) {
            evicted.add(podUid);
            messages.add(message);
        }

        @Override
        public long[] memory() {
            return memory;
        }

        @Override
        public long[] nodefs() {
            return disk;
        }
    }

    @Test
    void underPressureOnePodGoesPerCheckBestEffortFirstThenLowerPriorityThenNewest() throws Exception {
        Node node = new Node();
        node.pods.addAll(List.of(
                pod("guaranteed", "Guaranteed", 0, "2026-12-06T00:00:00Z"),
                pod("burstable-high", "Burstable", 1000, "2026-12-06T00:00:00Z"),
                pod("burstable-old", "Burstable", 0, "2026-12-06T00:00:00Z"),
                pod("burstable-new", "Burstable", 0, "2026-12-06T00:01:00Z"),
                pod("best-effort", "BestEffort", 0, "2026-12-06T00:00:00Z")));
        NodePressure pressure = new NodePressure();
        int[] changes = {0};
        EvictionManager manager = new EvictionManager(EvictionThresholds.parse(EvictionThresholds.DEFAULT), node,
                pressure, node, EvictionManager.DiskReclaim.NONE, () -> changes[0]++);
        manager.check();
        assertThat(node.evicted).isEmpty();
        assertThat(pressure.under(NodePressure.MEMORY)).isFalse();

        node.memory = new long[] {16 * GI, 50 * 1024 * 1024}; // 50Mi left, below 100Mi
        for (int i = 0; i < 5; i++) {
            manager.check();
        }
        assertThat(node.evicted).containsExactly("best-effort", "burstable-new", "burstable-old", "burstable-high",
                "guaranteed");
        assertThat(pressure.under(NodePressure.MEMORY)).isTrue();
        assertThat(pressure.under(NodePressure.DISK)).isFalse();
        assertThat(changes[0]).isEqualTo(1);
        assertThat(node.messages.get(0)).isEqualTo("The node was low on resource: memory. Threshold quantity: "
                + "100Mi, available: 51200Ki. ");

        node.memory = new long[] {16 * GI, 8 * GI};
        manager.check();
        assertThat(pressure.under(NodePressure.MEMORY)).isFalse();
        assertThat(changes[0]).isEqualTo(2);
    }

    @Test
    void aFullDiskIsDiskPressureByItsPercentage() throws Exception {
        Node node = new Node();
        node.pods.add(pod("a", "Burstable", 0, "2026-12-06T00:00:00Z"));
        NodePressure pressure = new NodePressure();
        EvictionManager manager = new EvictionManager(EvictionThresholds.parse("nodefs.available<10%"), node,
                pressure, node, EvictionManager.DiskReclaim.NONE, () -> { });
        node.disk = new long[] {100 * GI, 11 * GI};
        manager.check();
        assertThat(pressure.under(NodePressure.DISK)).isFalse();
        node.disk = new long[] {100 * GI, 9 * GI};
        manager.check();
        assertThat(pressure.under(NodePressure.DISK)).isTrue();
        assertThat(node.messages).singleElement().asString()
                .startsWith("The node was low on resource: ephemeral-storage. Threshold quantity: 10%, available: ");
    }

    @Test
    void underDiskPressureUnusedImagesGoBeforeAnyPod() throws Exception {
        Node node = new Node();
        node.pods.add(pod("a", "BestEffort", 0, "2026-12-06T00:00:00Z"));
        NodePressure pressure = new NodePressure();
        long[] imageBytes = {5 * GI};
        int[] reclaims = {0};
        // Removing the images gives their bytes back, once.
        EvictionManager.DiskReclaim images = () -> {
            reclaims[0]++;
            node.disk = new long[] {100 * GI, node.disk[1] + imageBytes[0]};
            imageBytes[0] = 0;
        };
        EvictionManager manager = new EvictionManager(EvictionThresholds.parse("nodefs.available<10%"), node,
                pressure, node, images, () -> { });
        node.disk = new long[] {100 * GI, 8 * GI};
        manager.check();
        assertThat(reclaims[0]).isEqualTo(1);
        assertThat(node.evicted).as("13Gi free once the images went").isEmpty();
        assertThat(pressure.under(NodePressure.DISK)).isTrue();

        node.disk = new long[] {100 * GI, 8 * GI};
        manager.check();
        assertThat(reclaims[0]).isEqualTo(2);
        assertThat(node.evicted).as("nothing left to reclaim").containsExactly("a");
    }

    @Test
    void aReclaimThatFailsDoesNotKeepAPodFromBeingEvicted() throws Exception {
        Node node = new Node();
        node.pods.add(pod("a", "BestEffort", 0, "2026-12-06T00:00:00Z"));
        EvictionManager manager = new EvictionManager(EvictionThresholds.parse("nodefs.available<10%"), node,
                new NodePressure(), node, () -> {
                    throw new java.io.IOException("the runtime is gone");
                }, () -> { });
        node.disk = new long[] {100 * GI, 8 * GI};
        manager.check();
        assertThat(node.evicted).containsExactly("a");
    }

    @Test
    void memoryPressureEvictsWithoutReclaimingDisk() throws Exception {
        Node node = new Node();
        node.pods.add(pod("a", "BestEffort", 0, "2026-12-06T00:00:00Z"));
        int[] reclaims = {0};
        EvictionManager manager = new EvictionManager(EvictionThresholds.parse(EvictionThresholds.DEFAULT), node,
                new NodePressure(), node, () -> reclaims[0]++, () -> { });
        node.memory = new long[] {16 * GI, 50 * 1024 * 1024};
        manager.check();
        assertThat(reclaims[0]).isZero();
        assertThat(node.evicted).containsExactly("a");
    }

    @Test
    void thresholdsAreParsedAsTheKubeletsFlag() {
        EvictionThresholds thresholds = EvictionThresholds.parse("memory.available<1Gi, nodefs.available<12.5%");
        assertThat(thresholds.thresholds().get(EvictionThresholds.MEMORY).bytes(0)).isEqualTo(GI);
        assertThat(thresholds.thresholds().get(EvictionThresholds.NODEFS).bytes(1000)).isEqualTo(125);
        assertThat(EvictionThresholds.parse("").thresholds()).isEmpty();
        assertThatThrownBy(() -> EvictionThresholds.parse("pid.available<10"))
                .hasMessageContaining("is not SIGNAL<QUANTITY");
        assertThatThrownBy(() -> EvictionThresholds.parse("nodefs.available<120%"))
                .hasMessageContaining("between 0 and 100");
    }
}
