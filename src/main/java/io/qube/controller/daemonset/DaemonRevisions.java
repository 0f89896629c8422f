package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.qube.controller.history.History;
import io.qube.controller.history.TemplateRevisions;

import java.util.Map;

/**
 * What ties a DaemonSet's template to its ControllerRevisions and pods: pods made from a revision carry its
 * controller-revision-hash label, or (from extensions/v1beta1 days) the template generation.
 */
final class DaemonRevisions {

    static final String HASH_LABEL = TemplateRevisions.HASH_LABEL;
    /** The DaemonSet's template generation, an annotation kept from extensions/v1beta1's templateGeneration. */
    static final String TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";
    /** The template generation a pod was made from. */
    static final String GENERATION_LABEL = "pod-template-generation";

    private DaemonRevisions() {
    }

    /** The DaemonSet as the owner of its history. */
    static History.Owner owner(DaemonSet set) {
        return new History.Owner(set, set.getSpec().getSelector(), set.getSpec().getTemplate(),
                set.getStatus() == null ? null : set.getStatus().getCollisionCount(),
                set.getSpec().getRevisionHistoryLimit());
    }

    /** The DaemonSet's template generation, or null when it has none (or an unreadable one). */
    static Long templateGeneration(DaemonSet set) {
        Map<String, String> annotations = set.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(TEMPLATE_GENERATION);
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException unreadable) {
            return null;
        }
    }

    /** Kubernetes' IsPodUpdated: made from the current template, by hash or by template generation. */
    static boolean isUpdated(Pod pod, String hash, Long generation) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        boolean hashMatches = hash != null && !hash.isEmpty() && hash.equals(labels.get(HASH_LABEL));
        boolean generationMatches = generation != null && generation.toString().equals(labels.get(GENERATION_LABEL));
        return hashMatches || generationMatches;
    }
}
