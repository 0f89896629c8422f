package io.qube.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several "hosts" on one machine (network namespaces on a shared bridge, see {@link TestHosts}), each with its own
 * cri agent and the containerd that agent starts; the control plane in the root namespace, listening on every
 * address, reached by the hosts at the root's address on the bridge. Each test class gives its own names and
 * addresses, so that classes can run side by side.
 */
final class CriHosts implements AutoCloseable {

    /** A node on a host of its own: its network namespace, InternalIP and pod CIDR. */
    record Host(String node, String netns, String ip, String podCidr) {
    }

    static final Duration WAIT = Duration.ofSeconds(120);

    private final List<Host> hosts;
    private final Path work;
    private final List<AutoCloseable> mirrors = new ArrayList<>();
    private final List<QubeAgent> agents = new ArrayList<>();
    private TestHosts network;
    private QubeServer qube;
    private KubernetesClient client;
    private Kubectl kubectl;

    private CriHosts(List<Host> hosts, Path work) {
        this.hosts = hosts;
        this.work = work;
    }

    /**
     * Makes the bridge (the root namespace on it at {@code rootIp}/24) and the hosts, starts the control plane and
     * one agent per host with the pods' bridge {@code podBridge} and the host's extra agent {@code options}, and
     * waits until every node is ready. What was made is removed if the start fails.
     */
    static CriHosts start(RegistryImages images, String bridge, String rootIp, String podBridge, List<Host> hosts,
                          Function<Host, List<String>> options) throws Exception {
        CriHosts cluster = new CriHosts(hosts, Files.createTempDirectory("qube-" + bridge + "-it"));
        try {
            cluster.network = TestHosts.create(bridge, rootIp + "/24");
            for (Host host : hosts) {
                cluster.network.add(host.netns(), host.ip() + "/24");
                // The images' references name 127.0.0.1, which in a host is its own loopback.
                cluster.mirrors.add(images.registry().mirrorIn(host.netns()));
            }
            cluster.qube = QubeServer.start(Map.of("quarkus.http.host", "0.0.0.0"));
            cluster.client = cluster.qube.client();
            cluster.kubectl = new Kubectl(cluster.qube.kubeconfig());
            Path kubeconfig = Files.writeString(cluster.work.resolve("kubeconfig"),
                    Files.readString(cluster.qube.kubeconfig()).replace("127.0.0.1", rootIp));
            for (Host host : hosts) {
                cluster.agents.add(QubeAgent.startCri(TestHosts.exec(host.netns()), kubeconfig, host.node(),
                        host.ip(), cluster.work.resolve(host.node()), podBridge, host.podCidr(), images.pause(),
                        options.apply(host).toArray(String[]::new)));
            }
            await().atMost(WAIT).until(() -> hosts.stream().allMatch(host ->
                    PodLookups.ready(cluster.client.nodes().withName(host.node()).get())));
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    KubernetesClient client() {
        return client;
    }

    Kubectl kubectl() {
        return kubectl;
    }

    /** The test's scratch directory, removed at the end. */
    Path work() {
        return work;
    }

    /** Deletes the default namespace's pods and waits until no host's containerd has a container (or sandbox). */
    void removePods() {
        client.pods().inNamespace("default").withGracePeriod(0).delete();
        for (Host host : hosts) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(ctr(host, "containers", "ls", "-q")).isBlank());
        }
    }

    /** Stops each agent and waits until the containerd it started is gone; then {@code check}s its host. */
    void stopAgents(Consumer<Host> check) throws Exception {
        for (int i = 0; i < agents.size(); i++) {
            Host host = hosts.get(i);
            long containerd = Long.parseLong(Files.readString(containerdDir(host).resolve("containerd.pid")).trim());
            agents.get(i).close();
            await().atMost(WAIT).until(() -> ProcessHandle.of(containerd).map(p -> !p.isAlive()).orElse(true));
            check.accept(host);
        }
        agents.clear();
    }

    /** ctr against the host's containerd (its socket is a file: no need to enter the host), in the CRI's namespace. */
    String ctr(Host host, String... args) {
        List<String> command = Stream.concat(Stream.of("ctr", "--address",
                containerdDir(host).resolve("containerd.sock").toString(), "-n", "k8s.io"), Stream.of(args)).toList();
        return Commands.run(Duration.ofSeconds(30), command).ok();
    }

    private Path containerdDir(Host host) {
        return work.resolve(host.node()).resolve("containerd");
    }

    /**
     * Closes the registry mirrors, the control plane and the hosts and their bridge; keeps the logs (containerd's
     * too) and removes the scratch directory, once nothing of it is mounted any more. Agents still running are
     * stopped first.
     */
    @Override
    public void close() throws Exception {
        try {
            for (QubeAgent agent : agents) {
                agent.close();
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
            if (network != null) {
                network.close();
            }
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
