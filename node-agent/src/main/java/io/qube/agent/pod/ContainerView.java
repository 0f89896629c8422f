package io.qube.agent.pod;

import io.qube.agent.runtime.ContainerStatus;

/**
 * What the worker knows of one container of the spec at a sync: its latest run and the one before (either may
 * be missing), why it is waiting if it is, whether its probes say it is ready and started, and whether it is an
 * ephemeral container (reported apart, and no part of the pod's phase or readiness).
 */
record ContainerView(String name, String image, boolean init, ContainerStatus latest, ContainerStatus previous,
                     String waitingReason, String waitingMessage, boolean ready, boolean started, boolean ephemeral) {

    ContainerView(String name, String image, boolean init, ContainerStatus latest, ContainerStatus previous,
                  String waitingReason, String waitingMessage, boolean ready, boolean started) {
        this(name, image, init, latest, previous, waitingReason, waitingMessage, ready, started, false);
    }

    /** An ephemeral container's view: never ready, no started flag (the kubelet sets neither for them). */
    static ContainerView ephemeral(String name, String image, ContainerStatus latest, ContainerStatus previous,
                                   String waitingReason, String waitingMessage) {
        return new ContainerView(name, image, false, latest, previous, waitingReason, waitingMessage, false, false,
                true);
    }

    boolean succeeded() {
        return latest != null && !latest.running() && latest.exitCode() == 0;
    }

    /** Waiting with a reason that follows an ended run (CrashLoopBackOff): the run is the last state. */
    boolean waitingAfterExit() {
        return latest != null && !latest.running() && waitingReason != null;
    }
}
