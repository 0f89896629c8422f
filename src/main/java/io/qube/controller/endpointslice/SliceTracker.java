package io.qube.controller.endpointslice;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The slices this controller wrote that its informer may not show yet (Kubernetes' EndpointSliceTracker, by
 * resourceVersion where Kubernetes compares generations; Qube's resourceVersions are one growing counter). A sync
 * on a cache that lacks a slice it created, shows an older version than it wrote, or still shows one it deleted
 * would create duplicates or undo its own writes, so it waits. A written slice that never shows up (deleted by
 * someone else before the informer saw it) stops counting after {@link #PATIENCE}.
 */
final class SliceTracker {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    private record Written(long version, boolean deleted, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Map<String, Written>> byService = new HashMap<>();

    SliceTracker(Clock clock) {
        this.clock = clock;
    }

    /** A create or update the API answered with this slice. */
    synchronized void written(String service, EndpointSlice slice) {
        byService.computeIfAbsent(service, s -> new HashMap<>()).put(slice.getMetadata().getName(),
                new Written(version(slice), false, clock.instant()));
    }

    synchronized void deleted(String service, String slice) {
        byService.computeIfAbsent(service, s -> new HashMap<>()).put(slice, new Written(0, true, clock.instant()));
    }

    /** The informer saw the slice go: whatever was expected of it is settled. */
    synchronized void observedDeletion(String service, String slice) {
        Map<String, Written> slices = byService.get(service);
        if (slices != null) {
            slices.remove(slice);
            if (slices.isEmpty()) {
                byService.remove(service);
            }
        }
    }

    synchronized void forget(String service) {
        byService.remove(service);
    }

    /** Whether the cached slices of the service lag behind this controller's own writes. */
    synchronized boolean stale(String service, Collection<EndpointSlice> cached) {
        Map<String, Written> slices = byService.get(service);
        if (slices == null) {
            return false;
        }
        Instant now = clock.instant();
        slices.values().removeIf(written -> Duration.between(written.at(), now).compareTo(PATIENCE) > 0);
        boolean stale = false;
        Set<String> seen = new HashSet<>();
        for (EndpointSlice slice : cached) {
            String name = slice.getMetadata().getName();
            seen.add(name);
            Written written = slices.get(name);
            if (written == null) {
                continue;
            }
            if (written.deleted() || version(slice) >= 0 && version(slice) < written.version()) {
                stale = true;
            } else {
                slices.remove(name); // caught up
            }
        }
        for (Iterator<Map.Entry<String, Written>> it = slices.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Written> entry = it.next();
            if (seen.contains(entry.getKey())) {
                continue;
            }
            if (entry.getValue().deleted()) {
                it.remove(); // gone, as expected
            } else {
                stale = true; // written but not in the cache yet
            }
        }
        if (slices.isEmpty()) {
            byService.remove(service);
        }
        return stale;
    }

    private static long version(EndpointSlice slice) {
        try {
            return Long.parseLong(slice.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return -1; // not a counter: cannot tell, so never wait for it
        }
    }
}
