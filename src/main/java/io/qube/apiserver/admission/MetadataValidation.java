package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.qube.apiserver.crd.CustomKinds;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Kubernetes' rules for {@code metadata}, the same for every kind: the REST layer runs them on every create and
 * update, next to the kind's own validation.
 */
public final class MetadataValidation {

    /** Kubernetes' limit on the sum of annotation key and value lengths. */
    private static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;

    /** Finalizers Kubernetes knows by their bare name; any other must be qualified ("example.com/name"). */
    static final Set<String> STANDARD_FINALIZERS = Set.of("kubernetes", "orphan", "foregroundDeletion",
            CustomKinds.CLEANUP_FINALIZER);

    private MetadataValidation() {
    }

    /**
     * @param meta the object's metadata, after the REST layer generated a name from generateName and set the
     *             namespace from the path (and cleared it for cluster-scoped kinds)
     * @param old  the stored object's metadata on an update, or null on a create
     */
    public static void validate(ObjectMeta meta, ResourceDefinition<?> definition, ObjectMeta old, FieldErrors errors) {
        ObjectMeta checked = meta == null ? new ObjectMeta() : meta;
        validateNames(checked, definition, errors);
        if (checked.getGeneration() != null && checked.getGeneration() < 0) {
            errors.invalid("metadata.generation", checked.getGeneration(), "must be greater than or equal to 0");
        }
        validateLabels(checked.getLabels(), "metadata.labels", errors);
        validateAnnotations(checked.getAnnotations(), "metadata.annotations", errors);
        validateOwnerReferences(NullSafe.list(checked.getOwnerReferences()), errors);
        validateFinalizers(NullSafe.list(checked.getFinalizers()), errors);
        if (old != null) {
            validateUpdate(checked, old, errors);
        }
    }

