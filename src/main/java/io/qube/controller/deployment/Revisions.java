package io.qube.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    /** What rand.SafeEncodeString maps digits onto in Kubernetes: no vowels, no look-alike characters. */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private Revisions() {
    }

    /**
     * The template's hash, as a name suffix: FNV-1a over its canonical JSON (see {@link #canonical}) and the
     * collision count, encoded as Kubernetes encodes its hash. Equal for equal templates; not Kubernetes' digits.
     */
    static String hash(PodTemplateSpec template, Integer collisionCount) {
        byte[] json = canonical(template).toString().getBytes(StandardCharsets.UTF_8);
        int hash = 0x811c9dc5;
        for (byte b : json) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        if (collisionCount != null) {
            for (byte b : Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8)) {
                hash ^= b & 0xff;
                hash *= 0x01000193;
            }
        }
        String digits = Integer.toUnsignedString(hash);
        StringBuilder encoded = new StringBuilder(digits.length());
        for (char c : digits.toCharArray()) {
            encoded.append(ALPHABET.charAt(c % ALPHABET.length()));
        }
        return encoded.toString();
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

    /**
     * The template as a JSON tree without the hash label, keys sorted, and without the values Go reads as unset:
     * null, "", false, 0 and empty objects and lists. Kubernetes compares templates as Go structs, where those are
     * all the same; a body kubectl sent as protobuf carries every zero explicitly, one from fabric8 leaves them out.
     */
    static JsonNode canonical(PodTemplateSpec template) {
        ObjectNode tree = Serialization.jsonMapper().valueToTree(template);
        JsonNode labels = tree.path("metadata").path("labels");
        if (labels instanceof ObjectNode own) {
            own.remove(HASH_LABEL);
        }
        JsonNode pruned = prune(tree);
        return pruned == null ? Serialization.jsonMapper().createObjectNode() : pruned;
    }

    private static JsonNode prune(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = Serialization.jsonMapper().createObjectNode();
            new TreeMap<>(toMap((ObjectNode) node)).forEach((key, value) -> {
                JsonNode kept = prune(value);
                if (kept != null) {
                    sorted.set(key, kept);
                }
            });
            return sorted.isEmpty() ? null : sorted;
        }
        if (node.isArray()) {
            ArrayNode items = Serialization.jsonMapper().createArrayNode();
            node.forEach(item -> {
                JsonNode kept = prune(item);
                items.add(kept == null ? Serialization.jsonMapper().createObjectNode() : kept);
            });
            return items.isEmpty() ? null : items;
        }
        boolean unset = node.isNull() || node.isTextual() && node.asText().isEmpty()
                || node.isBoolean() && !node.asBoolean() || node.isNumber() && node.asDouble() == 0;
        return unset ? null : node;
    }

    private static Map<String, JsonNode> toMap(ObjectNode node) {
        Map<String, JsonNode> fields = new HashMap<>();
        node.fields().forEachRemaining(entry -> fields.put(entry.getKey(), entry.getValue()));
        return fields;
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
