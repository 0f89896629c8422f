package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the cluster zone answers, query by query, for a fixed set of Services and slices built as the API gives
 * them: records as CoreDNS' kubernetes plugin gives them (rdata as dig prints it), NXDOMAIN or NODATA with the
 * zone's SOA, null for a name that is not the cluster's.
 */
class ClusterZoneTest {

    private static final ClusterServices SERVICES = new FixedServices(List.of(
            service("default", "web", "10.96.0.20", "ClusterIP", port("http", 80, "TCP"), port("dns", 53, "UDP")),
            service("default", "dual", "10.96.0.21", "ClusterIP", port("http", 80, "TCP")),
            service("kube-system", "kube-dns", "10.96.0.10", "ClusterIP", port("dns", 53, "UDP")),
            headless("default", "db", false),
            headless("default", "lazy", true),
            headless("default", "empty", false),
            new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext").endMetadata()
                    .withNewSpec().withType("ExternalName").withExternalName("example.org").endSpec().build()),
            List.of(slice("default", "db", "IPv4",
                            endpoint("10.95.1.5", "db-0", true), endpoint("10.95.2.6", null, true),
                            endpoint("10.95.2.7", null, false)),
                    slice("default", "lazy", "IPv4", endpoint("10.95.1.8", null, false)),
                    slice("default", "empty", "IPv4")));

    static {
        SERVICES.service("default", "dual").getSpec().setClusterIPs(List.of("10.96.0.21", "fd00:10:96::21"));
    }

    private final ClusterZone zone = new ClusterZone("cluster.local", SERVICES);

