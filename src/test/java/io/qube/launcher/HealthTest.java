package io.qube.launcher;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.store.ObjectStore;
import io.qube.store.StoredObject;
import io.qube.store.pg.PgObjectStore;
import io.qube.test.EmbeddedPostgresResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.qube.test.StoreFixture.pod;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

/** The application wired to a working database: one store behind both bean types, ready and live. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class HealthTest {

    private static final String STORE_CHECK = "checks.find { it.name == '" + StoreReadinessCheck.NAME + "' }";

    @Inject
    ObjectStore store;

    @Inject
    PgObjectStore pgStore;

    @Test
    void readyWithAWorkingDatabaseAndCaughtUpWithItsWrites() {
        assertThat(store).isSameAs(pgStore);
        StoredObject created = store.create(pod("ns", "health", Map.of(), Map.of()))
                .await().atMost(Duration.ofSeconds(30));

        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body(STORE_CHECK + ".status", equalTo("UP"))
                .body(STORE_CHECK + ".data.database", equalTo("reachable"))
                .body(STORE_CHECK + ".data.watch", equalTo("caught up"))
                .body(STORE_CHECK + ".data.listening", equalTo(true))
                .body(STORE_CHECK + ".data.appliedRevision", greaterThanOrEqualTo((int) created.revision()));
    }

    @Test
    void live() {
        given().when().get("/q/health/live").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(StoreReadinessCheck.NAME));
    }
}
