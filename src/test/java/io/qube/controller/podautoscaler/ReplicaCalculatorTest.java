package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kubernetes' replica calculation with fixed figures: each row is a set of pods (phase, readiness, start, request)
 * with their samples, a target, and the replicas (or the error) Kubernetes' algorithm gives for them, worked out
 * by hand from its rules (tolerance 0.1, cpu initialization 5 minutes, initial readiness delay 30 seconds).
 */
class ReplicaCalculatorTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final ReplicaCalculator CALCULATOR = new ReplicaCalculator(0.1, Duration.ofMinutes(5),
            Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));
    private static final long MI = 1024L * 1024 * 1000; // one mebibyte in millibytes

    /** A pod as its node reports it, and its sample (null: none). */
    record P(String name, String phase, Boolean ready, Duration startedAgo, Duration readySinceAgo, Long usage,
             Instant sampledAt, boolean deleted) {

        /** Running and ready for a long while, sampled now. */
        static P steady(String name, long usage) {
            return new P(name, "Running", true, Duration.ofMinutes(30), Duration.ofMinutes(29), usage, NOW, false);
        }

        static P unsampled(String name) {
            return new P(name, "Running", true, Duration.ofMinutes(30), Duration.ofMinutes(29), null, NOW, false);
        }

        static P pending(String name) {
            return new P(name, "Pending", null, null, null, null, NOW, false);
        }
    }

    record Row(String name, String resource, int current, int target, List<P> pods, int replicas, Integer utilization) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> utilizationRows() {
        return Stream.of(
                new Row("usage twice the target doubles the replicas", "cpu", 3, 50,
                        List.of(P.steady("a", 900), P.steady("b", 1000), P.steady("c", 1100)), 6, 100),
                new Row("within the tolerance nothing changes", "cpu", 3, 50,
                        List.of(P.steady("a", 500), P.steady("b", 520), P.steady("c", 530)), 3, 51),
                new Row("a fifth of the target leaves a fifth of the pods, rounded up", "cpu", 3, 50,
                        List.of(P.steady("a", 100), P.steady("b", 100), P.steady("c", 100)), 1, 10),
                new Row("a missing sample counts as nothing on a scale-up", "cpu", 3, 50,
                        List.of(P.steady("a", 1000), P.steady("b", 1000), P.unsampled("c")), 4, 100),
                new Row("a missing sample counts as the whole request on a scale-down", "cpu", 3, 50,
                        List.of(P.steady("a", 0), P.steady("b", 0), P.unsampled("c")), 2, 0),
                new Row("a missing sample that turns a scale-down around keeps the size", "cpu", 3, 50,
                        List.of(P.steady("a", 200), P.steady("b", 200), P.unsampled("c")), 3, 20),
                new Row("a pending pod counts as nothing on a scale-up", "cpu", 3, 50,
                        List.of(P.steady("a", 1000), P.steady("b", 1000), P.pending("c")), 4, 100),
                new Row("a pending pod is left out of a scale-down", "cpu", 3, 50,
                        List.of(P.steady("a", 100), P.steady("b", 100), P.pending("c")), 1, 10),
                new Row("cpu of a pod not yet ready in its first minutes is not trusted", "cpu", 3, 50,
                        List.of(P.steady("a", 100), P.steady("b", 100), new P("c", "Running", false,
                                Duration.ofMinutes(1), Duration.ofMinutes(1), 2000L, NOW, false)), 1, 10),
                new Row("cpu sampled less than a window after the pod became ready is not trusted", "cpu", 3, 50,
                        List.of(P.steady("a", 100), P.steady("b", 100), new P("c", "Running", true,
                                Duration.ofMinutes(1), Duration.ofSeconds(5), 2000L, NOW.minusSeconds(2), false)),
                        1, 10),
                new Row("cpu of a pod that became unready long after its start is real", "cpu", 3, 50,
                        List.of(P.steady("a", 1000), P.steady("b", 1000), new P("c", "Running", false,
                                Duration.ofMinutes(10), Duration.ofMinutes(1), 1000L, NOW, false)), 6, 100),
                new Row("cpu of a pod never ready since its start is not trusted", "cpu", 3, 50,
                        List.of(P.steady("a", 100), P.steady("b", 100), new P("c", "Running", false,
                                Duration.ofMinutes(10), Duration.ofMinutes(10), 5000L, NOW, false)), 1, 10),
                new Row("memory of a pod that is not ready counts", "memory", 3, 50,
                        List.of(P.steady("a", 100 * MI), P.steady("b", 100 * MI), new P("c", "Running", false,
                                Duration.ofMinutes(1), Duration.ofMinutes(1), 400 * MI, NOW, false)), 6, 100),
                new Row("deleted and failed pods are left out", "cpu", 2, 50,
                        List.of(P.steady("a", 1000), P.steady("b", 1000), new P("c", "Failed", false,
                                Duration.ofMinutes(30), Duration.ofMinutes(1), 0L, NOW, false), new P("d", "Running",
                                true, Duration.ofMinutes(30), Duration.ofMinutes(29), 0L, NOW, true)), 4, 100)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("utilizationRows")
    void utilization(Row row) throws Exception {
        ReplicaCalculator.Result result = CALCULATOR.utilization(row.current(), row.target(), row.resource(),
                pods(row.pods(), row.resource()), samples(row.pods()));

        assertThat(result.replicas()).isEqualTo(row.replicas());
        assertThat(result.utilization()).isEqualTo(row.utilization());
    }

    static Stream<Arguments> averageValueRows() {
        return Stream.of(
                new Row("twice the average value doubles the replicas", "memory", 2, 100,
                        List.of(P.steady("a", 200 * MI), P.steady("b", 200 * MI)), 4, null),
                new Row("within the tolerance nothing changes", "memory", 2, 100,
                        List.of(P.steady("a", 105 * MI), P.steady("b", 105 * MI)), 2, null),
                new Row("a missing sample counts as the target on a scale-down", "memory", 3, 100,
                        List.of(P.steady("a", 10 * MI), P.steady("b", 10 * MI), P.unsampled("c")), 2, null),
                new Row("a pending pod counts as nothing on a scale-up", "memory", 2, 100,
                        List.of(P.steady("a", 300 * MI), P.pending("b")), 3, null)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("averageValueRows")
    void averageValue(Row row) throws Exception {
        ReplicaCalculator.Result result = CALCULATOR.averageValue(row.current(), row.target() * MI, row.resource(),
                pods(row.pods(), row.resource()), samples(row.pods()));

        assertThat(result.replicas()).isEqualTo(row.replicas());
        assertThat(result.utilization()).isNull();
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("no pods", List.of(), "no pods returned by selector while calculating replica count"),
                Arguments.of("no sample of a ready pod", List.of(P.unsampled("a"), P.pending("b")),
                        "did not receive metrics for targeted pods (pods might be unready)"),
                Arguments.of("a container without a request", List.of(P.steady("a", 100), P.steady("norequest", 100)),
                        "missing request for cpu in container app of Pod norequest"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void failsWithKubernetesWords(String name, List<P> pods, String message) {
        assertThatThrownBy(() -> CALCULATOR.utilization(2, 50, "cpu", pods(pods, "cpu"), samples(pods)))
                .isInstanceOf(ReplicaCalculator.Failed.class).hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void aSidecarsRequestCountsAndAQuantityIsReadInMilliUnits() throws Exception {
        Pod pod = pods(List.of(P.steady("a", 0)), "cpu").get(0);
        pod.getSpec().setInitContainers(List.of(new ContainerBuilder().withName("sidecar").withRestartPolicy("Always")
                .withNewResources().addToRequests("cpu", new Quantity("1")).endResources().build(),
                new ContainerBuilder().withName("setup").build()));

        // 1500m used of 1000m + 1000m requested: 75%, a ratio of 1.5 against 50%.
        ReplicaCalculator.Result result = CALCULATOR.utilization(1, 50, "cpu", List.of(pod),
                Map.of("a", new PodMetric(1500, NOW, Duration.ofSeconds(15))));

        assertThat(result.utilization()).isEqualTo(75);
        assertThat(result.replicas()).isEqualTo(2);
        assertThat(ReplicaCalculator.milli(new Quantity("250m"))).isEqualTo(250);
        assertThat(ReplicaCalculator.milli(new Quantity("1Ki"))).isEqualTo(1_024_000);
        assertThat(ReplicaCalculator.milli(new Quantity("1500n"))).isEqualTo(1);
    }

    private static List<Pod> pods(List<P> pods, String resource) {
        List<Pod> built = new ArrayList<>();
        for (P p : pods) {
            ContainerBuilder container = new ContainerBuilder().withName("app").withImage("app");
            if (!p.name().equals("norequest")) {
                // A request of 1 core, or of 200Mi for memory: a usage of 100Mi is 50% of it.
                container.withNewResources().addToRequests(resource, new Quantity(resource.equals("cpu") ? "1"
                        : "200Mi")).endResources();
            }
            PodBuilder pod = new PodBuilder().withNewMetadata().withName(p.name()).withNamespace("ns")
                    .withDeletionTimestamp(p.deleted() ? NOW.toString() : null).endMetadata()
                    .withNewSpec().withContainers(container.build()).endSpec()
                    .withNewStatus().withPhase(p.phase())
                    .withStartTime(p.startedAgo() == null ? null : NOW.minus(p.startedAgo()).toString())
                    .endStatus();
            if (p.ready() != null) {
                pod.editStatus().addNewCondition().withType("Ready").withStatus(p.ready() ? "True" : "False")
                        .withLastTransitionTime(NOW.minus(p.readySinceAgo()).toString()).endCondition().endStatus();
            }
            built.add(pod.build());
        }
        return built;
    }

    private static Map<String, PodMetric> samples(List<P> pods) {
        Map<String, PodMetric> samples = new HashMap<>();
        for (P p : pods) {
            if (p.usage() != null) {
                samples.put(p.name(), new PodMetric(p.usage(), p.sampledAt(), Duration.ofSeconds(30)));
            }
        }
        return samples;
    }
}
