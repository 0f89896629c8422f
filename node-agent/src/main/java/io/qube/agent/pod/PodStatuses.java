package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.qube.agent.runtime.ContainerStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A pod's status as the kubelet computes it from what runs: container statuses (state, last state, restart
 * count, ready, started; ephemeral containers' apart, outside the phase and the conditions), the phase by the kubelet's rules (getPhase), the five conditions with their reasons,
 * IPs and start time. Conditions keep their transition time while their status holds; conditions the agent does
 * not own (DisruptionTarget, readiness gates) are kept as they are.
 */
final class PodStatuses {

    private static final Set<String> OWNED = Set.of("PodReadyToStartContainers", "Initialized", "ContainersReady",
            "Ready", "PodScheduled");

    private PodStatuses() {
    }

    /** @param scheme the runtime's, as container IDs carry it ({@code containerd://<id>}) */
    static PodStatus of(Pod pod, List<ContainerView> views, String podIp, String hostIp, boolean sandboxReady,
                        Instant now, String scheme) {
        PodStatus current = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        List<io.fabric8.kubernetes.api.model.ContainerStatus> init = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.ContainerStatus> main = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.ContainerStatus> ephemeral = new ArrayList<>();
        for (ContainerView view : views) {
            (view.ephemeral() ? ephemeral : view.init() ? init : main).add(status(view, scheme));
        }
        String phase = phase(pod, views);
        boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
        List<String> pendingInit = views.stream().filter(v -> v.init() && !v.succeeded()).map(ContainerView::name)
                .toList();
        List<String> unready = views.stream().filter(v -> !v.init() && !v.ephemeral() && !v.ready())
                .map(ContainerView::name).toList();
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition(current, "PodReadyToStartContainers", sandboxReady && !terminal, null, null, at));
        conditions.add(condition(current, "Initialized", pendingInit.isEmpty(),
                pendingInit.isEmpty() ? null : "ContainersNotInitialized",
                pendingInit.isEmpty() ? null : "containers with incomplete status: " + names(pendingInit), at));
        String notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady";
        String notReadyMessage = terminal ? null : "containers with unready status: " + names(unready);
        conditions.add(condition(current, "ContainersReady", unready.isEmpty() && !terminal,
                notReadyReason, notReadyMessage, at));
        conditions.add(condition(current, "Ready", unready.isEmpty() && !terminal, notReadyReason, notReadyMessage,
                at));
        conditions.add(condition(current, "PodScheduled", true, null, null, at));
        if (current.getConditions() != null) {
            current.getConditions().stream().filter(c -> !OWNED.contains(c.getType())).forEach(conditions::add);
        }
        PodStatusBuilder status = new PodStatusBuilder().withPhase(phase).withConditions(conditions)
                .withHostIP(hostIp).withHostIPs(new HostIP(hostIp))
                .withStartTime(current.getStartTime() != null ? current.getStartTime() : at)
                .withQosClass(current.getQosClass())
                .withInitContainerStatuses(init).withContainerStatuses(main);
        if (!ephemeral.isEmpty()) {
            status.withEphemeralContainerStatuses(ephemeral);
        }
        if (podIp != null) {
            status.withPodIP(podIp).withPodIPs(new PodIP(podIp));
        }
        return status.build();
    }

    /** The kubelet's getPhase, over the containers' statuses. */
    static String phase(Pod pod, List<ContainerView> views) {
        String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
        for (ContainerView view : views) {
            if (view.init() && !view.succeeded()) {
                boolean failed = view.latest() != null && !view.latest().running() && view.latest().exitCode() != 0;
                return failed && policy.equals("Never") ? "Failed" : "Pending";
            }
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerView view : views) {
            if (view.init() || view.ephemeral()) {
                continue;
            }
            if (view.latest() != null && view.latest().running()) {
                running++;
            } else if (view.latest() != null && !view.waitingAfterExit()) {
                stopped++;
                if (view.latest().exitCode() == 0) {
                    succeeded++;
                }
            } else if (view.waitingAfterExit()) {
                stopped++;
            } else {
                waiting++;
            }
        }
        if (waiting > 0) {
            return "Pending"; // a container has not started yet
        }
        if (running > 0) {
            return "Running";
        }
        if (policy.equals("Always")) {
            return "Running";
        }
        if (stopped == succeeded) {
            return "Succeeded";
        }
        return policy.equals("Never") ? "Failed" : "Running";
    }

    private static io.fabric8.kubernetes.api.model.ContainerStatus status(ContainerView view, String scheme) {
        ContainerStatus latest = view.latest();
        ContainerState state;
        ContainerState last = null;
        if (latest == null) {
            state = waiting(view.waitingReason() != null ? view.waitingReason()
                    : view.init() ? "PodInitializing" : "ContainerCreating", view.waitingMessage());
        } else if (latest.running()) {
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(latest.startedAt())).endRunning()
                    .build();
            last = terminated(view.previous(), scheme);
        } else if (view.waitingAfterExit()) {
            state = waiting(view.waitingReason(), view.waitingMessage());
            last = terminated(latest, scheme);
        } else {
            state = terminated(latest, scheme);
            last = terminated(view.previous(), scheme);
        }
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(view.name()).withImage(view.image())
                .withImageID(imageId(view, scheme))
                .withState(state).withLastState(last == null ? new ContainerState() : last)
                .withRestartCount(latest == null ? 0 : latest.attempt())
                .withReady(view.ready())
                .withStarted(view.ephemeral() ? null : latest != null && latest.running() && view.started());
        if (latest != null) {
            status.withContainerID(containerId(latest, scheme));
        }
        return status.build();
    }

    static String containerId(ContainerStatus container, String scheme) {
        return scheme + "://" + container.id();
    }

    /** The runtime's image reference (by digest) once a run exists; the spec's image before. */
    private static String imageId(ContainerView view, String scheme) {
        ContainerStatus run = view.latest();
        if (run != null && run.imageRef() != null) {
            return run.imageRef();
        }
        return view.image() == null ? "" : scheme + "://" + view.image();
    }

    private static ContainerState waiting(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting()
                .build();
    }

    private static ContainerState terminated(ContainerStatus container, String scheme) {
        if (container == null || container.running()) {
            return null;
        }
        return new ContainerStateBuilder().withNewTerminated().withExitCode(container.exitCode())
                .withReason(container.reason()).withMessage(container.message())
                .withStartedAt(time(container.startedAt())).withFinishedAt(time(container.finishedAt()))
                .withContainerID(containerId(container, scheme)).endTerminated().build();
    }

    private static PodCondition condition(PodStatus current, String type, boolean holds, String reason,
                                          String message, String now) {
        String status = holds ? "True" : "False";
        String since = now;
        if (current.getConditions() != null) {
            for (PodCondition existing : current.getConditions()) {
                if (existing.getType().equals(type) && status.equals(existing.getStatus())
                        && existing.getLastTransitionTime() != null) {
                    since = existing.getLastTransitionTime();
                }
            }
        }
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(holds ? null : reason)
                .withMessage(holds ? null : message).withLastTransitionTime(since).build();
    }

    private static String names(List<String> names) {
        return names.stream().collect(Collectors.joining(" ", "[", "]"));
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
