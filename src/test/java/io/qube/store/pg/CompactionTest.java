package io.qube.store.pg;

import io.qube.store.ListRequest;
import io.qube.store.Preconditions;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.store.watch.WatchConfig;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Compaction keeps the change log bounded under churn, never loses current state, and expires old watches. */
class CompactionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KEYS = 50;
    private static final int RETAINED = 100;
    private Vertx vertx;
    private PgConnectOptions database;
    private final List<PgObjectStore> stores = new ArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        database = TestPostgres.freshDatabase();
    }

    @AfterEach
    void stop() {
        stores.forEach(PgObjectStore::close);
        vertx.close();
    }

    private PgObjectStore store(Duration compactionInterval) {
        PgStoreConfig config = PgStoreConfig.defaults(database).withRetention(RETAINED, compactionInterval)
                .withWatch(WatchConfig.defaults().withWindow(RETAINED));
        PgObjectStore store = StoreFixture.start(vertx, config);
        stores.add(store);
        return store;
    }

    @Test
    void scheduledCompactionKeepsHistoryBoundedUnderContinuousChurn() {
        PgObjectStore store = store(Duration.ofMillis(200));
        for (int i = 0; i < KEYS; i++) {
            store.create(pod("churn", "k" + i, Map.of(), Map.of())).await().atMost(WAIT);
        }
        int rounds = 30;
        for (int round = 0; round < rounds; round++) {
            List<Uni<StoredObject>> batch = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                batch.add(store.update(pod("churn", "k" + i, Map.of("round", Integer.toString(round)), Map.of()),
                        Preconditions.NONE));
            }
            Uni.join().all(batch).andFailFast().await().atMost(WAIT);
            // The schedule, not this test, compacts: each key's newest version below the mark plus the window.
            await().atMost(WAIT).until(() -> logRows() <= KEYS + RETAINED);
        }
        assertThat(store.currentRevision().await().atMost(WAIT)).isEqualTo(KEYS * (rounds + 1L));
        assertThat(store.listCached(ListRequest.all(PODS), true).await().atMost(WAIT).items())
                .hasSize(KEYS)
                .allSatisfy(o -> assertThat(o.labels()).containsEntry("round", "29"));
    }

    @Test
    void afterCompactionANewInstanceLoadsTheCurrentStateAndOldWatchesExpire() {
        PgObjectStore store = store(Duration.ofHours(1));
        StoredObject early = store.create(pod("c", "early", Map.of(), Map.of())).await().atMost(WAIT);
        for (int i = 0; i < 300; i++) {
            String name = "o" + (i % 40);
            Map<String, String> labels = Map.of("i", Integer.toString(i));
            if (i % 3 == 2) {
                store.delete(pod("c", name, Map.of(), Map.of()).key(), Preconditions.NONE).onFailure().recoverWithNull()
                        .await().atMost(WAIT);
            } else {
                store.create(pod("c", name, labels, Map.of())).onFailure()
                        .recoverWithUni(() -> store.update(pod("c", name, labels, Map.of()), Preconditions.NONE))
                        .await().atMost(WAIT);
            }
        }
        long mark = store.compact().await().atMost(WAIT);
        assertThat(mark).isEqualTo(store.currentRevision().await().atMost(WAIT) - RETAINED);

        PgObjectStore fresh = store(Duration.ofHours(1));
        List<StoredObject> table = store.list(ListRequest.all(PODS)).await().atMost(WAIT).items();
        assertThat(fresh.listCached(ListRequest.all(PODS), true).await().atMost(WAIT).items()).isEqualTo(table);

        for (PgObjectStore instance : List.of(store, fresh)) {
            AssertSubscriber<WatchEvent> old = instance.watch(WatchRequest.from(PODS, early.revision()))
                    .subscribe().withSubscriber(AssertSubscriber.create(10));
            old.awaitCompletion(WAIT);
            assertThat(old.getItems()).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo(WatchEvent.Type.ERROR);
                assertThat(e.error().reason()).isEqualTo(StoreException.Reason.EXPIRED);
            });
        }
        AssertSubscriber<WatchEvent> recent = fresh.watch(WatchRequest.from(PODS, mark))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        recent.awaitItems(RETAINED, WAIT);
        assertThat(recent.getItems()).allSatisfy(e -> assertThat(e.type()).isNotEqualTo(WatchEvent.Type.ERROR));
        recent.cancel();
    }

    @Test
    void writesGoOnWhileALargeBacklogIsCompacted() {
        PgObjectStore store = store(Duration.ofHours(1));
        store.create(pod("big", "hot", Map.of(), Map.of())).await().atMost(WAIT);
        List<Uni<StoredObject>> updates = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            updates.add(store.update(pod("big", "hot", Map.of("i", Integer.toString(i)), Map.of()),
                    Preconditions.NONE));
        }
        Uni.join().all(updates).andFailFast().await().atMost(WAIT);

        CompletableFuture<Long> compaction = store.compact().subscribeAsCompletionStage();
        int duringCompaction = 0;
        while (!compaction.isDone()) {
            store.update(pod("big", "hot", Map.of("during", "yes"), Map.of()), Preconditions.NONE).await().atMost(WAIT);
            duringCompaction++;
        }
        assertThat(compaction.join()).isGreaterThan(19_000);
        assertThat(duringCompaction).as("writes completed while compaction ran").isPositive();
        assertThat(logRows()).isLessThanOrEqualTo(RETAINED + duringCompaction + 1);
    }

    private long logRows() {
        return TestPostgres.queryLong(database, "SELECT count(*) FROM qube_log");
    }
}
