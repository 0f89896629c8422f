package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** What Kubernetes fills into a Node: its single and plural pod CIDR fields agree, and allocatable defaults to capacity. */
final class NodeDefaults {

    private NodeDefaults() {
    }

    static void apply(Node node) {
        NodeSpec spec = node.getSpec();
        if (spec != null) {
            // podCIDR is the older, single-stack form of podCIDRs[0]; whichever was given fills the other.
            if (NullSafe.list(spec.getPodCIDRs()).isEmpty() && !NullSafe.isEmpty(spec.getPodCIDR())) {
                spec.setPodCIDRs(new ArrayList<>(List.of(spec.getPodCIDR())));
            } else if (!NullSafe.list(spec.getPodCIDRs()).isEmpty()) {
                spec.setPodCIDR(spec.getPodCIDRs().get(0));
            }
        }
        // A node that reports only its capacity can allocate all of it.
        NodeStatus status = node.getStatus();
        if (status != null) {
            Quantities.canonicalize(status.getCapacity());
            Quantities.canonicalize(status.getAllocatable());
        }
        if (status != null && NullSafe.map(status.getAllocatable()).isEmpty()
                && !NullSafe.map(status.getCapacity()).isEmpty()) {
            status.setAllocatable(new LinkedHashMap<>(status.getCapacity()));
        }
    }
}
