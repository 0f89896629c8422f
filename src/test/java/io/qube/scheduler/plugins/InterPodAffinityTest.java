package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.HOSTNAME;
import static io.qube.scheduler.plugins.Fixtures.ZONE;
import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static io.qube.scheduler.plugins.Fixtures.podTerm;
import static io.qube.scheduler.plugins.Fixtures.selector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The cluster of every case: n1 and n2 in zone a, n3 in zone b, n4 without a zone label. Pod "web" (app=web) runs
 * on n1 in namespace default, pod "web-other" (app=web) on n3 in namespace other; a case may place more pods.
 * Namespace default has label team=red, other team=blue.
 */
class InterPodAffinityTest {

    enum Outcome {
        OK(Code.SUCCESS, null),
        AFFINITY(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "node(s) didn't match pod affinity rules"),
        ANTI(Code.UNSCHEDULABLE, "node(s) didn't match pod anti-affinity rules"),
        EXISTING(Code.UNSCHEDULABLE, "node(s) didn't satisfy existing pods anti-affinity rules");

        final Code code;
        final String reason;

        Outcome(Code code, String reason) {
            this.code = code;
            this.reason = reason;
        }
    }

    /** A pod a case adds to the cluster, on the node named. */
    record Placed(String node, Fixtures.PodMaker pod) {
    }

    private static TestHandle cluster(Placed... extra) {
        Map<String, Fixtures.NodeMaker> nodes = Map.of(
                "n1", node("n1").zone("a").with(pod("web").label("app", "web")),
                "n2", node("n2").zone("a"),
                "n3", node("n3").zone("b").with(pod("web-other").namespace("other").label("app", "web")),
                "n4", node("n4"));
        for (Placed placed : extra) {
            nodes.get(placed.node()).with(placed.pod());
        }
        List<Fixtures.NodeMaker> ordered = new ArrayList<>();
        for (String name : List.of("n1", "n2", "n3", "n4")) {
            ordered.add(nodes.get(name));
        }
        return new TestHandle(Fixtures.infos(ordered.toArray(Fixtures.NodeMaker[]::new)))
                .namespace("default", "team", "red")
                .namespace("other", "team", "blue");
    }

