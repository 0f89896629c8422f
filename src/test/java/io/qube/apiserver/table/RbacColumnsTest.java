package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

/** Roles print when they were made; bindings their role and, wide, who is bound. */
class RbacColumnsTest {

    private static final String CREATED = ago(Duration.ofDays(3));

    @Test
    void rolesShowTheirCreationTime() {
        Role role = new RoleBuilder().withNewMetadata().withName("reader").withNamespace("dev")
                .withCreationTimestamp(CREATED).endMetadata().build();
        ClusterRole clusterRole = new ClusterRoleBuilder().withNewMetadata().withName("view")
                .withCreationTimestamp(CREATED).endMetadata().build();

        assertThat(Rows.headers(KindTables.role(), true)).containsExactly("NAME", "CREATED AT");
        assertThat(Rows.cells(KindTables.role(), role)).containsExactly("reader", "2025-02-26T12:00:00Z");
        assertThat(Rows.headers(KindTables.clusterRole(), true)).containsExactly("NAME", "CREATED AT");
        assertThat(Rows.cells(KindTables.clusterRole(), clusterRole)).containsExactly("view", "2025-02-26T12:00:00Z");
    }

    @Test
    void bindingsShowTheRoleAndWideTheSubjectsByKind() {
        RoleBinding binding = new RoleBindingBuilder().withNewMetadata().withName("devs").withNamespace("dev")
                .withCreationTimestamp(CREATED).endMetadata()
                .withNewRoleRef().withKind("ClusterRole").withName("edit").endRoleRef()
                .addNewSubject().withKind("User").withName("jane").endSubject()
                .addNewSubject().withKind("Group").withName("devs").endSubject()
                .addNewSubject().withKind("User").withName("joe").endSubject()
                .addNewSubject().withKind("ServiceAccount").withName("ci").withNamespace("tools").endSubject()
                .build();
        ClusterRoleBinding admins = new ClusterRoleBindingBuilder().withNewMetadata().withName("cluster-admin")
                .withCreationTimestamp(CREATED).endMetadata()
                .withNewRoleRef().withKind("ClusterRole").withName("cluster-admin").endRoleRef()
                .addNewSubject().withKind("Group").withName("system:masters").endSubject().build();

        assertThat(Rows.headers(KindTables.roleBinding(), false)).containsExactly("NAME", "ROLE", "AGE");
        assertThat(Rows.headers(KindTables.roleBinding(), true))
                .containsExactly("NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS");
        assertThat(Rows.cells(KindTables.roleBinding(), binding))
                .containsExactly("devs", "ClusterRole/edit", "3d", "jane, joe", "devs", "tools/ci");
        assertThat(Rows.cells(KindTables.clusterRoleBinding(), admins))
                .containsExactly("cluster-admin", "ClusterRole/cluster-admin", "3d", "", "system:masters", "");
    }
}
