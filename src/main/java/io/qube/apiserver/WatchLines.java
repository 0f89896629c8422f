package io.qube.apiserver;

import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.WatchEvent;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The JSON line of each watch event, encoded once and shared by every watcher that gets it. With 1,000 watchers of
 * one type, encoding the event once per watcher was most of the cost of delivering it (docs/PERFORMANCE.md, "Watch
 * latency"). A shared {@link Buffer} can be written to any number of connections: each write takes its own slice.
 *
 * <p>Lines are kept in a small ring indexed by revision, so only the most recent events are held. Threads race
 * harmlessly: two that miss together both encode the same bytes. A watcher far behind the others may find its slot
 * taken by a newer revision and encode its line again: slower, never wrong, since a hit needs the same revision,
 * event type, stored body and watched version (a custom resource's apiVersion is the one watched).
 */
final class WatchLines {

    private static final int SLOTS = 256;
    /** Larger lines are not kept, so the ring holds at most SLOTS × this many bytes. */
    private static final int LARGEST_KEPT = 64 * 1024;

    private record Line(long revision, WatchEvent.Type type, String body, String apiVersion, Buffer bytes) {
    }

    private final AtomicReferenceArray<Line> recent = new AtomicReferenceArray<>(SLOTS);

    /** The event's line as Kubernetes sends it on a JSON watch. */
    Buffer json(ResourceDefinition<?> definition, WatchEvent event) {
        if (event.object() == null) {
            // Bookmarks and errors are small and name the watch's own kind: encoded per watcher.
            return line(WatchStream.encode(definition, event));
        }
        int slot = (int) (event.revision() & (SLOTS - 1));
        Line line = recent.get(slot);
        String body = event.object().body();
        if (line != null && line.revision() == event.revision() && line.type() == event.type() && line.body() == body
                && line.apiVersion().equals(definition.apiVersion())) {
            return line.bytes();
        }
        Buffer bytes = line(WatchStream.encode(definition, event));
        if (bytes.length() <= LARGEST_KEPT) {
            recent.set(slot, new Line(event.revision(), event.type(), body, definition.apiVersion(), bytes));
        }
        return bytes;
    }

    /** One line of newline-delimited JSON. */
    static Buffer line(String json) {
        return Buffer.buffer(json.length() + 1).appendString(json).appendByte((byte) '\n');
    }
}
