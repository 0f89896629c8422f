package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.HOSTNAME;
import static io.qube.scheduler.plugins.Fixtures.ZONE;
import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static io.qube.scheduler.plugins.Fixtures.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The cluster of most cases: a1 and a2 in zone a, b1 in zone b, "nozone" without a zone label; every case says
 * which pods run where. The incoming pod carries app=web unless said otherwise.
 */
class PodTopologySpreadTest {

    private static final String SKEW = "node(s) didn't match pod topology spread constraints";
    private static final String MISSING = "node(s) didn't match pod topology spread constraints (missing required label)";
    private static final LabelSelector WEB = selector("app", "web");

    enum Outcome { OK, SKEW, MISSING }

    private static Fixtures.PodMaker web(String name) {
        return pod(name).label("app", "web");
    }

    /** The cluster with these pods on a1, b1 (as a1 pods, then b1 pods). */
    private static TestHandle cluster(List<Fixtures.PodMaker> onA1, List<Fixtures.PodMaker> onB1) {
        return new TestHandle(Fixtures.infos(
                node("a1").zone("a").with(onA1.toArray(Fixtures.PodMaker[]::new)),
                node("a2").zone("a"),
                node("b1").zone("b").with(onB1.toArray(Fixtures.PodMaker[]::new)),
                node("nozone")));
    }

    private static TopologySpreadConstraint versioned() {
        return new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                .withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(WEB).withMatchLabelKeys("version").build();
    }

    private static Fixtures.PodMaker spreading(int maxSkew, String key, String when) {
        return web("p").spread(maxSkew, key, when, WEB);
    }

