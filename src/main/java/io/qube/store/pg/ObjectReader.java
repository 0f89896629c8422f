package io.qube.store.pg;

import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reads objects straight from the database: gets, and lists paged at one revision. */
final class ObjectReader {

    private final Pool pool;

    ObjectReader(Pool pool) {
        this.pool = pool;
    }

    Uni<StoredObject> get(ObjectKey key) {
        Tuple params = Tuple.of(key.type().resource(), key.type().group(), key.namespace(), key.name());
        return query(Sql.GET, params, rows -> {
            if (rows.size() == 0) {
                throw StoreException.notFound(key);
            }
            return Rows.object(rows.iterator().next());
        });
    }

    Uni<Long> currentRevision() {
        return query(Sql.CURRENT_REVISION, Tuple.tuple(), rows -> rows.iterator().next().getLong(0));
    }

    Uni<long[]> revisions() {
        return query(Sql.REVISIONS, Tuple.tuple(), rows -> {
            Row row = rows.iterator().next();
            return new long[] {row.getLong("current"), row.getLong("compacted")};
        });
    }

    Uni<Long> compactedRevision() {
        return query(Sql.COMPACTED_REVISION, Tuple.tuple(), rows -> rows.iterator().next().getLong(0));
    }

    /** One page; the first shows the newest committed state, later pages the first page's revision. */
    Uni<ListPage> list(ListRequest request) {
        if (request.continueToken() == null) {
            return currentRevision().onItem().transformToUni(revision -> page(request, revision, "", ""));
        }
        ContinueToken token = ContinueToken.decode(request.continueToken());
        return page(request, token.revision(), token.namespace(), token.name())
                .onItem().transformToUni(page -> compactedRevision().map(compacted -> {
                    // Checked after the read: if compaction passed the token's revision before the read began,
                    // the read may have missed versions it removed.
                    if (compacted > token.revision()) {
                        throw StoreException.expired("The provided continue parameter is too old to display a"
                                + " consistent list result. You can start a new list without the continue parameter.");
                    }
                    return page;
                }));
    }

    /** Every object of every type as it was at {@code revision}, which must not be below the compaction mark. */
    Uni<List<StoredObject>> everythingAt(long revision) {
        Sql.Query query = Sql.listAt(null, revision, "", "", 0);
        return query(query.sql(), query.params(), ObjectReader::objects);
    }

    private Uni<ListPage> page(ListRequest request, long revision, String afterNamespace, String afterName) {
        int limit = request.limit();
        Sql.Query query = Sql.listAt(request, revision, afterNamespace, afterName, limit == 0 ? 0 : limit + 1);
        return query(query.sql(), query.params(), rows -> {
            List<StoredObject> items = objects(rows);
            String next = null;
            if (limit > 0 && items.size() > limit) {
                items = items.subList(0, limit);
                ObjectKey last = items.get(limit - 1).key();
                next = new ContinueToken(revision, last.namespace(), last.name()).encode();
            }
            return new ListPage(List.copyOf(items), revision, next);
        });
    }

    private static List<StoredObject> objects(RowSet<Row> rows) {
        List<StoredObject> objects = new ArrayList<>(rows.size());
        for (Row row : rows) {
            objects.add(Rows.object(row));
        }
        return objects;
    }

    private <T> Uni<T> query(String sql, Tuple params, Function<RowSet<Row>, T> mapper) {
        return Uni.createFrom().completionStage(() -> pool.preparedQuery(sql).execute(params).toCompletionStage())
                .onFailure().transform(Failures::toStoreException)
                .map(mapper);
    }
}
