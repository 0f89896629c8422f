package io.qube.controller.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * The controller manager's informers, one per kind across all namespaces, shared by every controller as
 * kube-controller-manager shares them: a kind is listed and watched once however many controllers read it.
 * Controllers add their handlers and never close an informer; the manager closes them all when it stops leading.
 */
public interface Informers {

    /** The shared informer of this kind; handlers added to it while it runs first hear every cached object added. */
    <T extends HasMetadata> SharedIndexInformer<T> of(Class<T> kind);

    /** Starts every informer handed out to this controller so far and blocks until each has listed its kind. */
    void awaitSynced();
}
