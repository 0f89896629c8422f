package io.qube.apiserver;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A CRD created through one apiserver process is served by another on the same database within a second (each
 * follows the CRDs through its own watch cache), with fabric8 as the client: create, get, watch, and the CRD's
 * deletion taking its custom resources.
 */
class CustomResourcesTwoServersIT {

    private static final String CRD = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: gadgets.example.org}
            spec:
              group: example.org
              scope: Cluster
              names: {plural: gadgets, kind: Gadget}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {size: {type: integer, default: 3}}}
            """;

    private static final ResourceDefinitionContext GADGETS = new ResourceDefinitionContext.Builder()
            .withGroup("example.org").withVersion("v1").withKind("Gadget").withPlural("gadgets").withNamespaced(false)
            .build();

    @Test
    void aCrdMadeThroughOneServerIsServedByTheOtherWithinASecond() throws Exception {
        Map<String, String> environment = TestPostgres.environmentForFreshDatabase();
        try (QubeProcesses processes = new QubeProcesses()) {
            int[] ports = processes.startApiServers(environment, 2);
            try (KubernetesClient first = client(ports[0]); KubernetesClient second = client(ports[1])) {
                List<String> events = new CopyOnWriteArrayList<>();
                first.resource(first.getKubernetesSerialization().unmarshal(CRD, CustomResourceDefinition.class))
                        .create();
                await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                        .until(() -> second.genericKubernetesResources(GADGETS).list() != null);
                try (var watch = second.genericKubernetesResources(GADGETS).watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource resource) {
                        events.add(action + " " + resource.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
                    GenericKubernetesResource created = second.genericKubernetesResources(GADGETS).resource(
                            new GenericKubernetesResourceBuilder().withApiVersion("example.org/v1").withKind("Gadget")
                                    .withNewMetadata().withName("g1").endMetadata()
                                    .addToAdditionalProperties("spec", Map.of()).build()).create();
                    assertThat(created.get("spec", "size").toString()).isEqualTo("3");
                    assertThat(first.genericKubernetesResources(GADGETS).withName("g1").get()).isNotNull();
                    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED g1"));

                    first.apiextensions().v1().customResourceDefinitions().withName("gadgets.example.org").delete();
                    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("DELETED g1"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> first.apiextensions().v1()
                            .customResourceDefinitions().withName("gadgets.example.org").get() == null);
                }
            }
        }
    }

    private static KubernetesClient client(int port) {
        return new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + port).build()).build();
    }
}
