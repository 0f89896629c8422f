package io.qube.store.watch;

import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One process's view of the change log: follows it from a snapshot, keeps a {@link ResourceCache} per type, and
 * serves lists and watches from memory. The follower reads the log whenever it is woken (a notification, a
 * reconnect, a consistent read waiting, a periodic poll), one read at a time, always from the last revision it
 * applied: a lost wake-up costs latency, never an event.
 */
public final class WatchCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WatchCache.class);

    private record Waiter(long revision, CompletableFuture<Void> reached) {
    }

    private final ChangeLog log;
    private final Vertx vertx;
    private final WatchConfig config;
    private final Map<ResourceType, ResourceCache> caches = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    /** The highest revision a notification has announced. */
    private final AtomicLong notified = new AtomicLong();
    /** This process's write batches sent and not yet offered. */
    private final AtomicInteger ownWrites = new AtomicInteger();
    private final List<Waiter> waiters = new ArrayList<>();
    private volatile long start;
    private volatile long compacted;
    private volatile long lastReadMillis = System.currentTimeMillis();
    private volatile boolean started;
    private volatile boolean closed;
    /** Told of each resource type the cache starts holding (for a per-type gauge); a no-op until set. */
    private volatile Consumer<ResourceType> newTypes = type -> { };
    private long bookmarkTimer = -1;
    private long pollTimer = -1;

    public WatchCache(ChangeLog log, Vertx vertx, WatchConfig config) {
        this.log = log;
        this.vertx = vertx;
        this.config = config;
    }

    /** Loads the starting state, then follows the log; completes when the cache is usable. */
    public Uni<Void> start() {
        return log.snapshot(config.window()).invoke(this::install).invoke(() -> {
            started = true;
            bookmarkTimer = vertx.setPeriodic(config.bookmarkInterval().toMillis(), id -> bookmark());
            pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
            wake();
        }).replaceWithVoid();
    }

    /** Reads the log now (or right after the read under way); before the snapshot is loaded, start() will. */
    public void wake() {
        wakeAgain.set(true);
        if (started && !closed && reading.compareAndSet(false, true)) {
            wakeAgain.set(false);
            readMore();
        }
    }

    /**
     * A notification that the log has grown to {@code revision}. While a write batch of this process is out, the
     * read waits for its result: the notification is most often that batch's own, racing its result, and
     * {@link #offer} then applies it without a read (or starts the read if it cannot).
     */
    public void wake(long revision) {
        // Published before ownWrites is looked at, and offer() looks at it after leaving ownWrites: one of the two
        // always sees the other's change, so no notification is left unread.
        notified.accumulateAndGet(revision, Math::max);
        if (revision > applied.get() && ownWrites.get() == 0) {
            wake();
        }
    }

    /** This process is sending a write batch; its result must follow through {@link #offer}, empty if it failed. */
    public void writing() {
        ownWrites.incrementAndGet();
    }

    /**
     * The committed changes of a write batch of this process, in revision order (empty if it failed). They are
     * applied at once when they directly follow what the cache has applied and no read is under way, sparing the
     * database a read of what this process already holds; otherwise the log read brings them, as it does other
     * processes' changes.
     */
    public void offer(List<Change> committed) {
        ownWrites.decrementAndGet();
        if (!started || closed) {
            return;
        }
        if (reading.compareAndSet(false, true)) {
            if (!committed.isEmpty() && committed.get(0).revision() == applied.get() + 1) {
                apply(committed);
            }
            finishRead(notified.get() > applied.get());
        } else if (notified.get() > applied.get()) {
            wake();
        }
    }

    /** The revision up to which every change is in the cache. */
    public long appliedRevision() {
        return applied.get();
    }

    /** The newest revision the database has announced (NOTIFY); above {@link #appliedRevision} while behind. */
    public long notifiedRevision() {
        return notified.get();
    }

    /** The number of objects of {@code type} in the cache, 0 for a type it has never held. */
    public int objectCount(ResourceType type) {
        ResourceCache cache = caches.get(type);
        return cache == null ? 0 : cache.size();
    }

    /** Calls {@code listener} with every type the cache holds now and with each it holds from now on. */
    public void onNewType(Consumer<ResourceType> listener) {
        newTypes = listener;
        caches.keySet().forEach(listener);
    }

    /** When the follower last finished a read without failing. */
    public long lastReadMillis() {
        return lastReadMillis;
    }

    /** Tells the cache that history at or below {@code revision} is gone: watches from before it get Expired. */
    public void compactedTo(long revision) {
        compacted = Math.max(compacted, revision);
    }

    /** Completes once every change up to {@code revision} is in the cache; fails TIMEOUT after the catch-up limit. */
    public Uni<Void> waitFor(long revision) {
        if (applied.get() >= revision) {
            return Uni.createFrom().voidItem();
        }
        Waiter waiter = new Waiter(revision, new CompletableFuture<>());
        synchronized (waiters) {
            waiters.add(waiter);
        }
        releaseWaiters();
        wake();
        return Uni.createFrom().completionStage(waiter.reached())
                .ifNoItem().after(config.catchUpTimeout()).failWith(() -> new StoreException(
                        StoreException.Reason.TIMEOUT, "Too large resource version: " + revision
                        + ", current: " + applied.get()))
                .onTermination().invoke(() -> {
                    synchronized (waiters) {
                        waiters.remove(waiter);
                    }
                });
    }

    /** A list from memory; when {@code consistent}, at least as new as the newest committed write. */
    public Uni<ListPage> list(ListRequest request, boolean consistent) {
        Uni<Void> ready = consistent
                ? log.revisions().onItem().transformToUni(revisions -> waitFor(revisions.current()))
                : Uni.createFrom().voidItem();
        return ready.map(nothing -> {
            ResourceCache.ListSnapshot snapshot = cacheFor(request.type()).list(request);
            return new ListPage(List.copyOf(snapshot.items()), snapshot.revision(), null);
        });
    }

    /** The object's current state in the cache, or null. */
    public StoredObject get(ObjectKey key) {
        ResourceCache cache = caches.get(key.type());
        return cache == null ? null : cache.get(key);
    }

    /** A watch served from memory; see {@link io.qube.store.ObjectStore#watch}. */
    public Multi<WatchEvent> watch(WatchRequest request) {
        return waitFor(request.fromRevision()).onItem().transformToMulti(nothing -> Multi.createFrom().publisher(
                subscriber -> cacheFor(request.selection().type()).watch(request, compacted).attach(subscriber)));
    }

    public int watcherCount() {
        int count = 0;
        for (ResourceCache cache : caches.values()) {
            count += cache.watcherCount();
        }
        return count;
    }

    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(bookmarkTimer);
        vertx.cancelTimer(pollTimer);
    }

    private ResourceCache cacheFor(ResourceType type) {
        ResourceCache cache = caches.get(type);
        if (cache != null) {
            return cache;
        }
        cache = caches.computeIfAbsent(type,
                t -> new ResourceCache(config.window(), config.watcherBuffer(), applied, start));
        newTypes.accept(type);
        return cache;
    }

    private void install(ChangeLog.Snapshot snapshot) {
        Map<ResourceType, List<StoredObject>> byType = new HashMap<>();
        for (StoredObject object : snapshot.objects()) {
            byType.computeIfAbsent(object.key().type(), t -> new ArrayList<>()).add(object);
        }
        start = snapshot.revision();
        applied.set(snapshot.revision());
        compactedTo(snapshot.compacted());
        StoreException reason = StoreException.expired("the watch cache was rebuilt; list again");
        for (ResourceCache cache : caches.values()) {
            cache.reset(List.of(), snapshot.revision(), reason);
        }
        byType.forEach((type, objects) -> cacheFor(type).reset(objects, snapshot.revision(), reason));
    }

    private void readMore() {
        long after = applied.get();
        log.readAfter(after, config.readBatch()).subscribe().with(changes -> {
            if (!changes.isEmpty() && changes.get(0).revision() != after + 1) {
                // Revisions have no gaps, so a gap means compaction removed changes this process never saw.
                LOG.warnf("change log moved past revision %d before this process read it; rebuilding the cache", after);
                resync();
                return;
            }
            apply(changes);
            lastReadMillis = System.currentTimeMillis();
            finishRead(changes.size() == config.readBatch());
        }, failure -> {
            LOG.debugf("reading the change log failed, retrying on the next wake-up: %s", failure.getMessage());
            finishRead(false);
        });
    }

    private void apply(List<Change> changes) {
        for (Change change : changes) {
            cacheFor(change.object().key().type()).apply(change);
        }
        releaseWaiters();
    }

    private void finishRead(boolean more) {
        if (more || wakeAgain.getAndSet(false)) {
            readMore();
            return;
        }
        reading.set(false);
        if (wakeAgain.get() && reading.compareAndSet(false, true)) {
            wakeAgain.set(false);
            readMore();
        }
    }

    private void resync() {
        log.snapshot(config.window()).subscribe().with(snapshot -> {
            install(snapshot);
            finishRead(true);
        }, failure -> finishRead(false));
    }

    private void releaseWaiters() {
        long now = applied.get();
        List<Waiter> reached = new ArrayList<>();
        synchronized (waiters) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.revision() <= now) {
                    reached.add(waiter);
                    it.remove();
                }
            }
        }
        reached.forEach(waiter -> waiter.reached().complete(null));
    }

    private void bookmark() {
        caches.values().forEach(ResourceCache::bookmark);
    }

    private void poll() {
        log.revisions().subscribe().with(revisions -> {
            compactedTo(revisions.compacted());
            if (revisions.current() > applied.get()) {
                wake();
            }
        }, failure -> LOG.debugf("polling the change log failed: %s", failure.getMessage()));
    }
}
