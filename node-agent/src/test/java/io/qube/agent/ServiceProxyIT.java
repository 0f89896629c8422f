package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The service proxy of the cri nodes (issue 12) on two hosts, as {@link CriNetworkIT} sets them up but with names
 * and addresses of its own: busybox httpd pods answering with their host name behind Services, called from a pod
 * on the other node, from the test (the root namespace, outside the cluster) and from a host itself.
 */
@ExtendWith(RegistryImagesExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceProxyIT {

    private static final String BRIDGE = "qubesvcbr0";
    private static final String ROOT_IP = "10.92.0.1";
    private static final Host A = new Host("svc-a", "qube-svc-a", "10.92.0.2", "10.93.1.0/24");
    private static final Host B = new Host("svc-b", "qube-svc-b", "10.92.0.3", "10.93.2.0/24");
    private static final String POD_BRIDGE = "qubesvc0";
    private static final String SECOND_ROOT_IP = "10.92.0.9";
    private static final String SERVICE_CIDR = "10.96.0.0/12";
    private static final Duration WAIT = CriHosts.WAIT;

    private static CriHosts cluster;
    private static String busybox;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startTwoHosts(RegistryImages images) throws Exception {
        busybox = images.busybox();
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(A, B));
        for (Host host : List.of(A, B)) {
            // A real host routes the service CIDR somewhere (its default route); without a route the kernel refuses
            // a cluster IP before the proxy's rules see it. On the hosts' bridge, so nothing leaves the test.
            TestHosts.run(host.netns(), "ip", "route", "add", SERVICE_CIDR, "dev", "eth0");
        }
        // The client pod every test calls from, on the node where no backend is pinned.
        apply("client.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: client}
                spec:
                  nodeName: %s
                  containers:
                  - {name: sh, image: %s, command: [sleep, '3600']}
                """.formatted(B.node(), busybox));
        await().atMost(WAIT).until(() -> cluster.pods.condition("client", "Ready"), "True"::equals);
    }

    /** A clean exit of each agent removes every chain of its proxy, and PodMasquerade's as before. */
    @AfterAll
    static void removeEverything() throws Exception {
        if (cluster != null) {
            try (CriHosts closing = cluster) {
                closing.stopAgents(host -> {
                    String nat = TestHosts.run(host.netns(), "iptables-save", "-t", "nat");
                    String filter = TestHosts.run(host.netns(), "iptables-save", "-t", "filter");
                    assertThat(nat + filter).doesNotContain("QUBE-");
                });
            }
        }
    }

    @Test
    @Order(1)
    void aServiceCalledByNameFromAPodOnTheOtherNodeSpreadsTrafficOverTheBackends() throws Exception {
        webService("spread", 3, "");
        Set<String> backends = names("spread");
        Set<String> seen = new HashSet<>();
        await().atMost(WAIT).untilAsserted(() -> {
            // The short name, through the search path and kube-dns (the node's own DNS, by this proxy's rules).
            seen.add(call("client", "spread:80"));
            assertThat(seen).hasSizeGreaterThan(1);
        });
        assertThat(backends).containsAll(seen);
    }

    @Test
    @Order(2)
    void scalingToOneLeavesExactlyThatBackend() throws Exception {
        String ip = webService("scale", 3, "");
        cluster.kubectl.ok("scale", "deployment/scale", "--replicas=1");
        await().atMost(WAIT).until(() -> names("scale").size() == 1);
        String left = names("scale").iterator().next();
        everyAnswer(ip, answer -> assertThat(answer).isEqualTo(left));
    }

    @Test
    @Order(3)
    void aPodThatTurnsNotReadyGetsNoMoreTraffic() throws Exception {
        String ip = webService("probe", 2, "");
        String sick = names("probe").iterator().next();
        cluster.kubectl.ok("exec", sick, "--", "rm", "/tmp/ready");
        await().atMost(WAIT).until(() -> cluster.pods.condition(sick, "Ready"), "False"::equals);
        everyAnswer(ip, answer -> assertThat(answer).isNotEqualTo(sick));
    }

    @Test
    @Order(4)
    void aNodePortAnswersOnEveryNodesAddressAndOnLoopbackAndTheHostReachesTheClusterIp() throws Exception {
        String ip = webService("ports", 2, "type: NodePort");
        int nodePort = nodePort("ports");
        Set<String> backends = names("ports");
        for (Host host : List.of(A, B)) {
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(backends)
                    .contains(get(host.ip(), nodePort)));
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(backends)
                    .contains(hostCall(host, "127.0.0.1:" + nodePort)));
            // From the node itself (outside the pod CIDR): masqueraded, so the reply comes back through it.
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(backends)
                    .contains(hostCall(host, ip + ":80")));
        }
        assertThat(TestHosts.run(A.netns(), "cat", "/proc/sys/net/ipv4/conf/all/route_localnet").trim())
                .isEqualTo("1");
    }

    @Test
    @Order(5)
    void clientIpAffinityKeepsAClientOnOneBackend() throws Exception {
        String ip = webService("sticky", 3, "sessionAffinity: ClientIP");
        String first = await().atMost(WAIT).ignoreExceptions().until(() -> call("client", ip + ":80"), b -> true);
        for (int i = 0; i < 8; i++) {
            assertThat(call("client", ip + ":80")).isEqualTo(first);
        }
        assertThat(TestHosts.run(B.netns(), "iptables-save", "-t", "nat")).contains("--rcheck --seconds 10800");
    }

    @Test
    @Order(6)
    void externalTrafficPolicyLocalAnswersOnlyOnTheNodeOfABackend() throws Exception {
        pinnedPod("local-web", A);
        apply("local-web-svc.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: local-web}
                spec:
                  type: NodePort
                  externalTrafficPolicy: Local
                  selector: {app: local-web}
                  ports: [{port: 80, targetPort: 8080}]
                """);
        int nodePort = nodePort("local-web");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(get(A.ip(), nodePort))
                .isEqualTo("local-web"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.run(B.netns(), "iptables-save", "-t", "filter"))
                .contains("--dport " + nodePort + " -m comment --comment \"default/local-web has no local "
                        + "endpoints\""));
        assertThatThrownBy(() -> get(B.ip(), nodePort)).isInstanceOf(IOException.class);
    }

    @Test
    @Order(7)
    void aPodReachesItselfThroughItsOwnService() throws Exception {
        pinnedPod("hairpin", A);
        String ip = service("hairpin", "selector: {app: hairpin}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(call("hairpin", ip + ":80")).isEqualTo("hairpin"));
    }

    @Test
    @Order(8)
    void aServiceWithoutSelectorUsesItsManualEndpointSlice() throws Exception {
        pinnedPod("manual-backend", A);
        String backendIp = cluster.pods.pod("manual-backend").getStatus().getPodIP();
        String ip = service("manual", "");
        slice("manual", "TCP", backendIp, 8080);
        await().atMost(WAIT).untilAsserted(() -> assertThat(call("client", ip + ":80")).isEqualTo("manual-backend"));
    }

    @Test
    @Order(9)
    void aServiceWithoutEndpointsRefusesAtOnce() throws Exception {
        String ip = service("empty", "selector: {app: nobody}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.run(B.netns(), "iptables-save", "-t", "filter"))
                .contains("-d " + ip + "/32 -p tcp -m tcp --dport 80 -m comment --comment \"default/empty has no "
                        + "endpoints\" -j REJECT"));
        long start = System.nanoTime();
        Kubectl.Result result = cluster.kubectl.run("exec", "client", "--", "busybox", "timeout", "10", "wget", "-qO-",
                "http://" + ip + "/");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.out()).contains("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    @Order(10)
    void aHeadlessServiceGetsNoRules() throws Exception {
        service("headless", "clusterIP: None\n  selector: {app: spread}");
        // A Service made after it shows the proxy has synced since.
        String marker = service("after-headless", "selector: {app: nobody}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.run(A.netns(), "iptables-save", "-t", "filter"))
                .contains(marker));
        assertThat(TestHosts.run(A.netns(), "iptables-save")).doesNotContain("default/headless");
    }

    @Test
    @Order(11)
    void anEndpointChangeReachesTheKernelSoon() throws Exception {
        String ip = service("quick", "");
        await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.run(A.netns(), "iptables-save", "-t", "filter"))
                .contains(ip + "/32"));
        long written = System.nanoTime();
        slice("quick", "TCP", "10.93.2.250", 8080);
        // The figure belongs to the benchmark; here a generous deadline that a periodic resync would miss.
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(TestHosts.run(A.netns(), "iptables-save", "-t", "nat"))
                        .contains("--to-destination 10.93.2.250:8080"));
        System.out.printf("endpoint change in the kernel after %d ms%n", (System.nanoTime() - written) / 1_000_000);
    }

    @Test
    @Order(12)
    void aUdpServiceFollowsItsEndpointAsTheOldEndpointsConntrackEntriesAreDeleted() throws Exception {
        // Two answering sockets in the root namespace (outside the cluster: busybox has no UDP server), the second
        // on an address of its own, as conntrack entries are deleted by the endpoint's address.
        Commands.run(WAIT, List.of("ip", "addr", "add", SECOND_ROOT_IP + "/24", "dev", BRIDGE)).ok();
        try (UdpAnswer one = new UdpAnswer(ROOT_IP, "one"); UdpAnswer two = new UdpAnswer(SECOND_ROOT_IP, "two");
             DatagramSocket caller = new DatagramSocket(new InetSocketAddress(ROOT_IP, 0))) {
            caller.setSoTimeout(500);
            service("udp", "type: NodePort", "[{port: 53, protocol: UDP, targetPort: 5353}]");
            int nodePort = nodePort("udp");
            slice("udp", "UDP", one.ip(), one.port());
            // One client address and port throughout: without the clean-up its conntrack entry keeps it on "one".
            await().atMost(WAIT).ignoreExceptions().until(() -> ask(caller, nodePort), "one"::equals);
            slice("udp", "UDP", two.ip(), two.port());
            await().atMost(WAIT).ignoreExceptions().until(() -> ask(caller, nodePort), "two"::equals);
        }
    }

    @Test
    @Order(13)
    void anAgentKilledWithSigkillLeavesRulesThatKeepServingAndResyncsWhenBack() throws Exception {
        pinnedPod("survivor", A);
        String ip = service("survivor", "selector: {app: survivor}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(call("client", ip + ":80")).isEqualTo("survivor"));
        QubeAgent agentB = cluster.agents.get(1);
        agentB.kill();
        // Its rules stay in the kernel (exec into pods goes through the agent, so the host itself calls).
        assertThat(hostCall(B, ip + ":80")).isEqualTo("survivor");
        String later = service("while-down", "selector: {app: survivor}");
        agentB.start();
        await().atMost(WAIT).untilAsserted(() -> assertThat(call("client", later + ":80")).isEqualTo("survivor"));
        assertThat(call("client", ip + ":80")).isEqualTo("survivor");
        // One jump each: the new start adopted the chains rather than add a second set.
        assertThat(TestHosts.run(B.netns(), "iptables", "-t", "nat", "-S", "PREROUTING").lines()
                .filter(line -> line.endsWith("-j QUBE-SERVICES"))).hasSize(1);
    }

    /** The manual EndpointSlice {@code service}-1 of a Service without selector: its one endpoint, applied. */
    private static void slice(String service, String protocol, String ip, int port) {
        cluster.client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(service + "-1").addToLabels("kubernetes.io/service-name", service)
                .endMetadata().withAddressType("IPv4").addNewPort().withPort(port).withProtocol(protocol).endPort()
                .addNewEndpoint().withAddresses(ip).endEndpoint().build()).serverSideApply();
    }

    /** Sends a datagram to node A's node port from {@code caller}; the answer. */
    private static String ask(DatagramSocket caller, int nodePort) throws IOException {
        byte[] question = "?".getBytes(StandardCharsets.UTF_8);
        caller.send(new DatagramPacket(question, question.length, new InetSocketAddress(A.ip(), nodePort)));
        DatagramPacket answer = new DatagramPacket(new byte[64], 64);
        caller.receive(answer);
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
    }

    /** A UDP socket on {@code ip} answering every datagram with {@code text}, on a thread of its own. */
    private static final class UdpAnswer implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;

        UdpAnswer(String ip, String text) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(ip, 0));
            byte[] reply = text.getBytes(StandardCharsets.UTF_8);
            thread = new Thread(() -> {
                DatagramPacket question = new DatagramPacket(new byte[64], 64);
                try {
                    while (true) {
                        socket.receive(question);
                        socket.send(new DatagramPacket(reply, reply.length, question.getSocketAddress()));
                    }
                } catch (IOException closed) {
                    // the test is done with it
                }
            }, "udp-" + text);
            thread.start();
        }

        String ip() {
            return socket.getLocalAddress().getHostAddress();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join();
        }
    }

    /** Waits until six calls in a row from the client pod to the cluster IP {@code ip} pass {@code check}. */
    private static void everyAnswer(String ip, java.util.function.Consumer<String> check) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (int i = 0; i < 6; i++) {
                check.accept(call("client", ip + ":80"));
            }
        });
    }

    /** A Deployment of busybox httpd pods answering with their name, ready while /tmp/ready exists, behind a Service. */
    private static String webService(String name, int replicas, String spec) throws Exception {
        apply(name + ".yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s}
                spec:
                  replicas: %2$d
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      terminationGracePeriodSeconds: 0
                      containers:
                      - name: httpd
                        image: %3$s
                        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && touch /tmp/ready
                          && exec httpd -f -p 8080 -h /www']
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe:
                          exec: {command: [test, -f, /tmp/ready]}
                          periodSeconds: 1
                """.formatted(name, replicas, busybox));
        await().atMost(WAIT).until(() -> names(name).size() == replicas && names(name).stream()
                .allMatch(pod -> "True".equals(cluster.pods.condition(pod, "Ready"))));
        return service(name, "selector: {app: " + name + "}\n  " + spec);
    }

    /** A Service of port 80 to 8080, its cluster IP. */
    private static String service(String name, String spec) throws Exception {
        return service(name, spec, "[{port: 80, targetPort: 8080}]");
    }

    private static String service(String name, String spec, String ports) throws Exception {
        apply(name + "-svc.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: %s}
                spec:
                  %s
                  ports: %s
                """.formatted(name, spec, ports));
        return cluster.client.services().inNamespace("default").withName(name).get().getSpec().getClusterIP();
    }

    private static int nodePort(String service) {
        return cluster.client.services().inNamespace("default").withName(service).get().getSpec().getPorts().get(0)
                .getNodePort();
    }

    /** A pod on {@code host} labelled app={@code name}, serving its name, Ready. */
    private static void pinnedPod(String name, Host host) throws Exception {
        apply(name + ".yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: %1$s, labels: {app: %1$s}}
                spec:
                  nodeName: %2$s
                  terminationGracePeriodSeconds: 0
                  containers:
                  - name: httpd
                    image: %3$s
                    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
                """.formatted(name, host.node(), busybox));
        await().atMost(WAIT).until(() -> cluster.pods.condition(name, "Ready"), "True"::equals);
    }

    private static void apply(String file, String yaml) throws Exception {
        cluster.kubectl.ok("apply", "-f", cluster.manifest(file, yaml).toString());
    }

    /** The running pods of a Deployment, by name. */
    private static Set<String> names(String app) {
        Set<String> names = new HashSet<>();
        for (Pod pod : cluster.client.pods().inNamespace("default").withLabels(Map.of("app", app)).list().getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                names.add(pod.getMetadata().getName());
            }
        }
        return names;
    }

    /**
     * The page at {@code address} as a pod sees it (the answering pod's name). Bounded by busybox's timeout (the
     * image links no applet of that name): this static busybox's wget crashes on its own -T.
     */
    private static String call(String pod, String address) throws Exception {
        return cluster.kubectl.ok("exec", pod, "--", "busybox", "timeout", "5", "wget", "-qO-",
                "http://" + address + "/").trim();
    }

    /** The page at {@code address} fetched by the host itself, outside any pod. */
    private static String hostCall(Host host, String address) {
        return TestHosts.run(host.netns(), "curl", "-sS", "-m", "3", "http://" + address + "/").trim();
    }

    /** The page at a node's address, fetched from the root namespace: from outside the cluster. */
    private static String get(String ip, int port) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + "/"))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body().trim();
    }
}
