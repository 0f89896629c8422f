package io.qube.agent;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import io.qube.agent.dns.FakeUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster DNS end to end: two "hosts" (network namespaces on a bridge, see {@link TestHosts}), each with an agent
 * and its containerd, each serving DNS on its InternalIP. Without the service proxy in this picture, the agents are
 * given their own address as --cluster-dns, so pods ask their node's server directly; names outside the cluster go
 * to a fake nameserver on the root namespace's bridge address, the only nameserver of the agents' --resolv-conf.
 * Pods resolve with busybox's nslookup; SRV, PTR and NXDOMAIN are asked from this JVM with dnsjava.
 */
@ExtendWith(RegistryImagesExtension.class)
class ClusterDnsIT {

    /** A node on a host of its own: its network namespace, InternalIP and pod CIDR. */
    private record Host(String node, String netns, String ip, String podCidr) {
    }

    private static final String BRIDGE = "qubednsbr0";
    private static final String ROOT_IP = "10.94.0.1";
    private static final Host A = new Host("dns-a", "qube-dns-a", "10.94.0.2", "10.95.1.0/24");
    private static final Host B = new Host("dns-b", "qube-dns-b", "10.94.0.3", "10.95.2.0/24");
    private static final String POD_BRIDGE = "qubedns0";
    private static final String DOMAIN = "cluster.local";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static Path work;
    private static TestHosts hosts;
    private static final List<AutoCloseable> mirrors = new ArrayList<>();
    private static FakeUpstream upstream;
    private static QubeServer qube;
    private static KubernetesClient client;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static final List<QubeAgent> agents = new ArrayList<>();
    private static String busybox;

