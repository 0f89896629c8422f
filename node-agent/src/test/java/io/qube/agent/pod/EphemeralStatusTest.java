package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.qube.agent.runtime.ContainerStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ephemeral containers in the pod's status as the kubelet reports them: in ephemeralContainerStatuses with state,
 * exit code, image and container ID like any container, but no part of the phase, the readiness or the container
 * lists; and started as a container with only what Kubernetes lets an ephemeral one have.
 */
class EphemeralStatusTest {

    private static final Instant T = Instant.parse("2026-12-06T00:00:00Z");

    private static final Pod POD = new PodBuilder().withNewMetadata().withName("web").withUid("u1").endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer()
            .addNewEphemeralContainer().withName("debugger").withImage("busybox").withTargetContainerName("app")
            .endEphemeralContainer().endSpec().build();

    private static ContainerStatus run(String name, boolean running, int code) {
        return new ContainerStatus("u1/" + name + "_0", name, 0, running, 1, T, running ? null : T.plusSeconds(5),
                code, running ? null : code == 0 ? "Completed" : "Error", null, null);
    }

    private static ContainerView app() {
        return new ContainerView("app", "nginx", false, run("app", true, 0), null, null, null, true, true);
    }

    private static PodStatus status(ContainerView debugger) {
        return PodStatuses.of(POD, List.of(app(), debugger), "10.120.0.5", "10.120.0.1", true, T, "process");
    }

    @Test
    void aRunningEphemeralContainerIsReportedApartAndLeavesThePodReady() {
        PodStatus status = status(ContainerView.ephemeral("debugger", "busybox", run("debugger", true, 0), null,
                null, null));
        assertThat(status.getContainerStatuses()).extracting(s -> s.getName()).containsExactly("app");
        assertThat(status.getEphemeralContainerStatuses()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("debugger");
            assertThat(s.getImage()).isEqualTo("busybox");
            assertThat(s.getImageID()).isEqualTo("process://busybox");
            assertThat(s.getContainerID()).isEqualTo("process://u1/debugger_0");
            assertThat(s.getState().getRunning().getStartedAt()).isEqualTo("2026-12-06T00:00:00Z");
            assertThat(s.getReady()).isFalse();
            assertThat(s.getStarted()).isNull();
            assertThat(s.getRestartCount()).isZero();
        });
        assertThat(status.getPhase()).isEqualTo("Running");
        assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
    }

    @Test
    void anEndedEphemeralContainerIsTerminatedWithItsExitCodeAndThePodRunsOn() {
        PodStatus status = status(ContainerView.ephemeral("debugger", "busybox", run("debugger", false, 3), null,
                null, null));
        assertThat(status.getEphemeralContainerStatuses()).singleElement().satisfies(s -> {
            assertThat(s.getState().getTerminated().getExitCode()).isEqualTo(3);
            assertThat(s.getState().getTerminated().getReason()).isEqualTo("Error");
            assertThat(s.getState().getTerminated().getContainerID()).isEqualTo("process://u1/debugger_0");
        });
        assertThat(status.getPhase()).isEqualTo("Running");
        assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
    }

    @Test
    void anEphemeralContainerNotStartedYetWaitsWithItsReason() {
        PodStatus creating = status(ContainerView.ephemeral("debugger", "busybox", null, null, null, null));
        assertThat(creating.getEphemeralContainerStatuses()).singleElement()
                .satisfies(s -> assertThat(s.getState().getWaiting().getReason()).isEqualTo("ContainerCreating"));
        PodStatus failing = status(ContainerView.ephemeral("debugger", "busybox", null, null, "CreateContainerError",
                "no command"));
        assertThat(failing.getEphemeralContainerStatuses()).singleElement().satisfies(s -> {
            assertThat(s.getState().getWaiting().getReason()).isEqualTo("CreateContainerError");
            assertThat(s.getState().getWaiting().getMessage()).isEqualTo("no command");
        });
        assertThat(failing.getPhase()).isEqualTo("Running");
    }

    @Test
    void aPodWithoutEphemeralContainersHasNoSuchList() {
        PodStatus status = PodStatuses.of(POD, List.of(app()), "10.120.0.5", "10.120.0.1", true, T, "process");
        assertThat(status.getEphemeralContainerStatuses()).isEmpty();
    }

    @Test
    void anEphemeralContainerStartsWithItsStreamsButNoPortsProbesHooksOrResources() {
        EphemeralContainer ephemeral = new EphemeralContainerBuilder().withName("debugger").withImage("busybox")
                .withCommand("sh").withStdin(true).withStdinOnce(true).withTty(true).withTargetContainerName("app")
                .addNewPort().withContainerPort(80).endPort()
                .withNewReadinessProbe().withNewExec().withCommand("true").endExec().endReadinessProbe()
                .withNewLifecycle().withNewPostStart().withNewExec().withCommand("true").endExec().endPostStart()
                .endLifecycle().withNewResources().addToLimits("memory",
                        new io.fabric8.kubernetes.api.model.Quantity("64Mi")).endResources().build();
        Container container = EphemeralContainers.asContainer(ephemeral);
        assertThat(container.getName()).isEqualTo("debugger");
        assertThat(container.getImage()).isEqualTo("busybox");
        assertThat(container.getCommand()).containsExactly("sh");
        assertThat(container.getStdin()).isTrue();
        assertThat(container.getStdinOnce()).isTrue();
        assertThat(container.getTty()).isTrue();
        assertThat(container.getPorts()).isEmpty();
        assertThat(container.getReadinessProbe()).isNull();
        assertThat(container.getLifecycle()).isNull();
        assertThat(container.getResources()).isNull();
    }
}
