package io.qube.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A steady write and watch load on a namespace's ConfigMaps, one writer and one watcher starting on each apiserver,
 * and its verdict: no acknowledged write lost, every watcher's events gapless once it relisted.
 */
final class ClusterLoad implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String namespace;
    private final int[] ports;
    private final ScheduledExecutorService schedule;
    private final List<AckingWriter> writers = new ArrayList<>();
    private final List<FollowingWatcher> watchers = new ArrayList<>();

    ClusterLoad(String namespace, int[] ports) {
        this.namespace = namespace;
        this.ports = ports.clone();
        this.schedule = Executors.newScheduledThreadPool(ports.length);
    }

    /** Watchers list first, so that every write is after their start; then each writer writes every 30 ms. */
    void start() {
        for (int i = 0; i < ports.length; i++) {
            FollowingWatcher watcher = new FollowingWatcher(namespace, ports, i);
            watcher.begin();
            watchers.add(watcher);
        }
        for (int i = 0; i < ports.length; i++) {
            AckingWriter writer = new AckingWriter("w" + i, namespace, ports, i);
            writers.add(writer);
            schedule.scheduleWithFixedDelay(writer, 0, 30, TimeUnit.MILLISECONDS);
        }
    }

    /** Waits until {@code more} writes were acknowledged from now on. */
    void awaitProgress(int more) {
        int before = acknowledged();
        await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged() >= before + more);
    }

    private int acknowledged() {
        return writers.stream().mapToInt(AckingWriter::acknowledged).sum();
    }

    /**
     * Stops writing, waits until every watcher reached the newest acknowledged write, then checks through the
     * apiserver on {@code port}: every acknowledged object at its acknowledged version or later, and each watcher's
     * events covering every acknowledged write in order.
     */
    void stopAndCheck(int port) throws Exception {
        schedule.shutdown();
        assertThat(schedule.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        List<AckingWriter.Ack> acks = new ArrayList<>();
        writers.forEach(writer -> acks.addAll(writer.acks()));
        long newest = acks.stream().mapToLong(AckingWriter.Ack::revision).max().orElseThrow();
        for (FollowingWatcher watcher : watchers) {
            await().atMost(Duration.ofSeconds(60)).until(() -> watcher.lastRevision() >= newest);
        }
        HttpResponse<String> list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/namespaces/" + namespace + "/configmaps")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Long> stored = new HashMap<>();
        for (JsonNode item : JSON.readTree(list.body()).path("items")) {
            stored.put(item.path("metadata").path("name").asText(),
                    item.path("metadata").path("resourceVersion").asLong());
        }
        for (AckingWriter writer : writers) {
            writer.latest().forEach((name, revision) -> assertThat(stored.get(name)).as("acknowledged %s", name)
                    .isNotNull().isGreaterThanOrEqualTo(revision));
        }
        for (FollowingWatcher watcher : watchers) {
            assertThat(WatchCoverage.problems(watcher, acks)).as(watcher.getName()).isEmpty();
        }
        System.out.printf("load: %d acknowledged writes, %d unanswered; watchers: %s%n", acks.size(),
                writers.stream().mapToInt(AckingWriter::unanswered).sum(), watchers.stream().map(w -> w.getName()
                        + " " + w.events().size() + " events, " + w.reconnects() + " reconnects, "
                        + (w.listings().size() - 1) + " relists").toList());
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        watchers.forEach(FollowingWatcher::finish);
    }
}
