package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.qube.apiserver.patch.PatchFixtures.APPLY;
import static io.qube.apiserver.patch.PatchFixtures.LATER;
import static io.qube.apiserver.patch.PatchFixtures.MERGE_PATCH;
import static io.qube.apiserver.patch.PatchFixtures.NOW;
import static io.qube.apiserver.patch.PatchFixtures.STRATEGIC;
import static io.qube.apiserver.patch.PatchFixtures.bytes;
import static io.qube.apiserver.patch.PatchFixtures.deployment;
import static io.qube.apiserver.patch.PatchFixtures.failure;
import static io.qube.apiserver.patch.PatchFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

class ServerSideApplyTest {

    private static final ResourceDefinition<Deployment> DEPLOYMENTS = ResourceDefinition.of(Deployment.class);

    /** What kubectl apply --server-side sends for the manifest: YAML as written. */
    private static final String MANIFEST = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: default
              labels:
                app: web
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: app
                    image: nginx:1.25
                    ports:
                    - containerPort: 80
                    env:
                    - name: MODE
                      value: prod
            """;

    /** The same manifest without replicas and without the env list. */
    private static final String MANIFEST_WITHOUT_REPLICAS_AND_ENV = without(MANIFEST, "  replicas: 2\n", """
                    env:
                    - name: MODE
                      value: prod
            """);

    /** {@code manifest} with each of {@code parts} taken out; every part must be there. */
    private static String without(String manifest, String... parts) {
        String rest = manifest;
        for (String part : parts) {
            if (!rest.contains(part)) {
                throw new IllegalArgumentException("not in the manifest: " + part);
            }
            rest = rest.replace(part, "");
        }
        return rest;
    }

    private static ObjectNode apply(ObjectNode current, String body, String manager, boolean force, Instant now) {
        return Patches.apply(APPLY, current, bytes(body), DEPLOYMENTS, manager, force, now);
    }

    private static ObjectNode update(String contentType, ObjectNode current, String body, String manager) {
        return Patches.apply(contentType, current, bytes(body), DEPLOYMENTS, manager, false, LATER);
    }

    @Test
    void applyCreatesTheObjectWithItsManagedFields() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);

        assertThat(created).isEqualTo(json("""
                {"apiVersion":"apps/v1","kind":"Deployment",
                 "metadata":{"name":"web","namespace":"default","labels":{"app":"web"},
                   "managedFields":[{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1",
                     "time":"2025-03-01T12:00:00Z","fieldsType":"FieldsV1","fieldsV1":{
                       "f:metadata":{"f:labels":{"f:app":{}}},
                       "f:spec":{"f:replicas":{},"f:selector":{"f:matchLabels":{"f:app":{}}},
                         "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
                           "f:spec":{"f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},
                             "f:env":{"k:{\\"name\\":\\"MODE\\"}":{".":{},"f:name":{},"f:value":{}}},
                             "f:image":{},"f:name":{},
                             "f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}}]},
                 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                   "template":{"metadata":{"labels":{"app":"web"}},
                     "spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80}],
                       "env":[{"name":"MODE","value":"prod"}]}]}}}}
                """));
    }

    @Test
    void reapplyingTheSameManifestChangesNothing() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);

        assertThat(apply(created, MANIFEST, "kubectl", false, LATER)).isEqualTo(created);
    }

    @Test
    void anApplyThatChangesAValueMovesTheEntryTime() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);

        ObjectNode upgraded = apply(created, MANIFEST.replace("nginx:1.25", "nginx:1.27"), "kubectl", false, LATER);

        assertThat(upgraded.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.27");
        assertThat(upgraded.at("/metadata/managedFields/0/time").asText()).isEqualTo("2025-03-01T12:05:00Z");
        assertThat(upgraded.at("/metadata/managedFields/0/fieldsV1"))
                .isEqualTo(created.at("/metadata/managedFields/0/fieldsV1"));
    }

    @Test
    void reapplyingWithoutAFieldRemovesIt() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);

        ObjectNode reapplied = apply(created, MANIFEST_WITHOUT_REPLICAS_AND_ENV, "kubectl", false, LATER);

        ObjectNode expected = apply(null, MANIFEST_WITHOUT_REPLICAS_AND_ENV, "kubectl", false, LATER);
        assertThat(reapplied).isEqualTo(expected);
        assertThat(reapplied.at("/spec").has("replicas")).isFalse();
        assertThat(reapplied.at("/spec/template/spec/containers/0").has("env")).isFalse();
    }

    @Test
    void aFieldAnotherManagerOwnsStaysWhenTheApplierDropsIt() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);
        ObjectNode edited = update(MERGE_PATCH, created, "{\"spec\":{\"template\":{\"spec\":{\"containers\":"
                + "[{\"name\":\"app\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80}],"
                + "\"env\":[{\"name\":\"MODE\",\"value\":\"debug\"}]}]}}}}", "kubectl-edit");

        ObjectNode reapplied = apply(edited, MANIFEST_WITHOUT_REPLICAS_AND_ENV, "kubectl", false, LATER);

        // The env item stays (kubectl-edit owns its value), with its key; replicas, owned by kubectl alone, goes.
        assertThat(reapplied.at("/spec/template/spec/containers/0/env"))
                .isEqualTo(json("{\"e\":[{\"name\":\"MODE\",\"value\":\"debug\"}]}").get("e"));
        assertThat(reapplied.at("/spec").has("replicas")).isFalse();
        assertThat(reapplied.at("/metadata/managedFields/1")).isEqualTo(json("""
                {"manager":"kubectl-edit","operation":"Update","apiVersion":"apps/v1","time":"2025-03-01T12:05:00Z",
                 "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{
                   "k:{\\"name\\":\\"app\\"}":{"f:env":{"k:{\\"name\\":\\"MODE\\"}":{"f:value":{}}}}}}}}}}
                """));
    }

    @Test
    void aFieldAnotherManagerChangedIsAConflict() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);
        ObjectNode scaled = update(MERGE_PATCH, created, "{\"spec\":{\"replicas\":5}}", "hpa");

        ApiException conflict = failure(() -> apply(scaled, MANIFEST, "kubectl", false, LATER), 409, "Conflict");

        assertThat(conflict.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"hpa\" using apps/v1"
                + " at 2025-03-01T12:05:00Z: .spec.replicas");
        assertThat(conflict.causes()).containsExactly(new FieldErrors.Cause("FieldManagerConflict",
                "conflict with \"hpa\" using apps/v1 at 2025-03-01T12:05:00Z", ".spec.replicas"));
    }

    @Test
    void conflictsWithSeveralManagersAreAllListed() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);
        ObjectNode scaled = update(MERGE_PATCH, created, "{\"spec\":{\"replicas\":5}}", "hpa");
        ObjectNode edited = update(STRATEGIC, scaled,
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"}]}}}}",
                "kubectl-edit");

        ApiException conflict = failure(() -> apply(edited, MANIFEST, "kubectl", false, LATER), 409, "Conflict");

        assertThat(conflict.getMessage()).isEqualTo("""
                Apply failed with 2 conflicts: conflicts with "hpa" using apps/v1 at 2025-03-01T12:05:00Z:
                - .spec.replicas
                conflicts with "kubectl-edit" using apps/v1 at 2025-03-01T12:05:00Z:
                - .spec.template.spec.containers[name="app"].image""");
        assertThat(conflict.causes()).extracting(FieldErrors.Cause::field)
                .containsExactly(".spec.replicas", ".spec.template.spec.containers[name=\"app\"].image");
    }

    @Test
    void forceTakesTheConflictingFieldsOver() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);
        ObjectNode scaled = update(MERGE_PATCH, created, "{\"spec\":{\"replicas\":5}}", "hpa");

        ObjectNode forced = apply(scaled, MANIFEST, "kubectl", true, LATER);

        // hpa owned nothing else, so its entry goes; kubectl owns replicas again, as of this apply.
        assertThat(forced).isEqualTo(apply(null, MANIFEST, "kubectl", false, LATER));
    }

    @Test
    void theSameValueIsNoConflictAndBothManagersOwnIt() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);
        ObjectNode scaled = update(MERGE_PATCH, created, "{\"spec\":{\"replicas\":5}}", "hpa");

        ObjectNode reapplied = apply(scaled, MANIFEST.replace("replicas: 2", "replicas: 5"), "kubectl", false, LATER);

        assertThat(reapplied.at("/spec/replicas").asInt()).isEqualTo(5);
        assertThat(reapplied.at("/metadata/managedFields/0/fieldsV1/f:spec/f:replicas").isObject()).isTrue();
        assertThat(reapplied.at("/metadata/managedFields/1")).isEqualTo(json("""
                {"manager":"hpa","operation":"Update","apiVersion":"apps/v1","time":"2025-03-01T12:05:00Z",
                 "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}
                """));
    }

    @Test
    void anObjectWithoutManagedFieldsIsOwnedByBeforeFirstApply() {
        ApiException conflict = failure(() -> apply(deployment(), MANIFEST, "kubectl", false, LATER), 409, "Conflict");

        // Only replicas differs: the fixture's image, env MODE, labels and port match the manifest.
        assertThat(conflict.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with"
                + " \"before-first-apply\" using apps/v1 at 2025-03-01T12:05:00Z: .spec.replicas");
    }

    @Test
    void twoAppliersShareAListByKey() {
        ObjectNode created = apply(null, MANIFEST, "kubectl", false, NOW);

        ObjectNode withSidecar = apply(created, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default, finalizers: [example.com/protect]}
                spec:
                  template:
                    spec:
                      containers:
                      - {name: sidecar, image: "busybox:1.36"}
                """, "mesh-injector", false, LATER);

        assertThat(withSidecar.at("/spec/template/spec/containers").valueStream().map(c -> c.get("name").asText()))
                .containsExactly("sidecar", "app");
        assertThat(withSidecar.at("/metadata/managedFields/1")).isEqualTo(json("""
                {"manager":"mesh-injector","operation":"Apply","apiVersion":"apps/v1","time":"2025-03-01T12:05:00Z",
                 "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:finalizers":{"v:\\"example.com/protect\\"":{}}},
                   "f:spec":{"f:template":{"f:spec":{"f:containers":{
                     "k:{\\"name\\":\\"sidecar\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
                """));
        // The first applier never named the sidecar, so re-applying its manifest leaves it alone.
        assertThat(apply(withSidecar, MANIFEST, "kubectl", false, LATER)).isEqualTo(withSidecar);
    }

    @Test
    void badApplyRequestsAreRejected() {
        assertThat(failure(() -> apply(null, MANIFEST, null, false, NOW), 422, "Invalid").getMessage())
                .isEqualTo("PatchOptions \"\" is invalid: fieldManager: Required value: is required for apply patch");
        assertThat(failure(() -> apply(null, MANIFEST.replace("  name: web\n",
                "  name: web\n  managedFields: [{manager: x}]\n"), "kubectl", false, NOW), 400, "BadRequest")
                .getMessage()).isEqualTo("metadata.managedFields must be nil");
        assertThat(failure(() -> apply(null, MANIFEST.replace("kind: Deployment", "kind: StatefulSet"), "kubectl",
                false, NOW), 400, "BadRequest").getMessage()).isEqualTo("an apply patch must name its apiVersion and"
                + " kind, here \"apps/v1\" and \"Deployment\"; it names \"apps/v1\" and \"StatefulSet\"");
        assertThat(failure(() -> apply(null, MANIFEST.replace("- containerPort: 80", "- name: http"), "kubectl",
                false, NOW), 400, "BadRequest").getMessage()).isEqualTo(".spec.template.spec.containers[name=\"app\"]"
                + ".ports: an item lacks a key field (containerPort, protocol): {\"name\":\"http\"}");
        assertThat(failure(() -> apply(null, MANIFEST + "      - name: app\n        image: other\n", "kubectl",
                false, NOW), 400, "BadRequest").getMessage())
                .isEqualTo(".spec.template.spec.containers: duplicate entries for key [name=\"app\"]");
        assertThat(failure(() -> apply(null, "kind: [Deployment", "kubectl", false, NOW), 400, "BadRequest")
                .getMessage()).startsWith("error decoding YAML: while parsing a flow sequence");
        assertThat(failure(() -> apply(null, "- just\n- a list\n", "kubectl", false, NOW), 400, "BadRequest")
                .getMessage()).isEqualTo("an apply patch must be an object, not array");
    }
}
