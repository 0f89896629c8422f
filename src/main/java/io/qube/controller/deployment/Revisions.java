package io.qube.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.qube.controller.PodTemplates;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What ties a Deployment's pod template to its ReplicaSets: the pod-template-hash that names them, the revision
 * annotations that order them, and which ReplicaSet carries the Deployment's current template.
 */
final class Revisions {

    static final String HASH_LABEL = "pod-template-hash";
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";

    private Revisions() {
    }

    /** The template's hash, as a name suffix (see {@link PodTemplates#hash}); equal for equal templates. */
    static String hash(PodTemplateSpec template, Integer collisionCount) {
        return PodTemplates.hash(canonical(template), collisionCount);
    }

    /** The template with the hash label added. */
    static PodTemplateSpec withHash(PodTemplateSpec template, String hash) {
        Map<String, String> labels = new HashMap<>(labels(template));
        labels.put(HASH_LABEL, hash);
        return new PodTemplateSpecBuilder(template).editOrNewMetadata().withLabels(labels).endMetadata().build();
    }

    /** Kubernetes' EqualIgnoreHash: equal templates once the hash label is taken out of both. */
    static boolean sameTemplate(PodTemplateSpec a, PodTemplateSpec b) {
        return canonical(a).equals(canonical(b));
    }

    /** The template as a canonical JSON tree (see {@link PodTemplates#canonical}) without the hash label. */
    static JsonNode canonical(PodTemplateSpec template) {
        ObjectNode tree = Serialization.jsonMapper().valueToTree(template);
        JsonNode labels = tree.path("metadata").path("labels");
        if (labels instanceof ObjectNode own) {
            own.remove(HASH_LABEL);
        }
        return PodTemplates.canonical(tree);
    }

    private static Map<String, String> labels(PodTemplateSpec template) {
        return template.getMetadata() == null || template.getMetadata().getLabels() == null ? Map.of()
                : template.getMetadata().getLabels();
    }

    /** The ReplicaSet whose template is the Deployment's, the oldest if several are. */
    static ReplicaSet newReplicaSet(Deployment deployment, List<ReplicaSet> sets) {
        return sets.stream().filter(set -> sameTemplate(set.getSpec().getTemplate(), deployment.getSpec().getTemplate()))
                .min(Comparator.comparing((ReplicaSet set) -> set.getMetadata().getCreationTimestamp())
                        .thenComparing(set -> set.getMetadata().getName()))
                .orElse(null);
    }

    static long revision(ReplicaSet set) {
        String value = set.getMetadata().getAnnotations() == null ? null
                : set.getMetadata().getAnnotations().get(REVISION);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }

    static long maxRevision(List<ReplicaSet> sets) {
        return sets.stream().mapToLong(Revisions::revision).max().orElse(0);
    }
}
