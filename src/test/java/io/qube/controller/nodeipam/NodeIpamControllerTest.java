package io.qube.controller.nodeipam;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node IPAM controller against the real API, with a cluster CIDR of two node ranges (10.99.0.0/23 cut into
 * /24s): nodes get distinct ranges inside it, a third waits with a CIDRNotAvailable event until a node is deleted
 * and takes its range; a node registered with a range keeps it and no other node is given that range, and one with
 * a range outside the cluster CIDR keeps it without taking any.
 */
@QuarkusTest
@TestProfile(NodeIpamControllerTest.WithNodeIpam.class)
@WithTestResource(EmbeddedPostgresResource.class)
class NodeIpamControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final List<String> RANGES = List.of("10.99.0.0/24", "10.99.1.0/24");

    public static class WithNodeIpam implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.node-ipam.enabled", "true",
                    "qube.controllers.node-ipam.cluster-cidr", "10.99.0.0/23",
                    "qube.controllers.node-ipam.node-cidr-mask-size", "24");
        }
    }

    private final List<String> created = new ArrayList<>();

    @Override
    protected String namespacePrefix() {
        return "ipam";
    }

    /** Each test starts with both ranges free once the controller has seen these nodes go. */
    @AfterEach
    void deleteTheNodes() {
        created.forEach(name -> client.nodes().withName(name).delete());
    }

    @Test
    void nodesGetDistinctRangesAndOneTooManyWaitsForARangeToBeFreed() {
        String first = node("first", null);
        String second = node("second", null);
        String firstRange = awaitPodCidr(first);
        String secondRange = awaitPodCidr(second);
        assertThat(List.of(firstRange, secondRange)).containsExactlyInAnyOrderElementsOf(RANGES);
        assertThat(client.nodes().withName(first).get().getSpec().getPodCIDRs()).containsExactly(firstRange);

        String third = node("third", null);

        // Kubernetes records this through RecordNodeStatusChange, as a Normal event.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(events(third, "CIDRNotAvailable"))
                .isNotEmpty().allSatisfy(event -> {
                    assertThat(event.getType()).isEqualTo("Normal");
                    assertThat(event.getMessage()).isEqualTo("Node " + third + " status is now: CIDRNotAvailable");
                    assertThat(event.getSource().getComponent()).isEqualTo("cidrAllocator");
                }));
        assertThat(NodeIpamController.podCidr(client.nodes().withName(third).get())).isNull();

        client.nodes().withName(first).delete();

        assertThat(awaitPodCidr(third)).isEqualTo(firstRange);
    }

    @Test
    void aNodeKeepsTheRangeItCameWithAndThatRangeIsGivenToNoOther() {
        String registered = node("registered", "10.99.0.0/24");
        String elsewhere = node("elsewhere", "192.168.7.0/24");
        String next = node("next", null);

        // The lowest range is taken, and the one outside the cluster CIDR takes none: the next node gets the other.
        assertThat(awaitPodCidr(next)).isEqualTo("10.99.1.0/24");
        assertThat(client.nodes().withName(registered).get().getSpec().getPodCIDRs()).containsExactly("10.99.0.0/24");
        assertThat(client.nodes().withName(elsewhere).get().getSpec().getPodCIDRs())
                .containsExactly("192.168.7.0/24");
        assertThat(events(elsewhere, "CIDRNotAvailable")).isEmpty();
    }

    /** A node named after this test's namespace, with this pod CIDR (null: none). */
    private String node(String suffix, String podCidr) {
        String name = namespace + "-" + suffix;
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        if (podCidr != null) {
            node.withNewSpec().withPodCIDR(podCidr).endSpec();
        }
        client.nodes().resource(node.build()).create();
        created.add(name);
        return name;
    }

    private String awaitPodCidr(String name) {
        return await().atMost(PATIENCE).until(() -> NodeIpamController.podCidr(client.nodes().withName(name).get()),
                cidr -> cidr != null);
    }

    /** Events about a node go to the default namespace, as in Kubernetes. */
    private List<Event> events(String node, String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> node.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }
}
