package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** When a pod must leave a node for its NoExecute taints. */
class EvictionTest {

    private static final Instant NOW = Instant.parse("2026-12-05T20:00:00Z");
    private static final Instant ADDED = NOW.minusSeconds(100);
    private static final Taint UNREACHABLE = taint("node.kubernetes.io/unreachable", "NoExecute", ADDED);
    private static final Taint NOT_READY = taint("node.kubernetes.io/not-ready", "NoExecute", NOW.minusSeconds(10));
    private static final Taint NO_SCHEDULE = taint("node.kubernetes.io/unreachable", "NoSchedule", null);
    private static final Taint DEDICATED = taint("dedicated", "NoExecute", ADDED);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no taints: never", List.of(), List.of(), null),
                Arguments.of("only NoSchedule: never", List.of(NO_SCHEDULE), List.of(), null),
                Arguments.of("untolerated NoExecute: now", List.of(UNREACHABLE), List.of(), Instant.MIN),
                Arguments.of("tolerated for ever: never", List.of(UNREACHABLE),
                        List.of(toleration("node.kubernetes.io/unreachable", null)), null),
                Arguments.of("tolerated 300 s from when the taint came", List.of(UNREACHABLE),
                        List.of(toleration("node.kubernetes.io/unreachable", 300L)), ADDED.plusSeconds(300)),
                Arguments.of("the shortest toleration counts", List.of(UNREACHABLE),
                        List.of(toleration("node.kubernetes.io/unreachable", 300L),
                                toleration("node.kubernetes.io/unreachable", 30L)), ADDED.plusSeconds(30)),
                Arguments.of("a time already past: due in the past", List.of(UNREACHABLE),
                        List.of(toleration("node.kubernetes.io/unreachable", 5L)), ADDED.plusSeconds(5)),
                Arguments.of("one of two taints untolerated: now", List.of(UNREACHABLE, DEDICATED),
                        List.of(toleration("node.kubernetes.io/unreachable", 300L)), Instant.MIN),
                Arguments.of("an Exists toleration without key tolerates all", List.of(UNREACHABLE, DEDICATED),
                        List.of(new TolerationBuilder().withOperator("Exists").build()), null),
                Arguments.of("two taints: counted from the later one", List.of(UNREACHABLE, NOT_READY),
                        List.of(toleration("node.kubernetes.io/unreachable", 60L),
                                toleration("node.kubernetes.io/not-ready", 60L)), NOW.minusSeconds(10).plusSeconds(60)),
                Arguments.of("a negative toleration counts as zero", List.of(UNREACHABLE),
                        List.of(toleration("node.kubernetes.io/unreachable", -5L)), ADDED),
                Arguments.of("a NoSchedule toleration does not tolerate NoExecute", List.of(UNREACHABLE),
                        List.of(new TolerationBuilder().withKey("node.kubernetes.io/unreachable")
                                .withOperator("Exists").withEffect("NoSchedule").build()), Instant.MIN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void due(String name, List<Taint> taints, List<Toleration> tolerations, Instant expected) {
        Pod pod = new PodBuilder().withNewSpec().withTolerations(tolerations).endSpec().build();
        assertThat(Eviction.due(pod, taints, NOW)).isEqualTo(expected);
    }

    private static Taint taint(String key, String effect, Instant added) {
        return new TaintBuilder().withKey(key).withEffect(effect).withTimeAdded(added == null ? null : added.toString())
                .build();
    }

    private static Toleration toleration(String key, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(seconds).build();
    }
}
