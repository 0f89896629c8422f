package io.qube.agent;

import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** `./qube up` as a newcomer runs it: the control plane and a node for this machine, a pod on it, then a stop. */
class QubeUpIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void upIsAOneNodeClusterThatRunsPods() throws Exception {
        Path data = Files.createTempDirectory("qube-up-it");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process up = up(data, port, "--runtime", "process");
        Kubectl kubectl = new Kubectl(data.resolve("kubeconfig"));
        String node = InetAddress.getLocalHost().getHostName().toLowerCase();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(up.isAlive()).as("qube up runs").isTrue();
                assertThat(kubectl.run("get", "node", node).out()).contains("Ready");
            });
            // The README's first app: a web server in a pod the scheduler places on this node, reached from the
            // node at the pod's IP.
            kubectl.ok("run", "hello", "--image=python", "--command", "--", "sh", "-c",
                    "echo hello from $(hostname); exec python3 -m http.server 8080");
            await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "pod", "hello")).contains(
                    "Running"));
            assertThat(kubectl.ok("get", "pod", "hello", "-o", "jsonpath={.spec.nodeName}")).isEqualTo(node);
            await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("describe", "pod", "hello")).containsPattern(
                    "Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/hello to "
                            + node));
            await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "hello"))
                    .contains("hello from hello"));
            String ip = kubectl.ok("get", "pod", "hello", "-o", "jsonpath={.status.podIP}");
            assertThat(ip).startsWith("10.77.9.");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                    URI.create("http://" + ip + ":8080/")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
        } finally {
            // The pod goes before the agent does, or its process would outlive the test.
            try {
                kubectl.run("delete", "pod", "hello", "--grace-period=1", "--ignore-not-found");
                Path pods = data.resolve("agent").resolve("pods");
                if (Files.isDirectory(pods)) {
                    try (Stream<Path> left = Files.list(pods)) {
                        assertThat(left.toList()).isEmpty();
                    }
                }
            } finally {
                up.destroy();
            }
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("qube up stops on SIGTERM").isTrue();
            new ProcessBuilder("ip", "link", "del", "qubeup0").start().waitFor();
            String log = Files.readString(data.resolve("up.log"));
            delete(data);
            assertThat(log).doesNotContain("Exception in thread");
        }
        awaitPortFree(port);
    }

    /**
     * With containerd installed, `qube up` runs a cri node; stopped with pods running, it leaves nothing: no
     * container (no shim), no containerd, no pod bridge, no pod network namespace.
     */
    @Test
    @ExtendWith(RegistryImagesExtension.class)
    void upWithContainerdRunsImagesAndLeavesNothingRunningWhenStopped(RegistryImages images) throws Exception {
        Path data = Files.createTempDirectory("qube-up-cri-it");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        java.util.Set<String> namespacesBefore = networkNamespaces();
        Process up = up(data, port, "--sandbox-image", images.pause());
        Kubectl kubectl = new Kubectl(data.resolve("kubeconfig"));
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(up.isAlive()).as("qube up runs").isTrue();
                assertThat(kubectl.run("get", "nodes", "-o", "wide").out()).contains("Ready", "containerd://");
            });
            assertThat(Files.readString(data.resolve("up.log"))).contains("qube: runtime cri (containerd is installed");
            kubectl.ok("create", "deployment", "web", "--image=" + images.busybox(), "--replicas=2", "--", "httpd",
                    "-f", "-p", "8080", "-h", "/etc");
            await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "deployment", "web"))
                    .contains("2/2"));
            // The node's range came from node IPAM's default cluster CIDR, and its pods have addresses in it.
            String range = kubectl.ok("get", "nodes", "-o", "jsonpath={.items[0].spec.podCIDR}");
            assertThat(range).startsWith("10.42.").endsWith("/24");
            assertThat(kubectl.ok("get", "pods", "-o", "jsonpath={.items[*].status.podIP}").split(" "))
                    .hasSize(2).allMatch(ip -> ip.startsWith(range.substring(0, range.lastIndexOf('.') + 1)));
            assertThat(shims(data)).hasSize(2); // runc v2 runs one shim per pod, for its sandbox and containers
        } finally {
            up.destroy();
            assertThat(up.waitFor(90, TimeUnit.SECONDS)).as("qube up stops on SIGTERM").isTrue();
        }
        try {
            assertThat(shims(data)).isEmpty();
            assertThat(new ProcessBuilder("ip", "link", "show", "qubeupcri0").start().waitFor()).as("bridge gone")
                    .isNotZero();
            assertThat(networkNamespaces()).isSubsetOf(namespacesBefore);
            assertThat(Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .filter(line -> line.contains(data.toString())).toList()).isEmpty();
        } finally {
            new ProcessBuilder("ip", "link", "del", "qubeupcri0").start().waitFor();
            delete(data);
        }
        awaitPortFree(port);
    }

    private static Process up(Path data, int port, String... options) throws java.io.IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("../qube", "up", "--data-dir",
                data.toString(), "--port", Integer.toString(port)));
        command.addAll(java.util.List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(data.resolve("up.log").toFile());
        // A bridge and CIDR of the test's own, so a developer's `qube up` on the same machine is left alone.
        boolean process = command.contains("process");
        // The cri node takes its pod CIDR from the control plane's node IPAM, as a `qube up` without options does;
        // it runs in the machine's own network namespace, whose service proxy chains other tests' agents would share.
        builder.environment().put("QUBE_AGENT_ARGS", process ? "--bridge qubeup0 --pod-cidr 10.77.9.0/24 --port 0"
                : "--bridge qubeupcri0 --port 0 --proxy-mode none");
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        return builder.start();
    }

    /** containerd's shims (one per sandbox and container) serving the containerd under {@code data}. */
    private static java.util.List<ProcessHandle> shims(Path data) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(line ->
                line.contains("containerd-shim") && line.contains(data.toString())).orElse(false)).toList();
    }

    private static java.util.Set<String> networkNamespaces() throws java.io.IOException {
        Path netns = Path.of("/var/run/netns");
        if (!Files.isDirectory(netns)) {
            return java.util.Set.of();
        }
        try (Stream<Path> entries = Files.list(netns)) {
            return entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static void delete(Path directory) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Both processes ended with the launcher: nothing listens on the API port any more. */
    private static void awaitPortFree(int port) {
        await().atMost(WAIT).until(() -> {
            try (ServerSocket free = new ServerSocket(port)) {
                return true;
            } catch (java.io.IOException inUse) {
                return false;
            }
        });
    }
}
