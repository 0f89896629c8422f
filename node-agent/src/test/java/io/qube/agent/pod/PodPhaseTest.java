package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.qube.agent.runtime.ContainerStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The pod phase by the kubelet's rules (getPhase), case by case. */
class PodPhaseTest {

    private static final Instant T = Instant.parse("2026-12-05T00:00:00Z");

    private static ContainerView running(String name) {
        return new ContainerView(name, "busybox", false, run(name, true, 0), null, null, null, true, true);
    }

    private static ContainerView exited(String name, int code) {
        return new ContainerView(name, "busybox", false, run(name, false, code), null, null, null, false, false);
    }

    private static ContainerView backingOff(String name) {
        return new ContainerView(name, "busybox", false, run(name, false, 1), null, "CrashLoopBackOff", "back-off",
                false, false);
    }

    private static ContainerView creating(String name) {
        return new ContainerView(name, "busybox", false, null, null, null, null, false, false);
    }

    private static ContainerView init(String name, Integer exitCode) {
        ContainerStatus run = exitCode == null ? null : run(name, false, exitCode);
        return new ContainerView(name, "busybox", true, run, null, null, null, false, false);
    }

    private static ContainerStatus run(String name, boolean running, int code) {
        return new ContainerStatus("uid/" + name + "_0", name, 0, running, 1, T, running ? null : T, code,
                running ? null : code == 0 ? "Completed" : "Error", null, null);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing started yet", "Always", List.of(creating("a")), "Pending"),
                Arguments.of("one of two started", "Always", List.of(running("a"), creating("b")), "Pending"),
                Arguments.of("all running", "Always", List.of(running("a"), running("b")), "Running"),
                Arguments.of("one running, one exited", "Never", List.of(running("a"), exited("b", 0)), "Running"),
                Arguments.of("all exited 0, Never", "Never", List.of(exited("a", 0), exited("b", 0)), "Succeeded"),
                Arguments.of("all exited 0, OnFailure", "OnFailure", List.of(exited("a", 0)), "Succeeded"),
                Arguments.of("one failed, Never", "Never", List.of(exited("a", 0), exited("b", 2)), "Failed"),
                Arguments.of("one failed, OnFailure (restarting)", "OnFailure", List.of(exited("a", 2)), "Running"),
                Arguments.of("exited, Always (restarting)", "Always", List.of(exited("a", 0)), "Running"),
                Arguments.of("crash loop, Always", "Always", List.of(backingOff("a")), "Running"),
                Arguments.of("init not run yet", "Always", List.of(init("i", null), creating("a")), "Pending"),
                Arguments.of("init failed, Never", "Never", List.of(init("i", 1), creating("a")), "Failed"),
                Arguments.of("init failed, Always (retrying)", "Always", List.of(init("i", 1), creating("a")),
                        "Pending"),
                Arguments.of("init done, container running", "Always", List.of(init("i", 0), running("a")),
                        "Running"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void phase(String description, String restartPolicy, List<ContainerView> views, String phase) {
        Pod pod = new PodBuilder().withNewSpec().withRestartPolicy(restartPolicy).endSpec().build();
        assertThat(PodStatuses.phase(pod, views)).isEqualTo(phase);
    }
}
