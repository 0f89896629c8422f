package io.qube.agent;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.Commands;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pod network across nodes: two "hosts" on one machine (network namespaces on a shared bridge, see
 * {@link TestHosts}), each with its own agent and the containerd that agent starts; the control plane in the root
 * namespace, reached by the hosts at the root's address on the bridge. Pods on different nodes reach each other by
 * pod IP through the routes the agents program (host-gw), without NAT; traffic leaving the pod network is
 * masqueraded.
 */
@ExtendWith(RegistryImagesExtension.class)
class CriNetworkIT {

    /** A node on a host of its own: its network namespace, InternalIP and pod CIDR. */
    private record Host(String node, String netns, String ip, String podCidr) {
    }

    private static final String BRIDGE = "qubenetbr0";
    private static final String ROOT_IP = "10.90.0.1";
    private static final Host A = new Host("net-a", "qube-host-a", "10.90.0.2", "10.91.1.0/24");
    private static final Host B = new Host("net-b", "qube-host-b", "10.90.0.3", "10.91.2.0/24");
    /** The pods' bridge in each host: one name, since each host has its own links. */
    private static final String POD_BRIDGE = "qubenet0";
    private static final String MASQUERADE_CHAIN = "QUBE-MASQ-" + POD_BRIDGE;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static Set<String> namespacesBefore;
    private static Path work;
    private static TestHosts hosts;
    private static final List<AutoCloseable> mirrors = new ArrayList<>();
    private static QubeServer qube;
    private static KubernetesClient client;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static final List<QubeAgent> agents = new ArrayList<>();
    private static String busybox;

    @BeforeAll
    static void startTwoHosts(RegistryImages images) throws Exception {
        busybox = images.busybox();
        namespacesBefore = TestHosts.namespaces();
        work = Files.createTempDirectory("qube-net-it");
        hosts = TestHosts.create(BRIDGE, ROOT_IP + "/24");
        for (Host host : List.of(A, B)) {
            hosts.add(host.netns(), host.ip() + "/24");
            // The images' references name 127.0.0.1, which in a host is its own loopback.
            mirrors.add(images.registry().mirrorIn(host.netns()));
        }
        // On every address: the hosts reach it at the root's address on the bridge, its own parts at 127.0.0.1.
        qube = QubeServer.start(Map.of("quarkus.http.host", "0.0.0.0"));
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
        pods = new PodLookups(client, "default");
        Path kubeconfig = Files.writeString(work.resolve("kubeconfig"),
                Files.readString(qube.kubeconfig()).replace("127.0.0.1", ROOT_IP));
        for (Host host : List.of(A, B)) {
            agents.add(QubeAgent.startCri(TestHosts.exec(host.netns()), kubeconfig, host.node(), host.ip(),
                    work.resolve(host.node()), POD_BRIDGE, host.podCidr(), images.pause()));
        }
        await().atMost(WAIT).until(() -> PodLookups.ready(client.nodes().withName(A.node()).get())
                && PodLookups.ready(client.nodes().withName(B.node()).get()));
    }

    @AfterAll
    static void removeEverything() throws Exception {
        try {
            if (client != null) {
                client.pods().inNamespace("default").withGracePeriod(0).delete();
                for (Host host : List.of(A, B)) {
                    await().atMost(WAIT).untilAsserted(() -> assertThat(ctr(host, "containers", "ls", "-q"))
                            .isBlank());
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.namespaces())
                        .isSubsetOf(union(namespacesBefore, Set.of(A.netns(), B.netns()))));
            }
            stopAgents();
        } finally {
            for (AutoCloseable mirror : mirrors) {
                mirror.close();
            }
            if (client != null) {
                client.close();
            }
            if (qube != null) {
                qube.close();
            }
            if (hosts != null) {
                hosts.close();
            }
            assertThat(TestHosts.namespaces()).isSubsetOf(namespacesBefore);
            assertThat(Files.exists(Path.of("/sys/class/net", BRIDGE))).isFalse();
            if (work != null) {
                for (Host host : List.of(A, B)) {
                    Path log = containerdDir(host).resolve("containerd.log");
                    if (Files.exists(log)) {
                        Files.copy(log, work.resolve(host.node() + "-containerd.log"));
                    }
                }
                ProcessCluster.keepLogs(work);
                assertThat(Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                        .filter(line -> line.contains(work.toString())).toList()).isEmpty();
                ProcessCluster.deleteTree(work);
            }
        }
    }

    /** Stops each agent, which removes its routes and masquerade chain and stops the containerd it started. */
    private static void stopAgents() throws Exception {
        for (int i = 0; i < agents.size(); i++) {
            Host host = List.of(A, B).get(i);
            long containerd = Long.parseLong(Files.readString(containerdDir(host).resolve("containerd.pid")).trim());
            agents.get(i).close();
            await().atMost(WAIT).until(() -> ProcessHandle.of(containerd).map(p -> !p.isAlive()).orElse(true));
            assertThat(ownRoutes(host)).isBlank();
            assertThat(TestHosts.run(host.netns(), "iptables", "-t", "nat", "-S")).doesNotContain(MASQUERADE_CHAIN);
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
        return Files.writeString(work.resolve(name), yaml);
    }

    private static Path containerdDir(Host host) {
        return work.resolve(host.node()).resolve("containerd");
    }

    /** ctr against the host's containerd (its socket is a file: no need to enter the host), in the CRI's namespace. */
    private static String ctr(Host host, String... args) {
        List<String> command = Stream.concat(Stream.of("ctr", "--address",
                containerdDir(host).resolve("containerd.sock").toString(), "-n", "k8s.io"), Stream.of(args)).toList();
        return Commands.run(Duration.ofSeconds(30), command).ok();
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        return all;
    }
}
