package io.qube.apiserver.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' LimitRanger: defaults filled into new pods, and its words for what breaks a limit. */
class LimitRangerTest {

    private static final JsonNode CONTAINER_LIMITS = tree("""
            spec:
              limits:
              - type: Container
                max: {cpu: 500m}
                min: {memory: 64Mi}
                default: {cpu: 200m, memory: 256Mi}
                defaultRequest: {cpu: 100m, memory: 128Mi}
            """);

    @Test
    void missingRequestsAndLimitsAreFilledAndAnnotated() {
        ObjectNode pod = (ObjectNode) tree("""
                metadata: {name: web}
                spec:
                  initContainers: [{name: setup, image: busybox, resources: {requests: {cpu: 50m}}}]
                  containers:
                  - {name: web, image: nginx}
                  - {name: sidecar, image: envoy, resources: {limits: {memory: 100Mi}}}
                """);

        assertThat(LimitRanger.admitPod(pod, List.of(CONTAINER_LIMITS))).isEmpty();

        assertThat(pod.at("/spec/containers/0/resources")).isEqualTo(tree("""
                {limits: {cpu: 200m, memory: 256Mi}, requests: {cpu: 100m, memory: 128Mi}}"""));
        // A limit without a request is its request, as Kubernetes' defaulting made it before admission.
        assertThat(pod.at("/spec/containers/1/resources")).isEqualTo(tree("""
                {limits: {memory: 100Mi, cpu: 200m}, requests: {memory: 100Mi, cpu: 100m}}"""));
        assertThat(pod.at("/metadata/annotations").path(LimitRanger.ANNOTATION).asText()).isEqualTo(
                "LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web; "
                        + "cpu request for container sidecar; cpu limit for container sidecar; memory request for "
                        + "init container setup; cpu, memory limit for init container setup");
    }

    @Test
    void aPodWithEverythingSetIsNotAnnotated() {
        ObjectNode pod = (ObjectNode) tree("""
                metadata: {name: web}
                spec:
                  containers:
                  - {name: web, image: nginx, resources: {limits: {cpu: 300m, memory: 100Mi}}}
                """);

        assertThat(LimitRanger.admitPod(pod, List.of(CONTAINER_LIMITS))).isEmpty();
        assertThat(pod.path("metadata").has("annotations")).isFalse();
    }

    @Test
    void violationsAreWordedAsKubernetesWordsThem() {
        ObjectNode pod = (ObjectNode) tree("""
                metadata: {name: big}
                spec:
                  containers:
                  - {name: big, image: nginx, resources: {limits: {cpu: "1", memory: 32Mi}}}
                """);

        List<String> violations = LimitRanger.admitPod(pod, List.of(CONTAINER_LIMITS));

        assertThat(violations).containsExactly("minimum memory usage per Container is 64Mi, but request is 32Mi",
                "maximum cpu usage per Container is 500m, but limit is 1");
        assertThat(LimitRanger.message(violations)).isEqualTo("[minimum memory usage per Container is 64Mi, but "
                + "request is 32Mi, maximum cpu usage per Container is 500m, but limit is 1]");
        assertThat(LimitRanger.message(violations.subList(1, 2)))
                .isEqualTo("maximum cpu usage per Container is 500m, but limit is 1");
    }

    @Test
    void podTotalsAndRatiosAreChecked() {
        JsonNode limits = tree("""
                spec:
                  limits:
                  - {type: Pod, max: {cpu: "1"}}
                  - {type: Container, maxLimitRequestRatio: {cpu: "2"}}
                """);
        ObjectNode pod = (ObjectNode) tree("""
                metadata: {name: pair}
                spec:
                  containers:
                  - {name: a, image: nginx, resources: {requests: {cpu: 200m}, limits: {cpu: 800m}}}
                  - {name: b, image: nginx, resources: {limits: {cpu: 400m}}}
                """);

        assertThat(LimitRanger.admitPod(pod, List.of(limits))).containsExactly(
                "maximum cpu usage per Pod is 1, but limit is 1200m",
                "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000");
    }

    @Test
    void aClaimIsHeldToTheStorageBounds() {
        JsonNode limits = tree("""
                spec:
                  limits:
                  - {type: PersistentVolumeClaim, min: {storage: 1Gi}, max: {storage: 2Gi}}
                """);
        ObjectNode large = (ObjectNode) tree("spec: {resources: {requests: {storage: 5Gi}}}");
        ObjectNode unsized = (ObjectNode) tree("spec: {resources: {}}");

        assertThat(LimitRanger.admitClaim(large, List.of(limits)))
                .containsExactly("maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi");
        assertThat(LimitRanger.admitClaim(unsized, List.of(limits))).containsExactly(
                "minimum storage usage per PersistentVolumeClaim is 1Gi.  No request is specified",
                "maximum storage usage per PersistentVolumeClaim is 2Gi.  No request is specified");
    }

    private static JsonNode tree(String yaml) {
        try {
            return Json.MAPPER.valueToTree(Json.YAML.readValue(yaml, Object.class));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
