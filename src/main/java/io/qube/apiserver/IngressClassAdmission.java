package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;

import java.util.Collection;

/**
 * Kubernetes' DefaultIngressClass admission plugin: a new Ingress that names no class, neither in
 * spec.ingressClassName nor in the older kubernetes.io/ingress.class annotation, gets the class marked as the
 * default (the newest, if several are). Updates are left as they are.
 */
final class IngressClassAdmission {

    static final ResourceType INGRESS_CLASSES = new ResourceType("networking.k8s.io", "ingressclasses");
    static final String DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";
    private static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    private IngressClassAdmission() {
    }

    static void newIngress(ObjectNode ingress, Collection<StoredObject> classes) {
        JsonNode spec = ingress.path("spec");
        if (spec.hasNonNull("ingressClassName")
                || ingress.path("metadata").path("annotations").has(CLASS_ANNOTATION)) {
            return;
        }
        JsonNode chosen = StoredTrees.newestMarked(classes, DEFAULT_CLASS);
        if (chosen != null) {
            ingress.withObjectProperty("spec").put("ingressClassName", chosen.path("metadata").path("name").asText());
        }
    }
}
