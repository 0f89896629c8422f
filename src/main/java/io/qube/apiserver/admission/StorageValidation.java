package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Kubernetes' validation of volumes, claims and storage classes. A claim's spec is fixed once made, except that a
 * bound claim may ask for more storage (whether its class allows that is the admission's check, which needs the
 * class); a class's provisioner, parameters and policies are fixed too.
 */
final class StorageValidation {

    static final List<String> ACCESS_MODES = List.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod");
    private static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");
    private static final List<String> RECLAIM_POLICIES = List.of("Delete", "Recycle", "Retain");
    private static final List<String> CLASS_RECLAIM_POLICIES = List.of("Delete", "Retain");
    private static final List<String> BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");
    private static final List<String> NODE_SELECTOR_OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt");
    private static final int MAX_PARAMETERS = 512;
    /** Fields of a volume's spec that are not where its data lives. */
    private static final Set<String> NOT_SOURCES = Set.of("accessModes", "capacity", "claimRef", "mountOptions",
            "nodeAffinity", "persistentVolumeReclaimPolicy", "storageClassName", "volumeMode",
            "volumeAttributesClassName");

    private StorageValidation() {
    }

    static void persistentVolume(PersistentVolume volume, PersistentVolume old, FieldErrors errors) {
        PersistentVolumeSpec spec = volume.getSpec() == null ? new PersistentVolumeSpec() : volume.getSpec();
        accessModes(spec.getAccessModes(), "spec.accessModes", errors);
        Map<String, Quantity> capacity = NullSafe.map(spec.getCapacity());
        if (capacity.isEmpty()) {
            errors.required("spec.capacity", "");
        } else if (!capacity.containsKey("storage") || capacity.size() > 1) {
            errors.notSupported("spec.capacity", String.join(",", capacity.keySet()), List.of("storage"));
        } else {
            positive(capacity.get("storage"), "spec.capacity[storage]", errors);
        }
        source(spec, errors);
        if (spec.getHostPath() != null && NullSafe.isEmpty(spec.getHostPath().getPath())) {
            errors.required("spec.hostPath.path", "");
        }
        if (spec.getLocal() != null) {
            if (NullSafe.isEmpty(spec.getLocal().getPath())) {
                errors.required("spec.local.path", "");
            }
            if (spec.getNodeAffinity() == null || spec.getNodeAffinity().getRequired() == null) {
                errors.required("spec.nodeAffinity", "Local volume requires node affinity");
            }
        }
        if (spec.getNodeAffinity() != null && spec.getNodeAffinity().getRequired() != null) {
            nodeSelector(spec.getNodeAffinity().getRequired(), "spec.nodeAffinity.required", errors);
        }
        oneOf(spec.getPersistentVolumeReclaimPolicy(), RECLAIM_POLICIES, "spec.persistentVolumeReclaimPolicy", errors);
        oneOf(spec.getVolumeMode(), VOLUME_MODES, "spec.volumeMode", errors);
        if (!NullSafe.isEmpty(spec.getStorageClassName())) {
            NameSyntax.dns1123Subdomain(spec.getStorageClassName()).forEach(problem ->
                    errors.invalid("spec.storageClassName", spec.getStorageClassName(), problem));
        }
        if (old != null && old.getSpec() != null) {
            PersistentVolumeSpec before = old.getSpec();
            if (!Objects.equals(sourceJson(spec), sourceJson(before))) {
                errors.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation");
            }
            if (!Objects.equals(spec.getVolumeMode(), before.getVolumeMode())) {
                errors.immutable("spec.volumeMode");
            }
            // Kubernetes lets an affinity be set once, never changed.
            if (before.getNodeAffinity() != null && !Objects.equals(spec.getNodeAffinity(), before.getNodeAffinity())) {
                errors.immutable("spec.nodeAffinity");
            }
        }
    }

