package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.client.StorageNames;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;

import java.util.Collection;

/**
 * Kubernetes' storage admission plugins. StorageObjectInUseProtection: new claims and volumes carry the finalizer
 * that keeps them while in use. DefaultStorageClass: a new claim that names no class gets the default one (the
 * newest, if several are marked). PersistentVolumeClaimResize: a claim may only grow when its class allows
 * expansion.
 */
final class StorageAdmission {

    static final ResourceType STORAGE_CLASSES = new ResourceType("storage.k8s.io", "storageclasses");

    private StorageAdmission() {
    }

    static void newVolume(ObjectNode volume) {
        protect(volume, StorageNames.PV_PROTECTION);
    }

    static void newClaim(ObjectNode claim, Collection<StoredObject> classes) {
        protect(claim, StorageNames.PVC_PROTECTION);
        ObjectNode spec = claim.withObjectProperty("spec");
        // Only an absent class is defaulted: "" asks for a volume without a class.
        if (spec.path("storageClassName").isMissingNode() || spec.path("storageClassName").isNull()) {
            JsonNode chosen = StoredTrees.newestMarked(classes, StorageNames.DEFAULT_CLASS, StorageNames.BETA_DEFAULT_CLASS);
            if (chosen != null) {
                spec.put("storageClassName", chosen.path("metadata").path("name").asText());
            }
        }
    }

    /** @throws ApiException 403 when a claim asks for more storage than its class lets it grow to */
    static void claimUpdate(ObjectNode claim, ObjectNode stored, Collection<StoredObject> classes) {
        Quantity wanted = storage(claim);
        Quantity had = storage(stored);
        if (wanted == null || had == null || Quantity.getAmountInBytes(wanted).compareTo(Quantity.getAmountInBytes(had)) <= 0) {
            return;
        }
        String className = claim.path("spec").path("storageClassName").asText("");
        JsonNode storageClass = className.isEmpty() ? null : StoredTrees.named(classes, className);
        if (storageClass == null || !storageClass.path("allowVolumeExpansion").asBoolean(false)) {
            throw ApiException.forbidden("", "persistentvolumeclaims", claim.path("metadata").path("name").asText(""),
                    "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc "
                            + "must support resize");
        }
    }

    private static void protect(ObjectNode object, String finalizer) {
        ArrayNode finalizers = object.withObjectProperty("metadata").withArrayProperty("finalizers");
        for (JsonNode existing : finalizers) {
            if (existing.asText().equals(finalizer)) {
                return;
            }
        }
        finalizers.add(finalizer);
    }

    private static Quantity storage(ObjectNode claim) {
        JsonNode storage = claim.path("spec").path("resources").path("requests").path("storage");
        if (!storage.isTextual() && !storage.isNumber()) {
            return null;
        }
        try {
            Quantity quantity = new Quantity(storage.asText());
            Quantity.getAmountInBytes(quantity);
            return quantity;
        } catch (IllegalArgumentException e) {
            return null; // validation reports it
        }
    }
}