    /**
     * What an update may not change: name, namespace, uid, creation and deletion timestamps; and no finalizer may
     * be added once deletion started. A missing uid, creationTimestamp or deletionTimestamp means "keep the stored
     * one", as in Kubernetes (the REST layer copies them over), so only a different value is refused.
     */
    public static void validateUpdate(ObjectMeta meta, ObjectMeta old, FieldErrors errors) {
        immutable("metadata.name", meta.getName(), old.getName(), errors);
        immutable("metadata.namespace", meta.getNamespace(), old.getNamespace(), errors);
        if (!NullSafe.isEmpty(meta.getUid())) {
            immutable("metadata.uid", meta.getUid(), old.getUid(), errors);
        }
        if (meta.getCreationTimestamp() != null) {
            immutable("metadata.creationTimestamp", meta.getCreationTimestamp(), old.getCreationTimestamp(), errors);
        }
        if (meta.getDeletionTimestamp() != null) {
            immutable("metadata.deletionTimestamp", meta.getDeletionTimestamp(), old.getDeletionTimestamp(), errors);
        }
        if (old.getDeletionTimestamp() != null) {
            List<String> added = new ArrayList<>(NullSafe.list(meta.getFinalizers()));
            added.removeAll(NullSafe.list(old.getFinalizers()));
            if (!added.isEmpty()) {
                errors.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being "
                        + "deleted, found new finalizers " + added);
            }
        }
    }

    /** Label keys and values, reported as Kubernetes does: on the map's path, with the offending key or value. */
    public static void validateLabels(Map<String, String> labels, String path, FieldErrors errors) {
        NullSafe.map(labels).forEach((key, value) -> {
            NameSyntax.qualifiedName(key).forEach(problem -> errors.invalid(path, key, problem));
            NameSyntax.labelValue(NullSafe.string(value)).forEach(problem -> errors.invalid(path, value, problem));
        });
    }

    /** Annotation keys are qualified names in any case; keys and values together may not exceed 256 KiB. */
    public static void validateAnnotations(Map<String, String> annotations, String path, FieldErrors errors) {
        long bytes = 0;
        for (Map.Entry<String, String> annotation : NullSafe.map(annotations).entrySet()) {
            String key = annotation.getKey();
            NameSyntax.qualifiedName(key.toLowerCase(Locale.ROOT)).forEach(problem -> errors.invalid(path, key, problem));
            bytes += key.getBytes(StandardCharsets.UTF_8).length;
            if (annotation.getValue() != null) {
                bytes += annotation.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (bytes > ANNOTATIONS_MAX_BYTES) {
            errors.tooLong(path, ANNOTATIONS_MAX_BYTES);
        }
    }

    private static void validateNames(ObjectMeta meta, ResourceDefinition<?> definition, FieldErrors errors) {
        String generateName = meta.getGenerateName();
        if (!NullSafe.isEmpty(generateName)) {
            NameSyntax.objectName(definition.nameRule(), generateName, true)
                    .forEach(problem -> errors.invalid("metadata.generateName", generateName, problem));
        }
        String name = meta.getName();
        if (NullSafe.isEmpty(name)) {
            errors.required("metadata.name", "name or generateName is required");
        } else {
            NameSyntax.objectName(definition.nameRule(), name, false)
                    .forEach(problem -> errors.invalid("metadata.name", name, problem));
        }
        String namespace = meta.getNamespace();
        boolean hasNamespace = !NullSafe.isEmpty(namespace);
        if (definition.namespaced() && !hasNamespace) {
            errors.required("metadata.namespace", "");
        } else if (definition.namespaced()) {
            NameSyntax.dns1123Label(namespace).forEach(problem -> errors.invalid("metadata.namespace", namespace, problem));
        } else if (hasNamespace) {
            errors.forbidden("metadata.namespace", "not allowed on this type");
        }
    }

    private static void validateOwnerReferences(List<OwnerReference> references, FieldErrors errors) {
        // Kubernetes reports these on the list's path, without an index.
        String path = "metadata.ownerReferences";
        String firstController = null;
        for (OwnerReference reference : references) {
            String apiVersion = NullSafe.string(reference.getApiVersion());
            String kind = NullSafe.string(reference.getKind());
            if (versionOf(apiVersion).isEmpty()) {
                errors.invalid(path + ".apiVersion", apiVersion, "version must not be empty");
            }
            if (kind.isEmpty()) {
                errors.invalid(path + ".kind", kind, "kind must not be empty");
            }
            if (NullSafe.isEmpty(reference.getName())) {
                errors.invalid(path + ".name", "", "name must not be empty");
            }
            if (NullSafe.isEmpty(reference.getUid())) {
                errors.invalid(path + ".uid", "", "uid must not be empty");
            }
            // An Event is ephemeral: letting it own objects would have them garbage-collected with it.
            if (apiVersion.equals("v1") && kind.equals("Event")) {
                errors.invalid(path, kind, "/v1, Kind=Event is disallowed from being an owner");
            }
            if (Boolean.TRUE.equals(reference.getController())) {
                String controller = kind + "/" + reference.getName();
                if (firstController != null) {
                    errors.invalid(path, controller, "Only one reference can have Controller set to true. Found "
                            + "\"true\" in references for " + firstController + " and " + controller);
                } else {
                    firstController = controller;
                }
            }
        }
    }

    /** "v1" for "v1", "v1" for "apps/v1", "" when the text is not a group/version at all. */
    private static String versionOf(String apiVersion) {
        String[] parts = apiVersion.split("/", -1);
        return switch (parts.length) {
            case 1 -> parts[0];
            case 2 -> parts[1];
            default -> "";
        };
    }

    private static void validateFinalizers(List<String> finalizers, FieldErrors errors) {
        for (int i = 0; i < finalizers.size(); i++) {
            String finalizer = finalizers.get(i);
            NameSyntax.qualifiedName(finalizer).forEach(problem -> errors.invalid("metadata.finalizers", finalizer, problem));
            if (!finalizer.contains("/") && !STANDARD_FINALIZERS.contains(finalizer)) {
                errors.invalid("metadata.finalizers[" + i + "]", finalizer,
                        "name is neither a standard finalizer name nor is it fully qualified");
            }
        }
        // One asks the garbage collector to orphan the dependents, the other to delete them first.
        if (finalizers.contains("orphan") && finalizers.contains("foregroundDeletion")) {
            errors.invalid("metadata.finalizers", String.join(",", finalizers),
                    "finalizer orphan and foregroundDeletion cannot be both set");
        }
    }

    private static void immutable(String path, String value, String old, FieldErrors errors) {
        if (!Objects.equals(value, old)) {
            errors.invalid(path, value, "field is immutable");
        }
    }
}