    static void persistentVolumeClaim(PersistentVolumeClaim claim, PersistentVolumeClaim old, FieldErrors errors) {
        PersistentVolumeClaimSpec spec = claim.getSpec() == null ? new PersistentVolumeClaimSpec() : claim.getSpec();
        claimSpec(spec, "spec", errors);
        if (old == null || old.getSpec() == null) {
            return;
        }
        PersistentVolumeClaimSpec before = old.getSpec();
        Quantity requested = requestedStorage(spec);
        Quantity wasRequested = requestedStorage(before);
        boolean bound = !NullSafe.isEmpty(before.getVolumeName());
        // What may change: the volume it binds to (once), a class given after the fact (once), and for a bound
        // claim the storage it asks for, upwards.
        PersistentVolumeClaimSpec comparable = Json.MAPPER.convertValue(spec, PersistentVolumeClaimSpec.class);
        if (NullSafe.isEmpty(before.getVolumeName())) {
            comparable.setVolumeName(before.getVolumeName());
        }
        if (before.getStorageClassName() == null) {
            comparable.setStorageClassName(null);
        }
        if (bound && comparable.getResources() != null && before.getResources() != null) {
            comparable.getResources().setRequests(before.getResources().getRequests());
        }
        if (!Objects.equals(Json.MAPPER.valueToTree(comparable), Json.MAPPER.valueToTree(before))) {
            errors.forbidden("spec", "spec is immutable after creation except resources.requests and "
                    + "volumeAttributesClassName for bound claims");
            return;
        }
        if (bound && compare(requested, wasRequested) < 0) {
            errors.forbidden("spec.resources.requests.storage", "field can not be less than previous value");
        }
    }

    static void storageClass(StorageClass storageClass, StorageClass old, FieldErrors errors) {
        String provisioner = NullSafe.string(storageClass.getProvisioner());
        if (provisioner.isEmpty()) {
            errors.required("provisioner", "");
        } else {
            NameSyntax.qualifiedName(provisioner).forEach(problem -> errors.invalid("provisioner", provisioner, problem));
        }
        if (NullSafe.map(storageClass.getParameters()).size() > MAX_PARAMETERS) {
            errors.tooMany("parameters", storageClass.getParameters().size(), MAX_PARAMETERS);
        }
        oneOf(storageClass.getReclaimPolicy(), CLASS_RECLAIM_POLICIES, "reclaimPolicy", errors);
        oneOf(storageClass.getVolumeBindingMode(), BINDING_MODES, "volumeBindingMode", errors);
        if (old == null) {
            return;
        }
        unchanged(storageClass.getParameters(), old.getParameters(), "parameters", errors);
        unchanged(storageClass.getProvisioner(), old.getProvisioner(), "provisioner", errors);
        unchanged(storageClass.getReclaimPolicy(), old.getReclaimPolicy(), "reclaimPolicy", errors);
        unchanged(storageClass.getVolumeBindingMode(), old.getVolumeBindingMode(), "volumeBindingMode", errors);
    }

    /** A claim's spec, also a StatefulSet's claim template's. */
    static void claimSpec(PersistentVolumeClaimSpec spec, String path, FieldErrors errors) {
        accessModes(spec.getAccessModes(), path + ".accessModes", errors);
        if (spec.getSelector() != null) {
            LabelSelectors.validate(spec.getSelector(), path + ".selector", errors);
        }
        Quantity storage = requestedStorage(spec);
        if (storage == null) {
            errors.required(path + ".resources[storage]", "");
        } else {
            positive(storage, path + ".resources[storage]", errors);
        }
        oneOf(spec.getVolumeMode(), VOLUME_MODES, path + ".volumeMode", errors);
        if (!NullSafe.isEmpty(spec.getStorageClassName())) {
            NameSyntax.dns1123Subdomain(spec.getStorageClassName()).forEach(problem ->
                    errors.invalid(path + ".storageClassName", spec.getStorageClassName(), problem));
        }
    }

