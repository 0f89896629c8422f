package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.List;

/**
 * Kubernetes' defaults for RBAC bindings: a role reference without an API group is to this group's roles, and a
 * user or group subject without one is of this group (a service account's stays the core group, "").
 */
final class RbacDefaults {

    private RbacDefaults() {
    }

    static void binding(RoleRef roleRef, List<Subject> subjects) {
        if (roleRef != null && NullSafe.isEmpty(roleRef.getApiGroup())) {
            roleRef.setApiGroup(RbacValidation.GROUP);
        }
        for (Subject subject : NullSafe.list(subjects)) {
            if (NullSafe.isEmpty(subject.getApiGroup())
                    && ("User".equals(subject.getKind()) || "Group".equals(subject.getKind()))) {
                subject.setApiGroup(RbacValidation.GROUP);
            }
        }
    }
}
