package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stabilization windows and scaling policies over time, on a clock the test moves: each row is an autoscaler's
 * spec and a sequence of steps (seconds later, the target's size, the metrics' recommendation), with the size
 * Kubernetes' normalization gives and the reasons of AbleToScale and ScalingLimited. A step whose result differs
 * from the size is taken as a rescale, as the controller records it.
 */
class ReplicaNormalizerTest {

    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");

    /** A clock only the test moves. */
    static final class TestClock extends Clock {
        private Instant now = START;

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    record Step(int afterSeconds, int current, int recommended, int result, String ableToScale, String limited) {
    }

    record Row(String name, int min, int max, HorizontalPodAutoscalerBehavior behavior, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Kubernetes' defaults for a behavior that is given (what admission fills in). */
    private static HPAScalingRules defaultUp() {
        return rules(0, "Max", policy("Pods", 4, 15), policy("Percent", 100, 15));
    }

    private static HPAScalingRules defaultDown(Integer window) {
        return rules(window, "Max", policy("Percent", 100, 15));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                new Row("without a behavior a scale-down waits for the 5 minute window", 1, 10, null, List.of(
                        new Step(0, 5, 2, 5, "ScaleDownStabilized", "DesiredWithinRange"),
                        new Step(200, 5, 3, 5, "ScaleDownStabilized", "DesiredWithinRange"),
                        new Step(101, 5, 2, 3, "ScaleDownStabilized", "DesiredWithinRange"),
                        new Step(200, 3, 2, 2, "ReadyForNewScale", "DesiredWithinRange"))),
                new Row("without a behavior a scale-up is at most double or 4", 1, 20, null, List.of(
                        new Step(0, 1, 10, 4, "ReadyForNewScale", "ScaleUpLimit"),
                        new Step(15, 4, 10, 8, "ReadyForNewScale", "ScaleUpLimit"),
                        new Step(15, 8, 10, 10, "ReadyForNewScale", "DesiredWithinRange"))),
                new Row("max and min replicas bound the recommendation", 2, 5, null, List.of(
                        new Step(0, 3, 10, 5, "ReadyForNewScale", "TooManyReplicas"),
                        new Step(301, 5, 1, 2, "ReadyForNewScale", "TooFewReplicas"))),
                new Row("default policies: 4 pods or 100% per 15 s, whichever is more", 1, 50,
                        behavior(defaultUp(), defaultDown(0)), List.of(
                        new Step(0, 2, 20, 6, "ReadyForNewScale", "ScaleUpLimit"),
                        new Step(5, 6, 20, 6, "ReadyForNewScale", "ScaleUpLimit"),
                        new Step(11, 6, 20, 12, "ReadyForNewScale", "ScaleUpLimit"),
                        new Step(16, 12, 20, 20, "ReadyForNewScale", "DesiredWithinRange"))),
                new Row("selectPolicy Min takes the policy allowing the smaller change", 1, 50,
                        behavior(rules(0, "Min", policy("Pods", 4, 15), policy("Percent", 100, 15)), defaultDown(0)),
                        List.of(new Step(0, 2, 20, 4, "ReadyForNewScale", "ScaleUpLimit"),
                                new Step(16, 4, 20, 8, "ReadyForNewScale", "ScaleUpLimit"))),
                new Row("a percent policy over 60 s counts from the size at the period's start", 1, 50,
                        behavior(defaultUp(), rules(0, "Max", policy("Percent", 50, 60))), List.of(
                        new Step(0, 10, 1, 5, "ReadyForNewScale", "ScaleDownLimit"),
                        new Step(30, 5, 1, 5, "ReadyForNewScale", "ScaleDownLimit"),
                        new Step(31, 5, 1, 2, "ReadyForNewScale", "ScaleDownLimit"))),
                new Row("selectPolicy Disabled never scales that way", 1, 50,
                        behavior(defaultUp(), rules(0, "Disabled", policy("Percent", 100, 15))), List.of(
                        new Step(0, 5, 1, 5, "ReadyForNewScale", "ScaleDownLimit"),
                        new Step(600, 5, 1, 5, "ReadyForNewScale", "ScaleDownLimit"))),
                new Row("a scale-up window takes the lowest recent recommendation", 1, 50,
                        behavior(rules(60, "Max", policy("Pods", 4, 15), policy("Percent", 100, 15)),
                                defaultDown(0)), List.of(
                        new Step(0, 2, 6, 2, "ScaleUpStabilized", "DesiredWithinRange"),
                        new Step(30, 2, 8, 2, "ScaleUpStabilized", "DesiredWithinRange"),
                        // The window let 8 through; the default policies allow 4 more pods than 2.
                        new Step(31, 2, 8, 6, "ReadyForNewScale", "ScaleUpLimit"),
                        new Step(60, 6, 8, 8, "ReadyForNewScale", "DesiredWithinRange"))),
                new Row("a behavior without a scale-down window gets the controller's 5 minutes", 1, 50,
                        behavior(defaultUp(), defaultDown(null)), List.of(
                        new Step(0, 4, 1, 4, "ScaleDownStabilized", "DesiredWithinRange"),
                        new Step(301, 4, 1, 1, "ReadyForNewScale", "DesiredWithinRange"))),
                new Row("a short scale-down window from the behavior", 1, 50,
                        behavior(defaultUp(), defaultDown(10)), List.of(
                        new Step(0, 4, 1, 4, "ScaleDownStabilized", "DesiredWithinRange"),
                        new Step(5, 4, 1, 4, "ScaleDownStabilized", "DesiredWithinRange"),
                        new Step(6, 4, 1, 1, "ReadyForNewScale", "DesiredWithinRange")))
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void stepsOverTime(Row row) {
        TestClock clock = new TestClock();
        ReplicaNormalizer normalizer = new ReplicaNormalizer(Duration.ofMinutes(5), clock);
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("web")
                .withNamespace("ns").endMetadata().withNewSpec().withMinReplicas(row.min())
                .withMaxReplicas(row.max()).withBehavior(row.behavior()).endSpec().build();
        normalizer.recordInitial("ns/web", row.steps().get(0).current());
        for (int i = 0; i < row.steps().size(); i++) {
            Step step = row.steps().get(i);
            clock.advance(Duration.ofSeconds(step.afterSeconds()));

            int result = normalizer.normalize(hpa, "ns/web", step.current(), step.recommended(), row.min());

            assertThat(result).as("step %d", i).isEqualTo(step.result());
            assertThat(condition(hpa, "AbleToScale").getReason()).as("step %d", i).isEqualTo(step.ableToScale());
            assertThat(condition(hpa, "ScalingLimited").getReason()).as("step %d", i).isEqualTo(step.limited());
            assertThat(condition(hpa, "ScalingLimited").getStatus()).as("step %d", i)
                    .isEqualTo(step.limited().equals("DesiredWithinRange") ? "False" : "True");
            if (result != step.current()) {
                normalizer.rescaled(hpa, "ns/web", step.current(), result);
            }
        }
    }

    private static HorizontalPodAutoscalerCondition condition(HorizontalPodAutoscaler hpa, String type) {
        return hpa.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElseThrow();
    }

    private static HorizontalPodAutoscalerBehavior behavior(HPAScalingRules up, HPAScalingRules down) {
        return new HorizontalPodAutoscalerBehavior(down, up);
    }

    private static HPAScalingRules rules(Integer window, String select, HPAScalingPolicy... policies) {
        HPAScalingRules rules = new HPAScalingRules();
        rules.setStabilizationWindowSeconds(window);
        rules.setSelectPolicy(select);
        rules.setPolicies(List.of(policies));
        return rules;
    }

    private static HPAScalingPolicy policy(String type, int value, int periodSeconds) {
        return new HPAScalingPolicy(periodSeconds, type, value);
    }
}
