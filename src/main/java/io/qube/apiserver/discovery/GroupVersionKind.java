package io.qube.apiserver.discovery;

/** A kind with its API group ("" for core) and version, serialised as Kubernetes writes it in discovery and OpenAPI. */
public record GroupVersionKind(String group, String version, String kind) {
}
