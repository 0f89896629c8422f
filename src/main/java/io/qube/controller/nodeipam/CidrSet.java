package io.qube.controller.nodeipam;

import java.util.BitSet;
import java.util.Optional;

/**
 * The node-sized ranges of one IPv4 cluster CIDR, each free or used, as Kubernetes' cidrset keeps them; but a
 * range is always the lowest free one, where Kubernetes goes round from the last one it gave. Not thread-safe.
 */
final class CidrSet {

    /** Kubernetes' limit on how many node ranges one cluster CIDR is cut into: 2^16. */
    private static final int MAX_SPLIT_BITS = 16;

    private final Ipv4Cidr cluster;
    private final int nodeMaskSize;
    private final int rangeCount;
    private final BitSet used = new BitSet();

    /**
     * @param clusterCidr  e.g. 10.42.0.0/16 (host bits are ignored, as Go's ParseCIDR does)
     * @param nodeMaskSize the prefix length of each node's range, e.g. 24
     * @throws IllegalArgumentException if the CIDR is not IPv4 or the mask does not fit it
     */
    CidrSet(String clusterCidr, int nodeMaskSize) {
        this.cluster = Ipv4Cidr.parse(clusterCidr);
        if (nodeMaskSize < cluster.prefix() || nodeMaskSize > 32) {
            throw new IllegalArgumentException("the node CIDR mask size " + nodeMaskSize + " must lie between the "
                    + "cluster CIDR's " + cluster.prefix() + " and 32");
        }
        if (nodeMaskSize - cluster.prefix() > MAX_SPLIT_BITS) {
            throw new IllegalArgumentException("the node CIDR mask size " + nodeMaskSize + " cuts " + cluster
                    + " into more than 2^" + MAX_SPLIT_BITS + " ranges");
        }
        this.nodeMaskSize = nodeMaskSize;
        this.rangeCount = 1 << (nodeMaskSize - cluster.prefix());
    }

    /** Takes the lowest free range; empty when every range is used. */
    Optional<String> allocateNext() {
        int index = used.nextClearBit(0);
        if (index >= rangeCount) {
            return Optional.empty();
        }
        used.set(index);
        return Optional.of(new Ipv4Cidr(cluster.first() + ((long) index << (32 - nodeMaskSize)), nodeMaskSize)
                .toString());
    }

    /**
     * Marks every range the CIDR overlaps as used (a CIDR wider than a node's range takes several).
     *
     * @return false, and nothing marked, if the CIDR lies outside the cluster CIDR
     * @throws IllegalArgumentException if it is no IPv4 CIDR
     */
    boolean occupy(String cidr) {
        return mark(cidr, true);
    }

    /** Frees every range the CIDR overlaps; false if it lies outside the cluster CIDR. */
    boolean release(String cidr) {
        return mark(cidr, false);
    }

    /** Whether the CIDR overlaps the cluster CIDR at all. */
    boolean overlaps(String cidr) {
        Ipv4Cidr other = Ipv4Cidr.parse(cidr);
        return other.first() <= cluster.last() && cluster.first() <= other.last();
    }

    int freeCount() {
        return rangeCount - used.cardinality();
    }

    private boolean mark(String cidr, boolean taken) {
        if (!overlaps(cidr)) {
            return false;
        }
        Ipv4Cidr other = Ipv4Cidr.parse(cidr);
        // Two CIDRs that overlap nest: the overlap is the narrower of the two.
        int from = index(Math.max(other.first(), cluster.first()));
        int to = index(Math.min(other.last(), cluster.last()));
        used.set(from, to + 1, taken);
        return true;
    }

    private int index(long address) {
        return (int) ((address - cluster.first()) >>> (32 - nodeMaskSize));
    }
}
