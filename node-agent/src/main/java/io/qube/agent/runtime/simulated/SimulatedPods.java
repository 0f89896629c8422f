package io.qube.agent.runtime.simulated;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.agent.StatusPatch;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the pods bound to a set of simulated nodes without any process, as KWOK does: a pod is Running and Ready
 * shortly after it is bound; a pod whose restartPolicy is not Always ends after {@code sim.qube.io/run-seconds}
 * (default 1) with exit code {@code sim.qube.io/exit-code} (default 0), Succeeded or Failed; an ephemeral container
 * added to a running pod is reported running; a pod being deleted
 * is deleted for good at once (nothing runs, so nothing needs its grace period). The informer's handler only
 * schedules work; each pod's status is written by the worker threads.
 */
public final class SimulatedPods implements AutoCloseable {

    public static final String RUN_SECONDS = "sim.qube.io/run-seconds";
    public static final String EXIT_CODE = "sim.qube.io/exit-code";
    private static final Logger LOG = Logger.getLogger(SimulatedPods.class);
    private static final Duration START_DELAY = Duration.ofMillis(100);
    private static final int ATTEMPTS = 5;

    private final KubernetesClient client;
    private final Set<String> nodes;
    private final Map<String, String> hostIps;
    private final PodAddresses addresses = new PodAddresses();
    private final SimulatedStats stats;
    /** The uid of every pod this agent has started, so an informer resync does not start it twice. */
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    // Status writes wait on the API, not on CPU: several in flight keep a large node set from falling behind.
    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(8, runnable -> {
        Thread thread = new Thread(runnable, "simulated-pods");
        thread.setDaemon(true);
        return thread;
    });
    private SharedIndexInformer<Pod> informer;

    /**
     * @param hostIps each node's InternalIP, by node name
     * @param stats   told which pods run on which node, for the nodes' endpoint
     */
    public SimulatedPods(KubernetesClient client, Map<String, String> hostIps, SimulatedStats stats) {
        this.client = client;
        this.stats = stats;
        this.hostIps = Map.copyOf(hostIps);
        this.nodes = this.hostIps.keySet();
    }

