package io.qube.store.watch;

import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The current state of one resource type plus a window of its recent changes, and the watchers of that type.
 * Everything happens under this object's lock, so a list or a new watch sees the state at exactly one revision
 * and a watcher is registered at a point between two changes.
 */
final class ResourceCache {

    /** A change with the object's state before it, to tell a watcher when an object enters or leaves its selection. */
    private record Entry(Change change, StoredObject previous) {
    }

    private final int windowSize;
    private final int watcherBuffer;
    private final AtomicLong applied;
    private final TreeMap<ObjectKey, StoredObject> objects = new TreeMap<>();
    private final ArrayDeque<Entry> window = new ArrayDeque<>();
    // Copy-on-write: a watcher may end (and leave this list) while a change is being offered to all of them.
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private long windowStart;

    /**
     * @param applied the revision the whole cache has applied; this cache advances it under its own lock, so that
     *                whoever holds the lock reads a revision that matches this type's state exactly
     */
    ResourceCache(int windowSize, int watcherBuffer, AtomicLong applied, long start) {
        this.windowSize = windowSize;
        this.watcherBuffer = watcherBuffer;
        this.applied = applied;
        this.windowStart = start;
    }

    /** Replaces the whole state; current watchers are ended with {@code reason} (their clients relist). */
    synchronized void reset(Collection<StoredObject> state, long revision, StoreException reason) {
        objects.clear();
        for (StoredObject object : state) {
            objects.put(object.key(), object);
        }
        window.clear();
        windowStart = revision;
        for (Watcher watcher : List.copyOf(watchers)) {
            watcher.fail(reason);
        }
        watchers.clear();
    }

    /** How many objects of this type exist at the applied revision. */
    synchronized int size() {
        return objects.size();
    }

    synchronized void apply(Change change) {
        StoredObject object = change.object();
        StoredObject previous = change.type() == WatchEvent.Type.DELETED
                ? objects.remove(object.key())
                : objects.put(object.key(), object);
        Entry entry = new Entry(change, previous);
        window.addLast(entry);
        if (window.size() > windowSize) {
            windowStart = window.removeFirst().change().revision();
        }
        applied.set(change.revision());
        for (Watcher watcher : watchers) {
            WatchEvent event = eventFor(entry, watcher.selection());
            if (event != null) {
                watcher.offer(event);
            }
        }
    }

    synchronized StoredObject get(ObjectKey key) {
        return objects.get(key);
    }

    synchronized ListSnapshot list(ListRequest request) {
        List<StoredObject> items = new ArrayList<>();
        for (StoredObject object : objects.values()) {
            if (request.matches(object)) {
                items.add(object);
            }
        }
        return new ListSnapshot(items, applied.get());
    }

    record ListSnapshot(List<StoredObject> items, long revision) {
    }

    /** Registers a watcher that starts right after the revision asked for, or a failed one if it is too old. */
    synchronized Watcher watch(WatchRequest request, long compacted) {
        ListRequest selection = request.selection();
        List<WatchEvent> initial = new ArrayList<>();
        long from = request.fromRevision();
        if (from == 0) {
            for (StoredObject object : objects.values()) {
                if (selection.matches(object)) {
                    initial.add(WatchEvent.of(WatchEvent.Type.ADDED, object));
                }
            }
        } else if (from < windowStart || from < compacted) {
            return Watcher.failed(StoreException.expired("too old resource version: " + from + " ("
                    + Math.max(windowStart, compacted) + ")"));
        } else {
            for (Entry entry : window) {
                if (entry.change().revision() > from) {
                    WatchEvent event = eventFor(entry, selection);
                    if (event != null) {
                        initial.add(event);
                    }
                }
            }
        }
        Watcher[] self = new Watcher[1];
        self[0] = new Watcher(selection, request.bookmarks(), watcherBuffer, initial, () -> remove(self[0]));
        watchers.add(self[0]);
        return self[0];
    }

    synchronized void bookmark() {
        WatchEvent bookmark = WatchEvent.bookmark(applied.get());
        for (Watcher watcher : watchers) {
            if (watcher.wantsBookmarks()) {
                watcher.offer(bookmark);
            }
        }
    }

    synchronized int watcherCount() {
        return watchers.size();
    }

    private synchronized void remove(Watcher watcher) {
        watchers.remove(watcher);
    }

    /**
     * What a watcher with this selection sees of a change: an object entering the selection is ADDED, one leaving
     * it is DELETED (its previous state at the change's revision), as Kubernetes' watch cache does.
     */
    private static WatchEvent eventFor(Entry entry, ListRequest selection) {
        Change change = entry.change();
        StoredObject object = change.object();
        boolean now = selection.matches(object);
        if (change.type() != WatchEvent.Type.MODIFIED) {
            return now ? WatchEvent.of(change.type(), object) : null;
        }
        boolean before = entry.previous() != null && selection.matches(entry.previous());
        if (now) {
            return WatchEvent.of(before ? WatchEvent.Type.MODIFIED : WatchEvent.Type.ADDED, object);
        }
        return before ? WatchEvent.of(WatchEvent.Type.DELETED, entry.previous().withRevision(object.revision())) : null;
    }
}
