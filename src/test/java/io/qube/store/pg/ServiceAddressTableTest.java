package io.qube.store.pg;

import io.qube.store.ObjectKey;
import io.qube.store.ObjectWrite;
import io.qube.store.Preconditions;
import io.qube.store.ResourceType;
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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's hold on Services' addresses (migration V2), written straight to the store as an apiserver of any
 * version would: a second holder of a cluster IP or node port is refused with ADDRESS_TAKEN and takes no revision,
 * in a batch only that write fails, and an address is free again once its Service dropped it or was deleted.
 */
class ServiceAddressTableTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ResourceType SERVICES = ResourceType.core("services");
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
    void aSecondHolderOfAClusterIpOrNodePortIsRefused() {
        StoredObject first = create(service("first", "10.100.0.1", 30100));
        long before = store.currentRevision().await().atMost(WAIT);

        assertTaken(service("same-ip", "10.100.0.1", 30101), "ip 10.100.0.1");
        assertTaken(service("same-port", "10.100.0.2", 30100), "port 30100");
        assertThat(store.currentRevision().await().atMost(WAIT)).isEqualTo(before);
        // Its own addresses are the holder's to keep through its updates.
        StoredObject updated = store.update(service("first", "10.100.0.1", 30100, "changed"),
                Preconditions.revision(first.revision())).await().atMost(WAIT);
        assertThat(updated.revision()).isGreaterThan(first.revision());
    }

    @Test
    void inABatchOnlyTheWriteTakingAHeldAddressFails() {
        create(service("holder", "10.100.1.1", 30200));
        List<ObjectWrite> writes = List.of(service("batched-a", "10.100.1.2", 30201),
                service("batched-taken", "10.100.1.1", 30202), service("batched-b", "10.100.1.3", 30203));
        List<io.smallrye.mutiny.Uni<StoredObject>> results = writes.stream().map(store::create).toList();
        List<Object> outcomes = io.smallrye.mutiny.Uni.join().all(results.stream()
                .map(uni -> uni.map(Object.class::cast).onFailure().recoverWithItem(e -> e)).toList())
                .andFailFast().await().atMost(WAIT);
        assertThat(outcomes.get(0)).isInstanceOf(StoredObject.class);
        assertThat(outcomes.get(1)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.ADDRESS_TAKEN));
        assertThat(outcomes.get(2)).isInstanceOf(StoredObject.class);
    }

    @Test
    void anAddressDroppedOrDeletedIsFreeAgain() {
        StoredObject moving = create(service("moving", "10.100.2.1", 30300));
        StoredObject going = create(service("going", "10.100.2.2", 30301));
        store.update(service("moving", "10.100.2.1", 30302), Preconditions.revision(moving.revision()))
                .await().atMost(WAIT);
        store.delete(going.key(), Preconditions.revision(going.revision())).await().atMost(WAIT);

        create(service("after-move", "10.100.2.3", 30300));
        create(service("after-delete", "10.100.2.2", 30301));
        assertTaken(service("still-held", "10.100.2.9", 30302), "port 30302");
    }

    private static StoredObject create(ObjectWrite write) {
        return store.create(write).await().atMost(WAIT);
    }

    private static void assertTaken(ObjectWrite write, String address) {
        assertThatThrownBy(() -> create(write)).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(StoreException.Reason.ADDRESS_TAKEN);
            assertThat(e.getMessage()).contains(address);
        });
    }

    private static ObjectWrite service(String name, String ip, int nodePort) {
        return service(name, ip, nodePort, "");
    }

    private static ObjectWrite service(String name, String ip, int nodePort, String label) {
        String body = "{\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\","
                + "\"labels\":{\"l\":\"" + label + "\"}},\"spec\":{\"type\":\"NodePort\",\"clusterIP\":\"" + ip
                + "\",\"clusterIPs\":[\"" + ip + "\"],\"ports\":[{\"port\":80,\"nodePort\":" + nodePort + "}]}}";
        return new ObjectWrite(ObjectKey.of(SERVICES, "default", name), UUID.randomUUID().toString(), Map.of(),
                Map.of(), body);
    }
}
