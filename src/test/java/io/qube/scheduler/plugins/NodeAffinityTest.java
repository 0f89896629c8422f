package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.expr;
import static io.qube.scheduler.plugins.Fixtures.field;
import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static io.qube.scheduler.plugins.Fixtures.preferred;
import static io.qube.scheduler.plugins.Fixtures.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class NodeAffinityTest {

    private static final String REASON = "node(s) didn't match Pod's node affinity/selector";

    /** The node every filter case runs against. */
    private static Fixtures.NodeMaker n1() {
        return node("n1").label("disk", "ssd").label("gen", "5").zone("a");
    }

    static Stream<Arguments> filterCases() {
        return Stream.of(
                arguments("no constraints", pod("p"), true),
                arguments("nodeSelector matches", pod("p").nodeSelector("disk", "ssd"), true),
                arguments("nodeSelector with two labels matches",
                        pod("p").nodeSelector("disk", "ssd").nodeSelector("gen", "5"), true),
                arguments("nodeSelector value mismatch", pod("p").nodeSelector("disk", "hdd"), false),
                arguments("nodeSelector key missing", pod("p").nodeSelector("gpu", "true"), false),
                arguments("nodeSelector one of two labels mismatches",
                        pod("p").nodeSelector("disk", "ssd").nodeSelector("gen", "4"), false),
                arguments("In matches", pod("p").requiredNodeAffinity(term(expr("disk", "In", "hdd", "ssd"))), true),
                arguments("In does not match", pod("p").requiredNodeAffinity(term(expr("disk", "In", "hdd"))), false),
                arguments("In on a missing key", pod("p").requiredNodeAffinity(term(expr("gpu", "In", "true"))), false),
                arguments("NotIn excludes the value",
                        pod("p").requiredNodeAffinity(term(expr("disk", "NotIn", "ssd"))), false),
                arguments("NotIn other values", pod("p").requiredNodeAffinity(term(expr("disk", "NotIn", "hdd"))), true),
                arguments("NotIn on a missing key", pod("p").requiredNodeAffinity(term(expr("gpu", "NotIn", "true"))), true),
                arguments("Exists", pod("p").requiredNodeAffinity(term(expr("disk", "Exists"))), true),
                arguments("Exists on a missing key", pod("p").requiredNodeAffinity(term(expr("gpu", "Exists"))), false),
                arguments("DoesNotExist on a missing key",
                        pod("p").requiredNodeAffinity(term(expr("gpu", "DoesNotExist"))), true),
                arguments("DoesNotExist on a present key",
                        pod("p").requiredNodeAffinity(term(expr("disk", "DoesNotExist"))), false),
                arguments("Gt below the value", pod("p").requiredNodeAffinity(term(expr("gen", "Gt", "4"))), true),
                arguments("Gt equal to the value", pod("p").requiredNodeAffinity(term(expr("gen", "Gt", "5"))), false),
                arguments("Lt above the value", pod("p").requiredNodeAffinity(term(expr("gen", "Lt", "6"))), true),
                arguments("Lt equal to the value", pod("p").requiredNodeAffinity(term(expr("gen", "Lt", "5"))), false),
                arguments("Gt on a label that is not a number",
                        pod("p").requiredNodeAffinity(term(expr("disk", "Gt", "1"))), false),
                arguments("Gt on a missing key", pod("p").requiredNodeAffinity(term(expr("cores", "Gt", "1"))), false),
                arguments("matchFields metadata.name In the node",
                        pod("p").requiredNodeAffinity(term(field("In", "n1", "n2"))), true),
                arguments("matchFields metadata.name In other nodes",
                        pod("p").requiredNodeAffinity(term(field("In", "n2"))), false),
                arguments("matchFields metadata.name NotIn the node",
                        pod("p").requiredNodeAffinity(term(field("NotIn", "n1"))), false),
                arguments("terms are ORed: the second matches", pod("p").requiredNodeAffinity(
                        term(expr("disk", "In", "hdd")), term(expr("gen", "Gt", "3"))), true),
                arguments("terms are ORed: none matches", pod("p").requiredNodeAffinity(
                        term(expr("disk", "In", "hdd")), term(expr("gen", "Gt", "7"))), false),
                arguments("expressions in a term are ANDed: all hold", pod("p").requiredNodeAffinity(
                        term(expr("disk", "In", "ssd"), expr("gen", "Gt", "3"), expr(Fixtures.ZONE, "Exists"))), true),
                arguments("expressions in a term are ANDed: one fails", pod("p").requiredNodeAffinity(
                        term(expr("disk", "In", "ssd"), expr("gen", "Lt", "3"))), false),
                arguments("expressions and fields in a term are ANDed", pod("p").requiredNodeAffinity(
                        term(expr("disk", "In", "ssd"), field("In", "n2"))), false),
                arguments("nodeSelector and affinity must both hold", pod("p").nodeSelector("disk", "ssd")
                        .requiredNodeAffinity(term(expr("gen", "Gt", "9"))), false),
                arguments("a term without requirements matches no node", pod("p").requiredNodeAffinity(term()), false),
                arguments("an empty list of terms matches no node", pod("p").requiredNodeAffinity(), false),
                arguments("preferred terms do not filter", pod("p").preferredNodeAffinity(
                        preferred(10, term(expr("disk", "In", "hdd")))), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Fixtures.PodMaker pod, boolean fits) {
        TestHandle handle = new TestHandle(List.of(n1().info()));
        Status status = new Cycle(handle, new NodeAffinity()).filter(pod.info()).get("n1");

        if (fits) {
            Cycle.assertStatus(name, status, Code.SUCCESS);
        } else {
            Cycle.assertStatus(name, status, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, REASON);
        }
    }

    static Stream<Arguments> preFilterCases() {
        return Stream.of(
                arguments("matchFields In names the nodes", pod("p").requiredNodeAffinity(term(field("In", "n1", "n2"))),
                        Set.of("n1", "n2")),
                arguments("two In fields in a term intersect", pod("p").requiredNodeAffinity(
                        term(field("In", "n1", "n2"), field("In", "n2", "n3"))), Set.of("n2")),
                arguments("terms with fields are united", pod("p").requiredNodeAffinity(
                        term(field("In", "n1")), term(field("In", "n3"))), Set.of("n1", "n3")),
                arguments("a term without name fields leaves every node", pod("p").requiredNodeAffinity(
                        term(field("In", "n1")), term(expr("disk", "Exists"))), null),
                arguments("NotIn does not restrict the nodes",
                        pod("p").requiredNodeAffinity(term(field("NotIn", "n1"))), null),
                arguments("label expressions do not restrict the nodes", pod("p").requiredNodeAffinity(
                        term(expr("disk", "In", "ssd"))), null),
                arguments("a nodeSelector does not restrict the nodes", pod("p").nodeSelector("disk", "ssd"), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preFilterCases")
    void preFilterRestrictsNodeNames(String name, Fixtures.PodMaker pod, Set<String> expected) {
        List<NodeInfo> nodes = List.of(n1().info(), node("n2").info(), node("n3").info());
        var result = new NodeAffinity().preFilter(new CycleState(), pod.info(), nodes);

        assertThat(result.status().isSuccess()).as(name).isTrue();
        assertThat(result.nodeNames()).as(name).isEqualTo(expected);
    }

    @Test
    void preFilterSkipsPodsWithoutNodeConstraints() {
        var result = new NodeAffinity().preFilter(new CycleState(), pod("p").info(), List.of(n1().info()));

        assertThat(result.status().isSkip()).isTrue();
    }

    /** Nodes a, b, c with labels; the pod's preferred terms; each node's normalised score. */
    static Stream<Arguments> scoreCases() {
        return Stream.of(
                arguments("weights of matching terms are summed and the best node gets 100",
                        pod("p").preferredNodeAffinity(preferred(2, term(expr("disk", "In", "ssd"))),
                                preferred(3, term(expr("gen", "Gt", "4")))),
                        Map.of("a", 100L, "b", 40L, "c", 0L)),
                arguments("one term: matching nodes 100, others 0",
                        pod("p").preferredNodeAffinity(preferred(7, term(expr("gen", "Gt", "4")))),
                        Map.of("a", 100L, "b", 0L, "c", 0L)),
                arguments("scores scale to the highest sum",
                        pod("p").preferredNodeAffinity(preferred(1, term(expr("disk", "Exists"))),
                                preferred(1, term(expr("gen", "Exists"))), preferred(1, term(expr("gen", "Gt", "4")))),
                        Map.of("a", 100L, "b", 66L, "c", 0L)),
                arguments("a term matching no node adds nothing",
                        pod("p").preferredNodeAffinity(preferred(5, term(expr("disk", "In", "nvme")))),
                        Map.of("a", 0L, "b", 0L, "c", 0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Fixtures.PodMaker pod, Map<String, Long> expected) {
        TestHandle handle = new TestHandle(Fixtures.infos(
                node("a").label("disk", "ssd").label("gen", "5"),
                node("b").label("disk", "ssd").label("gen", "1"),
                node("c")));

        assertThat(new Cycle(handle, new NodeAffinity()).score(pod.info())).as(name).isEqualTo(expected);
    }

    @Test
    void preScoreSkipsPodsWithoutPreferredTerms() {
        Status status = new NodeAffinity().preScore(new CycleState(),
                pod("p").requiredNodeAffinity(term(expr("disk", "Exists"))).info(), List.of(n1().info()));

        assertThat(status.isSkip()).isTrue();
    }
}
