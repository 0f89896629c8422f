package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints.PostFilterResult;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import io.qube.scheduler.preemption.VictimSelector.Victims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.HOSTNAME;
import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.podTerm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Preemption with the default profile: victims on one node, then the choice of a node among several. */
class DefaultPreemptionTest {

    private static final String NO_VICTIMS = "No preemption victims found for incoming pod";

    private static Fixtures.PodMaker pod(String name, int priority, String cpu) {
        return Fixtures.pod(name).priority(priority).requests(cpu, "100Mi");
    }

    private static Fixtures.PodMaker preemptor(int priority, String cpu) {
        return pod("p", priority, cpu);
    }

    /** A pod nominated to a node, which Filter counts there when its priority is at least the preemptor's. */
    record Nomination(String node, Fixtures.PodMaker pod) {
    }

    private static TestHandle cluster(List<Nomination> nominations, Fixtures.NodeMaker... nodes) {
        TestHandle handle = new TestHandle(Fixtures.infos(nodes));
        handle.defaultFramework();
        for (Nomination nomination : nominations) {
            handle.nominate(nomination.node(), nomination.pod().info());
        }
        return handle;
    }

    static Stream<Arguments> victimCases() {
        return Stream.of(
                arguments("the most important pods are reprieved first: higher priority, then earlier start",
                        node("n1").cpu("3").with(pod("low-late", 1, "1").startedAt("2024-01-01T10:00:00Z"),
                                pod("low-early", 1, "1").startedAt("2024-01-01T09:00:00Z"), pod("mid", 5, "1")),
                        preemptor(10, "1"), List.of(), List.of("low-late"), Code.SUCCESS, List.of()),
                arguments("room for a bigger pod takes more victims, most important first",
                        node("n1").cpu("3").with(pod("low-late", 1, "1").startedAt("2024-01-01T10:00:00Z"),
                                pod("low-early", 1, "1").startedAt("2024-01-01T09:00:00Z"), pod("mid", 5, "1")),
                        preemptor(10, "2"), List.of(), List.of("low-early", "low-late"), Code.SUCCESS, List.of()),
                arguments("a lower-priority pod that is in the way goes even if it is bigger",
                        node("n1").cpu("3").with(pod("big-low", 1, "2"), pod("small-mid", 2, "1")),
                        preemptor(10, "1"), List.of(), List.of("big-low"), Code.SUCCESS, List.of()),
                arguments("pods of equal priority are never victims",
                        node("n1").cpu("3").with(pod("same", 10, "2"), pod("low", 1, "1")),
                        preemptor(10, "2"), List.of(), List.of(), Code.UNSCHEDULABLE, List.of("Insufficient cpu")),
                arguments("pods of higher priority are never victims",
                        node("n1").cpu("3").with(pod("high", 100, "2"), pod("low", 1, "1")),
                        preemptor(10, "2"), List.of(), List.of(), Code.UNSCHEDULABLE, List.of("Insufficient cpu")),
                arguments("no lower-priority pods on the node",
                        node("n1").cpu("3").with(pod("same", 10, "1"), pod("high", 20, "2")),
                        preemptor(10, "1"), List.of(), List.of(), Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(NO_VICTIMS)),
                arguments("no pods at all", node("n1").cpu("3"), preemptor(10, "4"), List.of(), List.of(),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(NO_VICTIMS)),
                arguments("negative priorities are lower",
                        node("n1").cpu("2").with(pod("neg", -5, "1"), pod("zero", 0, "1")),
                        preemptor(0, "1"), List.of(), List.of("neg"), Code.SUCCESS, List.of()),
                arguments("Too many pods: one pod slot is made",
                        node("n1").pods(2).with(pod("low-2", 2, "100m"), pod("low-1", 1, "100m")),
                        preemptor(10, "100m"), List.of(), List.of("low-1"), Code.SUCCESS, List.of()),
                arguments("a host port: only the pod that holds it",
                        node("n1").with(pod("porter", 1, "100m").hostPort(8080, "TCP", null), pod("other", 1, "100m")),
                        preemptor(10, "100m").hostPort(8080, "TCP", null), List.of(), List.of("porter"), Code.SUCCESS,
                        List.of()),
                arguments("anti-affinity: only the pod the preemptor repels",
                        node("n1").with(pod("blocker", 1, "100m").label("app", "web").startedAt("2024-01-01T08:00:00Z"),
                                pod("other", 1, "100m").label("app", "db").startedAt("2024-01-01T09:00:00Z")),
                        preemptor(10, "100m").requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")), List.of(),
                        List.of("blocker"), Code.SUCCESS, List.of()),
                arguments("existing anti-affinity: only the pod that repels the preemptor",
                        node("n1").with(pod("repeller", 1, "100m").label("app", "db").startedAt("2024-01-01T08:00:00Z")
                                        .requiredAntiAffinity(podTerm(HOSTNAME, "app", "web")),
                                pod("bystander", 1, "100m").label("app", "db").startedAt("2024-01-01T09:00:00Z")),
                        preemptor(10, "100m").label("app", "web"), List.of(), List.of("repeller"), Code.SUCCESS, List.of()),
                arguments("a nominated pod of higher priority keeps the room made for it",
                        node("n1").cpu("3").with(pod("low", 1, "2")), preemptor(10, "1"),
                        List.of(new Nomination("n1", pod("waiting", 20, "2"))), List.of("low"), Code.SUCCESS, List.of()),
                arguments("a nominated pod of lower priority is not counted",
                        node("n1").cpu("3").with(pod("low", 1, "2")), preemptor(10, "1"),
                        List.of(new Nomination("n1", pod("waiting", 5, "2"))), List.of(), Code.SUCCESS, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("victimCases")
    void selectsVictimsOnANode(String name, Fixtures.NodeMaker node, Fixtures.PodMaker preemptor,
                               List<Nomination> nominations, List<String> victims, Code code, List<String> reasons) {
        TestHandle handle = cluster(nominations, node);
        PodInfo pod = preemptor.info();
        CycleState state = new CycleState();
        handle.framework().runPreFilter(state, pod, handle.snapshot().nodes());
        NodeInfo original = handle.snapshot().get("n1");
        int podsBefore = original.pods().size();

        Victims selected = new DefaultPreemption(handle).select(state, pod, original.copy());

        assertThat(selected.pods()).extracting(PodInfo::name).as(name).containsExactlyElementsOf(victims);
        Cycle.assertStatus(name, selected.status(), code, reasons.toArray(String[]::new));
        assertThat(original.pods()).as("%s: the snapshot's node is left alone", name).hasSize(podsBefore);
    }

    /**
     * Topology spread (hostname, maxSkew 2) against n1 with two matching pods and an empty n2: one must go, and
     * the more important (earlier started) one is reprieved.
     */
    @Test
    void selectsSpreadVictimsThroughThePreFilterExtensions() {
        TestHandle handle = cluster(List.of(),
                node("n1").with(pod("w1", 1, "100m").label("app", "web").startedAt("2024-01-01T08:00:00Z"),
                        pod("w2", 1, "100m").label("app", "web").startedAt("2024-01-01T09:00:00Z")),
                node("n2"));
        PodInfo pod = preemptor(10, "100m").label("app", "web")
                .spread(2, HOSTNAME, "DoNotSchedule", Fixtures.selector("app", "web")).info();
        CycleState state = new CycleState();
        handle.framework().runPreFilter(state, pod, handle.snapshot().nodes());
        NodeInfo n1 = handle.snapshot().get("n1");
        assertThat(handle.framework().runFilters(state, pod, n1).isRejected()).as("n1 as it is").isTrue();

        Victims selected = new DefaultPreemption(handle).select(state, pod, n1.copy());

        assertThat(selected.pods()).extracting(PodInfo::name).containsExactly("w2");
        assertThat(selected.status().isSuccess()).isTrue();
    }

    /** What the scheduling cycle does when no node fits: Filter every node, then PostFilter with the rejections. */
    private static PostFilterResult preempt(TestHandle handle, PodInfo pod) {
        Framework framework = handle.framework();
        CycleState state = new CycleState();
        Status preFiltered = framework.runPreFilter(state, pod, handle.snapshot().nodes()).status();
        assertThat(preFiltered.isSuccess()).as("PreFilter %s", preFiltered).isTrue();
        Map<String, Status> rejections = new HashMap<>();
        for (NodeInfo node : handle.snapshot().nodes()) {
            Status status = framework.runFiltersWithNominatedPods(state, pod, node);
            assertThat(status.isRejected()).as("the preemptor does not fit %s as it is", node.name()).isTrue();
            rejections.put(node.name(), status);
        }
        return framework.runPostFilter(state, pod, rejections);
    }

    static Stream<Arguments> candidateCases() {
        return Stream.of(
                arguments("the node whose most important victim has the lowest priority",
                        List.of(node("n1").cpu("2").with(pod("p5", 5, "2")), node("n2").cpu("2").with(pod("p3", 3, "2"))),
                        preemptor(10, "1"), "n2", List.of("p3")),
                arguments("equal top priority: the lowest sum of priorities",
                        List.of(node("n1").cpu("2").with(pod("a", 3, "1"), pod("b", 3, "1")),
                                node("n2").cpu("2").with(pod("c", 3, "1"), pod("d", 1, "1"))),
                        preemptor(10, "2"), "n2", List.of("c", "d")),
                arguments("fewer victims",
                        List.of(node("n1").cpu("2").with(pod("a", 3, "1"), pod("b", 3, "1")),
                                node("n2").cpu("2").with(pod("c", 3, "2"))),
                        preemptor(10, "2"), "n2", List.of("c")),
                arguments("fewer victims beats a lower sum of negative priorities",
                        List.of(node("n1").cpu("2").with(pod("a", -10, "1"), pod("b", -10, "1")),
                                node("n2").cpu("2").with(pod("c", -10, "2"))),
                        preemptor(10, "2"), "n2", List.of("c")),
                arguments("the latest start among the most important victims",
                        List.of(node("n1").cpu("2").with(pod("old", 3, "2").startedAt("2024-01-01T08:00:00Z")),
                                node("n2").cpu("2").with(pod("young", 3, "2").startedAt("2024-01-01T09:00:00Z"))),
                        preemptor(10, "1"), "n2", List.of("young")),
                arguments("a node preemption cannot help is not tried",
                        List.of(node("n1").cpu("2").taint("dedicated", "db", "NoSchedule").with(pod("low", 0, "2")),
                                node("n2").cpu("2").with(pod("p5", 5, "2"))),
                        preemptor(10, "1"), "n2", List.of("p5")),
                arguments("a nominated node preemption cannot help does not block a new preemption",
                        List.of(node("n1").cpu("2").taint("dedicated", "db", "NoSchedule")
                                        .with(pod("leaving", 1, "2").terminating()),
                                node("n2").cpu("2").with(pod("p5", 5, "2"))),
                        preemptor(10, "1").nominatedNodeName("n1"), "n2", List.of("p5")),
                arguments("a node without victims is not a candidate",
                        List.of(node("n1").cpu("2").with(pod("high", 50, "2")), node("n2").cpu("2").with(pod("p5", 5, "2"))),
                        preemptor(10, "1"), "n2", List.of("p5")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidateCases")
    void picksTheCandidateAndEvictsExactlyItsVictims(String name, List<Fixtures.NodeMaker> nodes,
                                                      Fixtures.PodMaker preemptor, String chosen, List<String> victims) {
        TestHandle handle = cluster(List.of(), nodes.toArray(Fixtures.NodeMaker[]::new));

        PostFilterResult result = preempt(handle, preemptor.info());

        assertThat(result.status().isSuccess()).as("%s: %s", name, result.status()).isTrue();
        assertThat(result.nominatedNode()).as(name).isEqualTo(chosen);
        assertThat(handle.evictions).as(name).containsExactlyElementsOf(victims.stream()
                .map(victim -> new TestHandle.Eviction("default/" + victim, "default/p")).toList());
        assertThat(handle.preemptions).as(name).containsExactly(victims.size());
    }

    static Stream<Arguments> refusalCases() {
        return Stream.of(
                arguments("no lower-priority pods anywhere",
                        List.of(node("n1").cpu("2").with(pod("high", 20, "2")), node("n2").cpu("2").with(pod("same", 10, "2"))),
                        preemptor(10, "1"),
                        "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."),
                arguments("nodes preemption cannot help are counted apart",
                        List.of(node("n1").cpu("2").taint("dedicated", "db", "NoSchedule").with(pod("low", 0, "2")),
                                node("n2").cpu("2").with(pod("high", 20, "2"))),
                        preemptor(10, "1"), "preemption: 0/2 nodes are available: 1 No preemption victims found for "
                                + "incoming pod, 1 Preemption is not helpful for scheduling."),
                arguments("the preemptor does not fit even without every lower-priority pod",
                        List.of(node("n1").cpu("2").with(pod("high", 20, "1"), pod("low", 1, "1"))),
                        preemptor(10, "2"), "preemption: 0/1 nodes are available: 1 Insufficient cpu."),
                arguments("preemptionPolicy Never",
                        List.of(node("n1").cpu("2").with(pod("low", 1, "2"))),
                        preemptor(10, "1").preemptionPolicy("Never"),
                        "preemption: not eligible due to preemptionPolicy=Never."),
                arguments("a lower-priority pod still terminating on the nominated node",
                        List.of(node("n1").cpu("2").with(pod("leaving", 1, "2").terminating()),
                                node("n2").cpu("2").with(pod("low", 1, "2"))),
                        preemptor(10, "1").nominatedNodeName("n1"),
                        "preemption: not eligible due to a terminating pod on the nominated node."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusalCases")
    void refusesWithKubernetesMessage(String name, List<Fixtures.NodeMaker> nodes, Fixtures.PodMaker preemptor,
                                      String message) {
        TestHandle handle = cluster(List.of(), nodes.toArray(Fixtures.NodeMaker[]::new));

        PostFilterResult result = preempt(handle, preemptor.info());

        Cycle.assertStatus(name, result.status(), Code.UNSCHEDULABLE, message);
        assertThat(result.nominatedNode()).as(name).isNull();
        assertThat(handle.evictions).as(name).isEmpty();
        assertThat(handle.preemptions).as(name).isEmpty();
    }

    static Stream<Arguments> nominationCases() {
        return Stream.of(
                arguments("a lower-priority pod nominated to the chosen node loses its nomination",
                        List.of(new Nomination("n1", pod("waiting", 1, "100m"))), List.of("default/waiting")),
                arguments("a higher-priority pod nominated there keeps it",
                        List.of(new Nomination("n1", Fixtures.pod("vip").priority(50))), List.of()),
                arguments("a pod nominated to another node keeps it",
                        List.of(new Nomination("n2", pod("elsewhere", 1, "100m"))), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nominationCases")
    void takesTheNominationOfLowerPriorityPods(String name, List<Nomination> nominations, List<String> cleared) {
        TestHandle handle = cluster(nominations, node("n1").cpu("2").with(pod("low", 1, "2")),
                node("n2").cpu("2").with(pod("high", 50, "2")));

        PostFilterResult result = preempt(handle, preemptor(10, "1").info());

        assertThat(result.nominatedNode()).as(name).isEqualTo("n1");
        assertThat(handle.clearedNominations).as(name).containsExactlyElementsOf(cleared);
    }
}
