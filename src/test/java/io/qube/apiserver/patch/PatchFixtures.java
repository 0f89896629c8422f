package io.qube.apiserver.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.ResourceDefinition;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Objects and helpers the patch tests share: realistic stored objects and a way to call the entry point. */
final class PatchFixtures {

    static final String JSON_PATCH = "application/json-patch+json";
    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String STRATEGIC = "application/strategic-merge-patch+json";
    static final String APPLY = "application/apply-patch+yaml";

    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    static final Instant LATER = Instant.parse("2025-03-01T12:05:00.750Z");

    private PatchFixtures() {
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode patch(String contentType, ObjectNode current, String body, Class<? extends HasMetadata> kind) {
        return Patches.apply(contentType, current, bytes(body), ResourceDefinition.of(kind), null, false, NOW);
    }

    static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts the call fails with this HTTP code and Status reason, and returns the exception for more checks. */
    static ApiException failure(ThrowingCallable call, int code, String reason) {
        ApiException e = catchThrowableOfType(ApiException.class, call);
        assertThat(e).as("an ApiException").isNotNull();
        assertThat(e.code()).as("code of: %s", e.getMessage()).isEqualTo(code);
        assertThat(e.reason()).isEqualTo(reason);
        return e;
    }

    /** A deployment as a real cluster stores it after kubectl apply: two containers, env, ports, a toleration. */
    static ObjectNode deployment() {
        return json("""
                {
                  "apiVersion": "apps/v1",
                  "kind": "Deployment",
                  "metadata": {
                    "name": "web",
                    "namespace": "default",
                    "uid": "6f1c2a3e-0b7d-4c55-9a51-2f0d7c1e9b10",
                    "resourceVersion": "41",
                    "generation": 2,
                    "creationTimestamp": "2025-03-01T11:00:00Z",
                    "labels": {"app": "web"},
                    "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\\"old\\":true}"}
                  },
                  "spec": {
                    "replicas": 3,
                    "selector": {"matchLabels": {"app": "web"}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                    "template": {
                      "metadata": {"labels": {"app": "web"}},
                      "spec": {
                        "containers": [
                          {
                            "name": "app",
                            "image": "nginx:1.25",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "env": [{"name": "LOG_LEVEL", "value": "debug"}, {"name": "MODE", "value": "prod"}]
                          },
                          {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "infinity"]}
                        ],
                        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}]
                      }
                    }
                  }
                }
                """);
    }

    /** The deployment with a change, for an expected result that differs from it in a few places. */
    static ObjectNode deploymentWith(Consumer<ObjectNode> change) {
        ObjectNode expected = deployment();
        change.accept(expected);
        return expected;
    }

    /** The object node at a JSON pointer. */
    static ObjectNode at(ObjectNode root, String pointer) {
        return (ObjectNode) root.at(pointer);
    }
}