    @BeforeAll
    static void startTwoHosts(RegistryImages images) throws Exception {
        busybox = images.busybox();
        work = Files.createTempDirectory("qube-dns-it");
        hosts = TestHosts.create(BRIDGE, ROOT_IP + "/24");
        for (Host host : List.of(A, B)) {
            hosts.add(host.netns(), host.ip() + "/24");
            mirrors.add(images.registry().mirrorIn(host.netns()));
        }
        upstream = FakeUpstream.start(InetAddress.getByName(ROOT_IP), 53,
                Map.of("outside.example.", List.of("192.0.2.80")));
        Path resolvConf = Files.writeString(work.resolve("resolv.conf"),
                "nameserver 127.0.0.53\nnameserver " + ROOT_IP + "\nsearch example.test\n");
        qube = QubeServer.start(Map.of("quarkus.http.host", "0.0.0.0"));
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
        pods = new PodLookups(client, "default");
        Path kubeconfig = Files.writeString(work.resolve("kubeconfig"),
                Files.readString(qube.kubeconfig()).replace("127.0.0.1", ROOT_IP));
        for (Host host : List.of(A, B)) {
            agents.add(QubeAgent.startCri(TestHosts.exec(host.netns()), kubeconfig, host.node(), host.ip(),
                    work.resolve(host.node()), POD_BRIDGE, host.podCidr(), images.pause(),
                    "--cluster-dns", host.ip(), "--resolv-conf", resolvConf.toString()));
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
                    // The sandboxes (and with them the pods' network namespaces) are gone too.
                    await().atMost(WAIT).untilAsserted(() -> assertThat(ctr(host, "containers", "ls", "-q"))
                            .isBlank());
                }
            }
            for (int i = 0; i < agents.size(); i++) {
                Path pid = containerdDir(List.of(A, B).get(i)).resolve("containerd.pid");
                long containerd = Long.parseLong(Files.readString(pid).trim());
                agents.get(i).close();
                await().atMost(WAIT).until(() -> ProcessHandle.of(containerd).map(p -> !p.isAlive()).orElse(true));
            }
        } finally {
            for (AutoCloseable mirror : mirrors) {
                mirror.close();
            }
            if (upstream != null) {
                upstream.close();
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
            assertThat(TestHosts.namespaces()).doesNotContain(A.netns(), B.netns());
            assertThat(Files.exists(Path.of("/sys/class/net", BRIDGE))).isFalse();
            if (work != null) {
                ProcessCluster.keepLogs(work);
                assertThat(Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                        .filter(line -> line.contains(work.toString())).toList()).isEmpty();
                ProcessCluster.deleteTree(work);
            }
        }
    }

    @Test
    void theKubeDnsServiceLeadsToEachNodesOwnServer() {
        await().atMost(WAIT).untilAsserted(() -> {
            Service service = client.services().inNamespace("kube-system").withName("kube-dns").get();
            assertThat(service).isNotNull();
            assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        });
        for (Host host : List.of(A, B)) {
            EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace("kube-system")
                    .withName("kube-dns-" + host.node()).get();
            assertThat(slice).as(host.node()).isNotNull();
            assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "kube-dns")
                    .containsEntry("endpointslice.kubernetes.io/managed-by", "qube-agent");
            assertThat(slice.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
                assertThat(owner.getKind()).isEqualTo("Node");
                assertThat(owner.getUid()).isEqualTo(client.nodes().withName(host.node()).get().getMetadata()
                        .getUid());
            });
            assertThat(slice.getEndpoints()).singleElement().satisfies(endpoint -> {
                assertThat(endpoint.getAddresses()).containsExactly(host.ip());
                assertThat(endpoint.getNodeName()).isEqualTo(host.node());
                assertThat(endpoint.getConditions().getReady()).isTrue();
            });
            assertThat(slice.getPorts()).extracting(p -> p.getName() + " " + p.getPort() + "/" + p.getProtocol())
                    .containsExactlyInAnyOrder("dns 53/UDP", "dns-tcp 53/TCP");
        }
    }

    @Test
    void aPodsResolvConfNamesItsNodesServerAndTheClusterSearchPath() throws Exception {
        String resolvConf = runToEnd("resolv", A, "cat /etc/resolv.conf");

        assertThat(resolvConf.lines().map(String::trim)).contains("nameserver " + A.ip(),
                "search default.svc.cluster.local svc.cluster.local cluster.local example.test",
                "options ndots:5");
    }

    @Test
    void podsResolveServicesByShortNameHeadlessOnesToTheirPodsAndOutsideNamesUpstream() throws Exception {
        Service web = client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                .withName("web").endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).endPort()
                .endSpec().build()).create();
        start("db-0", A, "db", "hostname: db-0\n  subdomain: db", "exec httpd -f -p 8080");
        await().atMost(WAIT).until(() -> pods.condition("db-0", "Ready"), "True"::equals);
        String dbIp = pods.pod("db-0").getStatus().getPodIP();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("db")
                .endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", "db").addNewPort()
                .withName("http").withPort(8080).endPort().endSpec().build()).create();
        await().atMost(WAIT).until(() -> records(A, "db.default.svc.cluster.local.", Type.A),
                found -> found.contains(dbIp));

        String lookups = runToEnd("lookups", B, "nslookup web; nslookup db; nslookup outside.example; "
                + "nslookup -type=ptr " + ReverseMap.fromAddress(web.getSpec().getClusterIP()));

        assertThat(lookups).contains("Name:\tweb.default.svc.cluster.local\nAddress: " + web.getSpec().getClusterIP())
                .contains("Name:\tdb.default.svc.cluster.local\nAddress: " + dbIp)
                .contains("Name:\toutside.example\nAddress: 192.0.2.80")
                .contains("name = web.default.svc.cluster.local");
        // the same from this JVM, with what busybox does not ask well
        assertThat(records(B, "_http._tcp.db.default.svc.cluster.local.", Type.SRV))
                .containsExactly("0 100 8080 db-0.db.default.svc.cluster.local.");
        assertThat(records(B, "_http._tcp.web.default.svc.cluster.local.", Type.SRV))
                .containsExactly("0 100 80 web.default.svc.cluster.local.");
        assertThat(records(B, "db-0.db.default.svc.cluster.local.", Type.A)).containsExactly(dbIp);
        assertThat(records(B, ReverseMap.fromAddress(dbIp).toString(), Type.PTR))
                .containsExactly("db-0.db.default.svc.cluster.local.");
        assertThat(records(B, dbIp.replace('.', '-') + ".default.pod.cluster.local.", Type.A))
                .containsExactly(dbIp);
        Message unknown = ask(A, "nope.default.svc.cluster.local.", Type.A);
        assertThat(unknown.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(unknown.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
    }

    @Test
    void aNewServiceResolvesAtOnceOnEveryNode() {
        Service fresh = client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                .withName("fresh").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec()
                .build()).create();

        // Answers come from the agents' watch-fed cache: what the API has, a node's DNS has a moment later.
        for (Host host : List.of(A, B)) {
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> records(host, "fresh.default.svc." + DOMAIN + ".", Type.A),
                            found -> found.equals(List.of(fresh.getSpec().getClusterIP())));
        }
    }

    /**
     * Starts a busybox pod on the host's node running a shell command, labelled {@code app}; {@code spec} lines
     * (indented as the spec's fields after the first) go into its spec.
     */
    private static void start(String name, Host host, String app, String spec, String command) throws Exception {
        Path manifest = Files.writeString(work.resolve(name + ".yaml"), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels: {app: %s}
                spec:
                  nodeName: %s
                  restartPolicy: Never
                  %s
                  containers:
                  - name: main
                    image: %s
                    command: [sh, -c, '%s']
                """.formatted(name, app, host.node(), spec, busybox, command));
        kubectl.ok("apply", "-f", manifest.toString());
    }

    /** Runs a busybox pod on the host's node with a shell command, to its end; its log. */
    private static String runToEnd(String name, Host host, String command) throws Exception {
        start(name, host, name, "", command);
        await().atMost(WAIT).until(() -> pods.phase(name), phase -> phase != null
                && (phase.equals("Succeeded") || phase.equals("Failed")));
        return kubectl.ok("logs", name);
    }

    private static Message ask(Host host, String name, int type) throws IOException {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(host.ip(), 53));
        resolver.setTimeout(Duration.ofSeconds(3));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    private static List<String> records(Host host, String name, int type) throws IOException {
        return ask(host, name, type).getSection(Section.ANSWER).stream().filter(r -> r.getType() == type)
                .map(Record::rdataToString).toList();
    }

    private static Path containerdDir(Host host) {
        return work.resolve(host.node()).resolve("containerd");
    }

    /** ctr against the host's containerd, in the CRI's namespace. */
    private static String ctr(Host host, String... args) {
        List<String> command = Stream.concat(Stream.of("ctr", "--address",
                containerdDir(host).resolve("containerd.sock").toString(), "-n", "k8s.io"), Stream.of(args)).toList();
        return Commands.run(Duration.ofSeconds(30), command).ok();
    }
}
