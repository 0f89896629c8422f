package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class NodeColumnsTest {

    @Test
    void readyControlPlaneNode() {
        Node node = node("cp-1").editMetadata().addToLabels("node-role.kubernetes.io/control-plane", "")
                .addToLabels("kubernetes.io/hostname", "cp-1").endMetadata()
                .withNewStatus().addNewCondition().withType("MemoryPressure").withStatus("False").endCondition()
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewAddress().withType("Hostname").withAddress("cp-1").endAddress()
                .addNewAddress().withType("InternalIP").withAddress("192.168.1.10").endAddress()
                .withNewNodeInfo().withKubeletVersion("v1.32.0").withOsImage("Debian GNU/Linux 12 (bookworm)")
                .withKernelVersion("6.1.0-25-amd64").withContainerRuntimeVersion("containerd://1.7.22").endNodeInfo()
                .endStatus().build();

        assertThat(Rows.headers(NodeColumns.columns(), true)).containsExactly("NAME", "STATUS", "ROLES", "AGE",
                "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME");
        assertThat(Rows.cells(NodeColumns.columns(), node)).containsExactly("cp-1", "Ready", "control-plane", "30d",
                "v1.32.0", "192.168.1.10", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-25-amd64",
                "containerd://1.7.22");
    }

    @Test
    void cordonedNotReadyWorkerWithTheOldRoleLabel() {
        Node node = node("worker-1").editMetadata().addToLabels("kubernetes.io/role", "worker")
                .addToLabels("node-role.kubernetes.io/gpu", "true").endMetadata()
                .withNewSpec().withUnschedulable(true).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("Unknown").endCondition().endStatus()
                .build();

        assertThat(Rows.defaultCells(NodeColumns.columns(), node))
                .containsExactly("worker-1", "NotReady,SchedulingDisabled", "gpu,worker", "30d", "");
    }

    @Test
    void nodeThatNeverReportedIsUnknown() {
        Node node = node("new").build();

        assertThat(Rows.cells(NodeColumns.columns(), node)).containsExactly("new", "Unknown", "<none>", "30d", "",
                "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>");
    }

    private static NodeBuilder node(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).withCreationTimestamp(ago(Duration.ofDays(30)))
                .endMetadata();
    }
}
