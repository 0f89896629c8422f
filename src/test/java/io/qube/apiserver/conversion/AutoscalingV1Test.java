package io.qube.apiserver.conversion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;

/** autoscaling/v1 over stored autoscaling/v2 HorizontalPodAutoscalers, both ways. */
class AutoscalingV1Test {

    private final AutoscalingV1 conversion = new AutoscalingV1();

    @Test
    void theCpuTargetIsTheUtilizationMetric() {
        ObjectNode v1 = tree("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 2
                  maxReplicas: 5
                  targetCPUUtilizationPercentage: 80
                """);

        ObjectNode v2 = conversion.toStored(v1);

        assertThat(v2).isEqualTo(tree("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 2
                  maxReplicas: 5
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
                """));
        assertThat(conversion.toServed(v2)).isEqualTo(v1);
    }

    @Test
    void whatVersionOneCannotSayTravelsInAnnotations() {
        ObjectNode v2 = tree("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {kind: Deployment, name: web}
                  maxReplicas: 5
                  metrics:
                  - type: Pods
                    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "10"}}
                  behavior:
                    scaleDown: {selectPolicy: Disabled}
                status:
                  currentReplicas: 2
                  desiredReplicas: 3
                  conditions: [{type: AbleToScale, status: "True"}]
                """);

        ObjectNode v1 = conversion.toServed(v2);

        assertThat(v1.path("spec").has("targetCPUUtilizationPercentage")).isFalse();
        assertThat(v1.at("/metadata/annotations").path(AutoscalingV1.METRICS).asText())
                .isEqualTo("[{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"qps\"},\"target\":{\"type\":"
                        + "\"AverageValue\",\"averageValue\":\"10\"}}}]");
        assertThat(v1.at("/metadata/annotations").path(AutoscalingV1.BEHAVIOR).asText())
                .isEqualTo("{\"scaleDown\":{\"selectPolicy\":\"Disabled\"}}");
        assertThat(v1.at("/metadata/annotations").path(AutoscalingV1.CONDITIONS).asText())
                .isEqualTo("[{\"type\":\"AbleToScale\",\"status\":\"True\"}]");
        assertThat(conversion.toStored(v1)).isEqualTo(v2);
    }

    private static ObjectNode tree(String yaml) {
        try {
            return (ObjectNode) Json.MAPPER.valueToTree(Json.YAML.readValue(yaml, Object.class));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