    static Stream<Arguments> filterCases() {
        Outcome ok = Outcome.OK;
        Outcome aff = Outcome.AFFINITY;
        Outcome anti = Outcome.ANTI;
        Outcome existing = Outcome.EXISTING;
        return Stream.of(
                arguments("no terms anywhere", pod("p").label("app", "web"), List.of(), List.of(ok, ok, ok, ok)),
                arguments("hostname anti-affinity rejects the node with a matching pod",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")), List.of(), List.of(anti, ok, ok, ok)),
                arguments("zone anti-affinity rejects the whole zone; a node without the key is not in it",
                        pod("p").requiredAntiAffinity(podTerm(ZONE, "app", "web")), List.of(), List.of(anti, anti, ok, ok)),
                arguments("a selector with matchExpressions",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, new LabelSelectorBuilder()
                                .addNewMatchExpression().withKey("app").withOperator("In").withValues("db", "web")
                                .endMatchExpression().build())),
                        List.of(), List.of(anti, ok, ok, ok)),
                arguments("anti-affinity to labels no pod has",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, "app", "db")), List.of(), List.of(ok, ok, ok, ok)),
                arguments("an existing pod's anti-affinity rejects the incoming pod in its zone",
                        pod("p").label("app", "web"),
                        List.of(new Placed("n2", pod("db").label("app", "db").requiredAntiAffinity(podTerm(ZONE, "app", "web")))),
                        List.of(existing, existing, ok, ok)),
                arguments("an existing pod's anti-affinity to other labels",
                        pod("p").label("app", "web"),
                        List.of(new Placed("n2", pod("db").label("app", "db").requiredAntiAffinity(podTerm(ZONE, "app", "cache")))),
                        List.of(ok, ok, ok, ok)),
                arguments("an existing pod's anti-affinity covers its own namespace only",
                        pod("p").label("app", "web"),
                        List.of(new Placed("n2", pod("db").namespace("other").label("app", "db")
                                .requiredAntiAffinity(podTerm(ZONE, "app", "web")))),
                        List.of(ok, ok, ok, ok)),
                arguments("zone affinity holds only in the zone with a matching pod",
                        pod("p").requiredAffinity(podTerm(ZONE, "app", "web")), List.of(), List.of(ok, ok, aff, aff)),
                arguments("hostname affinity holds only on the node with a matching pod",
                        pod("p").requiredAffinity(podTerm(HOSTNAME, "app", "web")), List.of(), List.of(ok, aff, aff, aff)),
                arguments("the first pod of a self-affine group goes wherever the key exists",
                        pod("p").label("app", "cache").requiredAffinity(podTerm(ZONE, "app", "cache")), List.of(),
                        List.of(ok, ok, ok, aff)),
                arguments("affinity to pods that do not exist, not matching itself",
                        pod("p").label("app", "x").requiredAffinity(podTerm(ZONE, "app", "cache")), List.of(),
                        List.of(aff, aff, aff, aff)),
                arguments("once a member of the group runs, only its zone",
                        pod("p").label("app", "cache").requiredAffinity(podTerm(ZONE, "app", "cache")),
                        List.of(new Placed("n3", pod("cache-0").label("app", "cache"))), List.of(aff, aff, ok, aff)),
                arguments("a placed pod counts for affinity only if it matches every term",
                        pod("p").requiredAffinity(podTerm(ZONE, "app", "web")).requiredAffinity(podTerm(ZONE, "tier", "front")),
                        List.of(new Placed("n3", pod("front").label("app", "web").label("tier", "front"))),
                        List.of(aff, aff, ok, aff)),
                arguments("a pod being deleted still counts for anti-affinity (as in Kubernetes)",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")),
                        List.of(new Placed("n2", pod("web-2").label("app", "web").terminating())),
                        List.of(anti, anti, ok, ok)),
                arguments("placed pods sharing one anti-affinity term count in each of their domains",
                        pod("p").label("app", "web"),
                        List.of(new Placed("n2", pod("db-0").label("app", "db").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web"))),
                                new Placed("n3", pod("db-1").label("app", "db").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web"))),
                                new Placed("n3", pod("db-2").label("app", "db").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")))),
                        List.of(ok, existing, existing, ok)),
                arguments("affinity and anti-affinity together",
                        pod("p").requiredAffinity(podTerm(ZONE, "app", "web")).requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")),
                        List.of(), List.of(anti, ok, aff, aff)),
                arguments("namespaces restrict the pods a term matches",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, List.of("other"), null, "app", "web")), List.of(),
                        List.of(ok, ok, anti, ok)),
                arguments("a namespaceSelector selects namespaces by their labels",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, List.of(), selector("team", "blue"), "app", "web")),
                        List.of(), List.of(ok, ok, anti, ok)),
                arguments("an empty namespaceSelector selects every namespace",
                        pod("p").requiredAntiAffinity(podTerm(HOSTNAME, List.of(), selector(), "app", "web")), List.of(),
                        List.of(anti, ok, anti, ok)),
                arguments("namespaces and a namespaceSelector are ORed",
                        pod("p").requiredAffinity(podTerm(HOSTNAME, List.of("default"), selector("team", "blue"), "app", "web")),
                        List.of(), List.of(ok, aff, ok, aff)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Fixtures.PodMaker pod, List<Placed> extra, List<Outcome> expected) {
        TestHandle handle = cluster(extra.toArray(Placed[]::new));
        Map<String, Status> statuses = new Cycle(handle, new InterPodAffinity(handle)).filter(pod.info());

        List<String> nodes = List.of("n1", "n2", "n3", "n4");
        for (int i = 0; i < nodes.size(); i++) {
            Outcome outcome = expected.get(i);
            String description = name + " on " + nodes.get(i);
            if (outcome == Outcome.OK) {
                Cycle.assertStatus(description, statuses.get(nodes.get(i)), Code.SUCCESS);
            } else {
                Cycle.assertStatus(description, statuses.get(nodes.get(i)), outcome.code, outcome.reason);
            }
        }
    }

    @Test
    void preFilterSkipsWhenNoPodHasRequiredTerms() {
        TestHandle handle = cluster();

        var result = new InterPodAffinity(handle).preFilter(new CycleState(), pod("p").label("app", "web").info(),
                handle.snapshot().nodes());

        assertThat(result.status().isSkip()).isTrue();
    }

    /** Each node's normalised score (min-max over the nodes), n1 to n4. */
    static Stream<Arguments> scoreCases() {
        return Stream.of(
                arguments("preferred zone affinity: the zone with a matching pod",
                        pod("p").preferredAffinity(10, podTerm(ZONE, "app", "web")), List.of(), List.of(100L, 100L, 0L, 0L)),
                arguments("preferred hostname anti-affinity: every node but the one with a matching pod",
                        pod("p").preferredAntiAffinity(5, podTerm(HOSTNAME, "app", "web")), List.of(),
                        List.of(0L, 100L, 100L, 100L)),
                arguments("affinity and anti-affinity weights add up per node",
                        pod("p").preferredAffinity(10, podTerm(ZONE, "app", "web"))
                                .preferredAntiAffinity(5, podTerm(HOSTNAME, "app", "web")),
                        List.of(), List.of(50L, 100L, 0L, 0L)),
                arguments("matching pods are counted, each adding the weight",
                        pod("p").preferredAffinity(1, podTerm(HOSTNAME, "app", "web")),
                        List.of(new Placed("n2", pod("web-2").label("app", "web")),
                                new Placed("n2", pod("web-3").label("app", "web"))),
                        List.of(50L, 100L, 0L, 0L)),
                arguments("a placed pod's preferred affinity to the incoming pod",
                        pod("p").label("app", "new"),
                        List.of(new Placed("n3", pod("fan").preferredAffinity(4, podTerm(ZONE, "app", "new")))),
                        List.of(0L, 0L, 100L, 0L)),
                arguments("a placed pod's required affinity to the incoming pod",
                        pod("p").label("app", "new"),
                        List.of(new Placed("n1", pod("fan").requiredAffinity(podTerm(HOSTNAME, "app", "new")))),
                        List.of(100L, 0L, 0L, 0L)),
                arguments("a placed pod's preferred anti-affinity to the incoming pod",
                        pod("p").label("app", "new"),
                        List.of(new Placed("n1", pod("foe").preferredAntiAffinity(3, podTerm(ZONE, "app", "new")))),
                        List.of(0L, 0L, 100L, 100L)),
                arguments("pods in other namespaces do not match a term of the pod's own namespace",
                        pod("p").namespace("other").preferredAffinity(10, podTerm(ZONE, "app", "web")), List.of(),
                        List.of(0L, 0L, 100L, 0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Fixtures.PodMaker pod, List<Placed> extra, List<Long> expected) {
        TestHandle handle = cluster(extra.toArray(Placed[]::new));
        Map<String, Long> scores = new Cycle(handle, new InterPodAffinity(handle)).score(pod.info());

        assertThat(List.copyOf(scores.values())).as(name).isEqualTo(expected);
    }

    /** Kubernetes' scoring reads placed pods' required affinity and preferred terms; required anti-affinity only filters. */
    @Test
    void placedPodsWithRequiredAntiAffinityAloneAreNotScored() {
        TestHandle handle = cluster(new Placed("n2", pod("loner").label("app", "new")
                .requiredAntiAffinity(podTerm(HOSTNAME, "app", "new"))));

        Status status = new InterPodAffinity(handle).preScore(new CycleState(), pod("p").label("app", "new").info(),
                handle.snapshot().nodes());

        assertThat(status.isSkip()).isTrue();
        assertThat(handle.snapshot().scoringOthers()).isEmpty();
        assertThat(handle.snapshot().requiredAntiAffinityTerms()).hasSize(1);
    }

    /**
     * Preemption's what-if: taking a placed pod away in a copy of the cycle state frees its domain in the copy only,
     * for the pod's own anti-affinity and for the placed pods' anti-affinity alike.
     */
    @Test
    void aPodRemovedInAWhatIfNoLongerCountsInThatCopyOnly() {
        Fixtures.PodMaker db = pod("db").label("app", "db").requiredAntiAffinity(podTerm(HOSTNAME, "app", "p"));
        TestHandle handle = cluster(new Placed("n2", db));
        InterPodAffinity plugin = new InterPodAffinity(handle);
        var incoming = pod("p").label("app", "p").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")).info();
        CycleState state = new CycleState();
        plugin.preFilter(state, incoming, handle.snapshot().nodes());
        NodeInfo n1 = handle.snapshot().get("n1");
        NodeInfo n2 = handle.snapshot().get("n2");

        CycleState whatIf = state.copy();
        plugin.extensions().removePod(whatIf, incoming, n1.pods().get(0), n1);
        plugin.extensions().removePod(whatIf, incoming, n2.pods().get(0), n2);

        assertThat(plugin.filter(whatIf, incoming, n1).isSuccess()).isTrue();
        assertThat(plugin.filter(whatIf, incoming, n2).isSuccess()).isTrue();
        Cycle.assertStatus("n1 in the cycle itself", plugin.filter(state, incoming, n1), Code.UNSCHEDULABLE,
                Outcome.ANTI.reason);
        Cycle.assertStatus("n2 in the cycle itself", plugin.filter(state, incoming, n2), Code.UNSCHEDULABLE,
                Outcome.EXISTING.reason);

        CycleState added = state.copy();
        plugin.extensions().addPod(added, incoming, pod("web-3").label("app", "web").info(), handle.snapshot().get("n4"));
        Cycle.assertStatus("n4 with a nominated web pod", plugin.filter(added, incoming, handle.snapshot().get("n4")),
                Code.UNSCHEDULABLE, Outcome.ANTI.reason);
    }

    @Test
    void preScoreSkipsWhenNoPodHasAffinity() {
        TestHandle handle = cluster();

        Status status = new InterPodAffinity(handle).preScore(new CycleState(), pod("p").info(), handle.snapshot().nodes());

        assertThat(status.isSkip()).isTrue();
    }
}
