package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;

/**
 * The pod writes one sync of a StatefulSet decided on, made in this order: pods created (claims first), pods given
 * back their identity, pods deleted; and the pods whose claims are to be created if missing (Pending ones) or have
 * their owners set to the retention policy.
 */
final class StatefulPlan {

    final List<Pod> create = new ArrayList<>();
    final List<Pod> update = new ArrayList<>();
    final List<Pod> delete = new ArrayList<>();
    final List<Pod> missingClaims = new ArrayList<>();
    final List<Pod> retention = new ArrayList<>();

    /** The names of the pods to create, update and delete, for tests and logs: "+web-0 ~web-1 -web-2". */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        create.forEach(pod -> parts.add("+" + pod.getMetadata().getName()));
        update.forEach(pod -> parts.add("~" + pod.getMetadata().getName()));
        delete.forEach(pod -> parts.add("-" + pod.getMetadata().getName()));
        return String.join(" ", parts);
    }
}
