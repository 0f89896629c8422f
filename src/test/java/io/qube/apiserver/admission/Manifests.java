package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The header every manifest in these tests starts with, so that a test shows only the part it is about: the kind's
 * {@code apiVersion} and {@code kind} (from its model class) and {@code metadata} with the object's name and, for a
 * namespaced kind, its namespace; the body that follows is the rest of the manifest, as top-level YAML. Also the
 * stored form that the pod and workload defaults tests share.
 */
final class Manifests {

    /**
     * The pod spec {@code {containers: [{image: nginx, name: nginx}]}} as a real 1.32 cluster stores it in a
     * workload's template. A Pod's spec gets the same and more: service links, account, priority and tolerations.
     */
    static final String STORED_NGINX_TEMPLATE_SPEC = """
            containers:
            - image: nginx
              imagePullPolicy: Always
              name: nginx
              resources: {}
              terminationMessagePath: /dev/termination-log
              terminationMessagePolicy: File
            dnsPolicy: ClusterFirst
            restartPolicy: Always
            schedulerName: default-scheduler
            securityContext: {}
            terminationGracePeriodSeconds: 30
            """;

    private Manifests() {
    }

    /** A manifest of an object {@code name} in namespace {@code default}. */
    static String namespaced(Class<? extends HasMetadata> kind, String name, String body) {
        return inNamespace(kind, "default", name, body);
    }

    /** A manifest of an object {@code name} in {@code namespace}. */
    static String inNamespace(Class<? extends HasMetadata> kind, String namespace, String name, String body) {
        return header(kind, "{name: " + name + ", namespace: " + namespace + "}") + body;
    }

    /** A manifest of a cluster-scoped object {@code name}. */
    static String clusterScoped(Class<? extends HasMetadata> kind, String name, String body) {
        return header(kind, "{name: " + name + "}") + body;
    }

    private static String header(Class<? extends HasMetadata> kind, String metadata) {
        return "apiVersion: " + HasMetadata.getApiVersion(kind) + "\nkind: " + HasMetadata.getKind(kind)
                + "\nmetadata: " + metadata + "\n";
    }
}
