package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The garbage collector against the real API, with owners and dependents made by hand (ConfigMaps owning
 * ConfigMaps, a Node owning a Lease) and by the Deployment and ReplicaSet controllers: Background removes the
 * dependents after the owner, Orphan frees them, Foreground keeps the owner until its blocking dependents are gone,
 * a dependent of an owner that never existed goes, one with a live owner left only drops the dead reference.
 */
@QuarkusTest
@TestProfile(GarbageCollectorTest.WithCollector.class)
@WithTestResource(EmbeddedPostgresResource.class)
class GarbageCollectorTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    public static class WithCollector implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.garbage-collector.enabled", "true",
                    "qube.controllers.replicaset.enabled", "true",
                    "qube.controllers.deployment.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "gc";
    }

    @Test
    void backgroundDeletionRemovesTheDependentsAfterTheOwner() {
        ConfigMap owner = configMap("bg-owner");
        configMap("bg-a", ref(owner, false));
        configMap("bg-b", ref(owner, true));

        configMaps("bg-owner").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(configMaps("bg-a").get()).isNull();
            assertThat(configMaps("bg-b").get()).isNull();
        });
    }

    @Test
    void orphanDeletionFreesTheDependentsAndThenRemovesTheOwner() {
        ConfigMap owner = configMap("or-owner");
        ConfigMap other = configMap("or-other");
        configMap("or-a", ref(owner, true), ref(other, false));
        configMap("or-b", ref(owner, false));
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("or-pod")
                .withOwnerReferences(ref(owner, true)).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("nginx").endContainer().endSpec().build()).create();

        configMaps("or-owner").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(configMaps("or-owner").get()).isNull());
        assertThat(configMaps("or-a").get().getMetadata().getOwnerReferences()).extracting(OwnerReference::getName)
                .containsExactly("or-other");
        assertThat(configMaps("or-b").get().getMetadata().getOwnerReferences()).isEmpty();
        assertThat(client.pods().inNamespace(namespace).withName("or-pod").get().getMetadata().getOwnerReferences())
                .isEmpty();
    }

    @Test
    void foregroundDeletionKeepsTheOwnerUntilItsBlockingDependentsAreGone() {
        ConfigMap owner = configMap("fg-owner");
        configMap("fg-held", List.of("example.com/hold"), ref(owner, true));
        configMap("fg-free", ref(owner, false));

        configMaps("fg-owner").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();

        // The held dependent is being deleted but its finalizer keeps it, and with it the owner.
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(configMaps("fg-free").get()).isNull();
            assertThat(configMaps("fg-held").get().getMetadata().getDeletionTimestamp()).isNotNull();
        });
        ConfigMap waiting = configMaps("fg-owner").get();
        assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(waiting.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");

        configMaps("fg-held").edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers(List.of())
                .endMetadata().build());

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(configMaps("fg-held").get()).isNull();
            assertThat(configMaps("fg-owner").get()).isNull();
        });
    }

    @Test
    void aDependentOfAnOwnerThatNeverExistedGoes() {
        configMap("dangling", new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("no-such-owner").withUid(UUID.randomUUID().toString()).build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(configMaps("dangling").get()).isNull());
    }

    @Test
    void aDependentWithALiveOwnerLeftOnlyDropsTheDeadReference() {
        ConfigMap live = configMap("two-live");
        ConfigMap dead = configMap("two-dead");
        configMap("two-dependent", ref(live, false), ref(dead, false));

        configMaps("two-dead").delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(configMaps("two-dependent").get().getMetadata()
                .getOwnerReferences()).extracting(OwnerReference::getName).containsExactly("two-live"));
    }

    @Test
    void aClusterScopedOwnerTakesItsNamespacedDependentsWithIt() {
        String nodeName = namespace + "-node";
        var node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName).endMetadata()
                .build()).create();
        client.leases().inNamespace(namespace).resource(new LeaseBuilder().withNewMetadata().withName(nodeName)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                        .withName(nodeName).withUid(node.getMetadata().getUid()).build())
                .endMetadata().withNewSpec().withHolderIdentity(nodeName).endSpec().build()).create();

        client.nodes().withName(nodeName).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.leases().inNamespace(namespace)
                .withName(nodeName).get()).isNull());
    }

    @Test
    void deletingADeploymentRemovesItsReplicaSetsAndPodsUnlessOrphaned() {
        deployment("gc-web");
        deployment("gc-kept");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.pods().inNamespace(namespace).list()
                .getItems()).hasSize(4));

        client.apps().deployments().inNamespace(namespace).withName("gc-web")
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        client.apps().deployments().inNamespace(namespace).withName("gc-kept")
                .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(namespace).list().getItems()).isEmpty();
            assertThat(client.apps().replicaSets().inNamespace(namespace).list().getItems())
                    .extracting(s -> s.getMetadata().getLabels().get("app")).containsExactly("gc-kept");
            assertThat(client.pods().inNamespace(namespace).list().getItems())
                    .extracting(p -> p.getMetadata().getLabels().get("app")).containsOnly("gc-kept").hasSize(2);
        });
        assertThat(client.apps().replicaSets().inNamespace(namespace).list().getItems().get(0).getMetadata()
                .getOwnerReferences()).isEmpty();
    }

    /**
     * A CRD made while the collector runs: its objects own and are owned as any built-in kind's, with Background
     * and Orphan deletion; deleting the CRD ends the collector's watch of them.
     */
    @Test
    void customResourcesOwnAndAreOwnedOnceTheirCrdIsEstablished() {
        String group = namespace + ".example.com";
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().resource(
                new CustomResourceDefinitionBuilder().withNewMetadata().withName("widgets." + group).endMetadata()
                        .withNewSpec().withGroup(group).withScope("Namespaced").withNewNames().withKind("Widget")
                        .withPlural("widgets").withSingular("widget").endNames().addNewVersion().withName("v1")
                        .withServed(true).withStorage(true).withNewSchema().withNewOpenAPIV3Schema()
                        .withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema()
                        .endSchema().endVersion().endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> client.apiextensions().v1().customResourceDefinitions()
                .withName(crd.getMetadata().getName()).get().getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
        ResourceDefinitionContext widgets = new ResourceDefinitionContext.Builder().withGroup(group)
                .withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true).build();
        try {
            GenericKubernetesResource owner = widget(widgets, "w-owner");
            GenericKubernetesResource orphaning = widget(widgets, "w-orphaning");
            configMap("cm-of-widget", ref(owner, false));
            configMap("cm-kept", ref(orphaning, true));
            ConfigMap cmOwner = configMap("cm-owner");
            widget(widgets, "w-of-cm", ref(cmOwner, false));

            client.genericKubernetesResources(widgets).inNamespace(namespace).withName("w-owner")
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            configMaps("cm-owner").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            client.genericKubernetesResources(widgets).inNamespace(namespace).withName("w-orphaning")
                    .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(configMaps("cm-of-widget").get()).as("owned by a deleted widget").isNull();
                assertThat(client.genericKubernetesResources(widgets).inNamespace(namespace).withName("w-of-cm")
                        .get()).as("a widget owned by a deleted config map").isNull();
                assertThat(client.genericKubernetesResources(widgets).inNamespace(namespace)
                        .withName("w-orphaning").get()).as("a widget whose orphan finalizer the collector removes")
                        .isNull();
            });
            assertThat(configMaps("cm-kept").get().getMetadata().getOwnerReferences()).isEmpty();
        } finally {
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).delete();
        }
    }

    private GenericKubernetesResource widget(ResourceDefinitionContext widgets, String name,
                                             OwnerReference... owners) {
        GenericKubernetesResource widget = new GenericKubernetesResource();
        widget.setApiVersion(widgets.getGroup() + "/v1");
        widget.setKind("Widget");
        widget.setMetadata(new ObjectMetaBuilder().withName(name).withOwnerReferences(owners).build());
        return client.genericKubernetesResources(widgets).inNamespace(namespace).resource(widget).create();
    }

    private void deployment(String name) {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build();
        client.apps().deployments().inNamespace(namespace).resource(deployment).create();
    }

    private ConfigMap configMap(String name, OwnerReference... owners) {
        return configMap(name, List.of(), owners);
    }

    private ConfigMap configMap(String name, List<String> finalizers, OwnerReference... owners) {
        return client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(name).withFinalizers(finalizers).withOwnerReferences(owners).endMetadata()
                .addToData("k", "v").build()).create();
    }

    private Resource<ConfigMap> configMaps(String name) {
        return client.configMaps().inNamespace(namespace).withName(name);
    }

    private static OwnerReference ref(HasMetadata owner, boolean blockOwnerDeletion) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(blockOwnerDeletion).build();
    }
}