    static Stream<Arguments> filterCases() {
        Outcome ok = Outcome.OK;
        Outcome skew = Outcome.SKEW;
        Outcome missing = Outcome.MISSING;
        return Stream.of(
                arguments("zone a 2, zone b 0: zone a rejected, zone b accepted",
                        spreading(1, ZONE, "DoNotSchedule"), List.of(web("w1"), web("w2")), List.of(),
                        List.of(skew, skew, ok, missing)),
                arguments("zone a 1, zone b 0, maxSkew 1: zone a rejected",
                        spreading(1, ZONE, "DoNotSchedule"), List.of(web("w1")), List.of(), List.of(skew, skew, ok, missing)),
                arguments("zone a 1, zone b 0, maxSkew 2: a skew of 2 is allowed",
                        spreading(2, ZONE, "DoNotSchedule"), List.of(web("w1")), List.of(), List.of(ok, ok, ok, missing)),
                arguments("one pod per zone: balanced",
                        spreading(1, ZONE, "DoNotSchedule"), List.of(web("w1")), List.of(web("w2")),
                        List.of(ok, ok, ok, missing)),
                arguments("zone a 2, zone b 1: zone a rejected",
                        spreading(1, ZONE, "DoNotSchedule"), List.of(web("w1"), web("w2")), List.of(web("w3")),
                        List.of(skew, skew, ok, missing)),
                arguments("minDomains larger than the number of domains makes the minimum 0",
                        web("p").spread(new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                                .withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(WEB).withMinDomains(3).build()),
                        List.of(web("w1"), web("w2")), List.of(web("w3")), List.of(skew, skew, skew, missing)),
                arguments("minDomains equal to the number of domains keeps the minimum",
                        web("p").spread(new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                                .withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(WEB).withMinDomains(2).build()),
                        List.of(web("w1"), web("w2")), List.of(web("w3")), List.of(skew, skew, ok, missing)),
                arguments("an incoming pod its selector does not select does not count itself",
                        pod("p").label("app", "other").spread(1, ZONE, "DoNotSchedule", WEB), List.of(web("w1")), List.of(),
                        List.of(ok, ok, ok, missing)),
                arguments("matchLabelKeys narrow the selector to the pod's own values: other versions not counted",
                        web("p").label("version", "v2").spread(versioned()),
                        List.of(web("w1").label("version", "v1"), web("w2").label("version", "v1")), List.of(),
                        List.of(ok, ok, ok, missing)),
                arguments("matchLabelKeys: pods of the same version are counted",
                        web("p").label("version", "v2").spread(versioned()),
                        List.of(web("w1").label("version", "v2"), web("w2").label("version", "v2")), List.of(),
                        List.of(skew, skew, ok, missing)),
                arguments("pods in other namespaces are not counted",
                        spreading(1, ZONE, "DoNotSchedule"),
                        List.of(web("w1").namespace("other"), web("w2").namespace("other")), List.of(),
                        List.of(ok, ok, ok, missing)),
                arguments("pods the selector does not select are not counted",
                        spreading(1, ZONE, "DoNotSchedule"),
                        List.of(pod("d1").label("app", "db"), pod("d2").label("app", "db")), List.of(),
                        List.of(ok, ok, ok, missing)),
                arguments("terminating pods are not counted",
                        spreading(1, ZONE, "DoNotSchedule"), List.of(web("w1").terminating(), web("w2").terminating()),
                        List.of(), List.of(ok, ok, ok, missing)),
                arguments("hostname spreading: only the node with the pod is rejected",
                        spreading(1, HOSTNAME, "DoNotSchedule"), List.of(web("w1")), List.of(), List.of(skew, ok, ok, ok)),
                arguments("two constraints must both hold",
                        spreading(1, ZONE, "DoNotSchedule").spread(1, HOSTNAME, "DoNotSchedule", WEB),
                        List.of(), List.of(web("w1")), List.of(ok, ok, skew, missing)),
                arguments("ScheduleAnyway constraints do not filter",
                        spreading(1, ZONE, "ScheduleAnyway"), List.of(web("w1"), web("w2")), List.of(),
                        List.of(ok, ok, ok, ok)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Fixtures.PodMaker pod, List<Fixtures.PodMaker> onA1, List<Fixtures.PodMaker> onB1,
                List<Outcome> expected) {
        TestHandle handle = cluster(onA1, onB1);
        Map<String, Status> statuses = new Cycle(handle, new PodTopologySpread(handle)).filter(pod.info());

        assertOutcomes(name, statuses, List.of("a1", "a2", "b1", "nozone"), expected);
    }

    private static void assertOutcomes(String name, Map<String, Status> statuses, List<String> nodes,
                                       List<Outcome> expected) {
        for (int i = 0; i < nodes.size(); i++) {
            String description = name + " on " + nodes.get(i);
            Status status = statuses.get(nodes.get(i));
            switch (expected.get(i)) {
                case OK -> Cycle.assertStatus(description, status, Code.SUCCESS);
                case SKEW -> Cycle.assertStatus(description, status, Code.UNSCHEDULABLE, SKEW);
                case MISSING -> Cycle.assertStatus(description, status, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, MISSING);
            }
        }
    }

    /**
     * Node inclusion policies, on a cluster of a1 (zone a, one matching pod), a2 (zone a) and b1 (zone b, tainted
     * dedicated=db:NoSchedule): a domain left out does not count towards the minimum.
     */
    static Stream<Arguments> inclusionCases() {
        Outcome ok = Outcome.OK;
        Outcome skew = Outcome.SKEW;
        return Stream.of(
                arguments("defaults: node affinity honoured, taints ignored",
                        null, null, spreadPod(), List.of(skew, skew, ok)),
                arguments("nodeTaintsPolicy Honor leaves the tainted zone out",
                        null, "Honor", spreadPod(), List.of(ok, ok, ok)),
                arguments("nodeTaintsPolicy Honor counts a tainted node the pod tolerates", null, "Honor",
                        spreadPod().tolerate("dedicated", "Exists", null, "NoSchedule"), List.of(skew, skew, ok)),
                arguments("a nodeSelector leaves other zones out (nodeAffinityPolicy Honor by default)", null, null,
                        spreadPod().nodeSelector(ZONE, "a"), List.of(ok, ok, ok)),
                arguments("nodeAffinityPolicy Ignore counts every zone", "Ignore", null,
                        spreadPod().nodeSelector(ZONE, "a"), List.of(skew, skew, ok)));
    }

    private static Fixtures.PodMaker spreadPod() {
        return web("p");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inclusionCases")
    void nodeInclusionPolicies(String name, String affinityPolicy, String taintsPolicy, Fixtures.PodMaker pod,
                               List<Outcome> expected) {
        TestHandle handle = new TestHandle(Fixtures.infos(
                node("a1").zone("a").with(web("w1")),
                node("a2").zone("a"),
                node("b1").zone("b").taint("dedicated", "db", "NoSchedule")));
        pod.spread(new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                .withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(WEB)
                .withNodeAffinityPolicy(affinityPolicy).withNodeTaintsPolicy(taintsPolicy).build());
        Map<String, Status> statuses = new Cycle(handle, new PodTopologySpread(handle)).filter(pod.info());

        assertOutcomes(name, statuses, List.of("a1", "a2", "b1"), expected);
    }

    /** What preemption does to the state: removing the matching pods of zone a lets the pod in there. */
    @Test
    void preFilterExtensionsFollowRemovedAndAddedPods() {
        Fixtures.PodMaker w1 = web("w1").nodeName("a1");
        Fixtures.PodMaker w2 = web("w2").nodeName("a1");
        TestHandle handle = cluster(List.of(w1, w2), List.of());
        PodTopologySpread plugin = new PodTopologySpread(handle);
        PodInfo pod = spreading(1, ZONE, "DoNotSchedule").info();
        NodeInfo a1 = handle.snapshot().get("a1");
        NodeInfo b1 = handle.snapshot().get("b1");
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod, handle.snapshot().nodes()).status().isSuccess()).isTrue();
        assertThat(plugin.filter(state, pod, a1).isSuccess()).as("a: 2, b: 0").isFalse();

        plugin.extensions().removePod(state, pod, a1.pods().get(0), a1);
        assertThat(plugin.filter(state, pod, a1).isSuccess()).as("a: 1, b: 0").isFalse();
        plugin.extensions().removePod(state, pod, a1.pods().get(1), a1);
        assertThat(plugin.filter(state, pod, a1).isSuccess()).as("a: 0, b: 0").isTrue();
        plugin.extensions().addPod(state, pod, web("w3").nodeName("b1").info(), b1);
        assertThat(plugin.filter(state, pod, a1).isSuccess()).as("a: 0, b: 1").isTrue();
        assertThat(plugin.filter(state, pod, b1).isSuccess()).as("a: 0, b: 1, on b").isFalse();
    }

    /** Each node's normalised score: fewer matching pods in its domain scores higher; nozone is left out (0). */
    static Stream<Arguments> scoreCases() {
        return Stream.of(
                // a: 2 * ln(4) = 2.77 -> 3, b: 0.
                arguments("zone a 2, zone b 0: the emptier zone is preferred",
                        spreading(1, ZONE, "ScheduleAnyway"), List.of(web("w1"), web("w2")), List.of(),
                        List.of(0L, 0L, 100L, 0L)),
                // a: 3, b: 1 * ln(4) = 1.39 -> 1; 100 * (3 + 1 - score) / 3.
                arguments("zone a 2, zone b 1",
                        spreading(1, ZONE, "ScheduleAnyway"), List.of(web("w1"), web("w2")), List.of(web("w3")),
                        List.of(33L, 33L, 100L, 0L)),
                // a: 1.39 + (3 - 1) = 3.39 -> 3, b: 2; 100 * (3 + 2 - score) / 3.
                arguments("maxSkew adds maxSkew - 1 to every node",
                        spreading(3, ZONE, "ScheduleAnyway"), List.of(web("w1")), List.of(), List.of(66L, 66L, 100L, 0L)),
                // Four hosts: a1 1 * ln(6) = 1.79 -> 2, the others 0.
                arguments("hostname spreading counts the node's own pods",
                        spreading(1, HOSTNAME, "ScheduleAnyway"), List.of(web("w1")), List.of(),
                        List.of(0L, 100L, 100L, 100L)),
                // a 1, b 1: every zoned node scores alike (with the deleted pod counted a would score 3, b 1).
                arguments("a pod being deleted is not counted",
                        spreading(1, ZONE, "ScheduleAnyway"), List.of(web("w1"), web("w2").terminating()),
                        List.of(web("w3")), List.of(100L, 100L, 100L, 0L)),
                // nodeAffinityPolicy Honor (the default): zone a's nodes are not the pod's to go to, so its pods do
                // not count (a 0, b 1 -> 1); counted, a would be 3.
                arguments("pods on nodes the pod's node selector excludes are not counted",
                        spreading(1, ZONE, "ScheduleAnyway").nodeSelector(ZONE, "b"),
                        List.of(web("w1"), web("w2")), List.of(web("w3")), List.of(100L, 100L, 0L, 0L)),
                arguments("pods of other namespaces or not selected are not counted",
                        spreading(1, ZONE, "ScheduleAnyway"),
                        List.of(web("w1").namespace("other"), web("w2").namespace("other"), pod("d1").label("app", "db")),
                        List.of(), List.of(100L, 100L, 100L, 0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Fixtures.PodMaker pod, List<Fixtures.PodMaker> onA1, List<Fixtures.PodMaker> onB1,
               List<Long> expected) {
        TestHandle handle = cluster(onA1, onB1);
        Map<String, Long> scores = new Cycle(handle, new PodTopologySpread(handle)).score(pod.info());

        assertThat(List.copyOf(scores.values())).as(name).isEqualTo(expected);
    }

    /**
     * The cluster's default constraints (hostname maxSkew 3, zone maxSkew 5) for a pod a Service selects, with a
     * node without a zone label scored on hostname alone: a1 = 1 * ln(6) + 2 + 1 * ln(4) + 4 = 9.18 -> 9,
     * a2 = 2 + 5.39 -> 7, b1 = 2 + 4 = 6, nozone = 2; normalised 100 * (9 + 2 - score) / 9.
     */
    @Test
    void systemDefaultConstraintsScoreWithTheDefaultSelector() {
        TestHandle handle = cluster(List.of(web("w1")), List.of());
        handle.defaultSpreadSelector = WEB;

        Map<String, Long> scores = new Cycle(handle, new PodTopologySpread(handle)).score(web("p").info());

        assertThat(List.copyOf(scores.values())).isEqualTo(List.of(22L, 44L, 55L, 100L));
    }

    static Stream<Arguments> preScoreSkipCases() {
        return Stream.of(
                arguments("no constraints and no default selector", web("p"), null),
                arguments("only DoNotSchedule constraints (the defaults do not apply)",
                        spreading(1, ZONE, "DoNotSchedule"), WEB));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preScoreSkipCases")
    void preScoreSkips(String name, Fixtures.PodMaker pod, LabelSelector defaultSelector) {
        TestHandle handle = cluster(List.of(web("w1")), List.of());
        handle.defaultSpreadSelector = defaultSelector;

        Status status = new PodTopologySpread(handle).preScore(new CycleState(), pod.info(), handle.snapshot().nodes());

        assertThat(status.isSkip()).as(name).isTrue();
    }
}
