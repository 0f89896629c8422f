package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** LimitRange and ResourceQuota defaults and validation, with Kubernetes' messages and field paths. */
class QuotaKindsTest {

    @Test
    void aContainerLimitDefaultsItsLimitToMaxAndItsRequestToTheLimitOrMin() {
        LimitRange limits = defaulted(namespaced(LimitRange.class, "limits", """
                spec:
                  limits:
                  - type: Container
                    max: {cpu: "1", memory: 1Gi}
                    min: {cpu: 100m, ephemeral-storage: 1Mi}
                    default: {memory: 512Mi}
                  - type: Pod
                    max: {cpu: "2"}
                """), LimitRange.class);

        assertStored(limits.getSpec(), """
                limits:
                - type: Container
                  max: {cpu: "1", memory: 1Gi}
                  min: {cpu: 100m, ephemeral-storage: 1Mi}
                  default: {cpu: "1", memory: 512Mi}
                  defaultRequest: {cpu: "1", memory: 512Mi, ephemeral-storage: 1Mi}
                - type: Pod
                  max: {cpu: "2"}
                """);
    }

    @Test
    void boundsMustBeOrderedMinDefaultRequestDefaultMax() {
        LimitRange limits = read(namespaced(LimitRange.class, "limits", """
                spec:
                  limits:
                  - type: Container
                    min: {cpu: "2"}
                    max: {cpu: "1"}
                    default: {cpu: 500m}
                    defaultRequest: {cpu: 800m}
                """), LimitRange.class);

        assertThat(create(limits)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"2\": min value 2 is greater than max value 1",
                        "spec.limits[0].min[cpu]"),
                new Cause("FieldValueInvalid", "Invalid value: \"800m\": min value 2 is greater than default request "
                        + "value 800m", "spec.limits[0].defaultRequest[cpu]"),
                new Cause("FieldValueInvalid", "Invalid value: \"800m\": default request value 800m is greater than "
                        + "default limit value 500m", "spec.limits[0].defaultRequest[cpu]"),
                new Cause("FieldValueInvalid", "Invalid value: \"2\": min value 2 is greater than default value 500m",
                        "spec.limits[0].default[cpu]"));
    }

    @Test
    void typesAreKnownOnceEachAndPodsHaveNoDefaults() {
        LimitRange limits = read(namespaced(LimitRange.class, "limits", """
                spec:
                  limits:
                  - type: Pod
                    default: {cpu: "1"}
                  - type: Pod
                    max: {cpu: "4"}
                  - type: Volume
                  - type: PersistentVolumeClaim
                    max: {cpu: "1"}
                  - type: Container
                    maxLimitRequestRatio: {cpu: 500m}
                    max: {gpus: "1"}
                """), LimitRange.class);

        assertThat(reasonsAndFields(create(limits))).containsExactly(
                "FieldValueForbidden spec.limits[0].default",
                "FieldValueDuplicate spec.limits[1].type",
                "FieldValueInvalid spec.limits[2].type",
                "FieldValueRequired spec.limits[3].limits",
                // The default limit and request copied from max name the unknown resource too.
                "FieldValueInvalid spec.limits[4].max[gpus]",
                "FieldValueInvalid spec.limits[4].default[gpus]",
                "FieldValueInvalid spec.limits[4].defaultRequest[gpus]",
                "FieldValueInvalid spec.limits[4].maxLimitRequestRatio[cpu]");
    }

    @Test
    void aQuotaIsStoredCanonicalAndStartsWithoutStatus() {
        ResourceQuota quota = defaulted(namespaced(ResourceQuota.class, "compute", """
                spec: {hard: {pods: "10", requests.cpu: "0.5", limits.memory: 2048Mi}}
                """), ResourceQuota.class);

        assertStored(quota.getSpec(), "{hard: {pods: '10', requests.cpu: 500m, limits.memory: 2Gi}}");
        assertThat(quota.getStatus()).isNull();
    }

    @Test
    void quotaResourcesAreKnownCountsWholeAndScopesKnown() {
        ResourceQuota quota = read(namespaced(ResourceQuota.class, "compute", """
                spec:
                  hard: {pods: "1.5", requests.cpu: "-1", widgets: "3", count/deployments.apps: "2"}
                  scopes: [BestEffort, Sometimes]
                """), ResourceQuota.class);

        assertThat(create(quota)).containsExactlyInAnyOrder(
                // Defaulting stored the quantity canonical before validation, so the message shows it so.
                new Cause("FieldValueInvalid", "Invalid value: \"1500m\": must be an integer", "spec.hard[pods]"),
                new Cause("FieldValueInvalid", "Invalid value: \"-1\": must be greater than or equal to 0",
                        "spec.hard[requests.cpu]"),
                new Cause("FieldValueInvalid", "Invalid value: \"widgets\": must be a standard resource type or fully "
                        + "qualified", "spec.hard[widgets]"),
                new Cause("FieldValueInvalid", "Invalid value: \"Sometimes\": unsupported scope", "spec.scopes"));
    }
}
