package io.qube.apiserver.discovery;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.registry.ResourceDefinition;

import java.util.List;

/**
 * A subresource served under an object, e.g. {@code status} or {@code scale}, with the kind its requests and
 * responses carry (a {@code scale} speaks autoscaling/v1 Scale, not the owner's kind) and that kind's model class
 * (for a custom resource's status: the untyped class, its kind named by the owner's definition).
 */
public record Subresource(String name, Class<?> type, String apiVersion, String kind, List<String> verbs) {

    public Subresource(String name, Class<?> type, List<String> verbs) {
        this(name, type, HasMetadata.getApiVersion(type), HasMetadata.getKind(type), verbs);
    }

    /** A subresource that carries its owner's own kind, such as status. */
    public static Subresource ofOwner(String name, ResourceDefinition<?> owner, List<String> verbs) {
        return new Subresource(name, owner.type(), owner.apiVersion(), owner.kind(), verbs);
    }

    public String group() {
        return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    }

    public String version() {
        return apiVersion.substring(apiVersion.indexOf('/') + 1);
    }
}
