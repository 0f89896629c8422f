package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;

/** PodDisruptionBudgets, as {@code kubectl get pdb} shows them. */
final class DisruptionBudgetColumns {

    private static final String NOT_SET = "N/A";

    private DisruptionBudgetColumns() {
    }

    /** NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE. */
    static List<TableColumn<? super PodDisruptionBudget>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Min Available", "string", "The minimum number of pods that must be available",
                        (budget, now) -> shown(budget.getSpec() == null ? null : budget.getSpec().getMinAvailable())),
                TableColumn.of("Max Unavailable", "string", "The maximum number of pods that may be unavailable",
                        (budget, now) -> shown(budget.getSpec() == null ? null : budget.getSpec().getMaxUnavailable())),
                TableColumn.of("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at "
                        + "this time", (budget, now) -> budget.getStatus() == null ? 0
                        : Cells.number(budget.getStatus().getDisruptionsAllowed())),
                CommonColumns.age());
    }

    private static String shown(IntOrString value) {
        if (value == null) {
            return NOT_SET;
        }
        return value.getStrVal() != null ? value.getStrVal() : String.valueOf(value.getIntVal());
    }
}
