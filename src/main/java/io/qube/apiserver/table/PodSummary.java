package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.qube.apiserver.table.Cells.list;
import static io.qube.apiserver.table.Cells.number;
import static io.qube.apiserver.table.Cells.text;

/**
 * What a pod's READY, STATUS and RESTARTS cells say, decided as Kubernetes' pod printer decides them: the most
 * telling reason wins, so a pod reads "Init:1/2", "ContainerCreating", "CrashLoopBackOff", "Completed" or
 * "Terminating" rather than just its phase.
 *
 * @param lastRestart when a container last stopped before being restarted; null when none ever did
 */
record PodSummary(int readyContainers, int totalContainers, String status, int restarts, Instant lastRestart) {

    /** The reason the node controller gives pods on a node that stopped reporting. */
    private static final String NODE_LOST = "NodeLost";

    static PodSummary of(Pod pod) {
        return new Summarizer(pod).summarize();
    }

    /** One pass over the pod's container statuses, in Kubernetes' order. */
    private static final class Summarizer {
        private final Pod pod;
        private final PodSpec spec;
        private final PodStatus status;
        private final Set<String> sidecars = new HashSet<>();
        private final Restarts initRestarts = new Restarts();
        private final Restarts sidecarRestarts = new Restarts();
        private Restarts restarts = initRestarts;
        private String reason;
        private int ready;

        Summarizer(Pod pod) {
            this.pod = pod;
            this.spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
            this.status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        }

        PodSummary summarize() {
            String phase = text(status.getPhase());
            reason = text(status.getReason()).isEmpty() ? phase : status.getReason();
            if (schedulingGated()) {
                reason = "SchedulingGated";
            }
            int total = list(spec.getContainers()).size();
            // Sidecars (init containers with restartPolicy Always, which keep running) count among the pod's containers.
            for (Container init : list(spec.getInitContainers())) {
                if ("Always".equals(init.getRestartPolicy())) {
                    sidecars.add(init.getName());
                    total++;
                }
            }
            boolean initializing = readInitContainers();
            // A restarting sidecar looks like initialization again; once the pod was initialized, its app
            // containers tell its state.
            if (!initializing || hasTrueCondition("Initialized")) {
                readContainers();
            }
            if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
                if (NODE_LOST.equals(status.getReason())) {
                    reason = "Unknown";
                } else if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                    reason = "Terminating";
                }
            }
            return new PodSummary(ready, total, reason, restarts.count, restarts.last);
        }

        /** Returns whether initialization is still under way (or failed); sets the reason to say how far it got. */
        private boolean readInitContainers() {
            List<ContainerStatus> statuses = list(status.getInitContainerStatuses());
            int declared = list(spec.getInitContainers()).size();
            for (int i = 0; i < statuses.size(); i++) {
                ContainerStatus container = statuses.get(i);
                initRestarts.add(container);
                if (sidecars.contains(container.getName())) {
                    sidecarRestarts.add(container);
                }
                ContainerState state = state(container);
                ContainerStateTerminated terminated = state.getTerminated();
                if (terminated != null && number(terminated.getExitCode()) == 0) {
                    continue;
                }
                if (sidecars.contains(container.getName()) && Boolean.TRUE.equals(container.getStarted())) {
                    if (Boolean.TRUE.equals(container.getReady())) {
                        ready++;
                    }
                    continue;
                }
                if (terminated != null) {
                    reason = "Init:" + terminationReason(terminated);
                } else if (state.getWaiting() != null && !text(state.getWaiting().getReason()).isEmpty()
                        && !"PodInitializing".equals(state.getWaiting().getReason())) {
                    reason = "Init:" + state.getWaiting().getReason();
                } else {
                    reason = "Init:" + i + "/" + declared;
                }
                return true;
            }
            return false;
        }

        /**
         * The app containers, last to first so the first container's state is the one shown. Restarts start over
         * from the sidecars': a finished init container's restarts are history once the pod runs.
         */
        private void readContainers() {
            restarts = sidecarRestarts;
            boolean anyRunning = false;
            List<ContainerStatus> statuses = list(status.getContainerStatuses());
            for (int i = statuses.size() - 1; i >= 0; i--) {
                ContainerStatus container = statuses.get(i);
                restarts.add(container);
                ContainerState state = state(container);
                if (state.getWaiting() != null && !text(state.getWaiting().getReason()).isEmpty()) {
                    reason = state.getWaiting().getReason();
                } else if (state.getTerminated() != null) {
                    reason = terminationReason(state.getTerminated());
                } else if (Boolean.TRUE.equals(container.getReady()) && state.getRunning() != null) {
                    anyRunning = true;
                    ready++;
                }
            }
            // One finished container must not make a pod whose others still run read "Completed".
            if ("Completed".equals(reason) && anyRunning) {
                reason = hasTrueCondition("Ready") ? "Running" : "NotReady";
            }
        }

        private boolean schedulingGated() {
            for (PodCondition condition : list(status.getConditions())) {
                if ("PodScheduled".equals(condition.getType()) && "SchedulingGated".equals(condition.getReason())) {
                    return true;
                }
            }
            return false;
        }

        private boolean hasTrueCondition(String type) {
            for (PodCondition condition : list(status.getConditions())) {
                if (type.equals(condition.getType())) {
                    return "True".equals(condition.getStatus());
                }
            }
            return false;
        }
    }

    /** A running total of restarts and the latest time a counted container stopped. */
    private static final class Restarts {
        private int count;
        private Instant last;

        void add(ContainerStatus container) {
            count += number(container.getRestartCount());
            ContainerState previous = container.getLastState();
            if (previous != null && previous.getTerminated() != null) {
                Instant finished = Durations.parse(previous.getTerminated().getFinishedAt());
                if (finished != null && (last == null || finished.isAfter(last))) {
                    last = finished;
                }
            }
        }
    }

    private static String terminationReason(ContainerStateTerminated terminated) {
        if (!text(terminated.getReason()).isEmpty()) {
            return terminated.getReason();
        }
        int signal = number(terminated.getSignal());
        return signal != 0 ? "Signal:" + signal : "ExitCode:" + number(terminated.getExitCode());
    }

    private static ContainerState state(ContainerStatus container) {
        return container.getState() == null ? new ContainerState() : container.getState();
    }
}
