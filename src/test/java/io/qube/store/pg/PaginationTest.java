package io.qube.store.pg;

import io.qube.store.LabelSelector;
import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.Preconditions;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paged lists show one revision's state on every page, however much is written between and during the pages. */
class PaginationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int OBJECTS = 300;
    private static Vertx vertx;
    private static PgObjectStore store;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        PgStoreConfig config = PgStoreConfig.defaults(TestPostgres.freshDatabase())
                .withRetention(10, Duration.ofHours(1));
        store = StoreFixture.start(vertx, config);
        for (int i = 0; i < OBJECTS; i++) {
            store.create(pod("ns" + (i % 3), String.format("obj-%03d", i), Map.of("parity", i % 2 == 0 ? "even" : "odd"),
                    Map.of())).await().atMost(WAIT);
        }
    }

    @AfterAll
    static void stop() {
        store.close();
        vertx.close();
    }

    @Test
    void allPagesShowTheFirstPagesRevisionDespiteConcurrentWrites() throws Exception {
        assertConsistentPaging(new ListRequest(PODS, null, null, null, 23, null));
        assertConsistentPaging(new ListRequest(PODS, null, LabelSelector.parse("parity=even"), null, 17, null));
        assertConsistentPaging(new ListRequest(PODS, "ns1", null, null, 9, null));
    }

    private void assertConsistentPaging(ListRequest request) throws Exception {
        ListPage firstPage = store.list(request).await().atMost(WAIT);
        ListPage expected = store.list(new ListRequest(request.type(), request.namespace(), request.labels(),
                request.fields(), 0, null)).await().atMost(WAIT);
        assertThat(expected.revision()).as("nothing was written between the two reads").isEqualTo(firstPage.revision());

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                churn(written);
            }
        });
        writer.start();
        List<StoredObject> seen = new ArrayList<>(firstPage.items());
        ListPage page = firstPage;
        int pages = 1;
        try {
            while (page.continueToken() != null) {
                // Some churns are refused (racing with the background writer): count only those that wrote.
                int target = written.get() + 5;
                while (written.get() < target) {
                    churn(written);
                }
                page = store.list(request.withContinue(page.continueToken())).await().atMost(WAIT);
                assertThat(page.revision()).isEqualTo(firstPage.revision());
                assertThat(page.items().size()).isLessThanOrEqualTo(request.limit());
                seen.addAll(page.items());
                pages++;
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertThat(pages).isGreaterThan(2);
        assertThat(store.currentRevision().await().atMost(WAIT) - firstPage.revision())
                .as("revisions committed while paging").isGreaterThanOrEqualTo((pages - 1) * 5L);
        assertThat(seen).containsExactlyElementsOf(expected.items());
    }

    /** One random update, delete or create (refusals from racing with the other churner are fine). */
    private static void churn(AtomicInteger written) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(OBJECTS);
        String namespace = "ns" + (i % 3);
        String name = String.format("obj-%03d", i);
        try {
            switch (random.nextInt(3)) {
                case 0 -> store.update(pod(namespace, name, Map.of("parity", random.nextBoolean() ? "even" : "odd"),
                        Map.of()), Preconditions.NONE).await().atMost(WAIT);
                case 1 -> store.delete(ObjectKey.of(PODS, namespace, name), Preconditions.NONE).await().atMost(WAIT);
                default -> store.create(pod(namespace, name, Map.of("parity", "even"), Map.of())).await().atMost(WAIT);
            }
            written.incrementAndGet();
        } catch (StoreException refused) {
            assertThat(refused.reason()).isIn(StoreException.Reason.NOT_FOUND, StoreException.Reason.ALREADY_EXISTS);
        }
    }

    @Test
    void aContinueTokenOlderThanCompactedHistoryIsExpired() {
        ListRequest request = new ListRequest(PODS, null, null, null, 10, null);
        ListPage first = store.list(request).await().atMost(WAIT);
        for (int i = 0; i < 30; i++) {
            churn(new AtomicInteger());
        }
        store.create(pod("ns0", "after-first-page", Map.of(), Map.of())).await().atMost(WAIT);
        long mark = store.compact().await().atMost(WAIT);
        assertThat(mark).isGreaterThan(first.revision());

        assertThatThrownBy(() -> store.list(request.withContinue(first.continueToken())).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.EXPIRED);
                    assertThat(e.getMessage()).contains("continue parameter is too old");
                });
        ListPage fresh = store.list(request).await().atMost(WAIT);
        assertThat(fresh.revision()).isGreaterThanOrEqualTo(mark);
        assertThat(fresh.continueToken()).isNotNull();
    }
}
