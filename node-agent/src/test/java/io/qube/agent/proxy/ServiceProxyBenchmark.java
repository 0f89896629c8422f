package io.qube.agent.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.qube.agent.Commands;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxy's rule sync at scale: SERVICES Services of ENDPOINTS endpoints each, in a network namespace of its own
 * (created and deleted here). Prints the time of a full sync (rules computed, script written, applied with
 * iptables-restore, jumps inserted), of an incremental one after one Service's endpoints changed, and of a bare
 * {@code iptables-restore} of the same full ruleset as the baseline. Run with bench/agent.sh --proxy [SERVICES
 * [ENDPOINTS]] (default 1000 10), as root.
 */
public final class ServiceProxyBenchmark {

    private static final String NETNS = "qube-svc-bench";
    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int endpoints = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Commands.run("ip", "netns", "add", NETNS);
        try {
            run(services, endpoints);
        } finally {
            Commands.run("ip", "netns", "del", NETNS);
        }
    }

    private static void run(int count, int endpoints) throws Exception {
        ProxyTables tables = new ProxyTables(List.of("nsenter", "--net=/var/run/netns/" + NETNS));
        ProxyRules rules = new ProxyRules("bench-a", "10.93.1.0/24");
        List<Service> services = new ArrayList<>();
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (int i = 0; i < count; i++) {
            services.add(service(i));
            slices.put("svc-" + i, List.of(slice(i, endpoints, 0)));
        }
        long[] full = new long[ROUNDS];
        long[] incremental = new long[ROUNDS];
        long[] baseline = new long[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            ProxySync sync = new ProxySync(tables);
            RuleSet before = rules.compute(services, (ns, name) -> slices.get(name));
            // Each on tables without the proxy's chains: the bare restore first, then the proxy's full sync.
            String script = RestoreScript.of(null, before, Map.of());
            long start = System.nanoTime();
            tables.restore(script);
            baseline[round] = System.nanoTime() - start;
            sync.remove();

            start = System.nanoTime();
            sync.apply(rules.compute(services, (ns, name) -> slices.get(name)));
            full[round] = System.nanoTime() - start;

            slices.put("svc-7", List.of(slice(7, endpoints, round + 1)));
            start = System.nanoTime();
            sync.apply(rules.compute(services, (ns, name) -> slices.get(name)));
            incremental[round] = System.nanoTime() - start;
            sync.remove();
        }
        RuleSet all = rules.compute(services, (ns, name) -> slices.get(name));
        long ruleCount = all.nat().values().stream().mapToLong(List::size).sum();
        System.out.printf("%nservice proxy sync, %d Services x %d endpoints (%d nat chains, %d nat rules), "
                + "median of %d rounds:%n", count, endpoints, all.nat().size(), ruleCount, ROUNDS);
        System.out.printf("  full sync (compute + iptables-restore + jumps)  %6d ms%n", median(full));
        System.out.printf("  incremental sync, one Service's endpoints       %6d ms%n", median(incremental));
        System.out.printf("  baseline: bare iptables-restore of the full set %6d ms%n", median(baseline));
    }

    private static Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("svc-" + i).endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP("10.96." + (i / 250) + "." + (i % 250 + 1))
                .addToPorts(new ServicePortBuilder().withName("http").withProtocol("TCP").withPort(80)
                        .withNodePort(30000 + i).withTargetPort(new IntOrString(8080)).build()).endSpec().build();
    }

    /** Service i's endpoints; {@code shift} moves them to other addresses, as a rollout would. */
    private static EndpointSlice slice(int i, int endpoints, int shift) {
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
                .withName("svc-" + i + "-x").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (int e = 0; e < endpoints; e++) {
            int n = i * endpoints + e + shift * 7;
            slice.addToEndpoints(new EndpointBuilder().withAddresses("10.100." + (n / 250) % 250 + "." + (n % 250 + 1))
                    .withNodeName(e % 2 == 0 ? "bench-a" : "bench-b").build());
        }
        return slice.build();
    }

    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1_000_000;
    }
}
