package io.qube.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The DaemonSet controller against the real API, with Node objects registered by the test: one pod per eligible
 * node pinned by node affinity, new and relabelled and tainted nodes, status counts, RollingUpdate within
 * maxUnavailable or with maxSurge, OnDelete, failed and duplicate pods, ControllerRevisions and their pruning, and a
 * rollback through a revision's data.
 * No scheduler or node agent runs here: the test binds pods and marks them ready as those would.
 */
@QuarkusTest
@TestProfile(DaemonSetControllerTest.WithDaemonSets.class)
@WithTestResource(EmbeddedPostgresResource.class)
class DaemonSetControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    public static class WithDaemonSets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.daemonset.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "ds";
    }

    /** Before the base closes the client: the nodes this test registered go. */
    @AfterEach
    void deleteTheTestsNodes() {
        client.nodes().withLabel("daemon-test", namespace).delete();
    }

    @Test
    void runsOnePodPinnedToEachEligibleNodeAndCountsThem() {
        node("a");
        node("b");
        node("c");

        client.apps().daemonSets().inNamespace(namespace).resource(daemonSet("agent")).create();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(3));
        assertThat(pods()).extracting(DaemonNodes::targetNode)
                .containsExactlyInAnyOrder(nodeName("a"), nodeName("b"), nodeName("c"));
        ControllerRevision revision = await().atMost(PATIENCE).until(this::revisions, r -> r.size() == 1).get(0);
        String hash = revision.getMetadata().getLabels().get("controller-revision-hash");
        for (Pod pod : pods()) {
            assertThat(pod.getMetadata().getName()).startsWith("agent-");
            assertThat(pod.getMetadata().getLabels()).containsEntry("app", "agent")
                    .containsEntry("controller-revision-hash", hash);
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                    .matches(owner -> owner.getKind().equals("DaemonSet") && owner.getController());
            assertThat(pod.getSpec().getNodeName()).isNull();
            assertThat(pod.getSpec().getTolerations()).extracting(t -> t.getKey() + ":" + t.getEffect())
                    .contains("node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/unschedulable:NoSchedule");
        }
        assertThat(revision.getMetadata().getName()).isEqualTo("agent-" + hash);
        assertThat(revision.getRevision()).isEqualTo(1L);
        assertThat(revision.getMetadata().getOwnerReferences()).singleElement()
                .matches(owner -> owner.getName().equals("agent") && owner.getController());
        assertThat(data(revision).path("spec").path("template").path("$patch").asText()).isEqualTo("replace");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(status("agent")).satisfies(s -> {
            assertThat(counts(s)).isEqualTo(List.of(3, 3, 0, 0, 3, 0, 3));
            assertThat(s.getObservedGeneration()).isEqualTo(get("agent").getMetadata().getGeneration());
        }));

        pods().forEach(this::runAsNodeWould);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(status("agent")))
                .isEqualTo(List.of(3, 3, 0, 3, 3, 3, 0)));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulCreate")).hasSize(3)
                .allMatch(e -> e.getMessage().startsWith("Created pod: agent-")
                        && e.getInvolvedObject().getKind().equals("DaemonSet")
                        && e.getSource().getComponent().equals("daemonset-controller")));
    }

    @Test
    void aNewNodeGetsAPodATaintedOneOnlyOnceUntaintedOrTolerated() {
        node("a");
        client.apps().daemonSets().inNamespace(namespace).resource(daemonSet("agent")).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(1));

        client.nodes().resource(new NodeBuilder(nodeObject("tainted")).editSpec().addNewTaint().withKey("dedicated")
                .withValue("db").withEffect("NoSchedule").endTaint().endSpec().build()).create();
        node("b");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).extracting(DaemonNodes::targetNode)
                .containsExactlyInAnyOrder(nodeName("a"), nodeName("b")));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(status("agent").getDesiredNumberScheduled())
                .isEqualTo(2));
        assertThat(pods()).extracting(DaemonNodes::targetNode).doesNotContain(nodeName("tainted"));

        client.nodes().withName(nodeName("tainted")).edit(n -> new NodeBuilder(n).editSpec().withTaints()
                .endSpec().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).extracting(DaemonNodes::targetNode)
                .containsExactlyInAnyOrder(nodeName("a"), nodeName("b"), nodeName("tainted")));

        node("tolerated");
        client.nodes().withName(nodeName("tolerated")).edit(n -> new NodeBuilder(n).editSpec().addNewTaint()
                .withKey("dedicated").withValue("db").withEffect("NoExecute").endTaint().endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(status("agent").getDesiredNumberScheduled())
                .isEqualTo(3));
        edit("agent", ds -> new DaemonSetBuilder(ds).editSpec().editTemplate().editSpec().addNewToleration()
                .withKey("dedicated").withOperator("Exists").endToleration().endSpec().endTemplate().endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).extracting(DaemonNodes::targetNode)
                .contains(nodeName("tolerated")));
    }

    @Test
    void aNodeRelabelledOutOfTheSelectorLosesItsPod() {
        node("a");
        node("b");
        client.apps().daemonSets().inNamespace(namespace).resource(daemonSet("agent")).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(2));
        String leaving = pods().stream().filter(p -> DaemonNodes.targetNode(p).equals(nodeName("b"))).findFirst()
                .orElseThrow().getMetadata().getName();

        client.nodes().withName(nodeName("b")).edit(n -> new NodeBuilder(n).editMetadata()
                .addToLabels("role", "other").endMetadata().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).extracting(DaemonNodes::targetNode)
                .containsExactly(nodeName("a")));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(status("agent")))
                .isEqualTo(List.of(1, 1, 0, 0, 1, 0, 1)));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulDelete"))
                .extracting(Event::getMessage).containsExactly("Deleted pod: " + leaving));
    }

    @Test
    void aFailedPodIsReplacedAndAnExtraPodOnItsNodeDeleted() {
        node("a");
        client.apps().daemonSets().inNamespace(namespace).resource(daemonSet("agent")).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(1));
        Pod failing = pods().get(0);
        runAsNodeWould(failing);

        client.pods().inNamespace(namespace).withName(failing.getMetadata().getName()).editStatus(p ->
                new PodBuilder(p).editStatus().withPhase("Failed").endStatus().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).singleElement()
                .matches(p -> !p.getMetadata().getName().equals(failing.getMetadata().getName())));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("FailedDaemonPod"))
                .extracting(Event::getMessage).containsExactly("Found failed daemon pod " + namespace + "/"
                        + failing.getMetadata().getName() + " on node " + nodeName("a") + ", will try to kill it"));

        Pod replacement = pods().get(0);
        runAsNodeWould(replacement);
        // A matching orphan placed on the same node later: adopted, then deleted as the node's second daemon.
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("stray")
                .addToLabels("app", "agent").endMetadata().withNewSpec().withNodeName(nodeName("a"))
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("agent").withImage("busybox:1.36")
                .endContainer().endSpec().build()).create();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulDelete"))
                .extracting(Event::getMessage).contains("Deleted pod: stray"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).extracting(p -> p.getMetadata().getName())
                .containsExactly(replacement.getMetadata().getName()));
    }

    @Test
    void rollingUpdateReplacesOnePodAtATimeAsNewOnesBecomeAvailable() {
        runningOn(daemonSet("agent"), "a", "b", "c");

        setImage("agent", "busybox:1.37");

        for (int updated = 1; updated <= 3; updated++) {
            int expected = updated;
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(images())
                    .filteredOn("busybox:1.37"::equals).hasSize(expected));
            // maxUnavailable 1: while the new pod is not available, no other old pod goes.
            await().during(Duration.ofSeconds(2)).atMost(PATIENCE).untilAsserted(() -> assertThat(images())
                    .hasSize(3).filteredOn("busybox:1.36"::equals).hasSize(3 - expected));
            pods().stream().filter(p -> p.getSpec().getNodeName() == null).forEach(this::runAsNodeWould);
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(status("agent")))
                .isEqualTo(List.of(3, 3, 0, 3, 3, 3, 0)));
        assertThat(revisions()).extracting(ControllerRevision::getRevision).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void withMaxSurgeANewPodStartsNextToTheOldOneWhichGoesOnceItIsAvailable() {
        runningOn(new DaemonSetBuilder(daemonSet("agent")).editSpec().withNewUpdateStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withNewMaxUnavailable(0).withNewMaxSurge(1)
                .endRollingUpdate().endUpdateStrategy().endSpec().build(), "a", "b");

        setImage("agent", "busybox:1.37");

        for (int updated = 1; updated <= 2; updated++) {
            int expected = updated;
            // One node at a time runs both: the old pod stays until the new one next to it is available.
            await().during(Duration.ofSeconds(2)).atMost(PATIENCE).untilAsserted(() -> assertThat(images())
                    .hasSize(3).filteredOn("busybox:1.36"::equals).hasSize(3 - expected));
            pods().stream().filter(p -> p.getSpec().getNodeName() == null).forEach(this::runAsNodeWould);
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(images())
                .containsExactly("busybox:1.37", "busybox:1.37"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts(status("agent")))
                .isEqualTo(List.of(2, 2, 0, 2, 2, 2, 0)));
    }

    @Test
    void onDeleteReplacesOnlyThePodsDeleted() {
        node("a");
        node("b");
        client.apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder(daemonSet("agent"))
                .editSpec().withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy().endSpec().build())
                .create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(2));

        setImage("agent", "busybox:1.37");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(revisions()).hasSize(2);
            DaemonSet current = get("agent");
            assertThat(current.getStatus().getObservedGeneration()).isEqualTo(current.getMetadata().getGeneration());
            assertThat(current.getStatus().getUpdatedNumberScheduled()).isZero();
        });
        assertThat(images()).containsExactly("busybox:1.36", "busybox:1.36");

        Pod deleted = pods().get(0);
        client.resource(deleted).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(2)
                .noneMatch(p -> p.getMetadata().getName().equals(deleted.getMetadata().getName()))
                .anyMatch(p -> DaemonNodes.targetNode(p).equals(DaemonNodes.targetNode(deleted))
                        && p.getSpec().getContainers().get(0).getImage().equals("busybox:1.37")));
        assertThat(images()).containsExactlyInAnyOrder("busybox:1.36", "busybox:1.37");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(status("agent").getUpdatedNumberScheduled())
                .isEqualTo(1));
    }

    @Test
    void oldRevisionsArePrunedAndARollbackRenumbersTheOldRevision() {
        DaemonSet set = new DaemonSetBuilder(daemonSet("agent")).editSpec().withRevisionHistoryLimit(1).endSpec()
                .build();
        client.apps().daemonSets().inNamespace(namespace).resource(set).create();
        await().atMost(PATIENCE).until(() -> revisions().size() == 1);
        for (String version : List.of("1.37", "1.38", "1.39")) {
            setImage("agent", "busybox:" + version);
            await().atMost(PATIENCE).until(() -> revisions().stream().anyMatch(r -> r.getRevision() >= 2
                    && image(r).equals("busybox:" + version)));
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(revisions()).extracting(this::image)
                .containsExactlyInAnyOrder("busybox:1.38", "busybox:1.39"));

        // What kubectl rollout undo does: patch the DaemonSet with the previous revision's data.
        ControllerRevision previous = revisions().stream().min(Comparator.comparing(ControllerRevision::getRevision))
                .orElseThrow();
        client.apps().daemonSets().inNamespace(namespace).withName("agent").patch(
                PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(previous.getData()));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(revisions())
                .extracting(r -> image(r) + "@" + r.getRevision())
                .containsExactlyInAnyOrder("busybox:1.38@5", "busybox:1.39@4"));
        assertThat(get("agent").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("busybox:1.38");
    }

    /** Registers the nodes, creates the DaemonSet and runs its pods until each node has an available one. */
    private void runningOn(DaemonSet set, String... nodes) {
        for (String node : nodes) {
            node(node);
        }
        client.apps().daemonSets().inNamespace(namespace).resource(set).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(nodes.length));
        pods().forEach(this::runAsNodeWould);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(status(set.getMetadata().getName())
                .getNumberAvailable()).isEqualTo(nodes.length));
    }

    /** Binds the pod to the node it is pinned to and reports it running and ready. */
    private void runAsNodeWould(Pod pod) {
        cluster.bind(pod.getMetadata().getName(), DaemonNodes.targetNode(pod));
        cluster.markReady(pod.getMetadata().getName());
    }

    private String nodeName(String suffix) {
        return namespace + "-" + suffix;
    }

    private Node nodeObject(String suffix) {
        return new NodeBuilder().withNewMetadata().withName(nodeName(suffix)).addToLabels("daemon-test", namespace)
                .addToLabels("role", "worker").endMetadata().withNewSpec().endSpec().build();
    }

    private void node(String suffix) {
        client.nodes().resource(nodeObject(suffix)).create();
    }

    /** Runs on this test's worker nodes only: other tests' nodes share the cluster. */
    private DaemonSet daemonSet(String name) {
        return new DaemonSetBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addToNodeSelector("daemon-test", namespace).addToNodeSelector("role", "worker")
                // Deleted at once when bound: no node agent runs here to finish a graceful deletion.
                .withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("agent").withImage("busybox:1.36").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private void setImage(String name, String image) {
        edit(name, ds -> new DaemonSetBuilder(ds).editSpec().editTemplate().editSpec().editContainer(0)
                .withImage(image).endContainer().endSpec().endTemplate().endSpec().build());
    }

    /** Tried again on a conflict: the controller writes the DaemonSet's status meanwhile. */
    private void edit(String name, UnaryOperator<DaemonSet> change) {
        await().atMost(PATIENCE).ignoreExceptionsInstanceOf(KubernetesClientException.class).until(() -> {
            client.apps().daemonSets().inNamespace(namespace).withName(name).edit(change);
            return true;
        });
    }

    private DaemonSet get(String name) {
        return client.apps().daemonSets().inNamespace(namespace).withName(name).get();
    }

    private DaemonSetStatus status(String name) {
        DaemonSet set = get(name);
        return set.getStatus() == null ? new DaemonSetStatus() : set.getStatus();
    }

    /** desired, current, misscheduled, ready, updated, (available, unavailable) in Kubernetes' field order. */
    private static List<Integer> counts(DaemonSetStatus s) {
        return List.of(n(s.getDesiredNumberScheduled()), n(s.getCurrentNumberScheduled()),
                n(s.getNumberMisscheduled()), n(s.getNumberReady()), n(s.getUpdatedNumberScheduled()),
                n(s.getNumberAvailable()), n(s.getNumberUnavailable()));
    }

    private static int n(Integer value) {
        return value == null ? 0 : value;
    }

    /** The namespace's pods not being deleted. */
    private List<Pod> pods() {
        return client.pods().inNamespace(namespace).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private List<String> images() {
        return pods().stream().map(p -> p.getSpec().getContainers().get(0).getImage()).toList();
    }

    private List<ControllerRevision> revisions() {
        return client.apps().controllerRevisions().inNamespace(namespace).list().getItems();
    }

    private static JsonNode data(ControllerRevision revision) {
        return Serialization.jsonMapper().valueToTree(revision.getData());
    }

    private String image(ControllerRevision revision) {
        return data(revision).path("spec").path("template").path("spec").path("containers").path(0).path("image")
                .asText();
    }
}
