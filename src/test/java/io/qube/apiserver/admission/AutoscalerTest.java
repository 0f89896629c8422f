package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** autoscaling/v2 HorizontalPodAutoscaler defaults and validation, as Kubernetes fills and checks them. */
class AutoscalerTest {

    @Test
    void anAutoscalerWithoutMetricsTargetsEightyPercentCpuFromOneReplica() {
        HorizontalPodAutoscaler hpa = defaulted(namespaced(HorizontalPodAutoscaler.class, "web", """
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  maxReplicas: 5
                """), HorizontalPodAutoscaler.class);

        assertStored(hpa.getSpec(), """
                scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                minReplicas: 1
                maxReplicas: 5
                metrics:
                - type: Resource
                  resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
                """);
    }

    @Test
    void aGivenBehaviorHasItsMissingRulesFilled() {
        HorizontalPodAutoscaler hpa = defaulted(namespaced(HorizontalPodAutoscaler.class, "web", """
                spec:
                  scaleTargetRef: {kind: Deployment, name: web}
                  maxReplicas: 5
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 60}
                """), HorizontalPodAutoscaler.class);

        assertStored(hpa.getSpec().getBehavior(), """
                scaleUp:
                  stabilizationWindowSeconds: 0
                  selectPolicy: Max
                  policies:
                  - {type: Pods, value: 4, periodSeconds: 15}
                  - {type: Percent, value: 100, periodSeconds: 15}
                scaleDown:
                  stabilizationWindowSeconds: 60
                  selectPolicy: Max
                  policies:
                  - {type: Percent, value: 100, periodSeconds: 15}
                """);
    }

    @Test
    void replicaBoundsAndTheTargetAreChecked() {
        HorizontalPodAutoscaler hpa = read(namespaced(HorizontalPodAutoscaler.class, "web", """
                spec:
                  scaleTargetRef: {kind: "apps/Deployment"}
                  minReplicas: 0
                  maxReplicas: 0
                """), HorizontalPodAutoscaler.class);

        assertThat(create(hpa)).extracting(cause -> cause.field() + ": " + cause.message()).containsExactly(
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
                "spec.scaleTargetRef.kind: Invalid value: \"apps/Deployment\": may not contain '/'",
                "spec.scaleTargetRef.name: Required value");
    }

    @Test
    void eachMetricHasItsOneSourceAndASoundTarget() {
        HorizontalPodAutoscaler hpa = read(namespaced(HorizontalPodAutoscaler.class, "web", """
                spec:
                  scaleTargetRef: {kind: Deployment, name: web}
                  maxReplicas: 3
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}
                    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "1"}}
                """), HorizontalPodAutoscaler.class);

        // As in Kubernetes, only the first source present (in the order object, pods, resource, ...) is validated.
        assertThat(reasonsAndFields(create(hpa))).containsExactly("FieldValueForbidden spec.metrics[0].pods");

        hpa.getSpec().getMetrics().get(0).setPods(null);
        assertThat(create(hpa)).extracting(cause -> cause.field() + ": " + cause.message()).containsExactly(
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0");
    }

    @Test
    void scalingPoliciesAreChecked() {
        HorizontalPodAutoscaler hpa = read(namespaced(HorizontalPodAutoscaler.class, "web", """
                spec:
                  scaleTargetRef: {kind: Deployment, name: web}
                  maxReplicas: 3
                  behavior:
                    scaleUp:
                      stabilizationWindowSeconds: 7200
                      selectPolicy: Sometimes
                      policies: [{type: Nodes, value: 0, periodSeconds: 3600}]
                    scaleDown: {stabilizationWindowSeconds: -1}
                """), HorizontalPodAutoscaler.class);

        assertThat(reasonsAndFields(create(hpa))).containsExactly(
                "FieldValueInvalid spec.behavior.scaleUp.stabilizationWindowSeconds",
                "FieldValueNotSupported spec.behavior.scaleUp.selectPolicy",
                "FieldValueNotSupported spec.behavior.scaleUp.policies[0].type",
                "FieldValueInvalid spec.behavior.scaleUp.policies[0].value",
                "FieldValueInvalid spec.behavior.scaleUp.policies[0].periodSeconds",
                "FieldValueInvalid spec.behavior.scaleDown.stabilizationWindowSeconds");
    }
}
