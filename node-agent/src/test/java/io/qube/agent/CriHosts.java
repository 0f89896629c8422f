package io.qube.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster of cri nodes, each on a "host" of its own on one machine (network namespaces on a shared bridge, see
 * {@link TestHosts}) with its own agent and the containerd that agent starts; the control plane in the root
 * namespace, reached by the hosts at the root's address on the bridge. Each test class gives its own names and
 * addresses, so classes can run at the same time. Closing removes the pods, stops the agents (checking what each
 * leaves behind), and deletes the hosts, the bridge and the work directory.
 */
final class CriHosts implements AutoCloseable {

    /** A node on a host of its own: its network namespace, InternalIP and pod CIDR. */
    record Host(String node, String netns, String ip, String podCidr) {
    }

    static final Duration WAIT = Duration.ofSeconds(120);

    final List<Host> hosts;
    final Path work;
    final List<QubeAgent> agents = new ArrayList<>();
    KubernetesClient client;
    Kubectl kubectl;
    PodLookups pods;
    private final String bridge;
    private final TestHosts testHosts;
    private final List<AutoCloseable> mirrors = new ArrayList<>();
    private QubeServer qube;

    private CriHosts(List<Host> hosts, String bridge, String rootIp) throws IOException {
        this.hosts = hosts;
        this.bridge = bridge;
        this.work = Files.createTempDirectory("qube-" + bridge);
        this.testHosts = TestHosts.create(bridge, rootIp + "/24");
    }

    /**
     * Starts the hosts on {@code bridge} (the root at {@code rootIp}/24), the control plane and one agent per host
     * whose pods are on {@code podBridge}, and waits for the Nodes to be Ready.
     */
    static CriHosts start(RegistryImages images, String bridge, String rootIp, String podBridge, List<Host> hosts)
            throws Exception {
        return start(images, bridge, rootIp, podBridge, hosts, List.of());
    }

