package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.qube.apiserver.patch.PatchFixtures.STRATEGIC;
import static io.qube.apiserver.patch.PatchFixtures.at;
import static io.qube.apiserver.patch.PatchFixtures.deployment;
import static io.qube.apiserver.patch.PatchFixtures.deploymentWith;
import static io.qube.apiserver.patch.PatchFixtures.failure;
import static io.qube.apiserver.patch.PatchFixtures.json;
import static io.qube.apiserver.patch.PatchFixtures.patch;
import static org.assertj.core.api.Assertions.assertThat;

class StrategicMergePatchTest {

    private static ObjectNode strategic(ObjectNode current, String body) {
        return patch(STRATEGIC, current, body, Deployment.class);
    }

    @Test
    void kubectlApplyRemovesAnEnvVarAndTheReplicas() {
        // What kubectl apply sends after env LOG_LEVEL and replicas were deleted from the manifest.
        ObjectNode patched = strategic(deployment(), """
                {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}"}},
                 "spec":{"replicas":null,"template":{"spec":{
                   "$setElementOrder/containers":[{"name":"app"},{"name":"sidecar"}],
                   "containers":[{"$setElementOrder/env":[{"name":"MODE"}],
                                  "env":[{"$patch":"delete","name":"LOG_LEVEL"}],"name":"app"}]}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/metadata/annotations").put("kubectl.kubernetes.io/last-applied-configuration", "{\"new\":true}");
            at(expected, "/spec").remove("replicas");
            ((ArrayNode) expected.at("/spec/template/spec/containers/0/env")).remove(0);
        }));
    }

    @Test
    void kubectlSetImageChangesOnlyThatContainer() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"spec":{"containers":[{"image":"nginx:1.27","name":"app"}]}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected ->
                at(expected, "/spec/template/spec/containers/0").put("image", "nginx:1.27")));
    }

    @Test
    void kubectlRolloutRestartAddsATemplateAnnotation() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-03-01T12:00:00Z"}}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> at(expected, "/spec/template/metadata")
                .putObject("annotations").put("kubectl.kubernetes.io/restartedAt", "2025-03-01T12:00:00Z")));
    }

    @Test
    void aNewContainerGoesFirstUnlessSetElementOrderPlacesIt() {
        String newContainer = "{\"name\":\"metrics\",\"image\":\"prom/statsd-exporter:v0.26\"}";

        ObjectNode unordered = strategic(deployment(),
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[" + newContainer + "]}}}}");
        ObjectNode ordered = strategic(deployment(), "{\"spec\":{\"template\":{\"spec\":{"
                + "\"$setElementOrder/containers\":[{\"name\":\"app\"},{\"name\":\"sidecar\"},{\"name\":\"metrics\"}],"
                + "\"containers\":[" + newContainer + "]}}}}");

        assertThat(unordered.at("/spec/template/spec/containers").valueStream().map(c -> c.get("name").asText()))
                .containsExactly("metrics", "app", "sidecar");
        assertThat(ordered).isEqualTo(deploymentWith(expected ->
                ((ArrayNode) expected.at("/spec/template/spec/containers")).add(json(newContainer))));
    }

    @Test
    void setElementOrderReordersWithoutChangingItems() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}]}}}}
                """);

        ArrayNode containers = (ArrayNode) deployment().at("/spec/template/spec/containers");
        assertThat(patched.at("/spec/template/spec/containers"))
                .isEqualTo(json("{\"list\":[]}").withArray("list").add(containers.get(1)).add(containers.get(0)));
    }

