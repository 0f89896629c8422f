package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.qube.apiserver.registry.TableColumn;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code kubectl get roles,clusterroles}: NAME CREATED AT (a timestamp, not an age);
 * {@code kubectl get rolebindings,clusterrolebindings}: NAME ROLE AGE, and with {@code -o wide} the bound USERS,
 * GROUPS and SERVICEACCOUNTS (as namespace/name).
 */
final class RbacColumns {

    private RbacColumns() {
    }

    static <T extends HasMetadata> List<TableColumn<? super T>> role() {
        return List.of(CommonColumns.name(),
                TableColumn.of("Created At", "date",
                        "CreationTimestamp is the server time when this object was created.",
                        (role, now) -> createdAt(role)));
    }

    static <T extends HasMetadata> List<TableColumn<? super T>> binding(Function<T, RoleRef> roleRef,
                                                                       Function<T, List<Subject>> subjects) {
        return List.of(CommonColumns.name(),
                TableColumn.<T>of("Role", "string", "RoleRef can reference a Role in the current namespace or a "
                        + "ClusterRole in the global namespace.", (binding, now) -> role(roleRef.apply(binding))),
                CommonColumns.age(),
                TableColumn.<T>wide("Users", "string", "Users in the roleBinding",
                        (binding, now) -> subjects(subjects.apply(binding), "User")),
                TableColumn.<T>wide("Groups", "string", "Groups in the roleBinding",
                        (binding, now) -> subjects(subjects.apply(binding), "Group")),
                TableColumn.<T>wide("ServiceAccounts", "string", "ServiceAccounts in the roleBinding",
                        (binding, now) -> subjects(subjects.apply(binding), "ServiceAccount")));
    }

    private static String createdAt(HasMetadata role) {
        String created = role.getMetadata() == null ? null : role.getMetadata().getCreationTimestamp();
        if (created == null || created.isEmpty()) {
            return ""; // Go's zero time would print 0001-01-01T00:00:00Z; an object always has one when stored
        }
        return Instant.parse(created).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String role(RoleRef ref) {
        return ref == null ? "/" : Cells.text(ref.getKind()) + "/" + Cells.text(ref.getName());
    }

    /** The names of the subjects of one kind, joined as kubectl joins them; service accounts as namespace/name. */
    private static String subjects(List<Subject> subjects, String kind) {
        return Cells.list(subjects).stream().filter(subject -> kind.equals(subject.getKind()))
                .map(subject -> kind.equals("ServiceAccount")
                        ? Cells.text(subject.getNamespace()) + "/" + Cells.text(subject.getName())
                        : Cells.text(subject.getName()))
                .collect(Collectors.joining(", "));
    }
}
