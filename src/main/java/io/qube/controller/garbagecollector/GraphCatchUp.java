package io.qube.controller.garbagecollector;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The objects the informers held when the collector started that have not yet reached its graph, and a future
 * completed when the last of them has: informers already running hand a new handler their objects asynchronously,
 * and until they have all arrived a dependent can look ownerless for want of a notification still on its way.
 */
final class GraphCatchUp {

    private final Set<String> awaited = new HashSet<>();
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();

    /** The graph has taken in (or dropped) the object with this uid. */
    void seen(String uid) {
        if (caughtUp.isDone()) {
            return; // after the start: nothing is awaited any more
        }
        synchronized (this) {
            if (awaited.remove(uid) && awaited.isEmpty()) {
                caughtUp.complete(null);
            }
        }
    }

    /**
     * Awaits these objects, but those {@code inGraph} already: checked after they are registered, so that one
     * arriving in between is not waited for in vain.
     */
    synchronized CompletableFuture<Void> await(Collection<String> uids, Predicate<String> inGraph) {
        awaited.addAll(uids);
        awaited.removeIf(inGraph);
        if (awaited.isEmpty()) {
            caughtUp.complete(null);
        }
        return caughtUp;
    }

    /** How many are still awaited. */
    synchronized int missing() {
        return awaited.size();
    }
}
