package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import static io.qube.apiserver.table.Cells.list;
import static io.qube.apiserver.table.Cells.text;

/**
 * {@code kubectl get nodes}: NAME STATUS ROLES AGE VERSION; wide: INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION
 * CONTAINER-RUNTIME.
 */
final class NodeColumns {

    /** {@code node-role.kubernetes.io/control-plane: ""} gives the role "control-plane". */
    private static final String ROLE_LABEL_PREFIX = "node-role.kubernetes.io/";
    /** The older way to name a node's role: {@code kubernetes.io/role: master}. */
    private static final String ROLE_LABEL = "kubernetes.io/role";

    private NodeColumns() {
    }

    static List<TableColumn<? super Node>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Status", "string", "The status of the node", (node, now) -> status(node)),
                TableColumn.of("Roles", "string", "The roles of the node", (node, now) -> roles(node)),
                CommonColumns.age(),
                TableColumn.of("Version", "string", "The version of the kubelet on the node.",
                        (node, now) -> text(info(node).getKubeletVersion())),
                TableColumn.wide("Internal-IP", "string", "The node's first internal address.",
                        (node, now) -> address(node, "InternalIP")),
                TableColumn.wide("External-IP", "string", "The node's first external address.",
                        (node, now) -> address(node, "ExternalIP")),
                systemInfo("OS-Image", "The operating system image the node reports.", NodeSystemInfo::getOsImage),
                systemInfo("Kernel-Version", "The kernel version the node reports.", NodeSystemInfo::getKernelVersion),
                systemInfo("Container-Runtime", "The container runtime and its version the node reports.",
                        NodeSystemInfo::getContainerRuntimeVersion));
    }

    /** "Ready", "NotReady" or "Unknown" (no Ready condition yet), with ",SchedulingDisabled" when cordoned. */
    private static String status(Node node) {
        String status = "Unknown";
        for (NodeCondition condition : list(nodeStatus(node).getConditions())) {
            if ("Ready".equals(condition.getType())) {
                status = "True".equals(condition.getStatus()) ? "Ready" : "NotReady";
            }
        }
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        return cordoned ? status + ",SchedulingDisabled" : status;
    }

    private static String roles(Node node) {
        TreeSet<String> roles = new TreeSet<>();
        Map<String, String> labels = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        if (labels != null) {
            labels.forEach((key, value) -> {
                if (key.startsWith(ROLE_LABEL_PREFIX) && key.length() > ROLE_LABEL_PREFIX.length()) {
                    roles.add(key.substring(ROLE_LABEL_PREFIX.length()));
                } else if (key.equals(ROLE_LABEL) && !text(value).isEmpty()) {
                    roles.add(value);
                }
            });
        }
        return roles.isEmpty() ? Cells.NONE : String.join(",", roles);
    }

    private static String address(Node node, String type) {
        for (NodeAddress address : list(nodeStatus(node).getAddresses())) {
            if (type.equals(address.getType())) {
                return text(address.getAddress());
            }
        }
        return Cells.NONE;
    }

    private static TableColumn<Node> systemInfo(String name, String description,
                                                Function<NodeSystemInfo, String> field) {
        return TableColumn.wide(name, "string", description, (node, now) -> {
            String value = field.apply(info(node));
            return value == null || value.isEmpty() ? Cells.UNKNOWN : value;
        });
    }

    private static NodeSystemInfo info(Node node) {
        NodeSystemInfo info = nodeStatus(node).getNodeInfo();
        return info == null ? new NodeSystemInfo() : info;
    }

    private static NodeStatus nodeStatus(Node node) {
        return node.getStatus() == null ? new NodeStatus() : node.getStatus();
    }
}
