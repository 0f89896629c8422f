package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which nodes a daemon pod belongs on (NodeShouldRunDaemonPod), and how it is pinned to its node. */
class DaemonNodesTest {

    private static final DaemonNodes.Placement RUN = new DaemonNodes.Placement(true, true);
    private static final DaemonNodes.Placement NEVER = new DaemonNodes.Placement(false, false);
    /** Not started there, but one already running may stay. */
    private static final DaemonNodes.Placement STAY = new DaemonNodes.Placement(false, true);

    static Stream<Arguments> placements() {
        return Stream.of(
                Arguments.of("no constraints", spec(), node(), RUN),
                Arguments.of("nodeSelector matches", spec().withNodeSelector(Map.of("disk", "ssd")),
                        node().editMetadata().addToLabels("disk", "ssd").endMetadata(), RUN),
                Arguments.of("nodeSelector value differs", spec().withNodeSelector(Map.of("disk", "ssd")),
                        node().editMetadata().addToLabels("disk", "hdd").endMetadata(), NEVER),
                Arguments.of("nodeSelector label missing", spec().withNodeSelector(Map.of("disk", "ssd")), node(),
                        NEVER),
                Arguments.of("nodeName names this node", spec().withNodeName("n1"), node(), RUN),
                Arguments.of("nodeName names another node", spec().withNodeName("n2"), node(), NEVER),
                Arguments.of("required affinity In matches",
                        spec().withAffinity(required("zone", "In", "a", "b")),
                        node().editMetadata().addToLabels("zone", "b").endMetadata(), RUN),
                Arguments.of("required affinity In misses",
                        spec().withAffinity(required("zone", "In", "a")),
                        node().editMetadata().addToLabels("zone", "c").endMetadata(), NEVER),
                Arguments.of("required affinity NotIn", spec().withAffinity(required("zone", "NotIn", "a")),
                        node().editMetadata().addToLabels("zone", "a").endMetadata(), NEVER),
                Arguments.of("required affinity DoesNotExist", spec().withAffinity(required("gpu", "DoesNotExist")),
                        node(), RUN),
                Arguments.of("affinity on the node's name", spec().withAffinity(byName("n1")), node(), RUN),
                Arguments.of("affinity on another node's name", spec().withAffinity(byName("n9")), node(), NEVER),
                Arguments.of("NoSchedule taint untolerated", spec(), tainted("dedicated", "NoSchedule"), STAY),
                Arguments.of("NoExecute taint untolerated", spec(), tainted("dedicated", "NoExecute"), NEVER),
                Arguments.of("NoSchedule and NoExecute untolerated", spec(),
                        tainted("dedicated", "NoSchedule").editSpec().addToTaints(taint("other", "NoExecute"))
                                .endSpec(), NEVER),
                Arguments.of("PreferNoSchedule is no bar", spec(), tainted("dedicated", "PreferNoSchedule"), RUN),
                Arguments.of("taint tolerated by key", spec().withTolerations(toleration("dedicated", "Exists", null)),
                        tainted("dedicated", "NoSchedule"), RUN),
                Arguments.of("taint tolerated by value",
                        spec().withTolerations(toleration("dedicated", "Equal", "infra")),
                        tainted("dedicated", "NoExecute"), RUN),
                Arguments.of("toleration of another value",
                        spec().withTolerations(toleration("dedicated", "Equal", "web")),
                        tainted("dedicated", "NoExecute"), NEVER),
                Arguments.of("tolerate everything", spec().withTolerations(new TolerationBuilder()
                        .withOperator("Exists").build()), tainted("dedicated", "NoExecute"), RUN),
                Arguments.of("not-ready NoExecute is tolerated by every daemon", spec(),
                        tainted("node.kubernetes.io/not-ready", "NoExecute"), RUN),
                Arguments.of("unreachable NoExecute", spec(), tainted("node.kubernetes.io/unreachable", "NoExecute"),
                        RUN),
                Arguments.of("unschedulable node", spec(), tainted("node.kubernetes.io/unschedulable", "NoSchedule")
                        .editSpec().withUnschedulable(true).endSpec(), RUN),
                Arguments.of("disk pressure", spec(), tainted("node.kubernetes.io/disk-pressure", "NoSchedule"), RUN),
                Arguments.of("memory pressure", spec(), tainted("node.kubernetes.io/memory-pressure", "NoSchedule"),
                        RUN),
                Arguments.of("pid pressure", spec(), tainted("node.kubernetes.io/pid-pressure", "NoSchedule"), RUN),
                Arguments.of("network unavailable, pod network", spec(),
                        tainted("node.kubernetes.io/network-unavailable", "NoSchedule"), STAY),
                Arguments.of("network unavailable, host network", spec().withHostNetwork(true),
                        tainted("node.kubernetes.io/network-unavailable", "NoSchedule"), RUN),
                Arguments.of("memory pressure NoExecute is not among the daemon tolerations", spec(),
                        tainted("node.kubernetes.io/memory-pressure", "NoExecute"), NEVER),
                Arguments.of("selector fits but taint does not",
                        spec().withNodeSelector(Map.of("disk", "ssd")),
                        tainted("dedicated", "NoSchedule").editMetadata().addToLabels("disk", "ssd").endMetadata(),
                        STAY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("placements")
    void placement(String description, PodSpecBuilder spec, NodeBuilder node, DaemonNodes.Placement expected) {
        assertThat(DaemonNodes.placement(node.build(), daemonSet(spec.build()))).isEqualTo(expected);
    }

    @Test
    void onlyLabelsAndTaintsCanChangeWhereADaemonRuns() {
        Node node = node().build();
        Node heartbeat = node().withNewStatus().addNewCondition().withType("Ready").withStatus("True")
                .endCondition().endStatus().build();
        Node relabelled = node().editMetadata().addToLabels("disk", "ssd").endMetadata().build();
        Node tainted = tainted("dedicated", "NoSchedule").build();

        assertThat(DaemonNodes.placementMayDiffer(node, heartbeat)).isFalse();
        assertThat(DaemonNodes.placementMayDiffer(node, relabelled)).isTrue();
        assertThat(DaemonNodes.placementMayDiffer(node, tainted)).isTrue();
        assertThat(DaemonNodes.placements(daemonSet(spec().build()), List.of(node, new NodeBuilder(tainted)
                .editMetadata().withName("n2").endMetadata().build())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("n1", RUN, "n2", STAY));
    }

    @Test
    void daemonTolerationsAreAddedOnceAndReplaceEqualOnes() {
        PodSpec spec = spec().withTolerations(toleration("node.kubernetes.io/not-ready", "Exists", null)
                        .toBuilder().withEffect("NoExecute").withTolerationSeconds(300L).build(),
                toleration("dedicated", "Exists", null)).build();

        List<Toleration> tolerations = DaemonNodes.withDaemonTolerations(spec).getTolerations();

        assertThat(tolerations).extracting(Toleration::getKey).containsExactly("node.kubernetes.io/not-ready",
                "dedicated", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure",
                "node.kubernetes.io/unschedulable");
        // Kubernetes' daemon toleration has no tolerationSeconds: a not-ready node never evicts its daemons.
        assertThat(tolerations.get(0).getTolerationSeconds()).isNull();
        assertThat(spec.getTolerations()).hasSize(2);
    }

    @Test
    void podIsPinnedByRequiredAffinityOnItsNodeName() {
        Affinity own = new AffinityBuilder(required("zone", "In", "a")).withNewPodAntiAffinity().endPodAntiAffinity()
                .build();

        Affinity pinned = DaemonNodes.pinnedTo(own, "n7");

        assertThat(pinned.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
                .containsExactly(new NodeSelectorTermBuilder().addNewMatchField().withKey("metadata.name")
                        .withOperator("In").withValues("n7").endMatchField().build());
        assertThat(pinned.getPodAntiAffinity()).isNotNull();
        assertThat(DaemonNodes.pinnedTo(null, "n7")).isEqualTo(DaemonNodes.pinnedTo(new Affinity(), "n7"));
        assertThat(DaemonNodes.pinnedTo(byName("n1"), "n7")).isEqualTo(DaemonNodes.pinnedTo(null, "n7"));
    }

    @Test
    void targetNodeIsTheBindingOrElseTheAffinity() {
        Pod pinned = new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withSpec(spec().withAffinity(DaemonNodes.pinnedTo(null, "n3")).build()).build();
        Pod bound = new PodBuilder(pinned).editSpec().withNodeName("n4").endSpec().build();
        Pod loose = new PodBuilder().withNewMetadata().withName("p").endMetadata().withSpec(spec().build()).build();

        assertThat(DaemonNodes.targetNode(pinned)).isEqualTo("n3");
        assertThat(DaemonNodes.targetNode(bound)).isEqualTo("n4");
        assertThat(DaemonNodes.targetNode(loose)).isNull();
    }

    private static PodSpecBuilder spec() {
        return new PodSpecBuilder().addNewContainer().withName("c").withImage("busybox").endContainer();
    }

    private static NodeBuilder node() {
        return new NodeBuilder().withNewMetadata().withName("n1").addToLabels("kubernetes.io/hostname", "n1")
                .endMetadata().withNewSpec().endSpec();
    }

    private static NodeBuilder tainted(String key, String effect) {
        return node().editSpec().addToTaints(taint(key, effect)).endSpec();
    }

    private static Taint taint(String key, String effect) {
        return new TaintBuilder().withKey(key).withValue("infra").withEffect(effect).build();
    }

    private static Toleration toleration(String key, String operator, String value) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).build();
    }

    private static Affinity required(String key, String operator, String... values) {
        return new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey(key).withOperator(operator)
                .withValues(values).endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    }

    private static Affinity byName(String node) {
        return new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchField().withKey("metadata.name").withOperator("In")
                .withValues(node).endMatchField().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    }

    static DaemonSet daemonSet(PodSpec spec) {
        return new DaemonSetBuilder().withNewMetadata().withName("ds").withNamespace("ns").withUid("u1")
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "d").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "d").endMetadata().withSpec(spec)
                .endTemplate().endSpec().build();
    }
}
