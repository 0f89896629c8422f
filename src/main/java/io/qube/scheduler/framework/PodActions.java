package io.qube.scheduler.framework;

import java.util.concurrent.CompletionStage;

/** The API writes plugins ask for: binding, and preemption's. */
public interface PodActions {

    /** Binds the pod to the node through pods/binding; fails with the API's answer. */
    CompletionStage<Void> bind(PodInfo pod, String nodeName);

    /** Evicts a preemption victim: a DisruptionTarget condition, then a graceful delete. */
    CompletionStage<Void> evict(PodInfo victim, PodInfo preemptor);

    /** Clears status.nominatedNodeName of a pod that lost its nomination to a higher-priority one. */
    CompletionStage<Void> clearNomination(PodInfo pod);
}
