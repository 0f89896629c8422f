package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.qube.apiserver.registry.ResourceDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.qube.apiserver.patch.PatchFixtures.NOW;
import static io.qube.apiserver.patch.PatchFixtures.at;
import static io.qube.apiserver.patch.PatchFixtures.bytes;
import static io.qube.apiserver.patch.PatchFixtures.deployment;
import static io.qube.apiserver.patch.PatchFixtures.deploymentWith;
import static io.qube.apiserver.patch.PatchFixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The entry point: content types, and malformed bodies of every patch type answered 400. */
class PatchesTest {

    private static final ResourceDefinition<Deployment> DEPLOYMENTS = ResourceDefinition.of(Deployment.class);

    private static ObjectNode patch(String contentType, ObjectNode current, byte[] body) {
        return Patches.apply(contentType, current, body, DEPLOYMENTS, "tester", false, NOW);
    }

    @Test
    void contentTypeParametersAndCaseAreIgnored() {
        ObjectNode patched = patch("Application/Merge-Patch+JSON; charset=utf-8", deployment(),
                bytes("{\"spec\":{\"paused\":true}}"));

        assertThat(patched.at("/spec/paused").asBoolean()).isTrue();
        assertThat(PatchType.of("application/apply-patch+yaml;charset=UTF-8")).isEqualTo(PatchType.APPLY_PATCH);
    }

    @Test
    void anUnknownContentTypeIs415() {
        assertThat(failure(() -> patch("application/json", deployment(), bytes("{}")), 415, "UnsupportedMediaType")
                .getMessage()).endsWith("(got \"application/json\")");
        failure(() -> patch(null, deployment(), bytes("{}")), 415, "UnsupportedMediaType");
        failure(() -> patch("application/apply-patch+cbor", deployment(), bytes("{}")), 415, "UnsupportedMediaType");
    }

    @ParameterizedTest
    @EnumSource(PatchType.class)
    void malformedBodiesAreBadRequestsForEveryType(PatchType type) {
        List<byte[]> bodies = List.of(new byte[0], bytes("   "), bytes("{"), bytes("null"), bytes("42"),
                bytes("\"spec\""), bytes("{\"a\":1} {\"b\":2}"), bytes("{\"a\":\u0001}"),
                new byte[]{(byte) 0xC3, (byte) 0x28}, "{\"a\":\"\\ud800\"".getBytes(StandardCharsets.UTF_8));

        for (byte[] body : bodies) {
            failure(() -> patch(type.mediaType(), deployment(), body), 400, "BadRequest");
        }
        failure(() -> patch(type.mediaType(), deployment(), null), 400, "BadRequest");
    }

    @Test
    void onlyApplyCreates() {
        assertThatThrownBy(() -> patch(PatchType.MERGE_PATCH.mediaType(), null, bytes("{}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFieldManagerOfAnyPatchIsRecorded() {
        ObjectNode patched = patch(PatchType.MERGE_PATCH.mediaType(), deployment(), bytes("{\"spec\":{\"replicas\":4}}"));

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/spec").put("replicas", 4);
            at(expected, "/metadata").set("managedFields", PatchFixtures.json("""
                    {"m":[{"manager":"tester","operation":"Update","apiVersion":"apps/v1","time":"2025-03-01T12:00:00Z",
                      "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]}""").get("m"));
        }));
    }
}
