package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events expire after the configured time to live (3 s here), counted from their last occurrence. */
@QuarkusTest
@TestProfile(EventExpiryTest.ShortLived.class)
@WithTestResource(EmbeddedPostgresResource.class)
class EventExpiryTest {

    private static final String EVENTS = "/api/v1/namespaces/default/events";

    @Inject
    Vertx vertx;

    public static class ShortLived implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.apiserver.event-ttl", "3s", "qube.apiserver.event-sweep-interval", "200ms");
        }
    }

    @Test
    void anEventGoesOnceItsLastOccurrenceIsOlderThanTheTimeToLive() {
        event("expiring", Instant.now());
        event("recurring", Instant.now().plus(1, ChronoUnit.HOURS));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get(EVENTS + "/expiring").then().statusCode(404));
        given().get(EVENTS + "/recurring").then().statusCode(200);
    }

    @Test
    void eventsAreNeverParsedOnAnEventLoop() throws Exception {
        // The sweep above succeeds, so its parsing ran elsewhere; here is the guard that keeps it there.
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        vertx.runOnContext(nothing -> {
            try {
                EventExpiry.expired(List.of(), Instant.now());
                refused.complete(null);
            } catch (IllegalStateException e) {
                refused.complete(e);
            }
        });
        assertThat(refused.get(10, TimeUnit.SECONDS)).hasMessageContaining("event loop");
    }

    private static void event(String name, Instant last) {
        String at = last.truncatedTo(ChronoUnit.SECONDS).toString();
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"" + name + "\"},\"involvedObject\":"
                + "{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"p\"},\"reason\":\"Tested\",\"message\":\"m\","
                + "\"type\":\"Normal\",\"count\":1,\"firstTimestamp\":\"" + at + "\",\"lastTimestamp\":\"" + at + "\"}")
                .post(EVENTS).then().statusCode(201);
    }
}
