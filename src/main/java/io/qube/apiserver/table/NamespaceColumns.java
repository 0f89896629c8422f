package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Namespace;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;

/** {@code kubectl get namespaces}: NAME STATUS AGE, the status being Active or Terminating. */
final class NamespaceColumns {

    private NamespaceColumns() {
    }

    static List<TableColumn<? super Namespace>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Status", "string", "The status of the namespace",
                        (namespace, now) -> namespace.getStatus() == null ? ""
                                : Cells.text(namespace.getStatus().getPhase())),
                CommonColumns.age());
    }
}
