package io.qube.store.watch;

import io.qube.store.ListRequest;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.store.pg.PgObjectStore;
import io.qube.store.pg.PgStoreConfig;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A watcher that stops reading is cut off with Expired once its bounded queue fills; the others never notice. */
class SlowWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int BUFFER = 100;
    private static final int WRITES = 1_000;

    @Test
    void aStalledWatcherIsEndedWithExpiredWhileOthersReceiveEverything() {
        Vertx vertx = Vertx.vertx();
        PgObjectStore store = StoreFixture.start(vertx, PgStoreConfig.defaults(TestPostgres.freshDatabase())
                .withWatch(WatchConfig.defaults().withWatcherBuffer(BUFFER)));
        try {
            long from = store.currentRevision().await().atMost(WAIT);
            WatchRequest all = new WatchRequest(ListRequest.all(PODS), from, false);
            AssertSubscriber<WatchEvent> stalled = store.watch(all).subscribe().withSubscriber(AssertSubscriber.create(1));
            AssertSubscriber<WatchEvent> healthy = store.watch(all).subscribe()
                    .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            await().atMost(WAIT).until(() -> store.watchCache().watcherCount() == 2);

            List<Uni<StoredObject>> writes = new ArrayList<>();
            for (int i = 0; i < WRITES; i++) {
                writes.add(store.create(pod("slow", "o" + i, Map.of(), Map.of())));
            }
            Uni.join().all(writes).andFailFast().await().atMost(WAIT);

            healthy.awaitItems(WRITES, WAIT);
            assertThat(healthy.getItems()).extracting(WatchEvent::type).containsOnly(WatchEvent.Type.ADDED);
            await().atMost(WAIT).until(() -> store.watchCache().watcherCount() == 1);

            stalled.request(BUFFER * 10L);
            stalled.awaitCompletion(WAIT);
            List<WatchEvent> received = stalled.getItems();
            assertThat(received.size()).isLessThanOrEqualTo(2);
            WatchEvent last = received.get(received.size() - 1);
            assertThat(last.type()).isEqualTo(WatchEvent.Type.ERROR);
            assertThat(last.error().reason()).isEqualTo(StoreException.Reason.EXPIRED);
            assertThat(last.error().getMessage()).contains("fell more than " + BUFFER + " events behind");
            healthy.cancel();
            await().atMost(WAIT).until(() -> store.watchCache().watcherCount() == 0);
        } finally {
            store.close();
            vertx.close();
        }
    }
}
