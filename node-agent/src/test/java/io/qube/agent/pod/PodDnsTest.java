package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigBuilder;
import io.qube.agent.dns.ResolvConf;
import io.qube.agent.runtime.DnsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A pod's resolv.conf by dnsPolicy × hostNetwork × dnsConfig, as the kubelet forms it. */
class PodDnsTest {

    private static final ResolvConf HOST = ResolvConf.parse("""
            # the node's
            nameserver 192.168.1.1
            nameserver 192.168.1.2
            search corp.example example.com
            options timeout:2 attempts:3
            """);
    private static final PodDns DNS = new PodDns(List.of("10.96.0.10"), "cluster.local", HOST);
    private static final List<String> CLUSTER_SEARCH = List.of("team.svc.cluster.local", "svc.cluster.local",
            "cluster.local", "corp.example", "example.com");
    private static final PodDNSConfig OWN = new PodDNSConfigBuilder().withNameservers("1.1.1.1", "10.96.0.10")
            .withSearches("my.example", "cluster.local").addNewOption().withName("ndots").withValue("2").endOption()
            .addNewOption().withName("edns0").endOption().build();

    static Stream<Arguments> policies() {
        DnsSettings cluster = new DnsSettings(List.of("10.96.0.10"), CLUSTER_SEARCH, List.of("ndots:5"));
        DnsSettings node = new DnsSettings(List.of("192.168.1.1", "192.168.1.2"),
                List.of("corp.example", "example.com"), List.of("timeout:2", "attempts:3"));
        return Stream.of(
                Arguments.of(null, false, null, cluster, List.of()),
                Arguments.of("ClusterFirst", false, null, cluster, List.of()),
                Arguments.of("ClusterFirst", true, null, node, List.of()),
                Arguments.of("ClusterFirstWithHostNet", true, null, cluster, List.of()),
                Arguments.of("ClusterFirstWithHostNet", false, null, cluster, List.of()),
                Arguments.of("Default", false, null, node, List.of()),
                Arguments.of("None", false, null, new DnsSettings(List.of(), List.of(), List.of()), List.of()),
                Arguments.of("None", false, OWN, new DnsSettings(List.of("1.1.1.1", "10.96.0.10"),
                        List.of("my.example", "cluster.local"), List.of("ndots:2", "edns0")), List.of()),
                Arguments.of("ClusterFirst", false, OWN, new DnsSettings(List.of("10.96.0.10", "1.1.1.1"),
                        Stream.concat(CLUSTER_SEARCH.stream(), Stream.of("my.example")).toList(),
                        List.of("ndots:2", "edns0")), List.of()),
                // four nameservers: the last one goes
                Arguments.of("Default", false, OWN, new DnsSettings(List.of("192.168.1.1", "192.168.1.2",
                        "1.1.1.1"), List.of("corp.example", "example.com", "my.example", "cluster.local"),
                        List.of("timeout:2", "attempts:3", "ndots:2", "edns0")), List.of("DNSConfigForming")));
    }

    @ParameterizedTest(name = "{0} hostNetwork={1} dnsConfig={2}")
    @MethodSource("policies")
    void formsTheResolvConfAsTheKubelet(String policy, boolean hostNetwork, PodDNSConfig own, DnsSettings expected,
                                        List<String> warnings) {
        PodDns.Result result = DNS.of(pod(policy, hostNetwork, own));

        assertThat(result.settings()).isEqualTo(expected);
        assertThat(result.warnings()).extracting(PodDns.Warning::reason).isEqualTo(warnings);
    }

    @Test
    void withoutClusterDnsClusterFirstFallsBackToTheNodesWithAWarning() {
        PodDns.Result result = new PodDns(List.of(), "cluster.local", HOST).of(pod("ClusterFirst", false, null));

        assertThat(result.settings().servers()).containsExactly("192.168.1.1", "192.168.1.2");
        assertThat(result.settings().options()).containsExactly("timeout:2", "attempts:3");
        assertThat(result.warnings()).singleElement().satisfies(w -> {
            assertThat(w.reason()).isEqualTo("MissingClusterDNS");
            assertThat(w.message()).contains("Falling back to \"Default\" policy");
        });
    }

    @Test
    void keepsToTheResolversLimits() {
        PodDNSConfig many = new PodDNSConfigBuilder().withNameservers("1.1.1.1", "8.8.8.8", "9.9.9.9")
                .withSearches(IntStream.range(0, 40).mapToObj(i -> "d" + i + ".example").toList()).build();
        PodDns.Result result = DNS.of(pod("ClusterFirst", false, many));

        assertThat(result.settings().servers()).containsExactly("10.96.0.10", "1.1.1.1", "8.8.8.8");
        assertThat(result.settings().searches()).hasSize(PodDns.MAX_SEARCHES).startsWith("team.svc.cluster.local");
        assertThat(result.warnings()).extracting(PodDns.Warning::reason)
                .containsExactly("DNSConfigForming", "DNSConfigForming");

        String longDomain = "x".repeat(60) + "." + "y".repeat(60) + "." + "z".repeat(60) + ".example";
        PodDNSConfig long20 = new PodDNSConfigBuilder().withSearches(IntStream.range(0, 20)
                .mapToObj(i -> i + longDomain).toList()).build();
        List<String> searches = DNS.of(pod("None", false, long20)).settings().searches();
        assertThat(String.join(" ", searches).length()).isLessThanOrEqualTo(PodDns.MAX_SEARCH_CHARS);
        assertThat(searches).hasSizeLessThan(20).startsWith("0" + longDomain);
    }

    private static Pod pod(String policy, boolean hostNetwork, PodDNSConfig own) {
        return new PodBuilder().withNewMetadata().withNamespace("team").withName("p").withUid("u").endMetadata()
                .withNewSpec().withDnsPolicy(policy).withHostNetwork(hostNetwork).withDnsConfig(own).endSpec().build();
    }
}
