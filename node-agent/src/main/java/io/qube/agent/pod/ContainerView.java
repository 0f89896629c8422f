package io.qube.agent.pod;

import io.qube.agent.runtime.ContainerStatus;

/**
 * What the worker knows of one container of the spec at a sync: its latest run and the one before (either may
 * be missing), why it is waiting if it is, whether its probes say it is ready and started.
 */
record ContainerView(String name, String image, boolean init, ContainerStatus latest, ContainerStatus previous,
                     String waitingReason, String waitingMessage, boolean ready, boolean started) {

    boolean succeeded() {
        return latest != null && !latest.running() && latest.exitCode() == 0;
    }

    /** Waiting with a reason that follows an ended run (CrashLoopBackOff): the run is the last state. */
    boolean waitingAfterExit() {
        return latest != null && !latest.running() && waitingReason != null;
    }
}