    /** As {@link #start(RegistryImages, String, String, String, List)}, every agent with these extra flags. */
    static CriHosts start(RegistryImages images, String bridge, String rootIp, String podBridge, List<Host> hosts,
                          List<String> agentFlags) throws Exception {
        CriHosts cluster = new CriHosts(hosts, bridge, rootIp);
        try {
            cluster.start(images, rootIp, podBridge, agentFlags);
            return cluster;
        } catch (Exception | AssertionError e) {
            try {
                cluster.close();
            } catch (Exception | AssertionError cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void start(RegistryImages images, String rootIp, String podBridge, List<String> agentFlags)
            throws Exception {
        for (Host host : hosts) {
            testHosts.add(host.netns(), host.ip() + "/24");
            // The images' references name 127.0.0.1, which in a host is its own loopback.
            mirrors.add(images.registry().mirrorIn(host.netns()));
        }
        // On every address: the hosts reach it at the root's address on the bridge, its own parts at 127.0.0.1.
        qube = QubeServer.start(Map.of("quarkus.http.host", "0.0.0.0"));
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
        pods = new PodLookups(client, "default");
        // The agents take their pods' nameserver from kube-dns, which the control plane makes once it listens.
        await().atMost(WAIT).until(() -> client.services().inNamespace("kube-system").withName("kube-dns").get()
                != null);
        Path kubeconfig = Files.writeString(work.resolve("kubeconfig"),
                Files.readString(qube.kubeconfig()).replace("127.0.0.1", rootIp));
        for (Host host : hosts) {
            agents.add(QubeAgent.startCri(TestHosts.exec(host.netns()), kubeconfig, host.node(), host.ip(),
                    work.resolve(host.node()), podBridge, host.podCidr(), images.pause(),
                    agentFlags.toArray(String[]::new)));
        }
        await().atMost(WAIT).until(() -> hosts.stream()
                .allMatch(host -> PodLookups.ready(client.nodes().withName(host.node()).get())));
    }

    /** The control plane's kubeconfig (at 127.0.0.1: for clients in the root namespace, Helm's for one). */
    Path kubeconfig() {
        return qube.kubeconfig();
    }

    Path manifest(String name, String yaml) throws IOException {
        return Files.writeString(work.resolve(name), yaml);
    }

    Path containerdDir(Host host) {
        return work.resolve(host.node()).resolve("containerd");
    }

    /** ctr against the host's containerd (its socket is a file: no need to enter the host), in the CRI's namespace. */
    String ctr(Host host, String... args) {
        List<String> command = Stream.concat(Stream.of("ctr", "--address",
                containerdDir(host).resolve("containerd.sock").toString(), "-n", "k8s.io"), Stream.of(args)).toList();
        return Commands.run(Duration.ofSeconds(30), command).ok();
    }

    /** What a test checks on a host once its agent has stopped (a clean exit's leftovers). */
    interface AfterStop {
        void check(Host host) throws Exception;
    }

    /**
     * Removes every StatefulSet, Deployment and pod, then stops each agent (which stops the containerd it started) and checks
     * each host. Every agent is stopped even when a wait or a check fails; the first failure is thrown at the end.
     */
    void stopAgents(AfterStop afterStop) throws Exception {
        List<Throwable> failures = new ArrayList<>();
        if (client != null) {
            try {
                client.apps().statefulSets().inNamespace("default").delete();
                client.apps().deployments().inNamespace("default").delete();
                client.apps().replicaSets().inNamespace("default").delete();
                client.pods().inNamespace("default").withGracePeriod(0).delete();
                for (Host host : hosts) {
                    await().atMost(WAIT).untilAsserted(() -> assertThat(ctr(host, "containers", "ls", "-q"))
                            .isBlank());
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(podNamespaces()).isEmpty());
            } catch (Exception | AssertionError e) {
                failures.add(e);
            }
        }
        for (int i = 0; i < agents.size(); i++) {
            Host host = hosts.get(i);
            try {
                Path pidFile = containerdDir(host).resolve("containerd.pid");
                long containerd = Files.exists(pidFile) ? Long.parseLong(Files.readString(pidFile).trim()) : -1;
                agents.get(i).close();
                await().atMost(WAIT).until(() -> ProcessHandle.of(containerd).map(p -> !p.isAlive()).orElse(true));
            } catch (Exception | AssertionError e) {
                failures.add(e);
            }
        }
        agents.clear();
        for (Host host : hosts) {
            try {
                afterStop.check(host);
            } catch (Exception | AssertionError e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            Throwable first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            if (first instanceof Exception e) {
                throw e;
            }
            throw (AssertionError) first;
        }
    }

    /**
     * The network namespaces holding an address of this cluster's pod CIDRs (its pods' sandboxes), by name. Not a
     * comparison with the namespaces there were before: tests running at the same time make and delete theirs.
     */
    private Set<String> podNamespaces() throws IOException {
        Set<String> found = new HashSet<>();
        for (String name : TestHosts.namespaces()) {
            if (hosts.stream().anyMatch(host -> host.netns().equals(name))) {
                continue; // a host, whose pod bridge has the gateway's address
            }
            Commands.Result addresses = Commands.run(Duration.ofSeconds(30), List.of("ip", "-n", name, "-4", "-o",
                    "addr", "show"));
            // A /24 each: its first three octets with the dot.
            if (addresses.succeeded() && hosts.stream().map(host -> host.podCidr()
                    .substring(0, host.podCidr().lastIndexOf('.') + 1)).anyMatch(prefix -> addresses.output()
                    .contains(" " + prefix))) {
                found.add(name);
            }
        }
        return found;
    }

    /**
     * Stops the agents if the test has not, then deletes what is left: mirrors, control plane, hosts, bridge, work
     * directory (logs kept), and checks so.
     */
    @Override
    public void close() throws Exception {
        try {
            if (!agents.isEmpty()) {
                stopAgents(host -> { });
            }
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
            testHosts.close();
            assertThat(TestHosts.namespaces()).doesNotContainAnyElementsOf(hosts.stream().map(Host::netns)
                    .toList());
            assertThat(podNamespaces()).isEmpty();
            assertThat(Files.exists(Path.of("/sys/class/net", bridge))).isFalse();
            for (Host host : hosts) {
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
