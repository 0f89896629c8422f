package io.qube.store.pg;

import io.qube.store.WatchEvent;
import io.qube.store.watch.Change;
import io.qube.store.watch.ChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** The change log as the watch cache follows it: the qube_log table after a revision. */
final class PgChangeLog implements ChangeLog {

    private static final WatchEvent.Type[] EVENT_TYPES = {null, WatchEvent.Type.ADDED, WatchEvent.Type.MODIFIED,
            WatchEvent.Type.DELETED};

    private final Pool pool;
    private final ObjectReader reader;

    PgChangeLog(Pool pool, ObjectReader reader) {
        this.pool = pool;
        this.reader = reader;
    }

    @Override
    public Uni<Revisions> revisions() {
        return reader.revisions().map(r -> new Revisions(r[0], r[1]));
    }

    @Override
    public Uni<Snapshot> snapshot(int history) {
        return revisions().onItem().transformToUni(revisions -> {
            long at = Math.max(revisions.compacted(), revisions.current() - history);
            return reader.everythingAt(at).onItem().transformToUni(objects -> reader.compactedRevision()
                    .onItem().transformToUni(compacted -> compacted > at
                            // Compaction passed the snapshot's revision while it was read: start again.
                            ? snapshot(history)
                            : Uni.createFrom().item(new Snapshot(at, compacted, objects))));
        });
    }

    @Override
    public Uni<List<Change>> readAfter(long revision, int limit) {
        return Uni.createFrom().completionStage(() -> pool.preparedQuery(Sql.READ_LOG)
                        .execute(Tuple.of(revision, limit)).toCompletionStage())
                .onFailure().transform(Failures::toStoreException)
                .map(rows -> {
                    List<Change> changes = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        changes.add(new Change(EVENT_TYPES[row.getShort("event")], Rows.object(row)));
                    }
                    return changes;
                });
    }
}
