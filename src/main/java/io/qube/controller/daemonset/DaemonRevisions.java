package io.qube.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.qube.controller.PodTemplates;

import java.util.Map;

/**
 * What ties a DaemonSet's template to its ControllerRevisions and pods. A revision's data is what {@code kubectl
 * rollout undo} patches the DaemonSet with: a strategic merge patch that replaces spec.template; its
 * controller-revision-hash label names the template, and pods made from it carry the same label.
 */
final class DaemonRevisions {

    static final String HASH_LABEL = "controller-revision-hash";
    /** The DaemonSet's template generation, an annotation kept from extensions/v1beta1's templateGeneration. */
    static final String TEMPLATE_GENERATION = "deprecated.daemonset.template.generation";
    /** The template generation a pod was made from. */
    static final String GENERATION_LABEL = "pod-template-generation";

    private DaemonRevisions() {
    }

    /** The revision data for the DaemonSet's current template: {"spec":{"template":{..., "$patch":"replace"}}}. */
    static ObjectNode data(DaemonSet set) {
        ObjectNode template = Serialization.jsonMapper().valueToTree(set.getSpec().getTemplate());
        template.put("$patch", "replace");
        ObjectNode data = Serialization.jsonMapper().createObjectNode();
        data.putObject("spec").set("template", template);
        return data;
    }

    /** Whether the revision holds the DaemonSet's template, compared as Go structs would be (Kubernetes' Match). */
    static boolean matches(DaemonSet set, ControllerRevision revision) {
        JsonNode data = Serialization.jsonMapper().valueToTree(revision.getData());
        JsonNode template = data.path("spec").path("template");
        if (!(template instanceof ObjectNode stored)) {
            return false;
        }
        ObjectNode withoutDirective = stored.deepCopy();
        withoutDirective.remove("$patch");
        return PodTemplates.canonical(withoutDirective).equals(canonicalTemplate(set));
    }

    /** The name suffix and hash label of the DaemonSet's current template. */
    static String hash(DaemonSet set) {
        Integer collisions = set.getStatus() == null ? null : set.getStatus().getCollisionCount();
        return PodTemplates.hash(canonicalTemplate(set), collisions);
    }

    private static JsonNode canonicalTemplate(DaemonSet set) {
        return PodTemplates.canonical(Serialization.jsonMapper().valueToTree(set.getSpec().getTemplate()));
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

    static long revision(ControllerRevision revision) {
        return revision.getRevision() == null ? 0 : revision.getRevision();
    }
}
