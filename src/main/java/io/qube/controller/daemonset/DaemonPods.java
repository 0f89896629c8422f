package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.qube.controller.ControllerRefs;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/** A DaemonSet's pods: how one is made for a node, and which of a node's pods counts as its daemon pod. */
final class DaemonPods {

    /** Kubernetes' podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name. */
    static final Comparator<Pod> OLDEST_BOUND_FIRST = Comparator
            .<Pod>comparingInt(pod -> bound(pod) ? 0 : 1)
            .thenComparing(pod -> pod.getMetadata().getCreationTimestamp() == null ? ""
                    : pod.getMetadata().getCreationTimestamp())
            .thenComparing(pod -> pod.getMetadata().getName());

    private DaemonPods() {
    }

    /**
     * The pod for {@code node}: the template with the daemon tolerations, the revision hash (and template
     * generation) labels, and required node affinity naming the node, which the scheduler then honours.
     */
    static Pod forNode(DaemonSet set, String node, String hash, Long generation) {
        ObjectMeta template = set.getSpec().getTemplate().getMetadata() == null ? new ObjectMeta()
                : set.getSpec().getTemplate().getMetadata();
        Map<String, String> labels = new HashMap<>(template.getLabels() == null ? Map.of() : template.getLabels());
        if (generation != null) {
            labels.put(DaemonRevisions.GENERATION_LABEL, generation.toString());
        }
        labels.put(DaemonRevisions.HASH_LABEL, hash);
        PodSpec spec = DaemonNodes.withDaemonTolerations(set.getSpec().getTemplate().getSpec());
        spec.setAffinity(DaemonNodes.pinnedTo(spec.getAffinity(), node));
        return new PodBuilder()
                .withNewMetadata()
                .withGenerateName(set.getMetadata().getName() + "-")
                .withNamespace(set.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(template.getAnnotations())
                .withFinalizers(template.getFinalizers())
                .withOwnerReferences(ControllerRefs.controllerRef(set))
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    static boolean bound(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    static boolean deleting(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    /** Being deleted and finished: such a pod no longer holds its node's place (Kubernetes' includeDeletedTerminal). */
    static boolean gone(Pod pod) {
        return deleting(pod) && ("Succeeded".equals(phase(pod)) || "Failed".equals(phase(pod)));
    }
}
