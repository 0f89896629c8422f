package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;
import java.util.Locale;

/** {@code kubectl get controllerrevisions}: NAME CONTROLLER REVISION AGE. */
final class ControllerRevisionColumns {

    private ControllerRevisionColumns() {
    }

    static List<TableColumn<? super ControllerRevision>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Controller", "string", "Controller of the object",
                        (revision, now) -> controller(revision)),
                TableColumn.of("Revision", "string", "Revision indicates the revision of the state represented by Data.",
                        (revision, now) -> revision.getRevision() == null ? 0L : revision.getRevision()),
                CommonColumns.age());
    }

    /** The controller as kubectl names a resource with its kind: {@code daemonset.apps/fluentd}. */
    private static String controller(ControllerRevision revision) {
        List<OwnerReference> owners = revision.getMetadata() == null ? null : revision.getMetadata().getOwnerReferences();
        for (OwnerReference owner : Cells.list(owners)) {
            if (Boolean.TRUE.equals(owner.getController())) {
                String apiVersion = Cells.text(owner.getApiVersion());
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                String kind = Cells.text(owner.getKind()) + (group.isEmpty() ? "" : "." + group);
                return kind.toLowerCase(Locale.ROOT) + "/" + owner.getName();
            }
        }
        return Cells.NONE;
    }
}
