package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.registry.FieldErrors;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.patch.PatchFixtures.JSON_PATCH;
import static io.qube.apiserver.patch.PatchFixtures.at;
import static io.qube.apiserver.patch.PatchFixtures.deployment;
import static io.qube.apiserver.patch.PatchFixtures.deploymentWith;
import static io.qube.apiserver.patch.PatchFixtures.failure;
import static io.qube.apiserver.patch.PatchFixtures.json;
import static io.qube.apiserver.patch.PatchFixtures.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonPatchTest {

    private static ObjectNode jsonPatch(ObjectNode current, String body) {
        return patch(JSON_PATCH, current, body, Deployment.class);
    }

    @Test
    void fabric8EditOperationsApply() {
        // What fabric8's edit() computes for: replicas 3 -> 5, a new label with a '/' in its key, a removed annotation,
        // and one more container.
        ObjectNode patched = jsonPatch(deployment(), """
                [{"op":"test","path":"/metadata/resourceVersion","value":"41"},
                 {"op":"replace","path":"/spec/replicas","value":5},
                 {"op":"add","path":"/metadata/labels/app.kubernetes.io~1part-of","value":"shop"},
                 {"op":"remove","path":"/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"},
                 {"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"metrics","image":"statsd:0.26"}}]
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/spec").put("replicas", 5);
            at(expected, "/metadata/labels").put("app.kubernetes.io/part-of", "shop");
            at(expected, "/metadata/annotations").remove("kubectl.kubernetes.io/last-applied-configuration");
            ((ArrayNode) expected.at("/spec/template/spec/containers"))
                    .add(json("{\"name\":\"metrics\",\"image\":\"statsd:0.26\"}"));
        }));
    }

    @Test
    void moveAndCopyApply() {
        ObjectNode patched = jsonPatch(deployment(), """
                [{"op":"copy","from":"/metadata/labels/app","path":"/metadata/labels/component"},
                 {"op":"move","from":"/spec/template/spec/tolerations","path":"/spec/template/spec/savedTolerations"}]
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/metadata/labels").put("component", "web");
            at(expected, "/spec/template/spec").set("savedTolerations",
                    at(expected, "/spec/template/spec").remove("tolerations"));
        }));
    }

    @Test
    void aFailedTestIsA422LikeKubernetes() {
        ApiException e = failure(() -> jsonPatch(deployment(),
                "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"40\"},"
                        + "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]"), 422, "Invalid");

        assertThat(e.getMessage()).isEqualTo("the server rejected our request due to an error in our request");
        assertThat(e.causes()).containsExactly(new FieldErrors.Cause("FieldValueInvalid",
                "JSON patch operation 0 (test): Expected value \"40\" but found value \"41\"", "/metadata/resourceVersion"));
    }

    @Test
    void pathsThatDoNotExistAre422s() {
        ApiException removeMissing = failure(() -> jsonPatch(deployment(),
                "[{\"op\":\"remove\",\"path\":\"/spec/template/spec/affinity\"}]"), 422, "Invalid");
        ApiException replaceMissing = failure(() -> jsonPatch(deployment(),
                "[{\"op\":\"replace\",\"path\":\"/spec/paused\",\"value\":true}]"), 422, "Invalid");
        ApiException addUnderMissing = failure(() -> jsonPatch(deployment(),
                "[{\"op\":\"add\",\"path\":\"/spec/template/spec/affinity/nodeAffinity\",\"value\":{}}]"), 422, "Invalid");

        assertThat(removeMissing.causes()).extracting(FieldErrors.Cause::message)
                .containsExactly("JSON patch operation 0 (remove): Missing field affinity");
        assertThat(replaceMissing.causes()).extracting(FieldErrors.Cause::field).containsExactly("/spec/paused");
        assertThat(addUnderMissing.getMessage()).isEqualTo(Rfc6902JsonPatch.REJECTED);
    }

    /** "-" names the place after a list's last item: only add may use it (ApiFuzzTest seed 62703636137389). */
    @Test
    void theEndOfAListIsNoItemToReplaceRemoveTestOrTakeFrom() {
        for (String operation : new String[] {
                "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/-\",\"value\":null}",
                "{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/-\"}",
                "{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/-\",\"value\":{}}",
                "{\"op\":\"move\",\"from\":\"/spec/template/spec/containers/-\",\"path\":\"/metadata/x\"}",
                "{\"op\":\"copy\",\"from\":\"/spec/template/spec/containers/-\",\"path\":\"/metadata/x\"}",
                "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/-/name\",\"value\":\"x\"}"}) {
            ApiException e = catchThrowableOfType(ApiException.class,
                    () -> jsonPatch(deployment(), "[" + operation + "]"));
            assertThat(e).as(operation).isNotNull();
            assertThat(e.code()).as(operation).isEqualTo(422);
            assertThat(e.getMessage()).as(operation).isEqualTo(Rfc6902JsonPatch.REJECTED);
        }
    }

    @Test
    void malformedOperationsAreBadRequests() {
        assertThat(failure(() -> jsonPatch(deployment(), "{\"op\":\"add\"}"), 400, "BadRequest").getMessage())
                .isEqualTo("a JSON patch must be a list of operations, not object");
        assertThat(failure(() -> jsonPatch(deployment(), "[{\"op\":\"upsert\",\"path\":\"/spec\"}]"), 400, "BadRequest")
                .getMessage()).isEqualTo("JSON patch operation 0: \"op\" must be one of add, remove, replace, move, copy, test");
        assertThat(failure(() -> jsonPatch(deployment(), "[{\"op\":\"remove\",\"path\":\"/spec/paused\"},"
                + "{\"op\":\"add\",\"path\":\"spec/replicas\",\"value\":1}]"), 400, "BadRequest").getMessage())
                .isEqualTo("JSON patch operation 1: \"path\" must be a JSON pointer such as /metadata/labels");
        assertThat(failure(() -> jsonPatch(deployment(), "[{\"op\":\"replace\",\"path\":\"/spec/replicas\"}]"), 400,
                "BadRequest").getMessage()).isEqualTo("JSON patch operation 0 (replace): missing \"value\"");
        assertThat(failure(() -> jsonPatch(deployment(), "[{\"op\":\"move\",\"path\":\"/spec/replicas\"}]"), 400,
                "BadRequest").getMessage())
                .isEqualTo("JSON patch operation 0: \"from\" must be a JSON pointer such as /metadata/labels");
        assertThat(failure(() -> jsonPatch(deployment(), "[42]"), 400, "BadRequest").getMessage())
                .isEqualTo("JSON patch operation 0 is not an object");
    }
}
