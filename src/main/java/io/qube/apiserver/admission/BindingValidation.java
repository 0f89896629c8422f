package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Binding;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;

/** A Binding assigns a pod to a node: it must name the node (setting nodeName only once is the REST layer's rule). */
final class BindingValidation {

    private BindingValidation() {
    }

    static void validate(Binding binding, FieldErrors errors) {
        String kind = binding.getTarget() == null ? "" : NullSafe.string(binding.getTarget().getKind());
        String name = binding.getTarget() == null ? "" : NullSafe.string(binding.getTarget().getName());
        if (!kind.isEmpty() && !kind.equals("Node")) {
            errors.notSupported("target.kind", kind, List.of("Node", "<empty>"));
        }
        if (name.isEmpty()) {
            errors.required("target.name", "");
        }
    }
}
