package io.qube.store.pg;

import io.qube.store.watch.WatchCache;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

/**
 * Keeps the change log to a bounded window: removes history older than the newest {@code retained} revisions, in
 * small statements so that no writer waits on it. Any process may compact; the mark only moves forward.
 */
final class Compactor {

    private static final Logger LOG = Logger.getLogger(Compactor.class);
    private static final long CHUNK = 1_000;

    private final Pool pool;
    private final ObjectReader reader;
    private final WatchCache cache;
    private final long retained;

    Compactor(Pool pool, ObjectReader reader, WatchCache cache, long retained) {
        this.pool = pool;
        this.reader = reader;
        this.cache = cache;
        this.retained = retained;
    }

    /** Compacts up to the newest revision minus the retention; completes with the new mark. */
    Uni<Long> compact() {
        return reader.revisions().onItem().transformToUni(r -> step(r[1], r[0] - retained));
    }

    private Uni<Long> step(long from, long target) {
        if (from >= target) {
            return Uni.createFrom().item(from);
        }
        long to = Math.min(target, from + CHUNK);
        return Uni.createFrom().completionStage(() -> pool.preparedQuery(Sql.COMPACT_CHUNK)
                        .execute(Tuple.of(from, to)).toCompletionStage())
                .onFailure().transform(Failures::toStoreException)
                .onItem().transformToUni(result -> {
                    if (result.rowCount() == 0) {
                        // Another process moved the mark meanwhile: continue from where it is now.
                        return reader.compactedRevision().onItem().transformToUni(mark -> step(mark, target));
                    }
                    cache.compactedTo(to);
                    return step(to, target);
                });
    }

    void compactQuietly() {
        compact().subscribe().with(
                mark -> LOG.debugf("change log compacted up to revision %d", mark),
                failure -> LOG.debugf("compaction failed, will retry: %s", failure.getMessage()));
    }
}
