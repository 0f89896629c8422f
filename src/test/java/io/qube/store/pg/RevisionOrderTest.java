package io.qube.store.pg;

import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectWrite;
import io.qube.store.Preconditions;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static io.qube.test.StoreFixture.PODS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ordering proof: many writers on two independent store instances (own pools and LISTEN connections) share one
 * database; a watcher on each instance must see every revision exactly once, in strictly increasing order, and
 * replaying what it saw must give exactly the table's contents.
 */
class RevisionOrderTest {

    private static final int WRITERS_PER_INSTANCE = 4;
    private static final int SUCCESSFUL_WRITES = 20_000;
    private static final int KEYS = 400;

    @Test
    void everyWatcherSeesEveryRevisionOnceInOrderAndItsReplayEqualsTheTable() throws Exception {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions database = TestPostgres.freshDatabase();
        PgObjectStore first = StoreFixture.start(vertx, database);
        PgObjectStore second = StoreFixture.start(vertx, database);
        ExecutorService writers = Executors.newFixedThreadPool(2 * WRITERS_PER_INSTANCE);
        try {
            long start = first.currentRevision().await().indefinitely();
            AssertSubscriber<WatchEvent> onFirst = watchAll(first, start);
            AssertSubscriber<WatchEvent> onSecond = watchAll(second, start);

            AtomicInteger successes = new AtomicInteger();
            Map<Long, StoredObject> acknowledged = new ConcurrentHashMap<>();
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 2 * WRITERS_PER_INSTANCE; i++) {
                PgObjectStore via = i % 2 == 0 ? first : second;
                running.add(writers.submit(() -> writeUntil(via, successes, acknowledged)));
            }
            for (Future<?> writer : running) {
                writer.get();
            }
            long end = first.currentRevision().await().indefinitely();
            assertThat(end - start).as("one revision per successful write, no gaps").isEqualTo(successes.get());
            assertThat(successes.get()).isGreaterThanOrEqualTo(SUCCESSFUL_WRITES);

            Map<ObjectKey, StoredObject> table = new HashMap<>();
            for (StoredObject object : first.list(ListRequest.all(PODS)).await().indefinitely().items()) {
                table.put(object.key(), object);
            }
            for (AssertSubscriber<WatchEvent> watcher : List.of(onFirst, onSecond)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> lastRevision(watcher) >= end);
                List<WatchEvent> events = watcher.getItems();
                assertThat(events).hasSize((int) (end - start));
                Map<ObjectKey, StoredObject> replayed = new HashMap<>();
                long expected = start + 1;
                for (WatchEvent event : events) {
                    assertThat(event.revision()).as("revision after %d", expected - 1).isEqualTo(expected++);
                    assertThat(event.object()).isEqualTo(acknowledged.get(event.revision()));
                    if (event.type() == WatchEvent.Type.DELETED) {
                        assertThat(replayed.remove(event.object().key())).isNotNull();
                    } else {
                        StoredObject before = replayed.put(event.object().key(), event.object());
                        assertThat(before == null).isEqualTo(event.type() == WatchEvent.Type.ADDED);
                    }
                }
                assertThat(replayed).isEqualTo(table);
                watcher.cancel();
            }
        } finally {
            writers.shutdownNow();
            first.close();
            second.close();
            vertx.close();
        }
    }

    private static AssertSubscriber<WatchEvent> watchAll(PgObjectStore store, long from) {
        return store.watch(new WatchRequest(ListRequest.all(PODS), from, false))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    }

    private static long lastRevision(AssertSubscriber<WatchEvent> watcher) {
        List<WatchEvent> events = watcher.getItems();
        return events.isEmpty() ? 0 : events.get(events.size() - 1).revision();
    }

    /** Random creates, updates and deletes on a shared key space; refusals are expected and take no revision. */
    private static void writeUntil(PgObjectStore store, AtomicInteger successes, Map<Long, StoredObject> acknowledged) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (successes.get() < SUCCESSFUL_WRITES) {
            String name = "p" + random.nextInt(KEYS);
            ObjectWrite write = StoreFixture.pod("ns" + random.nextInt(3), name,
                    Map.of("n", Integer.toString(random.nextInt(5))), Map.of());
            int kind = random.nextInt(10);
            try {
                StoredObject done = kind < 4 ? store.create(write).await().indefinitely()
                        : kind < 8 ? store.update(write, Preconditions.NONE).await().indefinitely()
                        : store.delete(write.key(), Preconditions.NONE).await().indefinitely();
                acknowledged.put(done.revision(), done);
                successes.incrementAndGet();
            } catch (StoreException refused) {
                assertThat(refused.reason()).isIn(StoreException.Reason.ALREADY_EXISTS,
                        StoreException.Reason.NOT_FOUND);
            }
        }
    }
}