    public void start() {
        informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                seen(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                started.remove(pod.getMetadata().getUid());
                String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
                if (node != null && nodes.contains(node)) {
                    stats.ended(node, pod.getMetadata().getUid(), Instant.now());
                }
            }
        });
    }

    private void seen(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || !nodes.contains(node)) {
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            stats.ended(node, pod.getMetadata().getUid(), Instant.now());
            workers.execute(() -> finalDelete(pod));
        } else if (!finished(pod) && started.add(pod.getMetadata().getUid())) {
            workers.schedule(() -> run(pod, node), START_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } else if ("Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())
                && pod.getSpec().getEphemeralContainers().size() > pod.getStatus().getEphemeralContainerStatuses()
                .size()) {
            // kubectl debug added an ephemeral container: it "runs" from now on.
            workers.execute(() -> writeStatus(pod, withEphemeral(pod)));
        } else if ("Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())
                && "False".equals(readiness(pod))) {
            // Someone else marked a running pod not Ready (the node controller does so when the node went
            // silent): the node says otherwise, as the kubelet's status sync does when the API's copy differs.
            workers.execute(() -> writeStatus(pod, readyAgain(pod)));
        }
    }

    private static String readiness(Pod pod) {
        return pod.getStatus().getConditions() == null ? null : pod.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).map(PodCondition::getStatus).findFirst().orElse(null);
    }

    private static PodStatus readyAgain(Pod pod) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        PodStatus status = new io.fabric8.kubernetes.api.model.PodStatusBuilder(pod.getStatus()).build();
        status.setConditions(status.getConditions().stream().map(c -> "Ready".equals(c.getType())
                || "ContainersReady".equals(c.getType()) ? condition(c.getType(), "True", now) : c).toList());
        return status;
    }

    /** The pod's status with every ephemeral container running (those reported already keep their status). */
    private static PodStatus withEphemeral(Pod pod) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        PodStatus status = new io.fabric8.kubernetes.api.model.PodStatusBuilder(pod.getStatus()).build();
        List<ContainerStatus> ephemeral = new ArrayList<>(status.getEphemeralContainerStatuses());
        Set<String> reported = new java.util.HashSet<>();
        ephemeral.forEach(c -> reported.add(c.getName()));
        pod.getSpec().getEphemeralContainers().stream().filter(c -> !reported.contains(c.getName()))
                .forEach(container -> ephemeral.add(new ContainerStatusBuilder().withName(container.getName())
                        .withImage(container.getImage()).withImageID("sim://" + container.getImage())
                        .withContainerID(containerId(pod, container.getName())).withReady(false).withRestartCount(0)
                        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()));
        status.setEphemeralContainerStatuses(ephemeral);
        return status;
    }

    private void run(Pod pod, String node) {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String podIp = addresses.next(node);
        // Counted before the write: a delete seen meanwhile then ends it, rather than leaving it counted for good.
        stats.started(node, pod, startedAt);
        if (!writeStatus(pod, running(pod, hostIps.get(node), podIp, startedAt))) {
            started.remove(pod.getMetadata().getUid());
            stats.ended(node, pod.getMetadata().getUid(), Instant.now());
            return;
        }
        if (!"Always".equals(pod.getSpec().getRestartPolicy())) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                    : pod.getMetadata().getAnnotations();
            long runMillis = (long) (1000 * parse(annotations.get(RUN_SECONDS), 1.0));
            int exitCode = (int) parse(annotations.get(EXIT_CODE), 0);
            workers.schedule(() -> {
                stats.ended(node, pod.getMetadata().getUid(), Instant.now());
                writeStatus(pod, finished(pod, hostIps.get(node), podIp, startedAt, exitCode));
            }, runMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static double parse(String value, double absent) {
        try {
            return value == null ? absent : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return absent; // a malformed annotation runs the pod with the default, as an unknown one would
        }
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Writes the pod's status, retrying failures a few times; a pod that is gone meanwhile is no error. */
    private boolean writeStatus(Pod pod, PodStatus status) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                // One merge patch of the status, without reading the pod first: the agent owns these fields.
                Pod patch = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                        .withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
                        .endMetadata().withStatus(status).build();
                StatusPatch.write(client, patch);
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return false;
                }
                LOG.debugf("status of pod %s/%s: %s (attempt %d)", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), e.getMessage(), attempt);
            }
        }
        LOG.warnf("could not write the status of pod %s/%s", pod.getMetadata().getNamespace(),
                pod.getMetadata().getName());
        return false;
    }

    private void finalDelete(Pod pod) {
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("final delete of pod %s: %s", pod.getMetadata().getName(), e.getMessage());
        }
    }

    private static PodStatus running(Pod pod, String hostIp, String podIp, Instant startedAt) {
        String at = startedAt.toString();
        List<ContainerStatus> containers = new ArrayList<>();
        pod.getSpec().getContainers().forEach(container -> containers.add(new ContainerStatusBuilder()
                .withName(container.getName()).withImage(container.getImage())
                .withImageID("sim://" + container.getImage()).withContainerID(containerId(pod, container.getName()))
                .withReady(true).withStarted(true).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt(at).endRunning().endState().build()));
        return status(pod, "Running", hostIp, podIp, at, containers, "True");
    }

    private static PodStatus finished(Pod pod, String hostIp, String podIp, Instant startedAt, int exitCode) {
        String at = startedAt.toString();
        String finishedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<ContainerStatus> containers = new ArrayList<>();
        pod.getSpec().getContainers().forEach(container -> containers.add(new ContainerStatusBuilder()
                .withName(container.getName()).withImage(container.getImage())
                .withImageID("sim://" + container.getImage()).withContainerID(containerId(pod, container.getName()))
                .withReady(false).withStarted(false).withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error").withStartedAt(at).withFinishedAt(finishedAt)
                .withContainerID(containerId(pod, container.getName())).endTerminated().endState().build()));
        return status(pod, exitCode == 0 ? "Succeeded" : "Failed", hostIp, podIp, at, containers, "False");
    }

    private static PodStatus status(Pod pod, String phase, String hostIp, String podIp, String startTime,
                                    List<ContainerStatus> containers, String ready) {
        // A copy: the pod is the informer's cached object, which only the informer may change.
        PodStatus status = pod.getStatus() == null ? new PodStatus()
                : new io.fabric8.kubernetes.api.model.PodStatusBuilder(pod.getStatus()).build();
        status.setPhase(phase);
        status.setHostIP(hostIp);
        status.setHostIPs(List.of(new io.fabric8.kubernetes.api.model.HostIP(hostIp)));
        status.setPodIP(podIp);
        status.setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP(podIp)));
        status.setStartTime(startTime);
        status.setContainerStatuses(containers);
        status.setConditions(List.of(condition("PodReadyToStartContainers", "True", startTime),
                condition("Initialized", "True", startTime), condition("Ready", ready, startTime),
                condition("ContainersReady", ready, startTime), condition("PodScheduled", "True", startTime)));
        return status;
    }

    private static PodCondition condition(String type, String status, String at) {
        return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(at)
                .withLastProbeTime(null).build();
    }

    static String containerId(Pod pod, String container) {
        return "sim://" + pod.getMetadata().getUid() + "/" + container;
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        workers.shutdownNow();
    }
}
