package io.qube.store.pg;

import io.qube.store.FieldSelector;
import io.qube.store.IndexedFields;
import io.qube.store.LabelSelector;
import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.qube.test.StoreFixture.CONFIGMAPS;
import static io.qube.test.StoreFixture.PODS;
import static io.qube.test.StoreFixture.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lists with namespaces and selectors, from the database and from the watch cache, which must agree. */
class ListTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final IndexedFields FIELDS = IndexedFields.kubernetesDefaults();
    private static Vertx vertx;
    private static PgObjectStore store;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        store = StoreFixture.start(vertx, TestPostgres.freshDatabase());
        write("a", "web-1", Map.of("app", "web", "tier", "front"), Map.of("spec.nodeName", "n1", "status.phase", "Running"));
        write("a", "web-2", Map.of("app", "web", "tier", "back"), Map.of("spec.nodeName", "n2", "status.phase", "Pending"));
        write("a", "db-1", Map.of("app", "db"), Map.of("spec.nodeName", "n1", "status.phase", "Running"));
        write("b", "web-3", Map.of("app", "web", "canary", ""), Map.of("status.phase", "Pending"));
        write("b", "plain", Map.of(), Map.of());
        store.create(StoreFixture.object(CONFIGMAPS, "a", "web-config", Map.of("app", "web"), Map.of(), ""))
                .await().atMost(WAIT);
    }

    private static void write(String namespace, String name, Map<String, String> labels, Map<String, String> fields) {
        store.create(pod(namespace, name, labels, fields)).await().atMost(WAIT);
    }

    @AfterAll
    static void stop() {
        store.close();
        vertx.close();
    }

    @Test
    void labelSelectorsOfEveryOperator() {
        assertSelects(null, "app=web", "", "a/web-1", "a/web-2", "b/web-3");
        assertSelects(null, "app==web,tier=front", "", "a/web-1");
        assertSelects(null, "app!=web", "", "a/db-1", "b/plain");
        assertSelects(null, "tier in (front,back)", "", "a/web-1", "a/web-2");
        assertSelects(null, "tier notin (front)", "", "a/db-1", "a/web-2", "b/plain", "b/web-3");
        assertSelects(null, "canary", "", "b/web-3");
        assertSelects(null, "!app", "", "b/plain");
        assertSelects(null, "app=web,!canary", "", "a/web-1", "a/web-2");
        assertSelects(null, "canary=", "", "b/web-3");
    }

    @Test
    void namespacesAndFieldSelectors() {
        assertSelects("a", "", "", "a/db-1", "a/web-1", "a/web-2");
        assertSelects(null, "", "spec.nodeName=n1", "a/db-1", "a/web-1");
        assertSelects(null, "", "status.phase!=Running", "a/web-2", "b/plain", "b/web-3");
        assertSelects(null, "", "spec.nodeName=", "b/plain", "b/web-3");
        assertSelects(null, "", "metadata.name=web-2", "a/web-2");
        assertSelects(null, "app=web", "metadata.namespace==b", "b/web-3");
        assertSelects("b", "", "metadata.namespace=a");
    }

    @Test
    void typesAreListedApart() {
        ListPage configMaps = store.list(ListRequest.all(CONFIGMAPS)).await().atMost(WAIT);
        assertThat(configMaps.items()).extracting(o -> o.key().name()).containsExactly("web-config");
    }

    @Test
    void aListIsAtTheNewestCommittedRevision() {
        StoredObject written = store.create(pod("c", "fresh", Map.of(), Map.of())).await().atMost(WAIT);
        ListPage fromDatabase = store.list(ListRequest.all(PODS)).await().atMost(WAIT);
        ListPage fromCache = store.listCached(ListRequest.all(PODS), true).await().atMost(WAIT);
        assertThat(fromDatabase.revision()).isGreaterThanOrEqualTo(written.revision());
        assertThat(fromCache.revision()).isGreaterThanOrEqualTo(written.revision());
        assertThat(fromCache.items()).contains(written);
        assertThat(fromDatabase.items()).contains(written);
        store.delete(written.key(), io.qube.store.Preconditions.NONE).await().atMost(WAIT);
    }

    @Test
    void invalidSelectorsAreBadRequests() {
        assertThatThrownBy(() -> FieldSelector.parse("spec.unknown=1", PODS, FIELDS))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BAD_REQUEST));
        assertThatThrownBy(() -> store.list(new ListRequest(PODS, null, null, null, 1, "not-a-token"))
                .await().atMost(WAIT))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("continue");
                });
    }

    private static void assertSelects(String namespace, String labels, String fields, String... expected) {
        ListRequest request = new ListRequest(PODS, namespace, LabelSelector.parse(labels),
                FieldSelector.parse(fields, PODS, FIELDS), 0, null);
        List<String> fromDatabase = names(store.list(request).await().atMost(WAIT));
        List<String> fromCache = names(store.listCached(request, true).await().atMost(WAIT));
        assertThat(fromDatabase).as("database list of %s / %s", labels, fields).containsExactly(expected);
        assertThat(fromCache).as("cached list of %s / %s", labels, fields).containsExactly(expected);
    }

    private static List<String> names(ListPage page) {
        return page.items().stream().map(o -> o.key().namespace() + "/" + o.key().name()).toList();
    }
}
