package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;

/** {@code kubectl get leases}: NAME HOLDER AGE. */
final class LeaseColumns {

    private LeaseColumns() {
    }

    static List<TableColumn<? super Lease>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Holder", "string", "The identity of the lease's current holder.",
                        (lease, now) -> lease.getSpec() == null ? "" : Cells.text(lease.getSpec().getHolderIdentity())),
                CommonColumns.age());
    }
}