    static Stream<Arguments> queries() {
        return Stream.of(
                Arguments.of("web.default.svc.cluster.local.", Type.A, Rcode.NOERROR, List.of("10.96.0.20")),
                Arguments.of("WEB.Default.SVC.cluster.LOCAL.", Type.A, Rcode.NOERROR, List.of("10.96.0.20")),
                Arguments.of("web.default.svc.cluster.local.", Type.AAAA, Rcode.NOERROR, List.of()),
                Arguments.of("dual.default.svc.cluster.local.", Type.AAAA, Rcode.NOERROR, List.of("fd00:10:96:0:0:0:0:21")),
                Arguments.of("web.default.svc.cluster.local.", Type.TXT, Rcode.NOERROR, List.of()),
                Arguments.of("db.default.svc.cluster.local.", Type.A, Rcode.NOERROR,
                        List.of("10.95.1.5", "10.95.2.6")),
                Arguments.of("lazy.default.svc.cluster.local.", Type.A, Rcode.NOERROR, List.of("10.95.1.8")),
                Arguments.of("empty.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("db-0.db.default.svc.cluster.local.", Type.A, Rcode.NOERROR, List.of("10.95.1.5")),
                Arguments.of("10-95-2-6.db.default.svc.cluster.local.", Type.A, Rcode.NOERROR, List.of("10.95.2.6")),
                Arguments.of("10-95-2-7.db.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("db-1.db.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("_http._tcp.web.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        List.of("0 100 80 web.default.svc.cluster.local.")),
                Arguments.of("_dns._udp.web.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        List.of("0 100 53 web.default.svc.cluster.local.")),
                Arguments.of("_dns._tcp.web.default.svc.cluster.local.", Type.SRV, Rcode.NXDOMAIN, List.of()),
                Arguments.of("web.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        List.of("0 50 80 web.default.svc.cluster.local.", "0 50 53 web.default.svc.cluster.local.")),
                Arguments.of("_tcp-5432._tcp.db.default.svc.cluster.local.", Type.SRV, Rcode.NOERROR,
                        List.of("0 50 5432 db-0.db.default.svc.cluster.local.",
                                "0 50 5432 10-95-2-6.db.default.svc.cluster.local.")),
                Arguments.of("ext.default.svc.cluster.local.", Type.A, Rcode.NOERROR, List.of("example.org.")),
                Arguments.of("20.0.96.10.in-addr.arpa.", Type.PTR, Rcode.NOERROR,
                        List.of("web.default.svc.cluster.local.")),
                Arguments.of("5.1.95.10.in-addr.arpa.", Type.PTR, Rcode.NOERROR,
                        List.of("db-0.db.default.svc.cluster.local.")),
                Arguments.of("10-95-1-9.default.pod.cluster.local.", Type.A, Rcode.NOERROR, List.of("10.95.1.9")),
                Arguments.of("not-an-ip.default.pod.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("nope.default.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("default.svc.cluster.local.", Type.A, Rcode.NOERROR, List.of()),
                Arguments.of("nowhere.svc.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("web.default.cluster.local.", Type.A, Rcode.NXDOMAIN, List.of()),
                Arguments.of("_tcp-5432._tcp.empty.default.svc.cluster.local.", Type.SRV, Rcode.NXDOMAIN, List.of()),
                Arguments.of("ns.dns.cluster.local.", Type.A, Rcode.NOERROR, List.of("10.96.0.10")),
                Arguments.of("cluster.local.", Type.NS, Rcode.NOERROR, List.of("ns.dns.cluster.local.")),
                Arguments.of("dns-version.cluster.local.", Type.TXT, Rcode.NOERROR, List.of("1.1.0")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("queries")
    void answers(String name, int type, int rcode, List<String> rdata) throws Exception {
        Message answer = zone.answer(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));

        assertThat(answer).isNotNull();
        assertThat(answer.getRcode()).isEqualTo(rcode);
        assertThat(answer.getSection(Section.ANSWER)).allSatisfy(record -> {
            assertThat(record.getName()).isEqualTo(Name.fromString(name));
            assertThat(record.getTTL()).isEqualTo(5);
        });
        assertThat(answer.getSection(Section.ANSWER).stream().map(Record::rdataToString))
                .containsExactlyInAnyOrderElementsOf(rdata);
        if (rdata.isEmpty()) {
            assertThat(answer.getSection(Section.AUTHORITY)).singleElement()
                    .satisfies(soa -> assertThat(soa.getType()).isEqualTo(Type.SOA))
                    .satisfies(soa -> assertThat(soa.getName()).isEqualTo(Name.fromString("cluster.local.")));
        }
    }

    @Test
    void headlessSrvCarriesTheTargetsAddresses() throws Exception {
        Message answer = zone.answer(Message.newQuery(Record.newRecord(
                Name.fromString("_tcp-5432._tcp.db.default.svc.cluster.local."), Type.SRV, DClass.IN)));

        assertThat(answer.getSection(Section.ADDITIONAL).stream().map(r -> r.getName() + " " + r.rdataToString()))
                .containsExactlyInAnyOrder("db-0.db.default.svc.cluster.local. 10.95.1.5",
                        "10-95-2-6.db.default.svc.cluster.local. 10.95.2.6");
    }

    @Test
    void namesOutsideTheClusterAreNotItsToAnswer() throws Exception {
        for (String name : List.of("example.org.", "cluster.local.example.org.", "9.9.9.9.in-addr.arpa.")) {
            int type = name.endsWith("arpa.") ? Type.PTR : Type.A;
            assertThat(zone.answer(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN))))
                    .as(name).isNull();
        }
    }

    private static Service service(String namespace, String name, String clusterIp, String type,
                                   io.fabric8.kubernetes.api.model.ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIp).withClusterIPs(clusterIp).withPorts(ports)
                .endSpec().build();
    }

    private static Service headless(String namespace, String name, boolean publishNotReady) {
        Service service = service(namespace, name, "None", "ClusterIP", port("tcp-5432", 5432, "TCP"));
        service.getSpec().setPublishNotReadyAddresses(publishNotReady);
        return service;
    }

    private static io.fabric8.kubernetes.api.model.ServicePort port(String name, int number, String protocol) {
        return new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName(name).withPort(number)
                .withProtocol(protocol).build();
    }

    private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(String ip, String hostname,
                                                                                 boolean ready) {
        return new EndpointBuilder().withAddresses(ip).withHostname(hostname).withNewConditions().withReady(ready)
                .endConditions().build();
    }

    private static EndpointSlice slice(String namespace, String service, String addressType,
                                       io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(service + "-abc")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType(addressType)
                .withEndpoints(endpoints).addNewPort().withName("tcp-5432").withPort(5432).withProtocol("TCP")
                .endPort().build();
    }
}
