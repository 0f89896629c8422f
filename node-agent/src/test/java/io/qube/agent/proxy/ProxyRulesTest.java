package io.qube.agent.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The chains and rules one Service and its EndpointSlices give node {@value #NODE}, case by case. */
class ProxyRulesTest {

    private static final String NODE = "node-a";
    private static final String POD_CIDR = "10.93.1.0/24";
    private static final String VIP = "10.96.0.10";
    private static final String NAME = "default/web:http";
    private static final String SVC = ChainNames.cluster(NAME, "TCP");
    private static final String SVL = ChainNames.local(NAME, "TCP");
    private static final String EXT = ChainNames.external(NAME, "TCP");

    /** A case: the Service (changed from a ClusterIP one), its slice's endpoints, and what the rules must say. */
    record Case(String what, UnaryOperator<ServiceBuilder> service, List<Ep> endpoints, List<String> natHas,
                List<String> natLacks, List<String> filterHas) {
        @Override
        public String toString() {
            return what;
        }
    }

    /** An endpoint of the slice: address, node, conditions. */
    record Ep(String ip, String node, boolean ready, boolean serving, boolean terminating) {
        static Ep ready(String ip, String node) {
            return new Ep(ip, node, true, true, false);
        }
    }

    static Stream<Case> cases() {
        String toSvc = "-d " + VIP + "/32 -p tcp -m tcp --dport 80 -m comment --comment \"" + NAME
                + " cluster IP\" -j ";
        String a = sep("10.93.1.5"), b = sep("10.93.2.7");
        return Stream.of(
                new Case("ClusterIP: a cluster chain spreads over ready endpoints, each DNATed, the host masqueraded",
                        s -> s, List.of(Ep.ready("10.93.1.5", NODE), Ep.ready("10.93.2.7", "node-b"),
                        new Ep("10.93.2.8", "node-b", false, false, false)),
                        List.of(ChainNames.SERVICES + " " + toSvc + SVC,
                                SVC + " ! -s " + POD_CIDR + " -d " + VIP
                                        + "/32 -p tcp -m tcp --dport 80 -j QUBE-MARK-MASQ",
                                SVC + " -m statistic --mode random --probability 0.5000000000 -j " + a,
                                SVC + " -j " + b,
                                a + " -s 10.93.1.5/32 -j QUBE-MARK-MASQ",
                                a + " -p tcp -m tcp -j DNAT --to-destination 10.93.1.5:8080"),
                        List.of("10.93.2.8", "QUBE-EXT-", "QUBE-SVL-"), List.of()),
                new Case("NodePort, Cluster policy: the external chain masquerades, then the cluster chain",
                        s -> s.editSpec().withType("NodePort").editFirstPort().withNodePort(30080).endPort().endSpec(),
                        List.of(Ep.ready("10.93.2.7", "node-b")),
                        List.of(ChainNames.NODEPORTS + " -p tcp -m tcp --dport 30080 -m comment --comment \"" + NAME
                                        + " node port\" -j " + EXT, EXT + " -j QUBE-MARK-MASQ", EXT + " -j " + SVC,
                                ChainNames.SERVICES + " -m comment --comment \"node ports\" -m addrtype "
                                        + "--dst-type LOCAL -j " + ChainNames.NODEPORTS),
                        List.of(), List.of()),
                new Case("ClientIP affinity: recent clients go back to their endpoint first",
                        s -> s.editSpec().withSessionAffinity("ClientIP").endSpec(),
                        List.of(Ep.ready("10.93.1.5", NODE)),
                        List.of(SVC + " -m recent --name " + a + " --rcheck --seconds 10800 --reap -j " + a,
                                a + " -p tcp -m tcp -m recent --name " + a + " --set --rsource -j DNAT "
                                        + "--to-destination 10.93.1.5:8080"),
                        List.of(), List.of()),
                new Case("externalTrafficPolicy Local: outside clients only to this node's endpoints, unmasqueraded",
                        s -> s.editSpec().withType("NodePort").withExternalTrafficPolicy("Local").editFirstPort()
                                .withNodePort(30080).endPort().endSpec(),
                        List.of(Ep.ready("10.93.1.5", NODE), Ep.ready("10.93.2.7", "node-b")),
                        List.of(EXT + " -m addrtype --src-type LOCAL -j QUBE-MARK-MASQ", EXT + " -j " + SVL,
                                SVL + " -j " + a),
                        List.of(EXT + " -j QUBE-MARK-MASQ", SVL + " -j " + b), List.of()),
                new Case("externalTrafficPolicy Local without a local endpoint: node port traffic dropped",
                        s -> s.editSpec().withType("NodePort").withExternalTrafficPolicy("Local").editFirstPort()
                                .withNodePort(30080).endPort().endSpec(),
                        List.of(Ep.ready("10.93.2.7", "node-b")),
                        List.of(ChainNames.SERVICES + " " + toSvc + SVC), List.of("QUBE-EXT-", "QUBE-NODEPORTS -p"),
                        List.of("-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -m comment --comment \""
                                + NAME + " has no local endpoints\" -j DROP")),
                new Case("internalTrafficPolicy Local: the cluster IP leads to this node's endpoints only",
                        s -> s.editSpec().withInternalTrafficPolicy("Local").endSpec(),
                        List.of(Ep.ready("10.93.1.5", NODE), Ep.ready("10.93.2.7", "node-b")),
                        List.of(ChainNames.SERVICES + " " + toSvc + SVL, SVL + " -j " + a),
                        List.of(SVL + " -j " + b, toSvc + SVC), List.of()),
                new Case("internalTrafficPolicy Local without a local endpoint: cluster IP traffic dropped",
                        s -> s.editSpec().withInternalTrafficPolicy("Local").endSpec(),
                        List.of(Ep.ready("10.93.2.7", "node-b")), List.of(), List.of(toSvc),
                        List.of("-d " + VIP + "/32 -p tcp -m tcp --dport 80 -m comment --comment \"" + NAME
                                + " has no local endpoints\" -j DROP")),
                new Case("no ready endpoint: serving terminating ones take the traffic",
                        s -> s, List.of(new Ep("10.93.1.5", NODE, false, true, true),
                        new Ep("10.93.2.7", "node-b", false, false, true)),
                        List.of(SVC + " -j " + a), List.of(b), List.of()),
                new Case("no usable endpoint: the cluster IP rejects",
                        s -> s, List.of(new Ep("10.93.1.5", NODE, false, false, false)),
                        List.of(), List.of("QUBE-SVC-", "QUBE-SEP-"),
                        List.of("-d " + VIP + "/32 -p tcp -m tcp --dport 80 -m comment --comment \"" + NAME
                                + " has no endpoints\" -j REJECT --reject-with icmp-port-unreachable")),
                new Case("headless: nothing", s -> s.editSpec().withClusterIP("None").endSpec(),
                        List.of(Ep.ready("10.93.1.5", NODE)), List.of(), List.of("QUBE-SVC-", "QUBE-SEP-", NAME),
                        List.of()),
                new Case("ExternalName: nothing", s -> s.editSpec().withType("ExternalName")
                        .withExternalName("example.com").withClusterIP(null).endSpec(),
                        List.of(Ep.ready("10.93.1.5", NODE)), List.of(), List.of("QUBE-SVC-", NAME), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rulesOfOneService(Case c) {
        RuleSet rules = compute(List.of(c.service().apply(web()).build()), slice(c.endpoints()));
        assertThat(lines(rules.nat())).containsAll(c.natHas());
        for (String absent : c.natLacks()) {
            assertThat(lines(rules.nat())).noneMatch(line -> line.contains(absent));
        }
        assertThat(lines(rules.filter())).containsAll(c.filterHas().stream()
                .map(rule -> ChainNames.FILTER + " " + rule).toList());
    }

    @Test
    void udpServicesKeepTheirFlowsForConntrackAndSelectorlessServicesUseManualSlices() {
        Service dns = new ServiceBuilder().withNewMetadata().withNamespace("kube-system").withName("kube-dns")
                .endMetadata().withNewSpec().withClusterIP("10.96.0.10").withInternalTrafficPolicy("Local")
                .addToPorts(new ServicePortBuilder().withName("dns").withProtocol("UDP").withPort(53)
                        .withTargetPort(new IntOrString(53)).build()).endSpec().build();
        EndpointSlice manual = new EndpointSliceBuilder().withNewMetadata().withNamespace("kube-system")
                .withName("kube-dns-" + NODE).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("dns").withProtocol("UDP").withPort(53).endPort()
                .addToEndpoints(new EndpointBuilder().withAddresses("10.92.0.2").withNodeName(NODE).build(),
                        new EndpointBuilder().withAddresses("10.92.0.3").withNodeName("node-b").build()).build();
        RuleSet rules = compute(List.of(dns), List.of(manual));
        String svl = ChainNames.local("kube-system/kube-dns:dns", "UDP");
        String sep = ChainNames.endpoint("kube-system/kube-dns:dns", "UDP", "10.92.0.2:53");
        assertThat(lines(rules.nat())).contains(svl + " -j " + sep,
                sep + " -p udp -m udp -j DNAT --to-destination 10.92.0.2:53").noneMatch(l -> l.contains("10.92.0.3"));
        assertThat(rules.udpFlows()).containsExactly(new RuleSet.UdpFlow("10.96.0.10", 53, "10.92.0.2"));
    }

    @Test
    void namedTargetPortsTakeTheSlicePortOfTheSameName() {
        Service twoPorts = web().editSpec().addToPorts(new ServicePortBuilder().withName("metrics").withPort(9090)
                .withTargetPort(new IntOrString("metrics")).build()).endSpec().build();
        EndpointSlice slice = new EndpointSliceBuilder(slice(List.of(Ep.ready("10.93.1.5", NODE))).get(0))
                .addNewPort().withName("metrics").withProtocol("TCP").withPort(9100).endPort().build();
        RuleSet rules = compute(List.of(twoPorts), List.of(slice));
        String metrics = ChainNames.endpoint("default/web:metrics", "TCP", "10.93.1.5:9100");
        assertThat(lines(rules.nat())).contains(metrics + " -p tcp -m tcp -j DNAT --to-destination 10.93.1.5:9100",
                sep("10.93.1.5") + " -p tcp -m tcp -j DNAT --to-destination 10.93.1.5:8080");
    }

    @Test
    void aServiceTheProxyCannotExpressIsSkippedAndTheOthersServed() {
        // Its first port is fine, its second is not: the whole Service is left out.
        Service broken = web().editMetadata().withName("broken").endMetadata().editSpec().withClusterIP("10.96.0.11")
                .addToPorts(new ServicePortBuilder().withName("bad").withPort(70000).build()).endSpec().build();
        Service fine = web().build();
        RuleSet rules = compute(List.of(broken, fine), slice(List.of(Ep.ready("10.93.1.5", NODE))));
        assertThat(lines(rules.nat())).contains(ChainNames.SERVICES + " -d " + VIP
                + "/32 -p tcp -m tcp --dport 80 -m comment --comment \"" + NAME + " cluster IP\" -j " + SVC)
                .noneMatch(line -> line.contains("10.96.0.11") || line.contains("default/broken"));
    }

    @Test
    void aPartialSyncRewritesOnlyTheChainsThatChanged() {
        ProxyRules proxy = new ProxyRules(NODE, POD_CIDR);
        Service other = web().editMetadata().withName("other").endMetadata().editSpec().withClusterIP("10.96.0.12")
                .endSpec().build();
        List<EndpointSlice> two = slice(List.of(Ep.ready("10.93.1.5", NODE), Ep.ready("10.93.2.7", "node-b")));
        RuleSet before = proxy.compute(List.of(web().build(), other), (ns, name) -> two);
        RuleSet after = proxy.compute(List.of(web().build(), other), (ns, name) -> name.equals("web")
                ? slice(List.of(Ep.ready("10.93.1.5", NODE))) : two);

        String script = RestoreScript.of(before, after, Map.of());
        String otherSvc = ChainNames.cluster("default/other:http", "TCP");
        assertThat(script).contains(":" + SVC + " - [0:0]", "-A " + SVC + " -j " + sep("10.93.1.5"),
                ":" + sep("10.93.2.7") + " - [0:0]", "-X " + sep("10.93.2.7"))
                .doesNotContain(otherSvc, ChainNames.SERVICES, "*filter");
        assertThat(RestoreScript.of(after, after, Map.of())).isEmpty();
        // A full sync writes every chain and deletes an earlier run's leftovers.
        assertThat(RestoreScript.of(null, after, Map.of("nat", java.util.Set.of("QUBE-SVC-LEFTOVER"))))
                .contains(":" + otherSvc + " - [0:0]", "-A " + ChainNames.SERVICES, "-X QUBE-SVC-LEFTOVER", "*filter");
    }

    private static RuleSet compute(List<Service> services, List<EndpointSlice> slices) {
        return new ProxyRules(NODE, POD_CIDR).compute(services, (ns, name) -> slices.stream()
                .filter(s -> s.getMetadata().getName().startsWith(name)).toList());
    }

    private static ServiceBuilder web() {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(VIP).addToPorts(new ServicePortBuilder()
                        .withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString("http"))
                        .build()).endSpec();
    }

    private static List<EndpointSlice> slice(List<Ep> endpoints) {
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
                .withName("web-abc").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (Ep ep : endpoints) {
            slice.addToEndpoints(new EndpointBuilder().withAddresses(ep.ip()).withNodeName(ep.node())
                    .withNewConditions().withReady(ep.ready()).withServing(ep.serving())
                    .withTerminating(ep.terminating()).endConditions().build());
        }
        return List.of(slice.build());
    }

    private static String sep(String ip) {
        return ChainNames.endpoint(NAME, "TCP", ip + ":8080");
    }

    /** Every rule as "CHAIN rule". */
    private static List<String> lines(Map<String, List<String>> chains) {
        List<String> lines = new ArrayList<>();
        chains.forEach((chain, rules) -> {
            lines.add(chain);
            rules.forEach(rule -> lines.add(chain + " " + rule));
        });
        return lines;
    }
}
