package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.qube.apiserver.registry.ResourceDefinition;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.patch.PatchFixtures.JSON_PATCH;
import static io.qube.apiserver.patch.PatchFixtures.LATER;
import static io.qube.apiserver.patch.PatchFixtures.MERGE_PATCH;
import static io.qube.apiserver.patch.PatchFixtures.NOW;
import static io.qube.apiserver.patch.PatchFixtures.STRATEGIC;
import static io.qube.apiserver.patch.PatchFixtures.bytes;
import static io.qube.apiserver.patch.PatchFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Update entries: what creates, updates and the non-apply patches record for their field manager. */
class ManagedFieldsTest {

    private static final ResourceDefinition<Pod> PODS = ResourceDefinition.of(Pod.class);

    private static ObjectNode pod() {
        return json("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"default","labels":{"app":"web"}},
                 "spec":{"restartPolicy":"Always",
                   "containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}
                """);
    }

    private static ObjectNode created() {
        return ManagedFields.recordUpdate(null, pod(), PODS, "kubectl-create", NOW);
    }

    private static ObjectNode patch(String contentType, ObjectNode current, String body, String manager) {
        return Patches.apply(contentType, current, bytes(body), PODS, manager, false, LATER);
    }

    @Test
    void aCreateRecordsEveryFieldForItsManager() {
        assertThat(created().at("/metadata/managedFields")).isEqualTo(json("""
                {"m":[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2025-03-01T12:00:00Z",
                  "fieldsType":"FieldsV1","fieldsV1":{
                    "f:metadata":{"f:labels":{"f:app":{}}},
                    "f:spec":{"f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},"f:image":{},"f:name":{},
                        "f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}},
                      "f:restartPolicy":{}}}}]}
                """).get("m"));
    }

    @Test
    void aPatchTakesTheFieldsItChangesFromTheirOwner() {
        ObjectNode updated = patch(STRATEGIC, created(),
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"}]}}", "kubectl-set");

        assertThat(updated.at("/metadata/managedFields/0/manager").asText()).isEqualTo("kubectl-create");
        assertThat(updated.at("/metadata/managedFields/0/fieldsV1/f:spec/f:containers/k:{\"name\":\"app\"}").has("f:image"))
                .isFalse();
        assertThat(updated.at("/metadata/managedFields/1")).isEqualTo(json("""
                {"manager":"kubectl-set","operation":"Update","apiVersion":"v1","time":"2025-03-01T12:05:00Z",
                 "fieldsType":"FieldsV1",
                 "fieldsV1":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"app\\"}":{"f:image":{}}}}}}
                """));
    }

    @Test
    void theEntryTimeMovesWhenTheManagerSetsAValueAgain() {
        ObjectNode samePut = ManagedFields.recordUpdate(created(), pod(), PODS, "kubectl-create", LATER);
        ObjectNode relabelled = patch(MERGE_PATCH, created(), "{\"metadata\":{\"labels\":{\"app\":\"shop\"}}}",
                "kubectl-create");

        assertThat(samePut).isEqualTo(created());
        assertThat(relabelled.at("/metadata/managedFields/0/time").asText()).isEqualTo("2025-03-01T12:05:00Z");
        assertThat(relabelled.at("/metadata/managedFields/0/fieldsV1"))
                .isEqualTo(created().at("/metadata/managedFields/0/fieldsV1"));
    }

    @Test
    void removedFieldsLeaveEveryEntry() {
        ObjectNode updated = patch(MERGE_PATCH, created(), "{\"metadata\":{\"labels\":null}}", "kubectl-label");

        assertThat(updated.at("/metadata/managedFields/0/fieldsV1").has("f:metadata")).isFalse();
        assertThat(updated.at("/metadata/managedFields").size()).isEqualTo(1);
    }

    @Test
    void aWriteThatChangesNothingRecordsNothing() {
        ObjectNode unchanged = patch(MERGE_PATCH, created(), "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}", "kubectl-label");

        assertThat(unchanged).isEqualTo(created());
    }

    @Test
    void withoutAManagerNothingIsRecorded() {
        ObjectNode updated = patch(MERGE_PATCH, created(), "{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}", null);

        assertThat(updated.at("/metadata/managedFields")).isEqualTo(created().at("/metadata/managedFields"));
    }

    @Test
    void oneEmptyEntryClearsManagedFieldsAndAnEmptyListKeepsThem() {
        ObjectNode cleared = patch(JSON_PATCH, created(),
                "[{\"op\":\"replace\",\"path\":\"/metadata/managedFields\",\"value\":[{}]}]", "kubectl-patch");
        ObjectNode put = created();
        put.with("metadata").putArray("managedFields");
        ObjectNode kept = ManagedFields.recordUpdate(created(), put, PODS, "kubectl-replace", LATER);

        assertThat(cleared.at("/metadata").has("managedFields")).isFalse();
        assertThat(kept).isEqualTo(created());
    }

    @Test
    void managedFieldsAWriterSendsAreTakenAsTheyAre() {
        ArrayNode sent = json("""
                {"m":[{"manager":"migrated","operation":"Apply","apiVersion":"v1","time":"2025-01-01T00:00:00Z",
                  "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:restartPolicy":{}}}}]}
                """).withArray("m");

        ObjectNode patched = patch(JSON_PATCH, created(),
                "[{\"op\":\"replace\",\"path\":\"/metadata/managedFields\",\"value\":" + sent + "}]", "kubectl-patch");

        assertThat(patched.at("/metadata/managedFields")).isEqualTo(sent);
    }
}
