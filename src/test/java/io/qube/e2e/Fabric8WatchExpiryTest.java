package io.qube.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.internal.WatchConnectionManager;
import io.fabric8.kubernetes.client.dsl.internal.WatchHTTPManager;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.TcpProxy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What fabric8 does when the server no longer has the history a watch asks for: with a watch window of 50 changes
 * per type, a watch from an older resourceVersion gets 410 Expired, and an informer cut off from the server for
 * longer than that window relists and watches again.
 */
@QuarkusTest
@TestProfile(Fabric8WatchExpiryTest.SmallWatchWindow.class)
@WithTestResource(EmbeddedPostgresResource.class)
class Fabric8WatchExpiryTest extends Fabric8ServerTest {

    static final int WINDOW = 50;

    /** Keeps only 50 changes per resource type in the watch cache, so history expires after a few writes. */
    public static class SmallWatchWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.watch.window", Integer.toString(WINDOW));
        }
    }

    @Test
    void aWebSocketWatchFromBeforeTheWindowClosesWith410Expired() throws Exception {
        String namespace = "f8-expired-ws";
        String old = historyOlderThanTheWindow(namespace);

        assertWatchExpires(client, namespace, old, WatchConnectionManager.class);
    }

    @Test
    void aChunkedHttpWatchFromBeforeTheWindowClosesWith410Expired() throws Exception {
        String namespace = "f8-expired-http";
        String old = historyOlderThanTheWindow(namespace);

        try (KubernetesClient httpOnly = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.toString()).withOnlyHttpWatches(true).build()).build()) {
            assertWatchExpires(httpOnly, namespace, old, WatchHTTPManager.class);
        }
    }

    @Test
    void aWatchFromWithinTheWindowReplaysWhatFollowed() {
        String namespace = "f8-within-window";
        Fabric8Clients.ensureNamespace(client, namespace);
        createConfigMaps(namespace, "early", WINDOW + 10);
        String recent = client.configMaps().inNamespace(namespace).list().getMetadata().getResourceVersion();
        createConfigMaps(namespace, "late", 3);

        Closing closing = new Closing();
        Watch watch = client.configMaps().inNamespace(namespace).withResourceVersion(recent).watch(closing);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> closing.events.size() >= 3);
            assertThat(closing.events).containsExactly("ADDED late-0", "ADDED late-1", "ADDED late-2");
            assertThat(closing.closed).isNotDone();
        } finally {
            watch.close();
        }
    }

    /**
     * An informer's watch is cut off (as by a network failure) while more changes than the window holds happen.
     * When it can reach the server again it resumes from its last resourceVersion, gets 410 Expired, relists, and
     * ends with the server's state, including the deletions it never saw as events.
     */
    @Test
    void anInformerCutOffForLongerThanTheWindowRelistsAndCatchesUp() throws Exception {
        String namespace = "f8-informer-expiry";
        Fabric8Clients.ensureNamespace(client, namespace);
        var configMaps = client.configMaps().inNamespace(namespace);
        createConfigMaps(namespace, "keep", 5);
        createConfigMaps(namespace, "gone", 5);

        List<String> deletions = new CopyOnWriteArrayList<>();
        try (TcpProxy proxy = TcpProxy.to(server.getHost(), server.getPort());
             KubernetesClient proxied = Fabric8Clients.to("127.0.0.1", proxy.port())) {
            SharedIndexInformer<ConfigMap> informer = proxied.configMaps().inNamespace(namespace).inform(
                    new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(ConfigMap configMap) {
                        }

                        @Override
                        public void onUpdate(ConfigMap before, ConfigMap after) {
                        }

                        @Override
                        public void onDelete(ConfigMap configMap, boolean finalStateUnknown) {
                            deletions.add(configMap.getMetadata().getName() + (finalStateUnknown ? " (relist)" : ""));
                        }
                    }, 0);
            try {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(versions(informer.getStore().list())).isEqualTo(versions(configMaps.list().getItems())));
                assertThat(versions(informer.getStore().list())).hasSize(10);
                long listsBefore = lists(proxy, namespace);

                proxy.cut();
                String resumeFrom = informer.lastSyncResourceVersion();
                for (int i = 0; i < 5; i++) {
                    configMaps.withName("gone-" + i).delete();
                    int n = i;
                    configMaps.withName("keep-" + i).edit(c -> {
                        c.getData().put("v", "changed-" + n);
                        return c;
                    });
                }
                createConfigMaps(namespace, "new", WINDOW);
                // The informer's resume point is now older than the window.
                assertWatchExpires(client, namespace, resumeFrom, Watch.class);
                assertThat(deletions).isEmpty();

                proxy.restore();
                Map<String, String> server = versions(configMaps.list().getItems());
                assertThat(server).hasSize(5 + WINDOW);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(versions(informer.getStore().list())).isEqualTo(server));
                // Deletions found by comparing a new list with the cache, not by watch events: it relisted.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deletions)
                        .containsExactlyInAnyOrder("gone-0 (relist)", "gone-1 (relist)", "gone-2 (relist)",
                                "gone-3 (relist)", "gone-4 (relist)"));
                assertThat(proxy.received()).contains("\"reason\":\"Expired\"").contains("\"code\":410");
                assertThat(lists(proxy, namespace)).isGreaterThan(listsBefore);
                await().atMost(Duration.ofSeconds(10)).until(informer::isWatching);

                // And it keeps following the server afterwards.
                configMaps.withName("keep-0").delete();
                await().atMost(Duration.ofSeconds(20)).until(() -> deletions.contains("keep-0"));
                assertThat(versions(informer.getStore().list())).isEqualTo(versions(configMaps.list().getItems()));
            } finally {
                informer.close();
            }
        }
    }

    /**
     * Creates the namespace, then more config maps in it than the window holds; returns the resourceVersion from
     * before them, which has left the window.
     */
    private String historyOlderThanTheWindow(String namespace) {
        Fabric8Clients.ensureNamespace(client, namespace);
        String old = client.configMaps().inNamespace(namespace).list().getMetadata().getResourceVersion();
        createConfigMaps(namespace, "old", WINDOW + 10);
        return old;
    }

    /**
     * Watches the namespace's config maps from {@code resourceVersion} through {@code watcher}: a watch of the
     * {@code type} expected, which closes with 410 Expired.
     */
    private static void assertWatchExpires(KubernetesClient watcher, String namespace, String resourceVersion,
            Class<? extends Watch> type) throws Exception {
        Closing closing = new Closing();
        Watch watch = watcher.configMaps().inNamespace(namespace).withResourceVersion(resourceVersion).watch(closing);
        try {
            assertThat(watch).isInstanceOf(type);
            assertExpired(closing);
        } finally {
            watch.close();
        }
    }

    /** Records a watch's events and how it closed. */
    private static final class Closing implements Watcher<ConfigMap> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

        @Override
        public void eventReceived(Action action, ConfigMap configMap) {
            events.add(action + " " + configMap.getMetadata().getName());
        }

        @Override
        public void onClose(WatcherException cause) {
            closed.complete(cause);
        }
    }

    private static void assertExpired(Closing closing) throws Exception {
        WatcherException cause = closing.closed.get(20, TimeUnit.SECONDS);
        assertThat(cause.isHttpGone()).isTrue();
        KubernetesClientException error = cause.asClientException();
        assertThat(error.getCode()).isEqualTo(410);
        assertThat(error.getStatus().getReason()).isEqualTo("Expired");
        assertThat(error.getStatus().getMessage()).startsWith("too old resource version: ");
        assertThat(closing.events).isEmpty();
    }

    private void createConfigMaps(String namespace, String prefix, int count) {
        IntStream.range(0, count).forEach(i -> client.configMaps().inNamespace(namespace).resource(
                new ConfigMapBuilder().withNewMetadata().withName(prefix + "-" + i).endMetadata()
                        .addToData("v", "1").build()).create());
    }

    /** How many list requests (not watches) of the namespace's config maps went through the proxy. */
    private static long lists(TcpProxy proxy, String namespace) {
        return proxy.requests().stream().map(TcpProxy.Head::startLine)
                .filter(line -> line.startsWith("GET /api/v1/namespaces/" + namespace + "/configmaps")
                        && !line.contains("watch=true"))
                .count();
    }

    private static Map<String, String> versions(List<ConfigMap> items) {
        return items.stream().collect(Collectors.toMap(c -> c.getMetadata().getName(),
                c -> c.getMetadata().getResourceVersion()));
    }
}
