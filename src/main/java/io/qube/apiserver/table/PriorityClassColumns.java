package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;

/** {@code kubectl get priorityclasses}: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY. */
final class PriorityClassColumns {

    private PriorityClassColumns() {
    }

    static List<TableColumn<? super PriorityClass>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Value", "integer", "The priority pods of this class receive.",
                        (priorityClass, now) -> Cells.number(priorityClass.getValue())),
                TableColumn.of("Global-Default", "boolean",
                        "Whether pods without a priority class get this one.",
                        (priorityClass, now) -> Boolean.TRUE.equals(priorityClass.getGlobalDefault())),
                CommonColumns.age(),
                TableColumn.of("PreemptionPolicy", "string",
                        "Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority or Never.",
                        (priorityClass, now) -> Cells.text(priorityClass.getPreemptionPolicy())));
    }
}
