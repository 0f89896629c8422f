package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.qube.agent.runtime.ContainerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What the kubelet hands the runtime of a container's security: runAsUser and runAsGroup from the container's
 * securityContext, else the pod's; the pod's supplementalGroups and fsGroup as extra groups; readOnlyRootFilesystem,
 * privileged, capabilities; no_new_privs unless allowPrivilegeEscalation is true (or the container is privileged).
 */
final class SecurityContexts {

    private SecurityContexts() {
    }

    static ContainerConfig.Security of(Pod pod, Container container) {
        PodSecurityContext podContext = pod.getSpec().getSecurityContext();
        SecurityContext context = container.getSecurityContext();
        Long user = context != null && context.getRunAsUser() != null ? context.getRunAsUser()
                : podContext == null ? null : podContext.getRunAsUser();
        Long group = context != null && context.getRunAsGroup() != null ? context.getRunAsGroup()
                : podContext == null ? null : podContext.getRunAsGroup();
        List<Long> groups = new ArrayList<>();
        if (podContext != null) {
            groups.addAll(podContext.getSupplementalGroups());
            if (podContext.getFsGroup() != null && !groups.contains(podContext.getFsGroup())) {
                groups.add(podContext.getFsGroup());
            }
        }
        boolean privileged = context != null && Boolean.TRUE.equals(context.getPrivileged());
        List<String> add = context == null || context.getCapabilities() == null ? List.of()
                : context.getCapabilities().getAdd();
        List<String> drop = context == null || context.getCapabilities() == null ? List.of()
                : context.getCapabilities().getDrop();
        boolean escalation = privileged || context != null && Boolean.TRUE.equals(
                context.getAllowPrivilegeEscalation());
        return new ContainerConfig.Security(user, group, List.copyOf(groups),
                context != null && Boolean.TRUE.equals(context.getReadOnlyRootFilesystem()), privileged,
                List.copyOf(add), List.copyOf(drop), context != null && context.getAllowPrivilegeEscalation() != null
                && !escalation);
    }
}
