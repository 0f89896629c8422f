package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatus;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

import io.qube.apiserver.crd.CustomKinds;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Kubernetes' defaults for a CRD (apiextensions v1 defaults): singular is the lowercased kind, listKind the kind
 * plus "List", conversion None; and, as its registry strategy does, the storage version joins status.storedVersions
 * and the CRD carries the cleanup finalizer that deletes its custom resources before it goes.
 */
final class CustomResourceDefinitionDefaults {

    private CustomResourceDefinitionDefaults() {
    }

    static void customResourceDefinition(CustomResourceDefinition crd) {
        if (crd.getMetadata().getDeletionTimestamp() == null
                && !crd.getMetadata().getFinalizers().contains(CustomKinds.CLEANUP_FINALIZER)) {
            List<String> finalizers = new ArrayList<>(crd.getMetadata().getFinalizers());
            finalizers.add(CustomKinds.CLEANUP_FINALIZER);
            crd.getMetadata().setFinalizers(finalizers);
        }
        CustomResourceDefinitionSpec spec = crd.getSpec();
        if (spec == null) {
            return;
        }
        CustomResourceDefinitionNames names = spec.getNames();
        if (names != null && names.getKind() != null && !names.getKind().isEmpty()) {
            if (names.getSingular() == null || names.getSingular().isEmpty()) {
                names.setSingular(names.getKind().toLowerCase(Locale.ROOT));
            }
            if (names.getListKind() == null || names.getListKind().isEmpty()) {
                names.setListKind(names.getKind() + "List");
            }
        }
        if (spec.getConversion() == null) {
            spec.setConversion(new CustomResourceConversion("None", null));
        }
        storedVersion(crd);
    }

    private static void storedVersion(CustomResourceDefinition crd) {
        for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            if (Boolean.TRUE.equals(version.getStorage())) {
                if (crd.getStatus() == null) {
                    crd.setStatus(new CustomResourceDefinitionStatus());
                }
                List<String> stored = new ArrayList<>(crd.getStatus().getStoredVersions());
                if (!stored.contains(version.getName())) {
                    stored.add(version.getName());
                    crd.getStatus().setStoredVersions(stored);
                }
            }
        }
    }
}
