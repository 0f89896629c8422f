package io.qube.store.watch;

import io.qube.store.ListRequest;
import io.qube.store.StoreException;
import io.qube.store.WatchEvent;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * One watch stream. Offers never block the log follower: events wait in a bounded queue until the subscriber asks
 * for them, and a watcher whose queue overflows is ended with an Expired error so that its client relists, while
 * every other watcher goes on.
 */
final class Watcher implements Flow.Subscription {

    private final ListRequest selection;
    private final boolean bookmarks;
    private final int capacity;
    private final Runnable onEnd;
    private final ArrayDeque<WatchEvent> pending = new ArrayDeque<>();
    private Flow.Subscriber<? super WatchEvent> subscriber;
    private long demand;
    private boolean ended;
    private boolean terminated;
    private boolean draining;
    private boolean missed;

    /**
     * @param initial events to deliver first (the replay or the initial state); they do not count against the
     *                capacity, which bounds what accumulates after them
     */
    Watcher(ListRequest selection, boolean bookmarks, int capacity, List<WatchEvent> initial, Runnable onEnd) {
        this.selection = selection;
        this.bookmarks = bookmarks;
        this.capacity = capacity + initial.size();
        this.onEnd = onEnd;
        pending.addAll(initial);
    }

    /** A watcher that only reports why it cannot start. */
    static Watcher failed(StoreException error) {
        Watcher watcher = new Watcher(null, false, 0, List.of(), () -> { });
        watcher.pending.add(WatchEvent.error(error));
        watcher.ended = true;
        return watcher;
    }

    ListRequest selection() {
        return selection;
    }

    boolean wantsBookmarks() {
        return bookmarks;
    }

    void attach(Flow.Subscriber<? super WatchEvent> downstream) {
        synchronized (this) {
            subscriber = downstream;
        }
        downstream.onSubscribe(this);
        drain();
    }

    /** Queues an event; called by the cache in revision order. */
    void offer(WatchEvent event) {
        boolean overflowed = false;
        synchronized (this) {
            if (ended) {
                return;
            }
            if (pending.size() >= capacity) {
                pending.clear();
                pending.add(WatchEvent.error(StoreException.expired(
                        "the watch fell more than " + capacity + " events behind; list again and watch from there")));
                ended = true;
                overflowed = true;
            } else {
                pending.add(event);
            }
        }
        if (overflowed) {
            onEnd.run();
        }
        drain();
    }

    /** Ends the stream with an error event, e.g. when the cache had to be rebuilt. */
    void fail(StoreException error) {
        synchronized (this) {
            if (ended) {
                return;
            }
            pending.clear();
            pending.add(WatchEvent.error(error));
            ended = true;
        }
        onEnd.run();
        drain();
    }

    synchronized int queued() {
        return pending.size();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(new StoreException(StoreException.Reason.BAD_REQUEST, "a watch subscriber requested " + n));
            return;
        }
        synchronized (this) {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        drain();
    }

    @Override
    public void cancel() {
        synchronized (this) {
            ended = true;
            terminated = true;
            pending.clear();
        }
        onEnd.run();
    }

    private void drain() {
        synchronized (this) {
            if (draining) {
                missed = true;
                return;
            }
            draining = true;
        }
        while (true) {
            WatchEvent next = null;
            boolean complete = false;
            Flow.Subscriber<? super WatchEvent> target;
            synchronized (this) {
                target = subscriber;
                if (target != null && !terminated && demand > 0 && !pending.isEmpty()) {
                    next = pending.poll();
                    demand--;
                    complete = next.type() == WatchEvent.Type.ERROR;
                    terminated = complete;
                } else {
                    if (!missed) {
                        draining = false;
                        return;
                    }
                    missed = false;
                    continue;
                }
            }
            target.onNext(next);
            if (complete) {
                target.onComplete();
            }
        }
    }
}