    static Quantity requestedStorage(PersistentVolumeClaimSpec spec) {
        return spec.getResources() == null ? null : NullSafe.map(spec.getResources().getRequests()).get("storage");
    }

    private static void accessModes(List<String> modes, String path, FieldErrors errors) {
        if (NullSafe.list(modes).isEmpty()) {
            errors.required(path, "at least 1 access mode is required");
            return;
        }
        for (String mode : modes) {
            if (!ACCESS_MODES.contains(mode)) {
                errors.notSupported(path, mode, ACCESS_MODES);
            }
        }
        if (modes.contains("ReadWriteOncePod") && modes.size() > 1) {
            errors.forbidden(path, "may not use ReadWriteOncePod with other access modes");
        }
    }

    /** Exactly one place where the volume's data lives. */
    private static void source(PersistentVolumeSpec spec, FieldErrors errors) {
        Iterator<String> sources = sourceJson(spec).fieldNames();
        if (!sources.hasNext()) {
            errors.required("spec", "must specify a volume type");
            return;
        }
        sources.next();
        sources.forEachRemaining(extra -> errors.forbidden("spec." + extra, "may not specify more than 1 volume type"));
    }

    private static ObjectNode sourceJson(PersistentVolumeSpec spec) {
        ObjectNode json = Json.MAPPER.valueToTree(spec);
        NOT_SOURCES.forEach(json::remove);
        return json;
    }

    private static void nodeSelector(NodeSelector selector, String path, FieldErrors errors) {
        List<NodeSelectorTerm> terms = NullSafe.list(selector.getNodeSelectorTerms());
        if (terms.isEmpty()) {
            errors.required(path + ".nodeSelectorTerms", "must have at least one node selector term");
        }
        for (int i = 0; i < terms.size(); i++) {
            String at = path + ".nodeSelectorTerms[" + i + "]";
            requirements(terms.get(i).getMatchExpressions(), at + ".matchExpressions", errors);
            requirements(terms.get(i).getMatchFields(), at + ".matchFields", errors);
        }
    }

    private static void requirements(List<NodeSelectorRequirement> requirements, String path, FieldErrors errors) {
        List<NodeSelectorRequirement> all = NullSafe.list(requirements);
        for (int i = 0; i < all.size(); i++) {
            NodeSelectorRequirement requirement = all.get(i);
            String at = path + "[" + i + "]";
            String operator = NullSafe.string(requirement.getOperator());
            int values = NullSafe.list(requirement.getValues()).size();
            switch (operator) {
                case "In", "NotIn" -> {
                    if (values == 0) {
                        errors.required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (values > 0) {
                        errors.forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    }
                }
                case "Gt", "Lt" -> {
                    if (values != 1) {
                        errors.required(at + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'");
                    }
                }
                default -> errors.notSupported(at + ".operator", operator, NODE_SELECTOR_OPERATORS);
            }
            String key = NullSafe.string(requirement.getKey());
            NameSyntax.qualifiedName(key).forEach(problem -> errors.invalid(at + ".key", key, problem));
        }
    }

    private static void oneOf(String value, List<String> allowed, String path, FieldErrors errors) {
        if (value != null && !allowed.contains(value)) {
            errors.notSupported(path, value, allowed);
        }
    }

    private static void positive(Quantity quantity, String path, FieldErrors errors) {
        BigDecimal value = Quantities.value(quantity).orElse(null);
        if (value == null || value.signum() <= 0) {
            errors.invalid(path, quantity == null ? "" : quantity.toString(), "must be greater than zero");
        }
    }

    private static int compare(Quantity a, Quantity b) {
        BigDecimal left = Quantities.value(a).orElse(BigDecimal.ZERO);
        BigDecimal right = Quantities.value(b).orElse(BigDecimal.ZERO);
        return left.compareTo(right);
    }

    private static void unchanged(Object value, Object old, String path, FieldErrors errors) {
        if (!Objects.equals(value, old)) {
            errors.forbidden(path, "updates to " + path + " are forbidden.");
        }
    }
}
