package io.qube.controller.nodeipam;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which node holds which range of the cluster CIDR. Unlike Kubernetes' bare cidrset, a range is freed only when no
 * other node still claims it, so that a node deleted late does not free the range a newer node carries.
 */
final class NodeRanges {

    private final CidrSet cidrs;
    private final Map<String, String> held = new HashMap<>();

    NodeRanges(CidrSet cidrs) {
        this.cidrs = cidrs;
    }

    /**
     * Records the range a node carries (whoever gave it) as taken, in place of any other this node held.
     *
     * @return false, and nothing recorded, if the CIDR lies outside the cluster CIDR (an IPv6 one always does)
     */
    synchronized boolean occupy(String node, String cidr) {
        if (!isIpv4(cidr) || !cidrs.overlaps(cidr)) {
            return false;
        }
        String before = held.put(node, cidr);
        if (before != null && !before.equals(cidr)) {
            freeUnclaimed(before);
        }
        cidrs.occupy(cidr);
        return true;
    }

    /** The range this node was given before (its update may not have landed), else the lowest free one. */
    synchronized Optional<String> allocate(String node) {
        String before = held.get(node);
        if (before != null) {
            return Optional.of(before);
        }
        Optional<String> next = cidrs.allocateNext();
        next.ifPresent(cidr -> held.put(node, cidr));
        return next;
    }

    /** Frees the node's range, unless another node claims it too. */
    synchronized void release(String node) {
        String cidr = held.remove(node);
        if (cidr != null) {
            freeUnclaimed(cidr);
        }
    }

    synchronized Set<String> nodes() {
        return Set.copyOf(held.keySet());
    }

    static boolean isIpv4(String cidr) {
        return !cidr.contains(":");
    }

    private void freeUnclaimed(String cidr) {
        cidrs.release(cidr);
        // Ranges are freed whole: whatever another node's CIDR overlaps is taken again.
        held.values().forEach(cidrs::occupy);
    }
}
