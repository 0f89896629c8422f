package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.Map;

/**
 * What plugins may use besides their arguments: the cycle's snapshot, namespaces, storage objects, nominations, the
 * framework, and the API writes they make.
 */
public interface Handle {

    Snapshot snapshot();

    /** A namespace's labels, empty when it is unknown. */
    Map<String, String> namespaceLabels(String namespace);

    Nominator nominator();

    /**
     * What the cluster's default spread constraints count for this pod: the pods selected by the Services,
     * ReplicaSets and StatefulSets that select it (null when none does, and the defaults do not apply).
     */
    LabelSelector defaultSpreadSelector(PodInfo pod);

    Framework framework();

    /** The writes plugins make through the API. */
    PodActions actions();

    /** Whether the API still has this pod (the same uid) as the informer last saw it; a binding cycle ends if not. */
    boolean podExists(PodInfo pod);

    /** Claims, volumes and storage classes. */
    StorageLister storage();

    /** The writes volume binding makes through the API. */
    VolumeActions volumeActions();

    /** Preemption chose a node and is evicting this many pods from it. */
    void recordPreemption(int victims);
}
