package io.qube.store.pg;

import io.qube.store.ObjectKey;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.watch.Change;
import io.qube.store.watch.WatchCache;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Commits concurrent writes together. Every write transaction holds the revision counter's row lock until it
 * commits, so transactions commit one after another across all processes; what wins throughput back is putting
 * every write that arrived meanwhile into the next transaction, one round trip for the whole batch.
 */
final class WriteBatcher {

    enum Op {
        CREATE(1, WatchEvent.Type.ADDED), UPDATE(2, WatchEvent.Type.MODIFIED), DELETE(3, WatchEvent.Type.DELETED);

        final short code;
        final WatchEvent.Type event;

        Op(int code, WatchEvent.Type event) {
            this.code = (short) code;
            this.event = event;
        }
    }

    private record PendingWrite(Op op, ObjectKey key, String uid, long expectedRevision, Map<String, String> labels,
                                Map<String, String> fields, String body, CompletableFuture<StoredObject> result) {
    }

    private final Pool pool;
    private final WatchCache cache;
    private final int maxBatch;
    private final int maxInFlight;
    private final StoreMetrics metrics;
    private final ArrayDeque<PendingWrite> queue = new ArrayDeque<>();
    private int inFlight;

    /** @param cache this process's watch cache, told of each batch and then of its changes before its writers */
    WriteBatcher(Pool pool, int maxBatch, int maxInFlight, WatchCache cache, StoreMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
        this.cache = cache;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
    }

    /** Queues a write when subscribed; completes once its batch has committed, or fails with a StoreException. */
    Uni<StoredObject> submit(Op op, ObjectKey key, String uid, long expectedRevision, Map<String, String> labels,
                             Map<String, String> fields, String body) {
        return Uni.createFrom().completionStage(() -> {
            PendingWrite write = new PendingWrite(op, key, uid, expectedRevision, labels, fields, body,
                    new CompletableFuture<>());
            synchronized (this) {
                queue.add(write);
            }
            drain();
            return write.result();
        });
    }

    private void drain() {
        while (true) {
            List<PendingWrite> batch;
            synchronized (this) {
                if (inFlight >= maxInFlight || queue.isEmpty()) {
                    return;
                }
                inFlight++;
                batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
                while (batch.size() < maxBatch && !queue.isEmpty()) {
                    batch.add(queue.poll());
                }
            }
            send(batch);
        }
    }

    private void send(List<PendingWrite> batch) {
        Tuple parameters = parameters(batch);
        cache.writing();
        long sent = System.nanoTime();
        pool.preparedQuery(Sql.WRITE_BATCH).execute(parameters).onComplete(done -> {
            metrics.batch(batch.size(), System.nanoTime() - sent);
            // The batch keeps its slot until its writers have been told: whatever they write next in their callbacks
            // queues up and leaves together in the next batch, instead of the first of them taking the free slot
            // alone and the others waiting behind it.
            try {
                if (done.succeeded()) {
                    complete(batch, done.result());
                } else if (batch.size() > 1 && Failures.isDataError(done.cause())) {
                    cache.offer(List.of());
                    // One write's bad data aborted the whole transaction: retry each alone so only it fails.
                    for (PendingWrite write : batch) {
                        synchronized (this) {
                            inFlight++;
                        }
                        send(List.of(write));
                    }
                } else {
                    cache.offer(List.of());
                    StoreException failure = Failures.toStoreException(done.cause());
                    batch.forEach(write -> write.result().completeExceptionally(failure));
                }
            } finally {
                synchronized (this) {
                    inFlight--;
                }
            }
            drain();
        });
    }

    private static Tuple parameters(List<PendingWrite> batch) {
        int n = batch.size();
        Short[] ops = new Short[n];
        String[] resources = new String[n];
        String[] groups = new String[n];
        String[] namespaces = new String[n];
        String[] names = new String[n];
        String[] uids = new String[n];
        Long[] expected = new Long[n];
        String[] labels = new String[n];
        String[] fields = new String[n];
        String[] bodies = new String[n];
        for (int i = 0; i < n; i++) {
            PendingWrite write = batch.get(i);
            ops[i] = write.op().code;
            resources[i] = write.key().type().resource();
            groups[i] = write.key().type().group();
            namespaces[i] = write.key().namespace();
            names[i] = write.key().name();
            uids[i] = write.uid();
            expected[i] = write.expectedRevision();
            if (write.op() != Op.DELETE) {
                labels[i] = Rows.json(write.labels());
                fields[i] = Rows.json(write.fields());
                bodies[i] = write.body();
            }
        }
        return Tuple.tuple().addValue(ops).addValue(resources).addValue(groups).addValue(namespaces)
                .addValue(names).addValue(uids).addValue(expected).addValue(labels).addValue(fields)
                .addValue(bodies);
    }

    private void complete(List<PendingWrite> batch, RowSet<Row> rows) {
        Object[] outcomes = new Object[batch.size()];
        List<Change> changes = new ArrayList<>(batch.size());
        for (Row row : rows) {
            int index = row.getInteger("o_index") - 1;
            PendingWrite write = batch.get(index);
            try {
                StoredObject stored = outcome(write, row);
                outcomes[index] = stored;
                changes.add(new Change(write.op().event, stored));
            } catch (StoreException refused) {
                outcomes[index] = refused;
            }
        }
        cache.offer(changes);
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] instanceof StoredObject stored) {
                batch.get(i).result().complete(stored);
            } else {
                batch.get(i).result().completeExceptionally((StoreException) outcomes[i]);
            }
        }
    }

    private static StoredObject outcome(PendingWrite write, Row row) {
        long revision = row.getLong("o_revision");
        ObjectKey key = write.key();
        switch (row.getShort("o_outcome")) {
            case 0:
                if (write.op() == Op.DELETE) {
                    return new StoredObject(key, row.getString("o_uid"), revision, row.getLong("o_create_revision"),
                            Rows.stringMap(row.getString("o_labels")), Rows.stringMap(row.getString("o_fields")),
                            row.getString("o_body"));
                }
                return new StoredObject(key, row.getString("o_uid"), revision, row.getLong("o_create_revision"),
                        write.labels(), write.fields(), write.body());
            case 1:
                throw StoreException.alreadyExists(key, revision);
            case 2:
                throw StoreException.notFound(key);
            case 3:
                throw StoreException.conflict(key, revision,
                        "the object has been modified; please apply your changes to the latest version and try again");
            default:
                throw StoreException.conflict(key, revision, "Precondition failed: UID in precondition: "
                        + write.uid() + ", UID in object meta: " + row.getString("o_uid"));
        }
    }
}
