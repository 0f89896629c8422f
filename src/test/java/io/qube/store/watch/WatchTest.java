package io.qube.store.watch;

import io.qube.store.LabelSelector;
import io.qube.store.ListRequest;
import io.qube.store.Preconditions;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.store.pg.PgObjectStore;
import io.qube.store.pg.PgStoreConfig;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Watches served by the watch cache: initial state, replay from a revision, selectors, bookmarks, expiry. */
class WatchTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static PgConnectOptions database;
    private static PgObjectStore store;
    private static PgObjectStore other;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        database = TestPostgres.freshDatabase();
        PgStoreConfig config = PgStoreConfig.defaults(database)
                .withWatch(WatchConfig.defaults().withWindow(50).withBookmarkInterval(Duration.ofMillis(200)));
        store = StoreFixture.start(vertx, config);
        other = StoreFixture.start(vertx, config);
    }

    @AfterAll
    static void stop() {
        store.close();
        other.close();
        vertx.close();
    }

    @Test
    void aWatchFromZeroStartsWithTheCurrentStateThenFollowsChanges() {
        String ns = "from-zero";
        StoredObject a = store.create(pod(ns, "a", Map.of(), Map.of())).await().atMost(WAIT);
        StoredObject b = store.create(pod(ns, "b", Map.of(), Map.of())).await().atMost(WAIT);
        store.watchCache().waitFor(b.revision()).await().atMost(WAIT);

        AssertSubscriber<WatchEvent> watcher = watch(new WatchRequest(inNamespace(ns), 0, false), store);
        watcher.awaitItems(2, WAIT);
        StoredObject c = store.create(pod(ns, "c", Map.of(), Map.of())).await().atMost(WAIT);
        watcher.awaitItems(3, WAIT);

        List<WatchEvent> events = watcher.getItems();
        assertThat(events).extracting(WatchEvent::type)
                .containsExactly(WatchEvent.Type.ADDED, WatchEvent.Type.ADDED, WatchEvent.Type.ADDED);
        assertThat(events).extracting(WatchEvent::object).containsExactly(a, b, c);
        watcher.cancel();
    }

    @Test
    void aWatchFromARevisionReplaysEveryLaterChangeInOrder() {
        String ns = "replay";
        StoredObject created = store.create(pod(ns, "x", Map.of(), Map.of())).await().atMost(WAIT);
        StoredObject updated = store.update(pod(ns, "x", Map.of("v", "2"), Map.of()), Preconditions.NONE)
                .await().atMost(WAIT);
        StoredObject deleted = store.delete(created.key(), Preconditions.NONE).await().atMost(WAIT);

        // On another instance: its cache learnt these changes from the log, not from the writes.
        AssertSubscriber<WatchEvent> watcher = watch(
                new WatchRequest(inNamespace(ns), created.revision() - 1, false), other);
        watcher.awaitItems(3, WAIT);
        assertThat(watcher.getItems()).containsExactly(
                WatchEvent.of(WatchEvent.Type.ADDED, created),
                WatchEvent.of(WatchEvent.Type.MODIFIED, updated),
                WatchEvent.of(WatchEvent.Type.DELETED, deleted));

        AssertSubscriber<WatchEvent> fromMiddle = watch(
                new WatchRequest(inNamespace(ns), updated.revision(), false), other);
        fromMiddle.awaitItems(1, WAIT);
        assertThat(fromMiddle.getItems()).containsExactly(WatchEvent.of(WatchEvent.Type.DELETED, deleted));
        watcher.cancel();
        fromMiddle.cancel();
    }

    @Test
    void objectsEnteringOrLeavingASelectorAreAddedOrDeleted() {
        String ns = "selector";
        ListRequest web = new ListRequest(PODS, ns, LabelSelector.parse("app=web"), null, 0, null);
        AssertSubscriber<WatchEvent> watcher = watch(new WatchRequest(web, 0, false), other);

        StoredObject first = store.create(pod(ns, "p", Map.of("app", "web"), Map.of())).await().atMost(WAIT);
        StoredObject left = store.update(pod(ns, "p", Map.of("app", "db"), Map.of()), Preconditions.NONE)
                .await().atMost(WAIT);
        store.update(pod(ns, "p", Map.of("app", "db", "x", "1"), Map.of()), Preconditions.NONE).await().atMost(WAIT);
        StoredObject back = store.update(pod(ns, "p", Map.of("app", "web"), Map.of()), Preconditions.NONE)
                .await().atMost(WAIT);
        StoredObject modified = store.update(pod(ns, "p", Map.of("app", "web", "y", "2"), Map.of()),
                Preconditions.NONE).await().atMost(WAIT);

        watcher.awaitItems(4, WAIT);
        assertThat(watcher.getItems()).containsExactly(
                WatchEvent.of(WatchEvent.Type.ADDED, first),
                WatchEvent.of(WatchEvent.Type.DELETED, first.withRevision(left.revision())),
                WatchEvent.of(WatchEvent.Type.ADDED, back),
                WatchEvent.of(WatchEvent.Type.MODIFIED, modified));
        watcher.cancel();
    }

    @Test
    void bookmarksCarryTheRevisionReachedWhenAsked() {
        String ns = "bookmarks";
        StoredObject written = store.create(pod(ns, "b", Map.of(), Map.of())).await().atMost(WAIT);
        AssertSubscriber<WatchEvent> withBookmarks = watch(new WatchRequest(inNamespace(ns), 0, true), other);
        AssertSubscriber<WatchEvent> without = watch(new WatchRequest(inNamespace(ns), 0, false), other);

        withBookmarks.awaitNextItems(2, WAIT);
        WatchEvent bookmark = withBookmarks.getItems().get(1);
        assertThat(bookmark.type()).isEqualTo(WatchEvent.Type.BOOKMARK);
        assertThat(bookmark.object()).isNull();
        assertThat(bookmark.revision()).isGreaterThanOrEqualTo(written.revision());

        without.awaitItems(1, WAIT);
        StoredObject next = store.create(pod(ns, "c", Map.of(), Map.of())).await().atMost(WAIT);
        without.awaitItems(2, WAIT);
        assertThat(without.getItems()).extracting(WatchEvent::type).containsOnly(WatchEvent.Type.ADDED);
        assertThat(without.getItems().get(1).object()).isEqualTo(next);
        withBookmarks.cancel();
        without.cancel();
    }

    @Test
    void aRevisionOlderThanTheWindowGetsOneExpiredErrorAndTheEnd() {
        String ns = "expired";
        StoredObject first = store.create(pod(ns, "e0", Map.of(), Map.of())).await().atMost(WAIT);
        for (int i = 1; i <= 60; i++) {
            store.create(pod(ns, "e" + i, Map.of(), Map.of())).await().atMost(WAIT);
        }
        store.watchCache().waitFor(store.currentRevision().await().atMost(WAIT)).await().atMost(WAIT);

        AssertSubscriber<WatchEvent> watcher = watch(new WatchRequest(inNamespace(ns), first.revision(), false),
                store);
        watcher.awaitCompletion(WAIT);
        assertThat(watcher.getItems()).hasSize(1);
        WatchEvent error = watcher.getItems().get(0);
        assertThat(error.type()).isEqualTo(WatchEvent.Type.ERROR);
        assertThat(error.error().reason()).isEqualTo(StoreException.Reason.EXPIRED);
        assertThat(error.error().reason().code).isEqualTo(410);
    }

    @Test
    void aWatchFromARevisionNotYetSeenWaitsForIt() {
        String ns = "future";
        long next = store.currentRevision().await().atMost(WAIT) + 1;
        AssertSubscriber<WatchEvent> watcher = watch(new WatchRequest(inNamespace(ns), next, false), other);
        StoredObject first = store.create(pod(ns, "f1", Map.of(), Map.of())).await().atMost(WAIT);
        StoredObject second = store.create(pod(ns, "f2", Map.of(), Map.of())).await().atMost(WAIT);
        await().atMost(WAIT).until(() -> watcher.getItems().stream().anyMatch(e -> second.equals(e.object())));
        // The watch starts after revision `next`: whichever write took that revision is not replayed.
        assertThat(watcher.getItems()).allSatisfy(e -> assertThat(e.revision()).isGreaterThan(next));
        assertThat(first.revision()).isGreaterThanOrEqualTo(next);
        watcher.cancel();
    }

    private static ListRequest inNamespace(String namespace) {
        return new ListRequest(PODS, namespace, null, null, 0, null);
    }

    private static AssertSubscriber<WatchEvent> watch(WatchRequest request, PgObjectStore on) {
        return on.watch(request).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    }
}
