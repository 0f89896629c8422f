package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceSpec;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** A namespace carries its own name as a label, starts Active, and cannot vanish before its content is removed. */
final class NamespaceDefaults {

    /** The finalizer the namespace controller removes once everything in the namespace is gone. */
    private static final String KUBERNETES_FINALIZER = "kubernetes";

    private NamespaceDefaults() {
    }

    static void apply(Namespace namespace) {
        if (namespace.getMetadata() == null) {
            namespace.setMetadata(new ObjectMeta());
        }
        ObjectMeta meta = namespace.getMetadata();
        // The label lets selectors pick namespaces by name; a nameless (generateName) namespace gets it later.
        if (!NullSafe.isEmpty(meta.getName())) {
            meta.setLabels(new LinkedHashMap<>(NullSafe.map(meta.getLabels())));
            meta.getLabels().put("kubernetes.io/metadata.name", meta.getName());
        }
        if (namespace.getStatus() == null) {
            namespace.setStatus(new NamespaceStatus());
        }
        // No phase yet means a create (an update keeps the stored status): only then is the finalizer added, since
        // over the namespace's life it must be removable.
        if (NullSafe.isEmpty(namespace.getStatus().getPhase())) {
            if (namespace.getSpec() == null) {
                namespace.setSpec(new NamespaceSpec());
            }
            List<String> finalizers = new ArrayList<>(NullSafe.list(namespace.getSpec().getFinalizers()));
            if (!finalizers.contains(KUBERNETES_FINALIZER)) {
                finalizers.add(KUBERNETES_FINALIZER);
            }
            namespace.getSpec().setFinalizers(finalizers);
            namespace.getStatus().setPhase("Active");
        }
    }
}
