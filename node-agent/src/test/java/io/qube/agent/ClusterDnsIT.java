package io.qube.agent;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.CriHosts.Host;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster DNS end to end: two "hosts" ({@link CriHosts}), each agent serving DNS on its node's InternalIP. Pods ask
 * kube-dns's cluster IP, which each node's service proxy sends to that node's own server (internalTrafficPolicy
 * Local); names outside the cluster go to a fake nameserver on the root namespace's bridge address, the only
 * nameserver of the agents' --resolv-conf.
 * Pods resolve with busybox's nslookup; SRV, PTR and NXDOMAIN are asked from this JVM with dnsjava.
 */
@ExtendWith(RegistryImagesExtension.class)
class ClusterDnsIT {

    private static final String BRIDGE = "qubednsbr0";
    private static final String ROOT_IP = "10.94.0.1";
    private static final Host A = new Host("dns-a", "qube-dns-a", "10.94.0.2", "10.95.1.0/24");
    private static final Host B = new Host("dns-b", "qube-dns-b", "10.94.0.3", "10.95.2.0/24");
    private static final String POD_BRIDGE = "qubedns0";
    private static final String DOMAIN = "cluster.local";
    private static final Duration WAIT = CriHosts.WAIT;

    private static Path resolvConf;
    private static FakeUpstream upstream;
    private static CriHosts cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static String busybox;

    @BeforeAll
    static void startTwoHosts(RegistryImages images) throws Exception {
        busybox = images.busybox();
        resolvConf = Files.createTempFile("qube-dns-it", "-resolv.conf");
        // A loopback nameserver, which the node's DNS must skip, and the fake one on the bridge.
        Files.writeString(resolvConf, "nameserver 127.0.0.53\nnameserver " + ROOT_IP + "\nsearch example.test\n");
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(A, B), List.of(
                "--resolv-conf", resolvConf.toString()));
        // On the bridge, which is there only now; no agent forwards anything before a test asks.
        upstream = FakeUpstream.start(InetAddress.getByName(ROOT_IP), 53,
                Map.of("outside.example.", List.of("192.0.2.80")));
        client = cluster.client;
        kubectl = cluster.kubectl;
        pods = cluster.pods;
    }

    @AfterAll
    static void removeEverything() throws Exception {
        try {
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (resolvConf != null) {
                Files.delete(resolvConf);
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
    void aPodsResolvConfNamesKubeDnsAndTheClusterSearchPath() throws Exception {
        String resolvConf = runToEnd("resolv", A, "cat /etc/resolv.conf");

        assertThat(resolvConf.lines().map(String::trim)).contains("nameserver 10.96.0.10",
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
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> records(host, "fresh.default.svc." + DOMAIN + ".", Type.A),
                            found -> found.equals(List.of(fresh.getSpec().getClusterIP())));
        }
    }

    /**
     * Starts a busybox pod on the host's node running a shell command, labelled {@code app}; {@code spec} lines
     * (indented as the spec's fields after the first) go into its spec.
     */
    private static void start(String name, Host host, String app, String spec, String command) throws Exception {
        Path manifest = Files.writeString(cluster.work.resolve(name + ".yaml"), """
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
}
