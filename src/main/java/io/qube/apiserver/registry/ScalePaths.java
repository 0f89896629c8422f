package io.qube.apiserver.registry;

/**
 * Where a kind's scale subresource finds its numbers: simple JSON paths such as {@code .spec.replicas}, as a
 * CustomResourceDefinition's {@code subresources.scale} names them.
 *
 * @param labelSelector the path of the selector as a string, or null; for workloads, "" means "spec.selector, a
 *                      LabelSelector object rendered as text"
 */
public record ScalePaths(String specReplicas, String statusReplicas, String labelSelector) {

    /** The built-in workloads: spec.replicas, status.replicas and their spec.selector. */
    public static final ScalePaths WORKLOAD = new ScalePaths(".spec.replicas", ".status.replicas", "");
}
