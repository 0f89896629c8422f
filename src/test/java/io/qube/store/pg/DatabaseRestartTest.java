package io.qube.store.pg;

import io.qube.launcher.EmbeddedDatabase;
import io.qube.store.ListRequest;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL restarts in the middle of a write stream: writes fail fast while it is down, the stores recover on
 * their own, and a watch that stays open throughout receives every acknowledged write, in order, with no gap.
 */
class DatabaseRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void watchesResumeWithNoEventLostAfterADatabaseRestart() throws Exception {
        Path dataDirectory = TestPostgres.newDataDirectory();
        EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory, 0);
        int port = database.port();
        Vertx vertx = Vertx.vertx();
        PgObjectStore writer = StoreFixture.start(vertx, database.connectOptions(EmbeddedDatabase.DATABASE));
        PgObjectStore watcher = StoreFixture.start(vertx, database.connectOptions(EmbeddedDatabase.DATABASE));
        Map<Long, StoredObject> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            int i = 0;
            while (writing.get()) {
                try {
                    StoredObject done = writer.create(pod("restart", "o" + i++, Map.of(), Map.of()))
                            .await().atMost(WAIT);
                    acknowledged.put(done.revision(), done);
                } catch (StoreException e) {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.UNAVAILABLE);
                    refused.incrementAndGet();
                }
            }
        });
        try {
            long start = watcher.currentRevision().await().atMost(WAIT);
            AssertSubscriber<WatchEvent> events = watcher.watch(new WatchRequest(ListRequest.all(PODS), start, false))
                    .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            load.start();
            await().atMost(WAIT).until(() -> acknowledged.size() >= 300);

            database.close();
            assertThatThrownBy(() -> writer.create(pod("restart", "while-down", Map.of(), Map.of()))
                    .await().atMost(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.reason()).isEqualTo(StoreException.Reason.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("database is unavailable");
                    });
            await().atMost(WAIT).until(() -> refused.get() > 0);
            int beforeRestart = acknowledged.size();

            database = EmbeddedDatabase.start(dataDirectory, port);
            await().atMost(WAIT).until(() -> acknowledged.size() >= beforeRestart + 300);
            writing.set(false);
            load.join();

            long end = writer.currentRevision().await().atMost(WAIT);
            await().atMost(WAIT).until(() -> events.getItems().size() >= end - start);
            List<WatchEvent> received = events.getItems();
            assertThat(received).hasSize((int) (end - start));
            long expected = start + 1;
            for (WatchEvent event : received) {
                assertThat(event.revision()).isEqualTo(expected++);
            }
            for (StoredObject write : acknowledged.values()) {
                assertThat(received.get((int) (write.revision() - start - 1)).object()).isEqualTo(write);
            }
            assertThat(events.hasCompleted()).isFalse();
            assertThat(watcher.isListening()).isTrue();
            events.cancel();
        } finally {
            writing.set(false);
            load.join();
            writer.close();
            watcher.close();
            vertx.close();
            database.close();
        }
    }
}
