package io.qube.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.internal.WatchConnectionManager;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The fabric8 client's watches, patches, server-side apply, scale and status against Qube. The client talks to Qube
 * through a {@link TcpProxy}, so each test can also check what went over the wire (e.g. that a watch was a
 * WebSocket, or which patch type a fabric8 call sent).
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class Fabric8ClientTest {

    private static final String NS = "f8-client";
    private static final String CONFIGMAPS = "/api/v1/namespaces/" + NS + "/configmaps";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/" + NS + "/deployments";
    private static final ObjectReader STRICT_JSON = new ObjectMapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TestHTTPResource("/")
    URL server;

    private TcpProxy proxy;
    private KubernetesClient client;

    @BeforeEach
    void connect() throws IOException {
        proxy = TcpProxy.to(server.getHost(), server.getPort());
        client = Fabric8Clients.to("127.0.0.1", proxy.port());
        Fabric8Clients.ensureNamespace(client, NS);
    }

    @AfterEach
    void close() {
        client.close();
        proxy.close();
    }

    // ---- The WebSocket watch -------------------------------------------------------------------------------------

    @Test
    void aWebSocketUpgradeIsAnswered101AndEveryFrameIsOneEvent() throws Exception {
        String version = client.configMaps().inNamespace(NS).list().getMetadata().getResourceVersion();
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(20_000);
            String key = Base64.getEncoder().encodeToString("qube-fabric8-key".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + CONFIGMAPS + "?watch=true&resourceVersion=" + version + "&fieldSelector="
                    + URLEncoder.encode("metadata.name=framed", StandardCharsets.UTF_8) + " HTTP/1.1\r\n"
                    + "Host: " + server.getHost() + ":" + server.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            TcpProxy.Head head = readHead(in);
            assertThat(head.startLine()).startsWith("HTTP/1.1 101");
            assertThat(head.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(head.header("Sec-WebSocket-Accept")).isEqualTo(Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-1").digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                            .getBytes(StandardCharsets.US_ASCII))));

            client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("framed")
                    .endMetadata().addToData("v", "1").build()).create();
            client.configMaps().inNamespace(NS).withName("framed").edit(c -> {
                c.getData().put("v", "2");
                return c;
            });
            client.configMaps().inNamespace(NS).withName("framed").delete();

            List<JsonNode> events = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                events.add(STRICT_JSON.readValue(readTextFrame(in)));
            }
            assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("ADDED", "MODIFIED", "DELETED");
            assertThat(events).extracting(e -> e.path("object").path("data").path("v").asText())
                    .containsExactly("1", "2", "2");
            for (JsonNode event : events) {
                assertThat(event.path("object").path("kind").asText()).isEqualTo("ConfigMap");
                assertThat(event.path("object").path("apiVersion").asText()).isEqualTo("v1");
                assertThat(event.path("object").path("metadata").path("name").asText()).isEqualTo("framed");
            }
            assertThat(Long.parseLong(events.get(2).path("object").path("metadata").path("resourceVersion").asText()))
                    .isGreaterThan(Long.parseLong(events.get(1).path("object").path("metadata").path("resourceVersion")
                            .asText()));
        }
    }

    @Test
    void fabric8sWatchRunsOverAWebSocketAndSeesAddsUpdatesAndDeletes() {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean closedCleanly = new AtomicBoolean();
        Watch watch = client.configMaps().inNamespace(NS).withLabel("watched", "ws").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap configMap) {
                seen.add(action + " " + configMap.getMetadata().getName() + " " + configMap.getData().get("v"));
            }

            @Override
            public void onClose(WatcherException cause) {
                seen.add("CLOSED " + cause.getMessage());
            }

            @Override
            public void onClose() {
                closedCleanly.set(true);
            }
        });
        try {
            // fabric8 opens watches as a WebSocket first and falls back to a chunked HTTP watch only on a failed upgrade.
            assertThat(watch).isInstanceOf(WatchConnectionManager.class);

            KubernetesClient direct = Fabric8Clients.to(server);
            try {
                var configMaps = direct.configMaps().inNamespace(NS);
                configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("ws-1")
                        .addToLabels("watched", "ws").endMetadata().addToData("v", "1").build()).create();
                configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("ws-ignored").endMetadata()
                        .addToData("v", "1").build()).create();
                configMaps.withName("ws-1").edit(c -> {
                    c.getData().put("v", "2");
                    return c;
                });
                configMaps.withName("ws-1").delete();
            } finally {
                direct.close();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= 3);
            assertThat(seen).containsExactly("ADDED ws-1 1", "MODIFIED ws-1 2", "DELETED ws-1 2");
        } finally {
            watch.close();
        }
        // fabric8 tells the watcher it closed on its own thread, possibly after close() returned.
        await().atMost(Duration.ofSeconds(20)).untilTrue(closedCleanly);

        List<TcpProxy.Head> watches = proxy.requests().stream()
                .filter(request -> request.startLine().startsWith("GET " + CONFIGMAPS + "?")
                        && request.startLine().contains("watch=true"))
                .toList();
        assertThat(watches).hasSize(1);
        assertThat(watches.get(0).startLine()).contains("labelSelector=watched%3Dws");
        assertThat(watches.get(0).header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(proxy.responseTo(watches.get(0).startLine())).isNotNull()
                .extracting(TcpProxy.Head::startLine).asString().startsWith("HTTP/1.1 101");
    }

    @Test
    void aFabric8WatchFromAResourceVersionReplaysEverythingAfterIt() {
        var configMaps = client.configMaps().inNamespace(NS);
        String version = configMaps.list().getMetadata().getResourceVersion();
        for (String name : List.of("replay-a", "replay-b")) {
            configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("replay", "yes")
                    .endMetadata().addToData("v", "1").build()).create();
        }
        configMaps.withName("replay-a").delete();
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = configMaps.withLabel("replay", "yes").withResourceVersion(version).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap configMap) {
                seen.add(action + " " + configMap.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                seen.add("CLOSED " + cause.getMessage());
            }
        });
        try {
            // Failing, the message shows what the watch did get (a close with its reason, say), from version on.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(seen)
                    .as("events from resourceVersion %s", version).hasSizeGreaterThanOrEqualTo(3));
            assertThat(seen).containsExactly("ADDED replay-a", "ADDED replay-b", "DELETED replay-a");
        } finally {
            watch.close();
        }
    }

    // ---- Patches -------------------------------------------------------------------------------------------------

    @Test
    void jsonPatch() {
        Deployment before = createDeployment("json-patched");

        Deployment patched = client.apps().deployments().inNamespace(NS).withName("json-patched")
                .patch(PatchContext.of(PatchType.JSON), """
                        [{"op": "replace", "path": "/spec/replicas", "value": 3},
                         {"op": "add", "path": "/metadata/labels/tier", "value": "front"},
                         {"op": "remove", "path": "/spec/template/spec/containers/0/env/0"},
                         {"op": "test", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.27"}]
                        """);

        Deployment expected = Serialization.clone(before);
        expected.getSpec().setReplicas(3);
        expected.getMetadata().getLabels().put("tier", "front");
        expected.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().remove(0);
        assertThat(comparable(patched)).isEqualTo(comparable(expected));
        assertThat(patched.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(lastPatchContentType("json-patched")).isEqualTo("application/json-patch+json");

        // A failing test operation is a 422 and changes nothing.
        assertThatThrownBy(() -> client.apps().deployments().inNamespace(NS).withName("json-patched")
                .patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\": \"test\", \"path\": \"/spec/replicas\", \"value\": 7},"
                                + "{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 8}]"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                });
        assertThat(client.apps().deployments().inNamespace(NS).withName("json-patched").get()).isEqualTo(patched);
    }

    @Test
    void mergePatchReplacesListsWhole() {
        Deployment before = createDeployment("merge-patched");

        Deployment patched = client.apps().deployments().inNamespace(NS).withName("merge-patched")
                .patch(PatchContext.of(PatchType.JSON_MERGE), """
                        {"metadata": {"labels": {"app": null, "team": "a"}},
                         "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}}
                        """);

        Deployment expected = Serialization.clone(before);
        expected.getMetadata().getLabels().remove("app");
        expected.getMetadata().getLabels().put("team", "a");
        // The whole list is replaced: ports and env are gone, and the container's defaults come back.
        expected.getSpec().getTemplate().getSpec().setContainers(List.of(new ContainerBuilder().withName("app")
                .withImage("nginx:1.28").withImagePullPolicy("IfNotPresent")
                .withTerminationMessagePath("/dev/termination-log").withTerminationMessagePolicy("File")
                .withResources(new ResourceRequirements()).build()));
        assertThat(comparable(patched)).isEqualTo(comparable(expected));
        assertThat(lastPatchContentType("merge-patched")).isEqualTo("application/merge-patch+json");
    }

    @Test
    void strategicMergePatchMergesListsByKeyAndHonoursDirectives() {
        Deployment before = createDeployment("strategic");
        var deployment = client.apps().deployments().inNamespace(NS).withName("strategic");

        Deployment merged = deployment.patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                {"metadata": {"labels": {"app": null}},
                 "spec": {"template": {"spec": {"containers": [
                   {"name": "sidecar", "image": "busybox:1.36"},
                   {"name": "app", "env": [{"name": "B", "value": "3"}]}]}}}}
                """);

        Deployment expected = Serialization.clone(before);
        expected.getMetadata().getLabels().remove("app");
        var app = expected.getSpec().getTemplate().getSpec().getContainers().get(0);
        app.setEnv(List.of(new EnvVar("A", "1", null), new EnvVar("B", "3", null)));
        // Merged by name, in the patch's order (Kubernetes orders the items a patch names as the patch does).
        expected.getSpec().getTemplate().getSpec().setContainers(List.of(new ContainerBuilder()
                .withName("sidecar").withImage("busybox:1.36").withImagePullPolicy("IfNotPresent")
                .withTerminationMessagePath("/dev/termination-log").withTerminationMessagePolicy("File")
                .withResources(new ResourceRequirements()).build(), app));
        assertThat(comparable(merged)).isEqualTo(comparable(expected));
        assertThat(lastPatchContentType("strategic")).isEqualTo("application/strategic-merge-patch+json");

        Deployment deleted = deployment.patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"sidecar\", \"$patch\": \"delete\"}]}}}}");
        expected.getSpec().getTemplate().getSpec().setContainers(List.of(app));
        assertThat(comparable(deleted)).isEqualTo(comparable(expected));

        // fabric8's typed form sends the whole object as the strategic merge patch.
        Deployment whole = Serialization.clone(deleted);
        whole.getSpec().setReplicas(4);
        Deployment typed = client.apps().deployments().inNamespace(NS).resource(whole)
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE));
        expected.getSpec().setReplicas(4);
        assertThat(comparable(typed)).isEqualTo(comparable(expected));
    }

    @Test
    void editSendsAJsonPatchOfWhatChanged() {
        Deployment before = createDeployment("edited");

        Deployment edited = client.apps().deployments().inNamespace(NS).withName("edited").edit(d -> {
            d.getSpec().setReplicas(2);
            d.getMetadata().setAnnotations(Map.of("note", "edited"));
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.28");
            return d;
        });

        Deployment expected = Serialization.clone(before);
        expected.getSpec().setReplicas(2);
        expected.getMetadata().setAnnotations(Map.of("note", "edited"));
        expected.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.28");
        assertThat(comparable(edited)).isEqualTo(comparable(expected));
        assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(lastPatchContentType("edited")).isEqualTo("application/json-patch+json");
        assertThat(client.apps().deployments().inNamespace(NS).withName("edited").get()).isEqualTo(edited);

        // patch() of a modified copy: fabric8 diffs it against the server's object, also as a JSON patch.
        Deployment modified = Serialization.clone(edited);
        modified.getSpec().setMinReadySeconds(5);
        modified.getMetadata().getLabels().remove("app");
        Deployment patched = client.apps().deployments().inNamespace(NS).resource(modified).patch();
        expected.getSpec().setMinReadySeconds(5);
        expected.getMetadata().getLabels().remove("app");
        assertThat(comparable(patched)).isEqualTo(comparable(expected));
        assertThat(patched.getMetadata().getGeneration()).isEqualTo(3L);
        assertThat(lastPatchContentType("edited")).isEqualTo("application/json-patch+json");
    }

    // ---- Server-side apply ---------------------------------------------------------------------------------------

    @Test
    void serverSideApplyCreatesTracksOwnersConflictsAndForces() {
        var deployments = client.apps().deployments().inNamespace(NS);
        Deployment alices = appliedDeployment(2, Map.of("app", "ssa", "owner", "alice"));

        Deployment created = deployments.resource(alices).fieldManager("alice").serverSideApply();
        assertThat(created.getSpec().getReplicas()).isEqualTo(2);
        assertThat(created.getMetadata().getLabels()).isEqualTo(Map.of("app", "ssa", "owner", "alice"));
        // Defaults are filled in as for any create.
        assertThat(created.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal()).isEqualTo("25%");
        assertThat(created.getMetadata().getManagedFields()).singleElement().satisfies(entry -> {
            assertThat(entry.getManager()).isEqualTo("alice");
            assertThat(entry.getOperation()).isEqualTo("Apply");
            assertThat(entry.getApiVersion()).isEqualTo("apps/v1");
            assertThat(entry.getFieldsType()).isEqualTo("FieldsV1");
            assertThat(fields(entry).path("f:spec").has("f:replicas")).isTrue();
            assertThat(fields(entry).path("f:metadata").path("f:labels").has("f:owner")).isTrue();
        });
        TcpProxy.Head apply = lastPatch("ssa");
        assertThat(apply.header("Content-Type")).startsWith("application/apply-patch+yaml");
        assertThat(apply.startLine()).contains("fieldManager=alice");

        // Another manager setting a field alice owns to another value conflicts...
        Deployment bobs = appliedDeployment(5, Map.of("app", "ssa"));
        assertThatThrownBy(() -> deployments.resource(bobs).fieldManager("bob").serverSideApply())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                    assertThat(e.getStatus().getMessage())
                            .isEqualTo("Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas");
                });
        assertThat(deployments.withName("ssa").get().getSpec().getReplicas()).isEqualTo(2);

        // ...unless forced: the field changes hands.
        Deployment forced = deployments.resource(bobs).fieldManager("bob").forceConflicts().serverSideApply();
        assertThat(forced.getSpec().getReplicas()).isEqualTo(5);
        assertThat(lastPatch("ssa").startLine()).contains("force=true");
        ManagedFieldsEntry alice = manager(forced, "alice");
        ManagedFieldsEntry bob = manager(forced, "bob");
        assertThat(fields(alice).path("f:spec").has("f:replicas")).isFalse();
        assertThat(fields(bob).path("f:spec").has("f:replicas")).isTrue();

        // Alice applies again without her owner label: a field only she managed is removed; bob's replicas stay.
        Deployment withoutLabel = deployments.resource(appliedDeployment(null, Map.of("app", "ssa")))
                .fieldManager("alice").serverSideApply();
        assertThat(withoutLabel.getMetadata().getLabels()).isEqualTo(Map.of("app", "ssa"));
        assertThat(withoutLabel.getSpec().getReplicas()).isEqualTo(5);

        // The PatchContext form with fieldManager and force.
        Deployment carols = deployments.resource(appliedDeployment(7, Map.of("app", "ssa"))).patch(
                new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("carol")
                        .withForce(true).build());
        assertThat(carols.getSpec().getReplicas()).isEqualTo(7);
        assertThat(fields(manager(carols, "carol")).path("f:spec").has("f:replicas")).isTrue();
        assertThat(fields(manager(carols, "bob")).path("f:spec").has("f:replicas")).isFalse();
        assertThat(deployments.withName("ssa").get()).isEqualTo(carols);
    }

    // ---- Scale ---------------------------------------------------------------------------------------------------

    @Test
    void scaleADeploymentAndReadItsScale() {
        createDeployment("scaled");
        var deployment = client.apps().deployments().inNamespace(NS).withName("scaled");

        Deployment scaled = deployment.scale(3);
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.get().getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.get().getMetadata().getGeneration()).isEqualTo(2L);

        Scale scale = deployment.scale();
        assertThat(scale.getKind()).isEqualTo("Scale");
        assertThat(scale.getApiVersion()).isEqualTo("autoscaling/v1");
        assertThat(scale.getMetadata().getName()).isEqualTo("scaled");
        assertThat(scale.getMetadata().getNamespace()).isEqualTo(NS);
        assertThat(scale.getMetadata().getResourceVersion()).isEqualTo(deployment.get().getMetadata().getResourceVersion());
        assertThat(scale.getSpec().getReplicas()).isEqualTo(3);
        assertThat(scale.getStatus().getReplicas()).isZero();
        assertThat(scale.getStatus().getSelector()).isEqualTo("app=scaled");

        scale.getSpec().setReplicas(4);
        Scale replaced = deployment.scale(scale);
        assertThat(replaced.getSpec().getReplicas()).isEqualTo(4);
        assertThat(deployment.get().getSpec().getReplicas()).isEqualTo(4);
        // The Scale's resourceVersion pins the write: the old one is stale now.
        scale.getSpec().setReplicas(9);
        assertThatThrownBy(() -> deployment.scale(scale)).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(deployment.get().getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void scaleReplicaSetsAndReplicationControllers() {
        client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("scaled-rs").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .addToMatchLabels("app", "scaled-rs").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "scaled-rs").endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("nginx:1.27").endContainer().endSpec().endTemplate().endSpec().build()).create();
        client.replicationControllers().inNamespace(NS).resource(new ReplicationControllerBuilder().withNewMetadata()
                .withName("scaled-rc").endMetadata().withNewSpec().withReplicas(1).withNewTemplate().withNewMetadata()
                .addToLabels("app", "scaled-rc").endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("nginx:1.27").endContainer().endSpec().endTemplate().endSpec().build()).create();

        ReplicaSet replicaSet = client.apps().replicaSets().inNamespace(NS).withName("scaled-rs").scale(2);
        ReplicationController controller = client.replicationControllers().inNamespace(NS).withName("scaled-rc")
                .scale(5);

        assertThat(replicaSet.getSpec().getReplicas()).isEqualTo(2);
        assertThat(controller.getSpec().getReplicas()).isEqualTo(5);
        Scale rsScale = client.apps().replicaSets().inNamespace(NS).withName("scaled-rs").scale();
        assertThat(rsScale.getSpec().getReplicas()).isEqualTo(2);
        assertThat(rsScale.getStatus().getSelector()).isEqualTo("app=scaled-rs");
        Scale rcScale = client.replicationControllers().inNamespace(NS).withName("scaled-rc").scale();
        assertThat(rcScale.getSpec().getReplicas()).isEqualTo(5);
        assertThat(rcScale.getStatus().getSelector()).isEqualTo("app=scaled-rc");
    }

    // ---- Status --------------------------------------------------------------------------------------------------

    @Test
    void statusWritesChangeOnlyStatusAndObjectWritesIgnoreIt() {
        Deployment created = createDeployment("with-status");
        var deployments = client.apps().deployments().inNamespace(NS);
        DeploymentStatus reported = new DeploymentStatusBuilder().withObservedGeneration(1L).withReplicas(2)
                .withUpdatedReplicas(2).withReadyReplicas(1).withAvailableReplicas(1).withUnavailableReplicas(1)
                .addNewCondition().withType("Available").withStatus("False").withReason("MinimumReplicasUnavailable")
                .withMessage("Deployment does not have minimum availability.")
                .withLastUpdateTime("2025-01-01T00:00:00Z").withLastTransitionTime("2025-01-01T00:00:00Z").endCondition()
                .build();

        // PUT .../status: the spec and metadata changes that come along are ignored.
        Deployment withStatus = Serialization.clone(created);
        withStatus.setStatus(reported);
        withStatus.getSpec().setReplicas(9);
        withStatus.getMetadata().getLabels().put("via", "status");
        Deployment afterStatus = deployments.resource(withStatus).updateStatus();
        assertThat(afterStatus.getStatus()).isEqualTo(reported);
        assertThat(afterStatus.getSpec()).isEqualTo(created.getSpec());
        assertThat(afterStatus.getMetadata().getLabels()).isEqualTo(created.getMetadata().getLabels());
        assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(Long.parseLong(afterStatus.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        assertThat(proxy.requests()).extracting(TcpProxy.Head::startLine)
                .contains("PUT " + DEPLOYMENTS + "/with-status/status");

        // PUT of the object: its status is ignored, the rest applies.
        Deployment objectWrite = Serialization.clone(afterStatus);
        objectWrite.getStatus().setReplicas(7);
        objectWrite.getMetadata().getLabels().put("via", "object");
        Deployment afterObject = deployments.resource(objectWrite).update();
        assertThat(afterObject.getMetadata().getLabels()).containsEntry("via", "object");
        assertThat(afterObject.getStatus()).isEqualTo(reported);

        // patchStatus (a merge patch to .../status) and editStatus (a JSON patch to it).
        Deployment patch = Serialization.clone(afterObject);
        patch.getStatus().setAvailableReplicas(2);
        patch.getStatus().setUnavailableReplicas(null);
        patch.getSpec().setReplicas(6);
        Deployment afterPatch = deployments.resource(patch).patchStatus();
        assertThat(afterPatch.getStatus().getAvailableReplicas()).isEqualTo(2);
        assertThat(afterPatch.getSpec().getReplicas()).isEqualTo(1);
        assertThat(lastPatch("with-status/status").header("Content-Type")).startsWith("application/merge-patch+json");

        Deployment afterEdit = deployments.withName("with-status").editStatus(d -> {
            d.getStatus().setReadyReplicas(2);
            d.getSpec().setReplicas(8);
            return d;
        });
        assertThat(afterEdit.getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(afterEdit.getStatus().getAvailableReplicas()).isEqualTo(2);
        assertThat(afterEdit.getSpec().getReplicas()).isEqualTo(1);
        assertThat(afterEdit.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(deployments.withName("with-status").get()).isEqualTo(afterEdit);
    }

    @Test
    void aPodsStatusIsReportedThroughItsSubresource() {
        var pods = client.pods().inNamespace(NS);
        Pod pod = pods.resource(new PodBuilder().withNewMetadata().withName("reported").endMetadata()
                .withNewSpec().withNodeName("worker-1").addNewContainer().withName("app").withImage("nginx:1.27")
                .endContainer().endSpec().build()).create();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");

        PodCondition ready = new PodConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime("2025-01-01T00:00:00Z").build();
        Pod running = pods.withName("reported").editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setPodIP("10.244.1.17");
            p.getStatus().setConditions(List.of(ready));
            return p;
        });

        assertThat(running.getStatus().getPhase()).isEqualTo("Running");
        assertThat(running.getStatus().getPodIP()).isEqualTo("10.244.1.17");
        assertThat(running.getStatus().getConditions()).containsExactly(ready);
        assertThat(running.getStatus().getQosClass()).isEqualTo("BestEffort");
        assertThat(running.getSpec()).isEqualTo(pod.getSpec());
        assertThat(pods.withField("status.phase", "Running").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("reported");
        pods.withName("reported").withGracePeriod(0).delete();
    }

    // ---- Lists, informers, bookmarks, delete collection, dry run, waiting ------------------------------------------

    @Test
    void listsPageWithLimitAndContinueOverOneSnapshot() {
        var configMaps = client.configMaps().inNamespace(NS);
        for (int i = 0; i < 5; i++) {
            configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("page-" + i)
                    .addToLabels("paged", "yes").endMetadata().addToData("v", "1").build()).create();
        }
        var paged = configMaps.withLabel("paged", "yes");

        ConfigMapList first = paged.list(new ListOptionsBuilder().withLimit(2L).build());
        // A change between pages does not show: every page is read at the first page's resourceVersion.
        configMaps.withName("page-4").delete();
        ConfigMapList second = paged.list(new ListOptionsBuilder().withLimit(2L)
                .withContinue(first.getMetadata().getContinue()).build());
        ConfigMapList third = paged.list(new ListOptionsBuilder().withLimit(2L)
                .withContinue(second.getMetadata().getContinue()).build());

        assertThat(first.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("page-0", "page-1");
        assertThat(second.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("page-2", "page-3");
        assertThat(third.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("page-4");
        assertThat(first.getMetadata().getContinue()).isNotEmpty();
        assertThat(third.getMetadata().getContinue()).isNullOrEmpty();
        assertThat(second.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
        assertThat(third.getMetadata().getResourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());

        // An informer that lists in pages ends with the current state.
        SharedIndexInformer<ConfigMap> informer = paged.withLimit(2L).inform();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(informer.getStore().list())
                    .extracting(c -> c.getMetadata().getName())
                    .containsExactlyInAnyOrder("page-0", "page-1", "page-2", "page-3"));
        } finally {
            informer.close();
        }
        assertThat(proxy.requests()).extracting(TcpProxy.Head::startLine)
                .anyMatch(line -> line.startsWith("GET " + CONFIGMAPS + "?") && line.contains("limit=2")
                        && line.contains("continue="));
    }

    @Test
    void bookmarksCarryAnInformersResourceVersionPastOtherTypesWrites() {
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(NS).withLabel("bookmarked", "yes")
                .inform();
        try {
            String secretVersion = client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model
                    .SecretBuilder().withNewMetadata().withName("elsewhere").endMetadata()
                    .addToStringData("k", "v").build()).create().getMetadata().getResourceVersion();
            // Nothing the informer selects changed; the server's periodic BOOKMARKs still move it forward.
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Long.parseLong(informer.lastSyncResourceVersion()) >= Long.parseLong(secretVersion));
            assertThat(informer.getStore().list()).isEmpty();
            assertThat(informer.isWatching()).isTrue();
        } finally {
            informer.close();
        }
        assertThat(proxy.requests()).extracting(TcpProxy.Head::startLine)
                .anyMatch(line -> line.contains("watch=true") && line.contains("allowWatchBookmarks=true"));
    }

    @Test
    void deleteACollectionByLabel() {
        var configMaps = client.configMaps().inNamespace(NS);
        for (String name : List.of("batch-a", "batch-b", "batch-c")) {
            configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                    .addToLabels("batch", name.equals("batch-c") ? "2" : "1").endMetadata().build()).create();
        }

        List<StatusDetails> deleted = configMaps.withLabel("batch", "1").delete();

        assertThat(deleted).extracting(StatusDetails::getName).containsExactlyInAnyOrder("batch-a", "batch-b");
        assertThat(configMaps.withLabel("batch").list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactly("batch-c");
    }

    @Test
    void dryRunWritesNothing() {
        var configMaps = client.configMaps().inNamespace(NS);
        ConfigMap dry = configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("dry").endMetadata()
                .addToData("v", "1").build()).dryRun().create();
        assertThat(dry.getMetadata().getName()).isEqualTo("dry");
        assertThat(dry.getData()).containsEntry("v", "1");
        assertThat(configMaps.withName("dry").get()).isNull();

        ConfigMap real = configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("dry").endMetadata()
                .addToData("v", "1").build()).create();
        ConfigMap change = Serialization.clone(real);
        change.getData().put("v", "2");
        assertThat(configMaps.resource(change).dryRun().update().getData()).containsEntry("v", "2");
        configMaps.withName("dry").dryRun().delete();
        assertThat(configMaps.withName("dry").get()).isEqualTo(real);
    }

    @Test
    void createOrUpdate() {
        var configMaps = client.configMaps().inNamespace(NS);
        ConfigMap first = configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("upserted")
                .endMetadata().addToData("v", "1").build()).createOr(NonDeletingOperation::update);
        ConfigMap second = configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("upserted")
                .endMetadata().addToData("v", "2").build()).createOr(NonDeletingOperation::update);

        assertThat(first.getData()).containsEntry("v", "1");
        assertThat(second.getData()).containsEntry("v", "2");
        assertThat(second.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
        assertThat(configMaps.withName("upserted").get()).isEqualTo(second);
    }

    @Test
    void waitUntilAConditionHolds() throws Exception {
        var pods = client.pods().inNamespace(NS);
        pods.resource(new PodBuilder().withNewMetadata().withName("awaited").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("nginx:1.27").endContainer().endSpec().build()).create();

        CompletableFuture<Pod> running = CompletableFuture.supplyAsync(() -> pods.withName("awaited")
                .waitUntilCondition(p -> p != null && "Running".equals(p.getStatus().getPhase()), 30, TimeUnit.SECONDS));
        pods.withName("awaited").editStatus(p -> {
            p.getStatus().setPhase("Running");
            return p;
        });

        assertThat(running.get(30, TimeUnit.SECONDS).getStatus().getPhase()).isEqualTo("Running");
        pods.withName("awaited").delete();
        assertThat(pods.withName("awaited").waitUntilCondition(Objects::isNull, 30, TimeUnit.SECONDS)).isNull();
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private Deployment createDeployment(String name) {
        return client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName(name).addToLabels("app", name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("nginx:1.27")
                .addNewPort().withContainerPort(8080).endPort()
                .addNewEnv().withName("A").withValue("1").endEnv().addNewEnv().withName("B").withValue("2").endEnv()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
    }

    private static Deployment appliedDeployment(Integer replicas, Map<String, String> labels) {
        return new DeploymentBuilder().withNewMetadata().withName("ssa").withNamespace(NS).withLabels(labels)
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "ssa")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "ssa").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.27").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    /** The object without what every write changes (resourceVersion, generation, managedFields). */
    private static Deployment comparable(Deployment deployment) {
        Deployment copy = Serialization.clone(deployment);
        copy.getMetadata().setResourceVersion(null);
        copy.getMetadata().setGeneration(null);
        copy.getMetadata().setManagedFields(null);
        return copy;
    }

    private static ManagedFieldsEntry manager(Deployment deployment, String name) {
        return deployment.getMetadata().getManagedFields().stream().filter(e -> e.getManager().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no managedFields entry for " + name + " in "
                        + deployment.getMetadata().getManagedFields()));
    }

    private static JsonNode fields(ManagedFieldsEntry entry) {
        return new ObjectMapper().valueToTree(entry.getFieldsV1());
    }

    /** The last PATCH the client sent for this deployment (path relative to the namespace's deployments). */
    private TcpProxy.Head lastPatch(String path) {
        List<TcpProxy.Head> patches = proxy.requests().stream()
                .filter(request -> request.startLine().equals("PATCH " + DEPLOYMENTS + "/" + path)
                        || request.startLine().startsWith("PATCH " + DEPLOYMENTS + "/" + path + "?"))
                .toList();
        assertThat(patches).as("PATCH requests for %s", path).isNotEmpty();
        return patches.get(patches.size() - 1);
    }

    private String lastPatchContentType(String name) {
        return lastPatch(name).header("Content-Type");
    }

    private static TcpProxy.Head readHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int firstLineEnd = text.indexOf("\r\n");
        return new TcpProxy.Head(text.substring(0, firstLineEnd), text.substring(firstLineEnd + 2));
    }

    /** One complete, unfragmented, unmasked text frame from a server. */
    private static String readTextFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        assertThat(first).as("FIN set, text opcode: one whole message per frame").isEqualTo(0x81);
        assertThat(second & 0x80).as("server frames are not masked").isZero();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }
}
