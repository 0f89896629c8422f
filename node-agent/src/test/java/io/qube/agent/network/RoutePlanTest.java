package io.qube.agent.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.qube.agent.network.RoutePlan.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Which routes a host wants to other nodes' pods, and the changes from the routes it has. */
class RoutePlanTest {

    private static final String SELF = "a";
    /** This host's own addresses. */
    private static final Set<String> LOCAL = Set.of("10.90.0.2", "192.0.2.2");

    /** A node with an InternalIP (null: no addresses) and pod CIDRs (none: no spec.podCIDRs). */
    private static Node node(String name, String internalIp, String... podCidrs) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withPodCIDRs(podCidrs).endSpec().withNewStatus().endStatus();
        if (internalIp != null) {
            node.editStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress()
                    .addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress().endStatus();
        }
        return node.build();
    }

    static Stream<Arguments> desired() {
        return Stream.of(
                arguments("each other node's pod CIDR through its InternalIP",
                        List.of(node("a", "10.90.0.2", "10.91.1.0/24"), node("b", "10.90.0.3", "10.91.2.0/24"),
                                node("c", "10.90.0.4", "10.91.3.0/24")),
                        Set.of(new Route("10.91.2.0/24", "10.90.0.3"), new Route("10.91.3.0/24", "10.90.0.4"))),
                arguments("a node without a pod CIDR, or without an InternalIP, gets none",
                        List.of(node("b", "10.90.0.3"), node("c", null, "10.91.3.0/24")), Set.of()),
                arguments("a node at one of this host's addresses shares its routing table",
                        List.of(node("b", "192.0.2.2", "10.91.2.0/24")), Set.of()),
                arguments("nodes on loopback (all of a one-machine test) are never routed through",
                        List.of(node("b", "127.0.0.1", "10.78.1.0/24"), node("c", "127.0.1.1", "10.78.2.0/24")),
                        Set.of()),
                arguments("only the IPv4 pod CIDR of a dual-stack node",
                        List.of(node("b", "10.90.0.3", "10.91.2.0/24", "fd00:2::/64")),
                        Set.of(new Route("10.91.2.0/24", "10.90.0.3"))),
                arguments("an IPv6 InternalIP is no next hop for IPv4",
                        List.of(node("b", "fd00::3", "10.91.2.0/24")), Set.of()),
                arguments("a pod CIDR two nodes claim goes to the first by name, whatever the order listed",
                        List.of(node("c", "10.90.0.4", "10.91.2.0/24"), node("b", "10.90.0.3", "10.91.2.0/24")),
                        Set.of(new Route("10.91.2.0/24", "10.90.0.3"))),
                arguments("the legacy single spec.podCIDR counts when podCIDRs is empty",
                        List.of(new NodeBuilder(node("b", "10.90.0.3")).editSpec().withPodCIDR("10.91.2.0/24")
                                .endSpec().build()),
                        Set.of(new Route("10.91.2.0/24", "10.90.0.3"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void desired(String description, List<Node> nodes, Set<Route> expected) {
        assertThat(RoutePlan.desired(SELF, LOCAL::contains, nodes)).containsExactlyInAnyOrderElementsOf(expected);
    }

    static Stream<Arguments> changes() {
        Route b = new Route("10.91.2.0/24", "10.90.0.3");
        Route bMoved = new Route("10.91.2.0/24", "10.90.0.9");
        Route c = new Route("10.91.3.0/24", "10.90.0.4");
        return Stream.of(
                arguments("nothing to do when the host has what is wanted", Set.of(b, c), Set.of(b, c), List.of(),
                        List.of()),
                arguments("a new node's route is added", Set.of(b), Set.of(b, c), List.of(c), List.of()),
                arguments("a gone node's route is deleted", Set.of(b, c), Set.of(b), List.of(), List.of(c)),
                arguments("a node with a new InternalIP has its route replaced, not deleted", Set.of(b),
                        Set.of(bMoved), List.of(bMoved), List.of()),
                arguments("at start, stale routes of an earlier run go", Set.of(b, c), Set.of(), List.of(),
                        List.of(b, c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void changes(String description, Set<Route> current, Set<Route> desired, List<Route> replace,
                 List<Route> delete) {
        RoutePlan.Changes changes = RoutePlan.changes(current, desired);
        assertThat(changes.replace()).containsExactlyInAnyOrderElementsOf(replace);
        assertThat(changes.delete()).containsExactlyInAnyOrderElementsOf(delete);
    }

    @Test
    void thePodNetworkIsEveryNodesIpv4PodCidrThisOnesToo() {
        assertThat(RoutePlan.podNetwork(List.of(node("a", "10.90.0.2", "10.91.1.0/24"),
                node("b", "127.0.0.1", "10.91.2.0/24", "fd00:2::/64"), node("c", "10.90.0.4"),
                node("d", "10.90.0.5", "10.91.2.0/24")))).containsExactly("10.91.1.0/24", "10.91.2.0/24");
    }
}
