package io.qube.store.pg;

import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.test.StoreFixture;
import io.qube.test.TestPostgres;
import io.qube.test.WriterProcess;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.qube.test.StoreFixture.PODS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A writer process killed with SIGKILL in the middle of a load loses none of the writes it acknowledged. */
class WriterKillTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ACKS_BEFORE_KILL = 3_000;

    @Test
    void everyAcknowledgedWriteSurvivesTheWritersSigkill() throws Exception {
        PgConnectOptions database = TestPostgres.freshDatabase();
        Vertx vertx = Vertx.vertx();
        PgObjectStore observer = StoreFixture.start(vertx, database);
        long start = observer.currentRevision().await().atMost(WAIT);
        AssertSubscriber<WatchEvent> events = observer.watch(new WatchRequest(ListRequest.all(PODS), start, false))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        Process writer = startWriter(database);
        Map<ObjectKey, Long> acknowledged = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            CompletableFuture<Void> killed = new CompletableFuture<>();
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    String[] key = parts[1].split("/");
                    acknowledged.put(ObjectKey.of(PODS, key[0], key[1]), Long.parseLong(parts[2]));
                    if (acknowledged.size() == ACKS_BEFORE_KILL) {
                        // SIGKILL through the handle, which leaves the pipe open: acknowledgements printed before
                        // the kill are still read.
                        writer.toHandle().destroyForcibly();
                        killed.complete(null);
                    }
                }
            }
            assertThat(killed).as("the writer reached the load before being killed").isDone();
        } finally {
            writer.destroyForcibly();
        }
        assertThat(writer.waitFor()).as("killed by SIGKILL").isEqualTo(128 + 9);

        try {
            for (Map.Entry<ObjectKey, Long> write : acknowledged.entrySet()) {
                StoredObject stored = observer.get(write.getKey()).await().atMost(WAIT);
                assertThat(stored.revision()).isEqualTo(write.getValue());
            }
            long end = observer.currentRevision().await().atMost(WAIT);
            assertThat(end - start).isGreaterThanOrEqualTo(acknowledged.size());
            await().atMost(WAIT).until(() -> events.getItems().size() >= end - start);
            List<WatchEvent> received = events.getItems();
            long expected = start + 1;
            for (WatchEvent event : received) {
                assertThat(event.revision()).isEqualTo(expected++);
            }
            assertThat(received).extracting(WatchEvent::object).extracting(StoredObject::key)
                    .containsAll(acknowledged.keySet());
        } finally {
            events.cancel();
            observer.close();
            vertx.close();
        }
    }

    private static Process startWriter(PgConnectOptions database) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", classPath, WriterProcess.class.getName(), database.getHost(),
                Integer.toString(database.getPort()), database.getDatabase(), "killed")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
