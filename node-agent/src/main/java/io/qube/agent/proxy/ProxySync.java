package io.qube.agent.proxy;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Brings one network namespace's tables to a {@link RuleSet}: fully the first time and after a failure (every chain
 * written, the proxy's leftovers of an earlier run deleted, the jumps put back), otherwise only the chains that
 * changed since the last success; then UDP's conntrack clean-up. Not thread-safe: one sync at a time.
 */
final class ProxySync {

    private final ProxyTables tables;
    /** What the last sync applied; null: the next one is full. */
    private RuleSet applied;

    ProxySync(ProxyTables tables) {
        this.tables = tables;
    }

    /** @return whether this sync was full */
    boolean apply(RuleSet desired) throws IOException {
        boolean full = applied == null;
        RuleSet before = applied;
        applied = null;
        tables.restore(RestoreScript.of(before, desired, full ? tables.ownChains() : Map.of()));
        if (full) {
            tables.ensureJumps();
        }
        forgetUdpFlows(full ? RuleSet.EMPTY : before, desired);
        applied = desired;
        return full;
    }

    /** Removes the jumps, then every chain of the proxy; the next apply is full. */
    void remove() throws IOException {
        applied = null;
        tables.removeJumps();
        tables.restore(RestoreScript.removal(tables.ownChains()));
    }

    /**
     * kube-proxy's conntrack clean-up for UDP, which has no connection end to wait for: entries to an endpoint no
     * longer used go; so do those of a destination that had no endpoint before (made while it had none).
     */
    private void forgetUdpFlows(RuleSet before, RuleSet after) {
        Set<RuleSet.UdpFlow> gone = new HashSet<>(before.udpFlows());
        gone.removeAll(after.udpFlows());
        gone.forEach(tables::forget);
        Set<RuleSet.UdpFlow> served = destinations(after);
        served.removeAll(destinations(before));
        served.forEach(tables::forget);
    }

    private static Set<RuleSet.UdpFlow> destinations(RuleSet rules) {
        Set<RuleSet.UdpFlow> destinations = new HashSet<>();
        rules.udpFlows().forEach(flow -> destinations.add(new RuleSet.UdpFlow(flow.destination(), flow.port(), null)));
        return destinations;
    }
}
