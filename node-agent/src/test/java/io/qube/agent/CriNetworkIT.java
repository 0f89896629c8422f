package io.qube.agent;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pod network across nodes: two "hosts" on one machine, each with its own agent and the containerd that agent
 * starts, the control plane in the root namespace ({@link CriHosts}). Pods on different nodes reach each other by
 * pod IP through the routes the agents program (host-gw), without NAT; traffic leaving the pod network is
 * masqueraded.
 */
@ExtendWith(RegistryImagesExtension.class)
class CriNetworkIT {

    private static final String BRIDGE = "qubenetbr0";
    private static final String ROOT_IP = "10.90.0.1";
    private static final Host A = new Host("net-a", "qube-host-a", "10.90.0.2", "10.91.1.0/24");
    private static final Host B = new Host("net-b", "qube-host-b", "10.90.0.3", "10.91.2.0/24");
    /** The pods' bridge in each host: one name, since each host has its own links. */
    private static final String POD_BRIDGE = "qubenet0";
    private static final String MASQUERADE_CHAIN = "QUBE-MASQ-" + POD_BRIDGE;
    private static final Duration WAIT = CriHosts.WAIT;

    private static Set<String> namespacesBefore;
    private static CriHosts cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static String busybox;

    @BeforeAll
    static void startTwoHosts(RegistryImages images) throws Exception {
        busybox = images.busybox();
        namespacesBefore = TestHosts.namespaces();
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(A, B), host -> List.of());
        client = cluster.client();
        kubectl = cluster.kubectl();
        pods = new PodLookups(client, "default");
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            cluster.removePods();
            await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.namespaces())
                    .isSubsetOf(union(namespacesBefore, Set.of(A.netns(), B.netns()))));
            // Each agent removes its routes and masquerade chain as it stops.
            cluster.stopAgents(host -> {
                assertThat(ownRoutes(host)).isBlank();
                assertThat(TestHosts.run(host.netns(), "iptables", "-t", "nat", "-S"))
                        .doesNotContain(MASQUERADE_CHAIN);
            });
        } finally {
            cluster.close();
            assertThat(TestHosts.namespaces()).isSubsetOf(namespacesBefore);
            assertThat(Files.exists(Path.of("/sys/class/net", BRIDGE))).isFalse();
        }
    }

    @Test
    void eachNodeClaimsItsPodCidrAndRoutesTheOthersThroughItsAddress() {
        for (Host host : List.of(A, B)) {
            Node node = client.nodes().withName(host.node()).get();
            assertThat(node.getSpec().getPodCIDR()).isEqualTo(host.podCidr());
            assertThat(node.getSpec().getPodCIDRs()).containsExactly(host.podCidr());
            assertThat(TestHosts.run(host.netns(), "cat", "/proc/sys/net/ipv4/ip_forward").trim()).isEqualTo("1");
        }
        awaitRoutes();
        // One route each: none to its own pods, which are on its bridge.
        assertThat(ownRoutes(A).lines().toList()).hasSize(1);
        assertThat(ownRoutes(B).lines().toList()).hasSize(1);
    }

    @Test
    void aPodReachesAPodOnTheOtherNodeByItsIpAndIsSeenWithItsOwnIp() throws Exception {
        awaitRoutes();
        kubectl.ok("apply", "-f", manifest("server.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: server}
                spec:
                  nodeName: %s
                  containers:
                  - name: httpd
                    image: %s
                    command: [sh, -c]
                    args: ['mkdir /www && echo "hello from %s" > /www/hello && exec httpd -f -vv -p 8080 -h /www']
                """.formatted(A.node(), busybox, A.node())).toString());
        await().atMost(WAIT).until(() -> pods.condition("server", "Ready"), "True"::equals);
        String serverIp = pods.pod("server").getStatus().getPodIP();
        assertThat(serverIp).startsWith("10.91.1.");

        kubectl.ok("apply", "-f", manifest("client.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: client}
                spec:
                  nodeName: %s
                  restartPolicy: Never
                  containers:
                  - name: wget
                    image: %s
                    command: [wget, -qO-, 'http://%s:8080/hello']
                """.formatted(B.node(), busybox, serverIp)).toString());
        await().atMost(WAIT).until(() -> pods.phase("client"), phase -> phase != null
                && (phase.equals("Succeeded") || phase.equals("Failed")));
        assertThat(kubectl.ok("logs", "client")).isEqualTo("hello from " + A.node() + "\n");
        assertThat(pods.phase("client")).isEqualTo("Succeeded");
        String clientIp = pods.pod("client").getStatus().getPodIP();
        assertThat(clientIp).startsWith("10.91.2.");
        // busybox httpd -vv logs each request as "[::ffff:<peer IP>]:<port>: url:/hello": the client pod's own
        // address, not its node's, which masquerading would have put there.
        assertThat(kubectl.ok("logs", "server")).contains("[::ffff:" + clientIp + "]:").contains("url:/hello")
                .doesNotContain(B.ip());
    }

    @Test
    void trafficLeavingThePodNetworkIsMasqueradedToTheNodesAddress() throws Exception {
        List<String> peers = new CopyOnWriteArrayList<>();
        HttpServer outside = HttpServer.create(new InetSocketAddress(ROOT_IP, 0), 0);
        outside.createContext("/", exchange -> {
            peers.add(exchange.getRemoteAddress().getAddress().getHostAddress());
            byte[] body = "outside\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        outside.start();
        try {
            kubectl.ok("run", "leaving", "--image=" + busybox, "--restart=Never",
                    "--overrides={\"spec\":{\"nodeName\":\"" + B.node() + "\"}}", "--command", "--", "wget", "-qO-",
                    "http://" + ROOT_IP + ":" + outside.getAddress().getPort() + "/");
            await().atMost(WAIT).until(() -> pods.phase("leaving"), phase -> phase != null
                    && (phase.equals("Succeeded") || phase.equals("Failed")));
            assertThat(kubectl.ok("logs", "leaving")).isEqualTo("outside\n");
            // The root namespace has no route to pods: only the node's address could be answered.
            assertThat(peers).containsExactly(B.ip());
        } finally {
            outside.stop(0);
        }
        assertThat(TestHosts.run(B.netns(), "iptables", "-t", "nat", "-S", MASQUERADE_CHAIN)).contains(
                "-A " + MASQUERADE_CHAIN + " -d " + A.podCidr() + " -j RETURN",
                "-A " + MASQUERADE_CHAIN + " -d " + B.podCidr() + " -j RETURN",
                "-A " + MASQUERADE_CHAIN + " -j MASQUERADE");
    }

    private static void awaitRoutes() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ownRoutes(A)).contains(B.podCidr() + " via " + B.ip());
            assertThat(ownRoutes(B)).contains(A.podCidr() + " via " + A.ip());
        });
    }

    /** The routes the host's agent made (its protocol mark, see HostRoutes). */
    private static String ownRoutes(Host host) {
        return TestHosts.run(host.netns(), "ip", "-4", "route", "show", "proto", "113");
    }

    private static Path manifest(String name, String yaml) throws IOException {
        return Files.writeString(cluster.work().resolve(name), yaml);
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        return all;
    }
}
