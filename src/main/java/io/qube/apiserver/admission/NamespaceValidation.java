package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Namespace;
import io.qube.apiserver.registry.FieldErrors;

/** Kubernetes' validation of a Namespace: its finalizers (its name rule and immutability are metadata's). */
final class NamespaceValidation {

    private NamespaceValidation() {
    }

    static void validate(Namespace namespace, FieldErrors errors) {
        if (namespace.getSpec() == null) {
            return;
        }
        for (String finalizer : NullSafe.list(namespace.getSpec().getFinalizers())) {
            String name = NullSafe.string(finalizer);
            NameSyntax.qualifiedName(name).forEach(problem -> errors.invalid("spec.finalizers", name, problem));
            if (!name.contains("/") && !MetadataValidation.STANDARD_FINALIZERS.contains(name)) {
                errors.invalid("spec.finalizers", name, "name is neither a standard finalizer name nor is it fully qualified");
            }
        }
    }
}
