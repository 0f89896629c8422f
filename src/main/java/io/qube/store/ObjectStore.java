package io.qube.store;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Qube's cluster state: objects keyed by type, namespace and name, each write numbered by one global revision that
 * increases in commit order. A read issued after a write has returned sees that write. Failures are
 * {@link StoreException}s.
 */
public interface ObjectStore {

    /** Largest body accepted, as Kubernetes' request limit. */
    int MAX_BODY_BYTES = 3 * 1024 * 1024;

    /** Creates an object; fails ALREADY_EXISTS if the key is taken. */
    Uni<StoredObject> create(ObjectWrite object);

    /** Replaces an object's state; fails NOT_FOUND, or CONFLICT when a precondition does not hold. */
    Uni<StoredObject> update(ObjectWrite object, Preconditions preconditions);

    /** Deletes an object and returns its last state at the deletion's revision; fails like update. */
    Uni<StoredObject> delete(ObjectKey key, Preconditions preconditions);

    /** The object's current state; fails NOT_FOUND. */
    Uni<StoredObject> get(ObjectKey key);

    /** The object as the watch cache holds it, or null; no database read, so possibly a little behind. */
    StoredObject getCached(ObjectKey key);

    /**
     * A consistent list from the database: the first page shows the newest committed state, every later page the
     * same revision; a continue token older than retained history fails EXPIRED.
     */
    Uni<ListPage> list(ListRequest request);

    /**
     * A list from the watch cache without a database read of the objects. When {@code consistent}, it first waits
     * until the cache holds every write committed before the call; otherwise it answers at once, possibly a
     * little behind (Kubernetes' resourceVersion="0").
     */
    Uni<ListPage> listCached(ListRequest request, boolean consistent);

    /**
     * Changes as they commit, in revision order, each exactly once. A revision older than the watch cache's window
     * gets one ERROR event (EXPIRED) and the end of the stream; so does a watcher that falls too far behind.
     */
    Multi<WatchEvent> watch(WatchRequest request);

    /** Completes once watches and cached lists reflect every write up to {@code revision}; fails TIMEOUT if they lag. */
    Uni<Void> catchUp(long revision);

    /** The newest committed revision, read from the database. */
    Uni<Long> currentRevision();
}
