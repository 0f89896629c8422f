package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class PodColumnsTest {

    @Test
    void headersAreKubectls() {
        assertThat(Rows.headers(PodColumns.columns(), false))
                .containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(Rows.headers(PodColumns.columns(), true)).containsExactly("NAME", "READY", "STATUS", "RESTARTS",
                "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES");
    }

    @Test
    void runningPodWithRestartsSaysWhenTheLastOneWas() {
        Pod pod = pod("web-1", List.of("app", "proxy"))
                .editSpec().withNodeName("node-1").endSpec()
                .withNewStatus().withPhase("Running").addNewPodIP().withIp("10.244.1.7").endPodIP()
                .withConditions(condition("Ready", "True"))
                .withContainerStatuses(running("app", true, 3, ago(Duration.ofMinutes(5))),
                        running("proxy", true, 1, ago(Duration.ofHours(1))))
                .endStatus().build();

        assertThat(Rows.cells(PodColumns.columns(), pod)).containsExactly(
                "web-1", "2/2", "Running", "4 (5m ago)", "2d", "10.244.1.7", "node-1", "<none>", "<none>");
    }

    @Test
    void restartsWithoutAKnownStopTimeAreJustACount() {
        Pod pod = pod("web-1", List.of("app")).withNewStatus().withPhase("Running")
                .withContainerStatuses(running("app", true, 2, null)).endStatus().build();

        assertThat(cell(pod, "Restarts")).isEqualTo("2");
    }

    @Test
    void unscheduledPodIsPending() {
        Pod pod = pod("web-2", List.of("app")).withNewStatus().withPhase("Pending").endStatus().build();

        assertThat(Rows.cells(PodColumns.columns(), pod)).containsExactly(
                "web-2", "0/1", "Pending", "0", "2d", "<none>", "<none>", "<none>", "<none>");
    }

    @Test
    void containerBeingCreatedShowsItsWaitingReason() {
        Pod pod = pod("web-3", List.of("app")).withNewStatus().withPhase("Pending")
                .withContainerStatuses(waiting("app", "ContainerCreating", 0)).endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), pod))
                .containsExactly("web-3", "0/1", "ContainerCreating", "0", "2d");
    }

    @Test
    void crashLoopingContainerShowsBackOffAndRestarts() {
        Pod pod = pod("crashy", List.of("app")).withNewStatus().withPhase("Running")
                .withContainerStatuses(new ContainerStatusBuilder(waiting("app", "CrashLoopBackOff", 5))
                        .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
                        .withFinishedAt(ago(Duration.ofSeconds(30))).endTerminated().endLastState().build())
                .endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), pod))
                .containsExactly("crashy", "0/1", "CrashLoopBackOff", "5 (30s ago)", "2d");
    }

    @Test
    void podBeingDeletedIsTerminating() {
        Pod pod = pod("leaving", List.of("app")).editMetadata().withDeletionTimestamp(ago(Duration.ofSeconds(3)))
                .endMetadata().withNewStatus().withPhase("Running")
                .withContainerStatuses(running("app", true, 0, null)).endStatus().build();

        assertThat(cell(pod, "Status")).isEqualTo("Terminating");
    }

    @Test
    void deletedPodThatAlreadyFinishedKeepsItsOutcome() {
        Pod pod = pod("job-1", List.of("app")).editMetadata().withDeletionTimestamp(ago(Duration.ofSeconds(3)))
                .endMetadata().withNewStatus().withPhase("Succeeded")
                .withContainerStatuses(terminated("app", "Completed", 0)).endStatus().build();

        assertThat(cell(pod, "Status")).isEqualTo("Completed");
    }

    @Test
    void deletedPodOnALostNodeIsUnknown() {
        Pod pod = pod("stranded", List.of("app")).editMetadata().withDeletionTimestamp(ago(Duration.ofMinutes(1)))
                .endMetadata().withNewStatus().withPhase("Running").withReason("NodeLost").endStatus().build();

        assertThat(cell(pod, "Status")).isEqualTo("Unknown");
    }

    @Test
    void runningInitContainerShowsHowManyInitContainersAreDone() {
        Pod pod = podWithInit("migrate").withNewStatus().withPhase("Pending")
                .withInitContainerStatuses(running("migrate", false, 0, null))
                .withContainerStatuses(waiting("app", "PodInitializing", 0)).endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), pod))
                .containsExactly("with-init", "0/1", "Init:0/1", "0", "2d");
    }

    @Test
    void initContainerProblemsArePrefixedWithInit() {
        Pod pullFailing = podWithInit("migrate").withNewStatus().withPhase("Pending")
                .withInitContainerStatuses(waiting("migrate", "ImagePullBackOff", 0)).endStatus().build();
        Pod failed = podWithInit("migrate").withNewStatus().withPhase("Pending")
                .withInitContainerStatuses(terminated("migrate", null, 2)).endStatus().build();
        Pod killed = podWithInit("migrate").withNewStatus().withPhase("Pending")
                .withInitContainerStatuses(new ContainerStatusBuilder(terminated("migrate", null, 137))
                        .editState().editTerminated().withSignal(9).endTerminated().endState().build())
                .endStatus().build();

        assertThat(cell(pullFailing, "Status")).isEqualTo("Init:ImagePullBackOff");
        assertThat(cell(failed, "Status")).isEqualTo("Init:ExitCode:2");
        assertThat(cell(killed, "Status")).isEqualTo("Init:Signal:9");
    }

    @Test
    void initRestartsCountWhileInitializingAndAreForgottenOnceRunning() {
        Pod initializing = podWithInit("migrate").withNewStatus().withPhase("Pending")
                .withInitContainerStatuses(waiting("migrate", "CrashLoopBackOff", 4)).endStatus().build();
        Pod running = podWithInit("migrate").withNewStatus().withPhase("Running")
                .withInitContainerStatuses(new ContainerStatusBuilder(terminated("migrate", "Completed", 0))
                        .withRestartCount(4).build())
                .withContainerStatuses(running("app", true, 0, null)).endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), initializing))
                .containsExactly("with-init", "0/1", "Init:CrashLoopBackOff", "4", "2d");
        assertThat(Rows.defaultCells(PodColumns.columns(), running))
                .containsExactly("with-init", "1/1", "Running", "0", "2d");
    }

    @Test
    void startedSidecarCountsAsAContainer() {
        Pod pod = pod("with-sidecar", List.of("app")).editSpec().addNewInitContainer().withName("mesh")
                .withImage("mesh:1").withRestartPolicy("Always").endInitContainer().endSpec()
                .withNewStatus().withPhase("Running")
                .withConditions(condition("Initialized", "True"), condition("Ready", "True"))
                .withInitContainerStatuses(new ContainerStatusBuilder(running("mesh", true, 1, ago(Duration.ofMinutes(2))))
                        .withStarted(true).build())
                .withContainerStatuses(running("app", true, 0, null)).endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), pod))
                .containsExactly("with-sidecar", "2/2", "Running", "1 (2m ago)", "2d");
    }

    @Test
    void finishedPodIsCompleted() {
        Pod pod = pod("job-2", List.of("app")).withNewStatus().withPhase("Succeeded")
                .withContainerStatuses(terminated("app", "Completed", 0)).endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), pod)).containsExactly("job-2", "0/1", "Completed", "0", "2d");
    }

    @Test
    void oneFinishedContainerDoesNotMakeARunningPodCompleted() {
        Pod pod = pod("mixed", List.of("setup", "app")).withNewStatus().withPhase("Running")
                .withConditions(condition("Ready", "False"))
                .withContainerStatuses(terminated("setup", "Completed", 0), running("app", true, 0, null))
                .endStatus().build();

        assertThat(Rows.defaultCells(PodColumns.columns(), pod)).containsExactly("mixed", "1/2", "NotReady", "0", "2d");
    }

    @Test
    void containerThatExitedWithoutAReasonShowsItsExitCode() {
        Pod pod = pod("oom", List.of("app")).withNewStatus().withPhase("Running")
                .withContainerStatuses(terminated("app", null, 137)).endStatus().build();

        assertThat(cell(pod, "Status")).isEqualTo("ExitCode:137");
    }

    @Test
    void gatedPodSaysSo() {
        Pod pod = pod("gated", List.of("app")).withNewStatus().withPhase("Pending")
                .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason("SchedulingGated").build())
                .endStatus().build();

        assertThat(cell(pod, "Status")).isEqualTo("SchedulingGated");
    }

    @Test
    void readinessGatesCountTheConditionsThatHold() {
        Pod pod = pod("gates", List.of("app")).editSpec().addNewReadinessGate().withConditionType("lb/ready")
                .endReadinessGate().addNewReadinessGate().withConditionType("dns/ready").endReadinessGate().endSpec()
                .withNewStatus().withPhase("Running").withNominatedNodeName("node-9")
                .withConditions(condition("lb/ready", "True"), condition("dns/ready", "False")).endStatus().build();

        assertThat(cell(pod, "Readiness Gates")).isEqualTo("1/2");
        assertThat(cell(pod, "Nominated Node")).isEqualTo("node-9");
    }

    private static Object cell(Pod pod, String column) {
        return PodColumns.columns().stream().filter(c -> c.name().equals(column)).findFirst().orElseThrow()
                .cell().value(pod, Rows.NOW);
    }

    private static PodBuilder pod(String name, List<String> containers) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withCreationTimestamp(ago(Duration.ofDays(2))).endMetadata().withNewSpec().endSpec();
        for (String container : containers) {
            pod.editSpec().addNewContainer().withName(container).withImage(container + ":1").endContainer().endSpec();
        }
        return pod;
    }

    private static PodBuilder podWithInit(String init) {
        return pod("with-init", List.of("app")).editSpec().addNewInitContainer().withName(init).withImage("tool:1")
                .endInitContainer().endSpec();
    }

    private static PodCondition condition(String type, String status) {
        return new PodConditionBuilder().withType(type).withStatus(status).build();
    }

    private static ContainerStatus running(String name, boolean ready, int restarts, String lastFinishedAt) {
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(name).withReady(ready)
                .withRestartCount(restarts).withNewState().withNewRunning().withStartedAt(ago(Duration.ofDays(1)))
                .endRunning().endState();
        if (lastFinishedAt != null) {
            status.withNewLastState().withNewTerminated().withExitCode(1).withFinishedAt(lastFinishedAt)
                    .endTerminated().endLastState();
        }
        return status.build();
    }

    private static ContainerStatus waiting(String name, String reason, int restarts) {
        return new ContainerStatusBuilder().withName(name).withReady(false).withRestartCount(restarts)
                .withNewState().withNewWaiting().withReason(reason).endWaiting().endState().build();
    }

    private static ContainerStatus terminated(String name, String reason, int exitCode) {
        return new ContainerStatusBuilder().withName(name).withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withReason(reason).withExitCode(exitCode).endTerminated()
                .endState().build();
    }
}
