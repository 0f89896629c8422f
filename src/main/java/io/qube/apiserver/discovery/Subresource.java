package io.qube.apiserver.discovery;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * A subresource served under an object, e.g. {@code status} or {@code scale}, with the model class of the kind its
 * requests and responses carry (a {@code scale} speaks autoscaling/v1 Scale, not the owner's kind).
 */
public record Subresource(String name, Class<?> type, List<String> verbs) {

    public String group() {
        return HasMetadata.getGroup(type);
    }

    public String version() {
        return HasMetadata.getVersion(type);
    }

    public String kind() {
        return HasMetadata.getKind(type);
    }

    /** "v1" for the core group, else "group/version". */
    public String apiVersion() {
        return HasMetadata.getApiVersion(type);
    }
}