    @Test
    void portsMergeByContainerPort() {
        ObjectNode pod = json("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"default"},
                 "spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[
                   {"containerPort":8080,"name":"http","protocol":"TCP"},
                   {"containerPort":8443,"name":"https","protocol":"TCP"}]}]}}
                """);

        ObjectNode patched = patch(STRATEGIC, pod, """
                {"spec":{"containers":[{"name":"app","ports":[
                   {"containerPort":8080,"name":"http-alt"},
                   {"containerPort":9090,"name":"metrics"}]}]}}
                """, Pod.class);

        // Patch items keep the patch's order; the untouched 8443 stays after the item it followed.
        assertThat(patched.at("/spec/containers/0/ports")).isEqualTo(json("""
                {"ports":[{"containerPort":8080,"name":"http-alt","protocol":"TCP"},
                          {"containerPort":9090,"name":"metrics"},
                          {"containerPort":8443,"name":"https","protocol":"TCP"}]}
                """).get("ports"));
    }

    @Test
    void patchDeleteRemovesOneContainer() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected ->
                ((ArrayNode) expected.at("/spec/template/spec/containers")).remove(1)));
    }

    @Test
    void patchReplaceInAListReplacesTheWholeList() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"nginx:1.27"}]}}}}
                """);

        assertThat(patched.at("/spec/template/spec/containers"))
                .isEqualTo(json("{\"c\":[{\"name\":\"only\",\"image\":\"nginx:1.27\"}]}").get("c"));
    }

    @Test
    void finalizersMergeAsASetAndDeleteFromPrimitiveListRemovesValues() {
        ObjectNode current = deploymentWith(d -> at(d, "/metadata").putArray("finalizers")
                .add("example.com/protect").add("example.com/backup"));

        ObjectNode added = strategic(current, """
                {"metadata":{"finalizers":["example.com/audit","example.com/protect"]}}
                """);
        ObjectNode removed = strategic(current, """
                {"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/backup"]}}
                """);

        assertThat(added.at("/metadata/finalizers")).isEqualTo(json("""
                {"f":["example.com/audit","example.com/protect","example.com/backup"]}""").get("f"));
        assertThat(removed.at("/metadata/finalizers")).isEqualTo(json("{\"f\":[\"example.com/protect\"]}").get("f"));
    }

    @Test
    void tolerationsAndArgsAreReplacedWhole() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"spec":{
                   "tolerations":[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}],
                   "containers":[{"name":"sidecar","args":["sleep","3600"]}]}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/spec/template/spec").set("tolerations",
                    json("{\"t\":[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}").get("t"));
            at(expected, "/spec/template/spec/containers/1").set("args",
                    json("{\"a\":[\"sleep\",\"3600\"]}").get("a"));
        }));
    }

    @Test
    void retainKeysDropsTheOldUnionMemberWhenTheStrategyTypeChanges() {
        // kubectl apply of "strategy: {type: Recreate}" over a RollingUpdate deployment.
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}
                """);

        assertThat(patched.at("/spec/strategy")).isEqualTo(json("{\"type\":\"Recreate\"}"));
    }

    @Test
    void retainKeysInAVolumeSwitchesItsSource() {
        // kubectl apply after a volume changed from emptyDir to a configMap: the item carries $retainKeys.
        ObjectNode current = deploymentWith(d -> at(d, "/spec/template/spec").set("volumes", json("""
                {"v":[{"name":"cache","emptyDir":{"medium":"Memory"}},{"name":"tmp","emptyDir":{}}]}""").get("v")));

        ObjectNode patched = strategic(current, """
                {"spec":{"template":{"spec":{"$setElementOrder/volumes":[{"name":"cache"},{"name":"tmp"}],
                   "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"web-cache"},"name":"cache"}]}}}}
                """);

        assertThat(patched.at("/spec/template/spec/volumes")).isEqualTo(json("""
                {"v":[{"name":"cache","configMap":{"name":"web-cache"}},{"name":"tmp","emptyDir":{}}]}""").get("v"));
    }

    @Test
    void mapDirectivesReplaceAndDelete() {
        ObjectNode current = deploymentWith(d -> {
            at(d, "/spec/template/spec").putObject("nodeSelector").put("disk", "ssd").put("zone", "a");
            at(d, "/spec/template/spec").set("affinity", json("""
                    {"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,
                      "podAffinityTerm":{"topologyKey":"kubernetes.io/hostname"}}]}}"""));
        });

        ObjectNode patched = strategic(current, """
                {"spec":{"template":{"spec":{"nodeSelector":{"$patch":"replace","zone":"b"},"affinity":{"$patch":"delete"},
                   "containers":[{"name":"app","resources":{"$patch":"merge","limits":{"memory":"256Mi"}}}]}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/spec/template/spec").putObject("nodeSelector").put("zone", "b");
            at(expected, "/spec/template/spec/containers/0").putObject("resources")
                    .putObject("limits").put("memory", "256Mi");
        }));
    }

    @Test
    void directivesAndNullsInsideNewContentNeverReachTheObject() {
        ObjectNode patched = strategic(deployment(), """
                {"spec":{"template":{"spec":{"containers":[{"name":"init-db","image":"postgres:16",
                   "$setElementOrder/env":[{"name":"A"}],"env":[{"name":"A","value":"1"}],"workingDir":null}]}}}}
                """);

        assertThat(patched.at("/spec/template/spec/containers/0"))
                .isEqualTo(json("{\"name\":\"init-db\",\"image\":\"postgres:16\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}"));
    }

    @ParameterizedTest
    @ValueSource(classes = {ReplicaSet.class, DaemonSet.class, ReplicationController.class})
    void podTemplatesOfEveryWorkloadMergeContainersByName(Class<? extends HasMetadata> kind) {
        ObjectNode workload = deploymentWith(d -> {
            d.put("kind", kind.getSimpleName());
            d.put("apiVersion", kind == ReplicationController.class ? "v1" : "apps/v1");
        });

        ObjectNode patched = patch(STRATEGIC, workload, """
                {"spec":{"template":{"spec":{"containers":[{"image":"nginx:1.27","name":"app"}]}}}}
                """, kind);

        assertThat(patched.at("/spec/template/spec/containers/0")).isEqualTo(deployment()
                .at("/spec/template/spec/containers/0").deepCopy().<ObjectNode>require().put("image", "nginx:1.27"));
        assertThat(patched.at("/spec/template/spec/containers/1"))
                .isEqualTo(deployment().at("/spec/template/spec/containers/1"));
    }

    @Test
    void servicePortsMergeByPort() {
        ObjectNode service = json("""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},
                 "spec":{"type":"ClusterIP","clusterIP":"10.96.0.20","selector":{"app":"web"},
                   "ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}}
                """);

        ObjectNode patched = patch(STRATEGIC, service, """
                {"spec":{"ports":[{"port":80,"targetPort":9090}]}}
                """, Service.class);

        assertThat(patched.at("/spec/ports")).isEqualTo(json(
                "{\"p\":[{\"name\":\"http\",\"port\":80,\"targetPort\":9090,\"protocol\":\"TCP\"}]}").get("p"));
    }

    @Test
    void podConditionsMergeByTypeAndOwnerReferencesByUid() {
        ObjectNode pod = json("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"default","ownerReferences":[
                   {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9","uid":"a1","controller":true}]},
                 "spec":{"containers":[{"name":"app","image":"nginx"}]},
                 "status":{"phase":"Pending","conditions":[
                   {"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False"}]}}
                """);

        ObjectNode patched = patch(STRATEGIC, pod, """
                {"metadata":{"ownerReferences":[{"uid":"a1","blockOwnerDeletion":true}]},
                 "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
                """, Pod.class);

        assertThat(patched.at("/metadata/ownerReferences/0")).isEqualTo(json("""
                {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9","uid":"a1","controller":true,
                 "blockOwnerDeletion":true}"""));
        assertThat(patched.at("/status")).isEqualTo(json("""
                {"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"True"}]}
                """));
    }

    @Test
    void theCurrentObjectIsNotModified() {
        ObjectNode current = deployment();

        strategic(current, "{\"spec\":{\"replicas\":null,\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"x\"}]}}}}");

        assertThat(current).isEqualTo(deployment());
    }

    @Test
    void malformedStrategicPatchesAreBadRequests() {
        assertThat(failure(() -> strategic(deployment(), "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}"),
                400, "BadRequest").getMessage())
                .isEqualTo("an item of \"containers\" does not contain the merge key \"name\": {\"image\":\"x\"}");
        assertThat(failure(() -> strategic(deployment(), "{\"spec\":{\"strategy\":{\"$patch\":\"shred\"}}}"),
                400, "BadRequest").getMessage())
                .isEqualTo("\"$patch\" must be \"delete\", \"replace\" or \"merge\", not \"shred\"");
        assertThat(failure(() -> strategic(deployment(), "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}"),
                400, "BadRequest").getMessage())
                .isEqualTo("the patch sets \"rollingUpdate\", which its \"$retainKeys\" list [\"type\"] does not keep");
        assertThat(failure(() -> strategic(deployment(), "{\"spec\":{\"template\":{\"spec\":{\"tolerations\":[{\"$patch\":\"delete\",\"key\":\"dedicated\"}]}}}}"),
                400, "BadRequest").getMessage())
                .isEqualTo("\"tolerations\" is not a list with a merge key: its items cannot be deleted by key; replace the list instead");
        assertThat(failure(() -> strategic(deployment(), "{\"spec\":{\"template\":{\"spec\":{"
                        + "\"$setElementOrder/containers\":[{\"name\":\"app\"}],\"containers\":[{\"name\":\"new\"}]}}}}"),
                400, "BadRequest").getMessage())
                .isEqualTo("\"$setElementOrder/containers\" does not list the patch's item {\"name\":\"new\"}");
        failure(() -> strategic(deployment(), "{\"$patch\":\"delete\"}"), 400, "BadRequest");
        failure(() -> strategic(deployment(), "[{\"spec\":{}}]"), 400, "BadRequest");
        failure(() -> strategic(deployment(), "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":\"x\"}}"), 400, "BadRequest");
    }
}
