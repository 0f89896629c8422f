package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Kubernetes' validation of a Node: taints, pod CIDRs and resource quantities; on an update, the pod CIDRs and
 * provider ID may only be set once (the controllers that assign them rely on that).
 */
final class NodeValidation {

    private static final String SET_ONCE = "node updates may not change %s except from \"\" to valid";

    private NodeValidation() {
    }

    static void validate(Node node, Node old, FieldErrors errors) {
        NodeSpec spec = node.getSpec() == null ? new NodeSpec() : node.getSpec();
        taints(NullSafe.list(spec.getTaints()), errors);
        List<String> cidrs = NullSafe.list(spec.getPodCIDRs());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < cidrs.size(); i++) {
            String cidr = NullSafe.string(cidrs.get(i));
            if (!IpAddresses.isValidCidr(cidr)) {
                errors.invalid("spec.podCIDRs[" + i + "]", cidr, IpAddresses.INVALID_CIDR);
            } else if (!seen.add(cidr)) {
                errors.duplicate("spec.podCIDRs[" + i + "]", cidr);
            }
        }
        if (cidrs.size() > 2) {
            errors.invalid("spec.podCIDRs", Json.MAPPER.valueToTree(cidrs), "may specify no more than one CIDR for each IP family");
        }
        if (node.getStatus() != null) {
            quantities(node.getStatus().getCapacity(), "status.capacity", errors);
            quantities(node.getStatus().getAllocatable(), "status.allocatable", errors);
        }
        if (old != null) {
            update(node, old, errors);
        }
    }

    private static void taints(List<Taint> taints, FieldErrors errors) {
        Set<String> keysAndEffects = new HashSet<>();
        for (int i = 0; i < taints.size(); i++) {
            Taint taint = taints.get(i);
            String at = "spec.taints[" + i + "]";
            String key = NullSafe.string(taint.getKey());
            NameSyntax.qualifiedName(key).forEach(problem -> errors.invalid(at + ".key", key, problem));
            String value = NullSafe.string(taint.getValue());
            List<String> valueProblems = NameSyntax.labelValue(value);
            if (!valueProblems.isEmpty()) {
                errors.invalid(at + ".value", value, String.join(";", valueProblems));
            }
            ContainerValidation.oneOf(taint.getEffect(), PodSpecValidation.TAINT_EFFECTS, at + ".effect", errors);
            // Two taints with one key and effect would leave tolerations ambiguous.
            if (!keysAndEffects.add(key + ":" + NullSafe.string(taint.getEffect()))) {
                errors.duplicate(at, key + ":" + NullSafe.string(taint.getEffect()));
            }
        }
    }

    private static void quantities(Map<String, Quantity> quantities, String path, FieldErrors errors) {
        NullSafe.map(quantities).forEach((name, quantity) -> {
            String at = path + "." + name;
            String shown = quantity == null ? "" : quantity.toString();
            Quantities.value(quantity).ifPresentOrElse(
                    amount -> {
                        if (amount.signum() < 0) {
                            errors.invalid(at, shown, "must be greater than or equal to 0");
                        }
                    },
                    () -> errors.invalid(at, shown, Quantities.MALFORMED));
        });
    }

    private static void update(Node node, Node old, FieldErrors errors) {
        NodeSpec spec = node.getSpec() == null ? new NodeSpec() : node.getSpec();
        NodeSpec oldSpec = old.getSpec() == null ? new NodeSpec() : old.getSpec();
        List<String> oldCidrs = NullSafe.list(oldSpec.getPodCIDRs());
        if (!oldCidrs.isEmpty() && !oldCidrs.equals(NullSafe.list(spec.getPodCIDRs()))) {
            errors.forbidden("spec.podCIDRs", String.format(SET_ONCE, "podCIDR"));
        }
        if (!NullSafe.isEmpty(oldSpec.getProviderID()) && !oldSpec.getProviderID().equals(spec.getProviderID())) {
            errors.forbidden("spec.providerID", String.format(SET_ONCE, "providerID"));
        }
        if (!Objects.equals(spec.getExternalID(), oldSpec.getExternalID())) {
            errors.forbidden("spec.externalID", "may not be updated");
        }
        NodeStatus status = node.getStatus();
        List<NodeAddress> addresses = status == null ? List.of() : NullSafe.list(status.getAddresses());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < addresses.size(); i++) {
            String address = addresses.get(i).getType() + "/" + addresses.get(i).getAddress();
            if (!seen.add(address)) {
                errors.duplicate("status.addresses[" + i + "]", address);
            }
        }
    }
}
