package io.qube.controller.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.qube.controller.PodTemplates;

/**
 * What ties a pod template to its ControllerRevision. A revision's data is what {@code kubectl rollout undo}
 * patches a DaemonSet or StatefulSet with: a strategic merge patch that replaces spec.template; its
 * controller-revision-hash label names the template.
 */
public final class TemplateRevisions {

    public static final String HASH_LABEL = "controller-revision-hash";

    private TemplateRevisions() {
    }

    /** The revision data for a template: {"spec":{"template":{..., "$patch":"replace"}}}. */
    public static ObjectNode data(PodTemplateSpec template) {
        ObjectNode tree = Serialization.jsonMapper().valueToTree(template);
        tree.put("$patch", "replace");
        ObjectNode data = Serialization.jsonMapper().createObjectNode();
        data.putObject("spec").set("template", tree);
        return data;
    }

    /** The template a revision holds, or null when its data holds none. */
    public static PodTemplateSpec template(ControllerRevision revision) {
        ObjectNode stored = storedTemplate(revision);
        return stored == null ? null : Serialization.jsonMapper().convertValue(stored, PodTemplateSpec.class);
    }

    /** Whether the revision holds the template, compared as Go structs would be (Kubernetes' Match). */
    public static boolean matches(PodTemplateSpec template, ControllerRevision revision) {
        ObjectNode stored = storedTemplate(revision);
        return stored != null && PodTemplates.canonical(stored).equals(canonical(template));
    }

    /** The data's spec.template without the patch directive, or null. */
    private static ObjectNode storedTemplate(ControllerRevision revision) {
        JsonNode stored = Serialization.jsonMapper().valueToTree(revision.getData()).path("spec").path("template");
        if (!(stored instanceof ObjectNode object)) {
            return null;
        }
        ObjectNode withoutDirective = object.deepCopy();
        withoutDirective.remove("$patch");
        return withoutDirective;
    }

    /** The name suffix and hash label of a template's revision. */
    public static String hash(PodTemplateSpec template, Integer collisionCount) {
        return PodTemplates.hash(canonical(template), collisionCount);
    }

    /** The revision's number, 0 when it has none. */
    public static long number(ControllerRevision revision) {
        return revision.getRevision() == null ? 0 : revision.getRevision();
    }

    private static JsonNode canonical(PodTemplateSpec template) {
        return PodTemplates.canonical(Serialization.jsonMapper().valueToTree(template));
    }
}
