package io.qube.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fabric8 client's informer against Qube: its cache must end equal to the server's list after a write storm. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class Fabric8InformerTest extends Fabric8ServerTest {

    private static final String NAMESPACE = "informed";
    private static final int THREADS = 8;
    private static final int WRITES_PER_THREAD = 650;

    @BeforeEach
    void createNamespace() {
        Fabric8Clients.ensureNamespace(client, NAMESPACE);
    }

    @Test
    void anInformersCacheEqualsTheServersListAfterThousandsOfConcurrentWrites() throws Exception {
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(NAMESPACE).inform();
        ExecutorService writers = Executors.newFixedThreadPool(THREADS);
        try {
            informer.start().toCompletableFuture().get();
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(writers.submit(() -> churn(thread)));
            }
            int writes = 0;
            for (Future<Integer> writer : done) {
                writes += writer.get();
            }
            assertThat(writes).isGreaterThanOrEqualTo(5_000);

            Map<String, String> server = versions(client.configMaps().inNamespace(NAMESPACE).list().getItems());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(versions(informer.getStore().list())).isEqualTo(server));
            assertThat(informer.isWatching()).isTrue();
        } finally {
            writers.shutdownNow();
            informer.close();
        }
    }

    /** Creates, updates and deletes on a small key space per thread; returns how many writes succeeded. */
    private int churn(int thread) {
        int writes = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < WRITES_PER_THREAD; i++) {
            String name = "t" + thread + "-" + random.nextInt(40);
            var resource = client.configMaps().inNamespace(NAMESPACE).withName(name);
            ConfigMap existing = resource.get();
            if (existing == null) {
                client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
                        .withName(name).endMetadata().addToData("i", Integer.toString(i)).build()).create();
            } else if (random.nextInt(4) == 0) {
                resource.delete();
            } else {
                existing.getData().put("i", Integer.toString(i));
                client.configMaps().inNamespace(NAMESPACE).resource(existing).update();
            }
            writes++;
        }
        return writes;
    }

    private static Map<String, String> versions(List<ConfigMap> items) {
        return items.stream().collect(Collectors.toMap(c -> c.getMetadata().getName(),
                c -> c.getMetadata().getResourceVersion()));
    }
}
