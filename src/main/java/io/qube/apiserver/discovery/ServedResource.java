package io.qube.apiserver.discovery;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodExecOptions;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.qube.apiserver.node.NodeProxyOptions;
import io.qube.apiserver.node.PodPortForwardOptions;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One registered kind as the API serves it: its verbs and its subresources. Discovery and OpenAPI both read this, so
 * they never advertise an endpoint the other one omits.
 */
public record ServedResource(ResourceDefinition<?> definition, List<String> verbs, List<Subresource> subresources) {

    /** Kubernetes' verbs for a readable, writable kind, in the order Kubernetes lists them. */
    private static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> CREATE_ONLY = List.of("create");
    private static final List<String> READ_WRITE = List.of("get", "patch", "update");
    private static final List<String> READ_ONLY = List.of("get", "list");

    public static List<ServedResource> all(ResourceRegistry registry) {
        return registry.all().stream().map(ServedResource::of).toList();
    }

    public static List<ServedResource> inGroupVersion(ResourceRegistry registry, String group, String version) {
        return registry.inGroupVersion(group, version).stream().map(ServedResource::of).toList();
    }

    public static ServedResource of(ResourceDefinition<?> definition) {
        if (definition.isCreateOnly()) {
            return new ServedResource(definition, CREATE_ONLY, List.of());
        }
        if (definition.isComputed()) {
            return new ServedResource(definition, READ_ONLY, List.of());
        }
        List<Subresource> subresources = new ArrayList<>();
        if (definition.hasScale()) {
            subresources.add(new Subresource("scale", Scale.class, READ_WRITE));
        }
        if (definition.hasStatus()) {
            subresources.add(Subresource.ofOwner("status", definition, READ_WRITE));
        }
        // Subresources Kubernetes defines for one kind each: the scheduler binds a pod through pods/binding,
        // kubectl drain evicts through pods/eviction, kubectl logs, exec and port-forward use pods/log, pods/exec and
        // pods/portforward, kubectl debug adds ephemeral containers through pods/ephemeralcontainers, and the
        // namespace controller clears spec.finalizers
        // through namespaces/finalize.
        if (definition.type() == Pod.class) {
            subresources.add(new Subresource("binding", Binding.class, CREATE_ONLY));
            subresources.add(new Subresource("eviction", Eviction.class, CREATE_ONLY));
            subresources.add(new Subresource("log", Pod.class, List.of("get")));
            subresources.add(new Subresource("ephemeralcontainers", Pod.class, READ_WRITE));
            subresources.add(new Subresource("exec", PodExecOptions.class, List.of("create", "get")));
            subresources.add(new Subresource("portforward", PodPortForwardOptions.class, List.of("create", "get")));
        }
        if (definition.type() == Node.class) {
            // kubectl get --raw /api/v1/nodes/N/proxy/... reaches the node agent's endpoint.
            subresources.add(new Subresource("proxy", NodeProxyOptions.class,
                    List.of("create", "delete", "get", "patch", "update")));
        }
        if (definition.type() == Namespace.class) {
            subresources.add(new Subresource("finalize", Namespace.class, List.of("update")));
        }
        subresources.sort(Comparator.comparing(Subresource::name)); // Kubernetes lists them alphabetically
        return new ServedResource(definition, ALL_VERBS, List.copyOf(subresources));
    }
}
