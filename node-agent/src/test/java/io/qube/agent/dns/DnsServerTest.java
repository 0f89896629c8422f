package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node's DNS server on loopback, over UDP and TCP, in front of a fake upstream nameserver: cluster names
 * answered (an ExternalName with its target's address from upstream), other names forwarded and relayed (a truncated upstream answer asked again over TCP), SERVFAIL in time
 * when the upstream is dead, FORMERR for garbage.
 */
class DnsServerTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Enough A records that the upstream's UDP answer is truncated. */
    private static final List<String> MANY = IntStream.range(1, 60).mapToObj(i -> "192.0.2." + i).toList();

    private FakeUpstream upstream;
    private DnsServer server;

    @BeforeEach
    void start() throws Exception {
        upstream = FakeUpstream.start(LOOPBACK, 0, Map.of("example.org.", List.of("192.0.2.7"),
                "many.example.org.", MANY));
        server = server(List.of(upstream.address()));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        upstream.close();
    }

    @Test
    void answersClusterNamesOverUdpAndTcp() throws Exception {
        for (boolean tcp : List.of(false, true)) {
            Message answer = ask(server, "web.default.svc.cluster.local.", Type.A, tcp);
            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answer.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(answer.getSection(Section.ANSWER)).extracting(Record::rdataToString)
                    .containsExactly("10.96.0.20");
        }
    }

    @Test
    void forwardsOtherNamesAndRelaysTheAnswer() throws Exception {
        Message found = ask(server, "example.org.", Type.A, false);
        assertThat(found.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("192.0.2.7");

        Message missing = ask(server, "nowhere.example.org.", Type.A, false);
        assertThat(missing.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void anExternalNameComesWithItsTargetsAddresses() throws Exception {
        Message answer = ask(server, "ext.default.svc.cluster.local.", Type.A, false);

        assertThat(answer.getSection(Section.ANSWER)).extracting(r -> Type.string(r.getType()) + " " + r.rdataToString())
                .containsExactly("CNAME example.org.", "A 192.0.2.7");
    }

    @Test
    void asksTheUpstreamAgainOverTcpWhenItsAnswerWasTruncated() throws Exception {
        Message answer = ask(server, "many.example.org.", Type.A, true);

        assertThat(upstream.tcpQueries()).isEqualTo(1);
        assertThat(answer.getSection(Section.ANSWER)).hasSize(MANY.size());
    }

    @Test
    void aDeadUpstreamGivesServfailInTime() throws Exception {
        InetSocketAddress dead;
        try (DatagramSocket unused = new DatagramSocket(0, LOOPBACK)) {
            dead = (InetSocketAddress) unused.getLocalSocketAddress();
        }
        // A port with nobody behind it: ICMP refuses the UDP query, so a silent one is made by binding and ignoring.
        try (DatagramSocket silent = new DatagramSocket(0, LOOPBACK);
             DnsServer forwarding = server(List.of((InetSocketAddress) silent.getLocalSocketAddress(), dead))) {
            long start = System.nanoTime();
            Message answer = ask(forwarding, "example.org.", Type.A, false);
            assertThat(answer.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void garbageGetsFormerrWithItsId() throws Exception {
        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 'x'};
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(garbage, garbage.length, LOOPBACK, server.port()));
            byte[] buffer = new byte[512];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            Message answer = new Message(java.util.Arrays.copyOf(buffer, packet.getLength()));
            assertThat(answer.getHeader().getID()).isEqualTo(0x1234);
            assertThat(answer.getRcode()).isEqualTo(Rcode.FORMERR);
        }
        // and the server goes on answering
        assertThat(ask(server, "web.default.svc.cluster.local.", Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    private static DnsServer server(List<InetSocketAddress> upstreams) throws Exception {
        ClusterServices services = new FixedServices(List.of(new ServiceBuilder().withNewMetadata()
                .withNamespace("default").withName("web").endMetadata().withNewSpec().withType("ClusterIP")
                .withClusterIP("10.96.0.20").addNewPort().withName("http").withPort(80).endPort().endSpec().build(),
                new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext").endMetadata()
                        .withNewSpec().withType("ExternalName").withExternalName("example.org").endSpec().build()),
                List.of());
        return DnsServer.start(LOOPBACK, 0, new ClusterZone("cluster.local", services),
                new Upstreams(upstreams, Duration.ofSeconds(1)));
    }

    /** A query as a resolver sends it, with no retries of its own. */
    static Message ask(DnsServer server, String name, int type, boolean tcp) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(LOOPBACK, server.port()));
        resolver.setTCP(tcp);
        resolver.setIgnoreTruncation(false);
        resolver.setTimeout(Duration.ofSeconds(5));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }
}
