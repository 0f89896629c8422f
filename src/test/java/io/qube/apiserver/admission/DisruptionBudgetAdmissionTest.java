package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** PodDisruptionBudgets: pkg/apis/policy/validation's checks, and the status a new budget is stored with. */
class DisruptionBudgetAdmissionTest {

    @Test
    void aBudgetIsStoredWithItsSpecAndAZeroStatus() {
        PodDisruptionBudget budget = defaulted(namespaced(PodDisruptionBudget.class, "web", """
                spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}
                """), PodDisruptionBudget.class);

        assertStored(budget.getSpec(), "{minAvailable: 2, selector: {matchLabels: {app: web}}}");
        assertStored(budget.getStatus(), """
                {currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0}
                """);
    }

    @Test
    void countsAndPercentagesAreValid() {
        for (String spec : new String[] {"{minAvailable: 0}", "{minAvailable: 50%}", "{maxUnavailable: 1}",
                "{maxUnavailable: 100%, unhealthyPodEvictionPolicy: AlwaysAllow}", "{selector: {}}"}) {
            PodDisruptionBudget budget = read(namespaced(PodDisruptionBudget.class, "web", "spec: " + spec),
                    PodDisruptionBudget.class);
            assertThat(create(budget)).as(spec).isEmpty();
        }
    }

    @Test
    void minAvailableAndMaxUnavailableExcludeEachOther() {
        PodDisruptionBudget budget = read(namespaced(PodDisruptionBudget.class, "web", """
                spec: {minAvailable: 1, maxUnavailable: 1}
                """), PodDisruptionBudget.class);

        assertThat(reasonsAndFields(create(budget))).containsExactly("FieldValueInvalid spec");
        assertThat(create(budget).get(0).message()).endsWith("minAvailable and maxUnavailable cannot be both set");
    }

    @Test
    void countsAreNonNegativeAndPercentagesAtMostAll() {
        PodDisruptionBudget negative = read(namespaced(PodDisruptionBudget.class, "a", "spec: {minAvailable: -1}"),
                PodDisruptionBudget.class);
        PodDisruptionBudget tooMuch = read(namespaced(PodDisruptionBudget.class, "b",
                "spec: {maxUnavailable: 150%}"), PodDisruptionBudget.class);
        PodDisruptionBudget words = read(namespaced(PodDisruptionBudget.class, "c", "spec: {minAvailable: half}"),
                PodDisruptionBudget.class);

        assertThat(create(negative)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: -1: must be greater than or equal to 0", "spec.minAvailable"));
        assertThat(create(tooMuch)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"150%\": must not be greater than 100%", "spec.maxUnavailable"));
        assertThat(reasonsAndFields(create(words))).containsExactly("FieldValueInvalid spec.minAvailable");
    }

    @Test
    void theSelectorAndEvictionPolicyAreChecked() {
        PodDisruptionBudget budget = read(namespaced(PodDisruptionBudget.class, "web", """
                spec:
                  selector: {matchLabels: {"bad key!": web}}
                  unhealthyPodEvictionPolicy: Never
                """), PodDisruptionBudget.class);

        assertThat(reasonsAndFields(create(budget))).containsExactly("FieldValueInvalid spec.selector.matchLabels",
                "FieldValueNotSupported spec.unhealthyPodEvictionPolicy");
        assertThat(create(budget).get(1).message())
                .isEqualTo("Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"");
    }
}
