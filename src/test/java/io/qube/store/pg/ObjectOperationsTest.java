package io.qube.store.pg;

import io.qube.store.ObjectKey;
import io.qube.store.ObjectWrite;
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
import java.util.Map;

import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Create, get, update and delete with their failures, against a real PostgreSQL. */
class ObjectOperationsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static PgObjectStore store;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        store = StoreFixture.start(vertx, TestPostgres.freshDatabase());
    }

    @AfterAll
    static void stop() {
        store.close();
        vertx.close();
    }

    @Test
    void createThenGetReturnsTheWrittenStateAtItsRevision() {
        ObjectWrite write = pod("ns1", "a", Map.of("app", "web"), Map.of("spec.nodeName", "n1"));
        StoredObject created = store.create(write).await().atMost(WAIT);

        assertThat(created.revision()).isPositive();
        assertThat(created.createRevision()).isEqualTo(created.revision());
        StoredObject read = store.get(write.key()).await().atMost(WAIT);
        assertThat(read).isEqualTo(created);
        assertThat(read.body()).isEqualTo(write.body());
        assertThat(store.currentRevision().await().atMost(WAIT)).isGreaterThanOrEqualTo(created.revision());
    }

    @Test
    void createOfAnExistingKeyFailsAlreadyExistsAndChangesNothing() {
        ObjectWrite write = pod("ns1", "dup", Map.of(), Map.of());
        StoredObject first = store.create(write).await().atMost(WAIT);
        long before = store.currentRevision().await().atMost(WAIT);

        assertThatThrownBy(() -> store.create(pod("ns1", "dup", Map.of("x", "y"), Map.of())).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.ALREADY_EXISTS);
                    assertThat(e.currentRevision()).isEqualTo(first.revision());
                    assertThat(e.getMessage()).contains("\"dup\" already exists");
                });
        assertThat(store.get(write.key()).await().atMost(WAIT)).isEqualTo(first);
        assertThat(store.currentRevision().await().atMost(WAIT)).isEqualTo(before);
    }

    @Test
    void updateWithTheExpectedRevisionSucceedsAndWithAStaleOneFailsConflict() {
        StoredObject created = store.create(pod("ns1", "upd", Map.of(), Map.of())).await().atMost(WAIT);
        ObjectWrite change = pod("ns1", "upd", Map.of("v", "2"), Map.of());
        StoredObject updated = store.update(change, Preconditions.revision(created.revision())).await().atMost(WAIT);

        assertThat(updated.revision()).isGreaterThan(created.revision());
        assertThat(updated.createRevision()).isEqualTo(created.revision());
        assertThat(updated.uid()).isEqualTo(created.uid());
        assertThat(updated.labels()).containsEntry("v", "2");

        assertThatThrownBy(() -> store.update(pod("ns1", "upd", Map.of("v", "3"), Map.of()),
                Preconditions.revision(created.revision())).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT);
                    assertThat(e.currentRevision()).isEqualTo(updated.revision());
                });
        assertThat(store.get(change.key()).await().atMost(WAIT).labels()).containsEntry("v", "2");

        StoredObject unconditional = store.update(pod("ns1", "upd", Map.of("v", "4"), Map.of()), Preconditions.NONE)
                .await().atMost(WAIT);
        assertThat(unconditional.revision()).isGreaterThan(updated.revision());
    }

    @Test
    void updateAndDeleteOfAMissingObjectFailNotFound() {
        ObjectKey missing = ObjectKey.of(PODS, "ns1", "missing");
        assertThatThrownBy(() -> store.update(pod("ns1", "missing", Map.of(), Map.of()), Preconditions.NONE)
                .await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
        assertThatThrownBy(() -> store.delete(missing, Preconditions.NONE).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
        assertThatThrownBy(() -> store.get(missing).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("pods \"missing\" not found");
                });
    }

    @Test
    void deleteHonoursPreconditionsAndReturnsTheLastStateAtTheDeletionRevision() {
        ObjectWrite write = pod("ns1", "del", Map.of("app", "db"), Map.of("status.phase", "Running"));
        StoredObject created = store.create(write).await().atMost(WAIT);

        assertThatThrownBy(() -> store.delete(write.key(), Preconditions.revision(created.revision() + 1000))
                .await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));
        assertThatThrownBy(() -> store.delete(write.key(), new Preconditions(0, "another-uid")).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT);
                    assertThat(e.getMessage()).contains("UID in precondition");
                });

        StoredObject deleted = store.delete(write.key(), new Preconditions(created.revision(), created.uid()))
                .await().atMost(WAIT);
        assertThat(deleted.revision()).isGreaterThan(created.revision());
        assertThat(deleted.body()).isEqualTo(write.body());
        assertThat(deleted.labels()).isEqualTo(Map.of("app", "db"));
        assertThat(deleted.fields()).isEqualTo(Map.of("status.phase", "Running"));
        assertThatThrownBy(() -> store.get(write.key()).await().atMost(WAIT)).isInstanceOf(StoreException.class);

        StoredObject recreated = store.create(write).await().atMost(WAIT);
        assertThat(recreated.createRevision()).isGreaterThan(deleted.revision());
    }

    @Test
    void aBodyOverThreeMebibytesIsRefusedWithoutTouchingTheDatabase() {
        long before = store.currentRevision().await().atMost(WAIT);
        String big = "x".repeat(3 * 1024 * 1024 + 1);
        ObjectWrite huge = StoreFixture.object(PODS, "ns1", "huge", Map.of(), Map.of(), big);

        assertThatThrownBy(() -> store.create(huge).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.TOO_LARGE);
                    assertThat(e.reason().code).isEqualTo(413);
                    assertThat(e.getMessage()).contains("limit is 3145728");
                });
        assertThat(store.currentRevision().await().atMost(WAIT)).isEqualTo(before);
    }

    @Test
    void malformedJsonFailsOnlyItsOwnWriteInABatch() {
        ObjectWrite bad = new ObjectWrite(ObjectKey.of(PODS, "ns1", "bad"), "u", Map.of(), Map.of(), "{not json");
        var good = store.create(pod("ns1", "good-next-to-bad", Map.of(), Map.of())).subscribeAsCompletionStage();
        assertThatThrownBy(() -> store.create(bad).await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BAD_REQUEST));
        assertThat(good.join().key().name()).isEqualTo("good-next-to-bad");
    }
}
