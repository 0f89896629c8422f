package io.qube.scheduler.queue;

import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.plugins.Fixtures;
import io.qube.scheduler.plugins.PluginRegistry;
import io.qube.scheduler.plugins.TestHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The queue on a clock the test moves; pop() is only called when a pod is active, so it never blocks. */
class SchedulingQueueTest {

    /** A clock that stands still until told to move. */
    static final class TestClock extends Clock {
        private Instant now = Instant.parse("2024-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
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

    private final TestClock clock = new TestClock();
    private final SchedulingQueue queue = new SchedulingQueue(clock,
            PluginRegistry.framework(PluginRegistry.Profile.defaults(), new TestHandle()));

    private static PodInfo pod(String name, int priority) {
        return Fixtures.pod(name).priority(priority).info();
    }

    /** Pops, first making sure a pod is active, so the call cannot block. */
    private QueuedPodInfo popNow() throws InterruptedException {
        assertThat(queue.sizes().get("active")).as("active pods before pop").isPositive();
        return queue.pop();
    }

    /** One failed attempt: pop, the pod is rejected by these plugins, back to the queue. */
    private QueuedPodInfo failOnce(Set<String> rejecting, boolean error) throws InterruptedException {
        QueuedPodInfo queued = popNow();
        queued.setRejectingPlugins(rejecting);
        queue.requeueUnschedulable(queued, queue.schedulingCycle(), error);
        return queued;
    }

    private Map<String, Integer> sizes(int active, int backoff, int unschedulable, int gated) {
        return Map.of("active", active, "backoff", backoff, "unschedulable", unschedulable, "gated", gated);
    }

    static Stream<Arguments> orderCases() {
        return Stream.of(
                arguments("higher priority first", List.of("low:1", "high:10"), List.of("high", "low")),
                arguments("equal priority: the longest waiting first", List.of("a:5", "b:5", "c:5"), List.of("a", "b", "c")),
                arguments("priority, then age", List.of("low:1", "old-mid:5", "high:10", "new-mid:5"),
                        List.of("high", "old-mid", "new-mid", "low")),
                arguments("negative priorities after zero", List.of("neg:-1", "zero:0"), List.of("zero", "neg")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orderCases")
    void popOrder(String name, List<String> added, List<String> expected) throws InterruptedException {
        for (String entry : added) {
            String[] parts = entry.split(":");
            queue.add(pod(parts[0], Integer.parseInt(parts[1])));
            clock.advance(Duration.ofMillis(1));
        }

        List<String> popped = new ArrayList<>();
        for (int i = 0; i < added.size(); i++) {
            popped.add(popNow().pod().name());
        }
        assertThat(popped).as(name).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> backoffCases() {
        return Stream.of(
                arguments("after attempt 1: 1s", 1, Duration.ofSeconds(1)),
                arguments("after attempt 2: 2s", 2, Duration.ofSeconds(2)),
                arguments("after attempt 3: 4s", 3, Duration.ofSeconds(4)),
                arguments("after attempt 4: 8s", 4, Duration.ofSeconds(8)),
                arguments("after attempt 5: capped at 10s", 5, Duration.ofSeconds(10)),
                arguments("after attempt 6: still 10s", 6, Duration.ofSeconds(10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backoffCases")
    void backoffDoublesUpToTenSeconds(String name, int attempts, Duration expected) throws InterruptedException {
        queue.add(pod("p", 0));
        for (int attempt = 1; attempt < attempts; attempt++) {
            failOnce(Set.of(), true);
            clock.advance(Duration.ofSeconds(10));
            queue.flush();
        }
        QueuedPodInfo queued = failOnce(Set.of(), true);
        assertThat(queued.attempts()).as(name).isEqualTo(attempts);

        clock.advance(expected.minusMillis(1));
        queue.flush();
        assertThat(queue.sizes()).as("%s: 1ms before the end", name).isEqualTo(sizes(0, 1, 0, 0));
        clock.advance(Duration.ofMillis(1));
        queue.flush();
        assertThat(queue.sizes()).as("%s: at the end", name).isEqualTo(sizes(1, 0, 0, 0));
    }

    static Stream<Arguments> eventCases() {
        return Stream.of(
                arguments("NodeResourcesFit: an assigned pod deleted frees room", Set.of("NodeResourcesFit"),
                        ClusterEvent.ASSIGNED_POD_DELETED, true),
                arguments("NodeResourcesFit: a node added", Set.of("NodeResourcesFit"), ClusterEvent.NODE_ADDED, true),
                arguments("NodeResourcesFit: an assigned pod added cannot help", Set.of("NodeResourcesFit"),
                        ClusterEvent.ASSIGNED_POD_ADDED, false),
                arguments("NodeAffinity: a node changed", Set.of("NodeAffinity"), ClusterEvent.NODE_CHANGED, true),
                arguments("NodeAffinity: an assigned pod deleted cannot help", Set.of("NodeAffinity"),
                        ClusterEvent.ASSIGNED_POD_DELETED, false),
                arguments("TaintToleration: an assigned pod deleted cannot help", Set.of("TaintToleration"),
                        ClusterEvent.ASSIGNED_POD_DELETED, false),
                arguments("NodeName: a node changed cannot help", Set.of("NodeName"), ClusterEvent.NODE_CHANGED, false),
                arguments("InterPodAffinity: a namespace's labels changed", Set.of("InterPodAffinity"),
                        ClusterEvent.NAMESPACE_CHANGED, true),
                arguments("PodTopologySpread: an assigned pod added", Set.of("PodTopologySpread"),
                        ClusterEvent.ASSIGNED_POD_ADDED, true),
                arguments("two plugins: the union of their events", Set.of("NodeName", "NodePorts"),
                        ClusterEvent.ASSIGNED_POD_DELETED, true),
                arguments("no rejecting plugin known: every event", Set.of(), ClusterEvent.ASSIGNED_POD_ADDED, true),
                arguments("the timeout helps every pod", Set.of("NodeAffinity"), ClusterEvent.UNSCHEDULABLE_TIMEOUT, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventCases")
    void unschedulablePodsMoveOnRelevantEvents(String name, Set<String> rejecting, ClusterEvent event, boolean moves)
            throws InterruptedException {
        queue.add(pod("p", 0));
        failOnce(rejecting, false);
        assertThat(queue.isUnschedulable("default/p")).as("%s: unschedulable after the attempt", name).isTrue();
        clock.advance(Duration.ofSeconds(1));

        queue.onEvent(event);

        assertThat(queue.sizes()).as(name).isEqualTo(moves ? sizes(1, 0, 0, 0) : sizes(0, 0, 1, 0));
    }

    @Test
    void aPodMovedWhileStillBackingOffWaitsInBackoff() throws InterruptedException {
        queue.add(pod("p", 0));
        failOnce(Set.of("NodeResourcesFit"), false);

        queue.onEvent(ClusterEvent.NODE_ADDED);
        assertThat(queue.sizes()).isEqualTo(sizes(0, 1, 0, 0));
        clock.advance(Duration.ofSeconds(1));
        queue.flush();
        assertThat(queue.sizes()).isEqualTo(sizes(1, 0, 0, 0));
    }

    static Stream<Arguments> moveRequestCases() {
        return Stream.of(
                arguments("no event: the pod waits among the unschedulable", false, false, false, sizes(0, 1)),
                arguments("an event during the cycle: the pod backs off instead", false, true, false, sizes(1, 0)),
                arguments("an event before the cycle: unschedulable", true, false, false, sizes(0, 1)),
                arguments("an error: backoff", false, false, true, sizes(1, 0)));
    }

    private static Map<String, Integer> sizes(int backoff, int unschedulable) {
        return Map.of("active", 0, "backoff", backoff, "unschedulable", unschedulable, "gated", 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("moveRequestCases")
    void aMoveRequestDuringTheCycleSendsTheFailedPodToBackoff(String name, boolean eventBefore, boolean eventDuring,
                                                               boolean error, Map<String, Integer> expected)
            throws InterruptedException {
        queue.add(pod("p", 0));
        if (eventBefore) {
            queue.onEvent(ClusterEvent.ASSIGNED_POD_ADDED);
        }
        QueuedPodInfo queued = popNow();
        long cycle = queue.schedulingCycle();
        queued.setRejectingPlugins(Set.of("NodeResourcesFit"));
        if (eventDuring) {
            // An event NodeResourcesFit does not care about still counts: the pod may have missed any move.
            queue.onEvent(ClusterEvent.ASSIGNED_POD_ADDED);
        }

        queue.requeueUnschedulable(queued, cycle, error);

        assertThat(queue.sizes()).as(name).isEqualTo(expected);
    }

    @Test
    void gatedPodsAreNotPoppedUntilTheirGatesAreGone() throws InterruptedException {
        queue.add(Fixtures.pod("gated").priority(100).gate("example.com/wait").info());
        clock.advance(Duration.ofMillis(1));
        queue.add(pod("plain", 0));
        assertThat(queue.sizes()).isEqualTo(sizes(1, 0, 0, 1));

        assertThat(popNow().pod().name()).as("the gated pod, though more important, is not popped").isEqualTo("plain");
        queue.update(Fixtures.pod("gated").priority(100).gate("example.com/wait").gate("example.com/more").info());
        assertThat(queue.sizes()).as("still gated").isEqualTo(sizes(0, 0, 0, 1));

        queue.update(Fixtures.pod("gated").priority(100).info());
        assertThat(queue.sizes()).as("gates removed").isEqualTo(sizes(1, 0, 0, 0));
        assertThat(popNow().pod().name()).isEqualTo("gated");
    }

    static Stream<Arguments> updateCases() {
        return Stream.of(
                arguments("a changed spec is tried again", Fixtures.pod("p").requests("100m", null), true),
                arguments("changed labels are tried again", Fixtures.pod("p").label("tier", "front"), true),
                arguments("an unchanged pod keeps waiting", Fixtures.pod("p"), false),
                arguments("a status-only change keeps waiting", Fixtures.pod("p").nominatedNodeName("n1"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updateCases")
    void updatesOfUnschedulablePods(String name, Fixtures.PodMaker updated, boolean moves) throws InterruptedException {
        queue.add(Fixtures.pod("p").info());
        failOnce(Set.of("NodeResourcesFit"), false);
        clock.advance(Duration.ofSeconds(1));

        queue.update(updated.info());

        assertThat(queue.sizes()).as(name).isEqualTo(moves ? sizes(1, 0, 0, 0) : sizes(0, 0, 1, 0));
    }

    @Test
    void unschedulablePodsAreRetriedAfterFiveMinutes() throws InterruptedException {
        queue.add(pod("p", 0));
        failOnce(Set.of("NodeAffinity"), false);

        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        queue.flush();
        assertThat(queue.sizes()).as("just under five minutes").isEqualTo(sizes(0, 0, 1, 0));
        clock.advance(Duration.ofMillis(1));
        queue.flush();
        assertThat(queue.sizes()).as("five minutes").isEqualTo(sizes(1, 0, 0, 0));
    }
}
