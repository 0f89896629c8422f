package io.qube.controller.nodelifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this controller last saw each node's heartbeat move (its Lease's renewTime, or its Ready condition's
 * lastHeartbeatTime), by its own clock as Kubernetes' controller does, so that a node's clock never decides
 * whether it is alive. A node first seen counts as heard from now: a new leader gives every node a full grace
 * period.
 */
final class Heartbeats {

    private record Seen(String leaseRenewTime, String readyHeartbeat, Instant at) {
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    /** Records what the node shows now and answers when it was last seen to change. */
    Instant lastHeard(String node, String leaseRenewTime, String readyHeartbeat, Instant now) {
        return seen.compute(node, (name, before) -> before != null
                && Objects.equals(before.leaseRenewTime(), leaseRenewTime)
                && Objects.equals(before.readyHeartbeat(), readyHeartbeat)
                ? before : new Seen(leaseRenewTime, readyHeartbeat, now)).at();
    }

    void forget(String node) {
        seen.remove(node);
    }
}
