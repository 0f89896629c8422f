package io.qube.store.watch;

import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;

import java.util.List;

/** What the watch cache needs from the database: a starting state, then the log after it. */
public interface ChangeLog {

    /** The newest committed revision and the compaction mark. */
    record Revisions(long current, long compacted) {
    }

    /** Every object as of {@code revision}, from which the log can be followed. */
    record Snapshot(long revision, long compacted, List<StoredObject> objects) {
    }

    Uni<Revisions> revisions();

    /**
     * A state from which to follow the log, as old as allows replaying up to {@code history} revisions into the
     * cache's window, but never below the compaction mark.
     */
    Uni<Snapshot> snapshot(int history);

    /** Up to {@code limit} changes after {@code revision}, in revision order. */
    Uni<List<Change>> readAfter(long revision, int limit);
}
