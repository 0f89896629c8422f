package io.qube.controller;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.List;

/** How controllers that reach every kind (namespace deletion, garbage collection) address a CRD's objects. */
public final class CustomKinds {

    private CustomKinds() {
    }

    /** The CRD's kind through a version it serves (its storage version when served), or null when none is served. */
    public static ResourceDefinitionContext served(CustomResourceDefinition crd) {
        List<CustomResourceDefinitionVersion> served = crd.getSpec().getVersions().stream()
                .filter(version -> Boolean.TRUE.equals(version.getServed())).toList();
        if (served.isEmpty()) {
            return null;
        }
        CustomResourceDefinitionVersion version = served.stream()
                .filter(candidate -> Boolean.TRUE.equals(candidate.getStorage())).findFirst()
                .orElse(served.get(0));
        return new ResourceDefinitionContext.Builder().withGroup(crd.getSpec().getGroup())
                .withVersion(version.getName()).withPlural(crd.getSpec().getNames().getPlural())
                .withKind(crd.getSpec().getNames().getKind())
                .withNamespaced("Namespaced".equals(crd.getSpec().getScope())).build();
    }
}
