package io.qube.ha;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a watcher must have seen: every acknowledged write after its first list, either as an event or, where it had
 * to list again (410), in a later list at that version or newer; and its events in resourceVersion order, never one
 * twice, and its lists never going back.
 */
final class WatchCoverage {

    private WatchCoverage() {
    }

    /** The watcher's gaps and disorder, described; empty when it saw everything in order. */
    static List<String> problems(FollowingWatcher watcher, List<AckingWriter.Ack> acks) {
        List<String> problems = new ArrayList<>();
        List<FollowingWatcher.Event> events = watcher.events();
        List<FollowingWatcher.Listing> listings = watcher.listings();
        long previous = 0;
        for (FollowingWatcher.Event event : events) {
            if (event.revision() <= previous) {
                problems.add("event " + event + " after revision " + previous);
            }
            previous = event.revision();
        }
        for (int i = 1; i < listings.size(); i++) {
            if (listings.get(i).revision() < listings.get(i - 1).revision()) {
                problems.add("a relist at " + listings.get(i).revision() + " after one at "
                        + listings.get(i - 1).revision());
            }
        }
        Set<String> seen = new HashSet<>();
        events.forEach(e -> seen.add(e.name() + "@" + e.revision()));
        for (AckingWriter.Ack ack : acks) {
            if (ack.revision() <= watcher.startRevision() || seen.contains(ack.name() + "@" + ack.revision())) {
                continue;
            }
            boolean relisted = listings.stream().anyMatch(l -> l.revision() >= ack.revision()
                    && l.objects().getOrDefault(ack.name(), 0L) >= ack.revision());
            if (!relisted) {
                problems.add("missed " + ack);
            }
        }
        return problems;
    }
}
