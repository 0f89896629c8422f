package io.qube.store.pg;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ObjectWrite;
import io.qube.store.Preconditions;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.store.watch.WatchCache;
import io.qube.store.watch.WatchCacheMetrics;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;

/**
 * The {@link ObjectStore} on PostgreSQL. Each instance has its own pools, LISTEN connection and watch cache, so
 * several instances (in one process or many) share one database as one cluster.
 */
public final class PgObjectStore implements ObjectStore, AutoCloseable {

    private final Vertx vertx;
    private final Pool writePool;
    private final Pool readPool;
    private final WriteBatcher writer;
    private final ObjectReader reader;
    private final WatchCache cache;
    private final NotificationListener listener;
    private final Compactor compactor;
    private final long compactionTimer;

    private PgObjectStore(Vertx vertx, PgStoreConfig config, MeterRegistry registry) {
        this.vertx = vertx;
        PgConnectOptions connect = new PgConnectOptions(config.connect())
                .setCachePreparedStatements(true)
                .setConnectTimeout(2_000)
                .setReconnectAttempts(0);
        writePool = pool(vertx, connect, "qube-write", config.batchesInFlight());
        readPool = pool(vertx, connect, "qube-read", config.readPoolSize());
        reader = new ObjectReader(readPool);
        cache = new WatchCache(new PgChangeLog(readPool, reader), vertx, config.watch());
        writer = new WriteBatcher(writePool, config.maxBatch(), config.batchesInFlight(), cache,
                new StoreMetrics(registry));
        WatchCacheMetrics.register(registry, cache);
        listener = new NotificationListener(vertx, connect, cache::wake, cache::wake);
        compactor = new Compactor(readPool, reader, cache, config.retainedRevisions());
        compactionTimer = vertx.setPeriodic(config.compactionInterval().toMillis(), id -> compactor.compactQuietly());
    }

    /** A store that keeps no metrics (a registry of no registries makes no-op meters). */
    public static Uni<PgObjectStore> start(Vertx vertx, PgStoreConfig config) {
        return start(vertx, config, new CompositeMeterRegistry());
    }

    /** Migrates the schema, connects, loads the watch cache; completes when the store is ready. */
    public static Uni<PgObjectStore> start(Vertx vertx, PgStoreConfig config, MeterRegistry registry) {
        return Uni.createFrom().completionStage(() -> vertx.<Void>executeBlocking(() -> {
                    SchemaMigrator.migrate(config);
                    return null;
                }).toCompletionStage())
                .map(nothing -> new PgObjectStore(vertx, config, registry))
                .onItem().transformToUni(store -> Uni.createFrom()
                        .completionStage(() -> store.listener.connect().toCompletionStage())
                        .onItem().transformToUni(connected -> store.cache.start())
                        .onFailure().invoke(store::close)
                        .replaceWith(store));
    }

    private static Pool pool(Vertx vertx, PgConnectOptions connect, String name, int size) {
        // Named, and not shared, so that metrics tell the pools of several instances apart.
        PoolOptions options = new PoolOptions().setMaxSize(size).setName(name + "-" + System.identityHashCode(connect))
                .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS);
        return PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
    }

    @Override
    public Uni<StoredObject> create(ObjectWrite object) {
        checkSize(object);
        return writer.submit(WriteBatcher.Op.CREATE, object.key(), object.uid(), 0, object.labels(),
                object.fields(), object.body());
    }

    @Override
    public Uni<StoredObject> update(ObjectWrite object, Preconditions preconditions) {
        checkSize(object);
        return writer.submit(WriteBatcher.Op.UPDATE, object.key(), preconditions.uid(), preconditions.revision(),
                object.labels(), object.fields(), object.body());
    }

    @Override
    public Uni<StoredObject> delete(ObjectKey key, Preconditions preconditions) {
        return writer.submit(WriteBatcher.Op.DELETE, key, preconditions.uid(), preconditions.revision(), null, null,
                null);
    }

    @Override
    public Uni<StoredObject> get(ObjectKey key) {
        return reader.get(key);
    }

    @Override
    public StoredObject getCached(ObjectKey key) {
        return cache.get(key);
    }

    @Override
    public Uni<ListPage> list(ListRequest request) {
        return reader.list(request);
    }

    @Override
    public Uni<ListPage> listCached(ListRequest request, boolean consistent) {
        return cache.list(request, consistent);
    }

    @Override
    public Multi<WatchEvent> watch(WatchRequest request) {
        return cache.watch(request);
    }

    @Override
    public Uni<Void> catchUp(long revision) {
        return cache.waitFor(revision);
    }

    @Override
    public Uni<Long> currentRevision() {
        return reader.currentRevision();
    }

    /** Compacts now instead of waiting for the schedule; completes with the new compaction mark. */
    public Uni<Long> compact() {
        return compactor.compact();
    }

    public WatchCache watchCache() {
        return cache;
    }

    public boolean isListening() {
        return listener.isConnected();
    }

    private static void checkSize(ObjectWrite object) {
        if (object.body().length() > MAX_BODY_BYTES) {
            throw new StoreException(StoreException.Reason.TOO_LARGE, object.key(), 0,
                    "Request entity too large: the object is " + object.body().length()
                            + " bytes, the limit is " + MAX_BODY_BYTES, null);
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(compactionTimer);
        cache.close();
        listener.close();
        writePool.close();
        readPool.close();
    }
}
