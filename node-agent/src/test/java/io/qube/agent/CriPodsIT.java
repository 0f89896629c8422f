package io.qube.agent;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.LocalRegistry;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import io.qube.agent.cri.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Pods from images on a real node: the control plane and one agent with the cri runtime, which starts its own
 * containerd (as in production) and pulls from a registry on loopback; driven with the real kubectl.
 */
@ExtendWith(RegistryImagesExtension.class)
class CriPodsIT {

    private static final String NODE = "cri-node";
    /** Overridable so that several checkouts on one machine can run this test at once on their own networks. */
    private static final String BRIDGE = System.getProperty("qube.it.cri-bridge", "qubecriit0");
    private static final String CIDR = System.getProperty("qube.it.cri-cidr", "10.78.0.0/24");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path CPU_CGROUPS = Path.of("/sys/fs/cgroup/cpu/k8s.io");
    private static final Path CPUACCT_CGROUPS = Path.of("/sys/fs/cgroup/cpuacct/k8s.io");

    private static QubeServer qube;
    private static KubernetesClient client;
    private static QubeAgent agent;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static Path work;
    private static Path state;
    private static String busybox;
    private static Set<String> namespacesBefore;
    /** A registry whose credentials the agent has from its --registry-config, not from the pods. */
    private static LocalRegistry agentCredentialed;
    private static String credentialedImage;

    @BeforeAll
    static void startNode(RegistryImages images) throws Exception {
        busybox = images.busybox();
        namespacesBefore = TestHosts.namespaces();
        qube = QubeServer.start();
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
        pods = new PodLookups(client, "default");
        work = Files.createTempDirectory("qube-cri-it");
        state = work.resolve("state");
        LocalRegistry.Credentials credentials = new LocalRegistry.Credentials("agent", "agent-pass");
        agentCredentialed = LocalRegistry.start(credentials);
        credentialedImage = agentCredentialed.push(TestImages.layout(), TestImages.BUSYBOX, "team/busybox", "1.0");
        Path registries = Files.writeString(work.resolve("registries.yaml"), """
                mirrors:
                  mirror.qube.test:
                    endpoint: ["http://%s"]
                configs:
                  "%s":
                    auth: {username: %s, password: %s}
                """.formatted(images.registry().host(), agentCredentialed.host(), credentials.user(),
                credentials.password()));
        agent = QubeAgent.startCri(qube.kubeconfig(), NODE, state, BRIDGE, CIDR, images.pause(),
                "--registry-config", registries.toString());
        await().atMost(WAIT).until(() -> PodLookups.ready(client.nodes().withName(NODE).get()));
    }

    @AfterAll
    static void stopNode() throws Exception {
        try {
            if (client != null) {
                client.pods().inNamespace("default").withGracePeriod(0).delete();
                // The agent removes each pod's sandbox (its network namespace) and containers from containerd.
                await().atMost(WAIT).untilAsserted(() -> assertThat(ctr("containers", "ls", "-q")).isBlank());
                await().atMost(WAIT).untilAsserted(() -> assertThat(TestHosts.namespaces()).isSubsetOf(namespacesBefore));
            }
        } finally {
            if (agent != null) {
                agent.close();
                // The agent stops the containerd it started.
                long containerd = Long.parseLong(Files.readString(containerdDir().resolve("containerd.pid")).trim());
                await().atMost(WAIT).until(() -> ProcessHandle.of(containerd).map(p -> !p.isAlive()).orElse(true));
            }
            if (client != null) {
                client.close();
            }
            if (qube != null) {
                qube.close();
            }
            if (agentCredentialed != null) {
                agentCredentialed.close();
            }
            new ProcessBuilder("ip", "link", "del", BRIDGE).start().waitFor();
            ProcessCluster.keepLogs(work);
            assertThat(Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .filter(line -> line.contains(work.toString())).toList()).isEmpty();
            ProcessCluster.deleteTree(work);
        }
    }

    @Test
    void nodeReportsContainerdAsItsRuntime() throws Exception {
        assertThat(client.nodes().withName(NODE).get().getStatus().getNodeInfo().getContainerRuntimeVersion())
                .startsWith("containerd://");
        assertThat(kubectl.ok("get", "node", NODE, "-o", "wide")).contains("Ready", "containerd://");
    }

    @Test
    void aPodRunsTheImagesFileSystemAndIsReachedByLogsExecAndPortForward() throws Exception {
        kubectl.ok("run", "web", "--image=" + busybox, "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\","
                        + "\"hostAliases\":[{\"ip\":\"10.1.2.3\",\"hostnames\":[\"foo.local\",\"bar.local\"]}]}}",
                "--command", "--", "sh", "-c", "cat /etc/qube-test-image; test -e /etc/debian_version || echo "
                        + "no-host-files; echo pid=$$$$; httpd -p 8080 -h /etc; httpd -p 127.0.0.1:8081 -h /etc; i=0; "
                        + "while true; do echo tick $i; "
                        + "i=$((i+1)); sleep 0.2; done");
        await().atMost(WAIT).until(() -> pods.condition("web", "Ready"), "True"::equals);
        ContainerStatus status = pods.status("web", "web");
        assertThat(status.getContainerID()).startsWith("containerd://");
        assertThat(status.getImageID()).contains("sha256:");
        // Events are written apart from the pod's status: Ready may be seen before the Started event is stored.
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("web")).extracting(Event::getReason)
                .contains("Pulled", "Created", "Started"));
        // The node lists the pulled image (digest and tag) with its size, as the kubelet does.
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.nodes().withName(NODE).get().getStatus()
                .getImages()).anySatisfy(image -> {
                    assertThat(image.getNames()).contains(busybox).anyMatch(name -> name.contains("@sha256:"));
                    assertThat(image.getSizeBytes()).isPositive();
                }));
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "web"))
                .startsWith(TestImages.MARKER).contains("no-host-files", "tick 1")
                // A PID namespace of its own: the container's command is its PID 1, not the sandbox's pause.
                .contains("pid=1\n"));

        Process follow = kubectl.start("logs", "-f", "web", "--tail=1");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(follow.getInputStream(),
                StandardCharsets.UTF_8))) {
            int first = tick(lines.readLine());
            // Lines written after kubectl started arrive on the same stream.
            assertThat(tick(lines.readLine())).isEqualTo(first + 1);
            assertThat(tick(lines.readLine())).isEqualTo(first + 2);
        } finally {
            follow.destroyForcibly();
        }

        assertThat(kubectl.ok("exec", "web", "--", "cat", "/etc/qube-test-image")).isEqualTo(TestImages.MARKER);
        Kubectl.Result failed = kubectl.run("exec", "web", "--", "sh", "-c", "exit 7");
        assertThat(failed.exitCode()).isEqualTo(7);
        // exec -it: kubectl wants a terminal of its own, which script(1) gives it; the shell in the container
        // then has one too.
        Process terminal = new ProcessBuilder("script", "-qfec", "kubectl --kubeconfig " + qube.kubeconfig()
                + " exec -it web -- sh -c 'tty; echo done'", "/dev/null").redirectErrorStream(true).start();
        assertThat(terminal.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(terminal.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("/dev/pts/", "done");

        String ip = pods.pod("web").getStatus().getPodIP();
        assertThat(ip).startsWith(CIDR.substring(0, CIDR.lastIndexOf('.') + 1));
        // The kubelet's hosts file: localhost, the pod's own IP and name, then its hostAliases.
        assertThat(kubectl.ok("exec", "web", "--", "cat", "/etc/hosts")).startsWith("# Kubernetes-managed hosts file.\n")
                .contains("127.0.0.1\tlocalhost\n", ip + "\tweb\n", "# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n");
        assertThat(get("http://" + ip + ":8080/qube-test-image")).isEqualTo(TestImages.MARKER);
        assertThat(getForwarded("web", 8080, "/qube-test-image")).isEqualTo(TestImages.MARKER);
        // A port bound to the pod's localhost only: not reachable at the pod's IP, reached by port-forward, which
        // dials localhost inside the pod's network namespace as containerd's PortForward does.
        assertThatThrownBy(() -> get("http://" + ip + ":8081/qube-test-image"))
                .isInstanceOf(java.net.ConnectException.class);
        assertThat(getForwarded("web", 8081, "/qube-test-image")).isEqualTo(TestImages.MARKER);
    }

    /**
     * {@code kubectl debug -it --target} on the cri runtime, kubectl on a terminal (script(1)): the ephemeral
     * container runs its image in the target's PID namespace (it sees the target's processes), takes what is typed,
     * and its exit is reported with its code; the target runs on.
     */
    @Test
    void debugRunsAnEphemeralContainerInTheTargetsProcessNamespace() throws Exception {
        kubectl.ok("run", "debuggee", "--image=" + busybox, "--overrides={\"spec\":{\"nodeName\":\"" + NODE
                + "\"}}", "--command", "--", "sh", "-c", "while true; do sleep 0.5; done # target-marker");
        await().atMost(WAIT).until(() -> pods.condition("debuggee", "Ready"), "True"::equals);
        Process debug = kubectl.startOnTerminal("debug", "-it", "debuggee", "--image=" + busybox,
                "--target=debuggee", "--container=debugger", "--", "sh");
        StringBuffer output = Kubectl.output(debug);
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods.ephemeral("debuggee", "debugger")).isNotNull()
                    .satisfies(s -> {
                        assertThat(s.getState().getRunning()).as(s::toString).isNotNull();
                        assertThat(s.getContainerID()).startsWith("containerd://");
                        assertThat(s.getImageID()).contains("sha256:");
                    }));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(debug.isAlive()).as(() -> "kubectl debug ended early:\n" + output).isTrue();
                Kubectl.type(debug, "echo typed-$((6*7)); ps -o args\n");
                assertThat(output.toString()).contains("typed-42").contains("target-marker");
            });
            Kubectl.type(debug, "exit 3\n");
            assertThat(debug.waitFor(60, TimeUnit.SECONDS)).as(output::toString).isTrue();
        } finally {
            debug.destroyForcibly();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.ephemeral("debuggee", "debugger").getState()
                .getTerminated()).isNotNull().satisfies(t -> assertThat(t.getExitCode()).isEqualTo(3)));
        assertThat(pods.status("debuggee", "debuggee").getState().getRunning()).isNotNull();
        assertThat(pods.status("debuggee", "debuggee").getRestartCount()).isZero();
    }

    @Test
    void memoryLimitExceededIsOomKilled() throws Exception {
        kubectl.ok("apply", "-f", manifest("oom.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: hog}
                spec:
                  nodeName: %s
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: %s
                    command: [sh, -c, 'x=a; while true; do x=$x$x; done']
                    resources: {limits: {memory: 32Mi}}
                """.formatted(NODE, busybox)).toString());
        await().atMost(WAIT).until(() -> pods.phase("hog"), "Failed"::equals);
        ContainerStatus status = pods.status("hog", "main");
        assertThat(status.getState().getTerminated().getReason()).isEqualTo("OOMKilled");
        assertThat(status.getState().getTerminated().getExitCode()).isEqualTo(137);
    }

    /** An exec probe outliving its timeoutSeconds fails as the kubelet words it, through CRI's ExecSync timeout. */
    @Test
    void anExecProbeThatOutlivesItsTimeoutFailsAsTimedOut() throws Exception {
        kubectl.ok("apply", "-f", manifest("slow-probe.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: slow-probe}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: %s
                    command: [sleep, '3600']
                    readinessProbe:
                      exec: {command: [sleep, '5']}
                      timeoutSeconds: 1
                      periodSeconds: 2
                      failureThreshold: 1
                """.formatted(NODE, busybox)).toString());
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("slow-probe")).extracting(Event::getMessage)
                .contains("Readiness probe failed: command \"sleep 5\" timed out"));
        assertThat(pods.condition("slow-probe", "Ready")).isEqualTo("False");
        kubectl.ok("delete", "pod", "slow-probe", "--grace-period=0", "--force");
    }

    @Test
    void theSecurityContextSetsUserGroupsAndAReadOnlyRoot() throws Exception {
        kubectl.ok("apply", "-f", manifest("secure.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: secure}
                spec:
                  nodeName: %s
                  restartPolicy: Never
                  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000}
                  containers:
                  - name: main
                    image: %s
                    command: [sh, -c, 'id; touch /written 2>/dev/null && echo root-writable || echo root-read-only']
                    securityContext: {runAsUser: 1001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
                """.formatted(NODE, busybox)).toString());
        await().atMost(WAIT).until(() -> pods.phase("secure"), "Succeeded"::equals);
        String log = kubectl.ok("logs", "secure");
        // The container's user wins over the pod's; the group, supplemental groups and fsGroup are the pod's.
        assertThat(log).contains("uid=1001", "gid=3000").containsPattern("groups=.*2000").containsPattern(
                "groups=.*4000").contains("root-read-only");
    }

    @Test
    void hostNetworkAndPrivilegedPodsRun() throws Exception {
        kubectl.ok("apply", "-f", manifest("special.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: host-net}
                spec:
                  nodeName: %1$s
                  hostNetwork: true
                  hostPID: true
                  containers:
                  - {name: main, image: %2$s, command: [sh, -c, 'hostname; echo pid=$$$$; sleep 3600']}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: shared-pids}
                spec:
                  nodeName: %1$s
                  shareProcessNamespace: true
                  containers:
                  - {name: main, image: %2$s, command: [sleep, '3600']}
                  - {name: side, image: %2$s, command: [sleep, '3601']}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: privileged}
                spec:
                  nodeName: %1$s
                  containers:
                  - name: main
                    image: %2$s
                    command: [sh, -c, 'grep CapEff /proc/self/status; sleep 3600']
                    securityContext: {privileged: true}
                """.formatted(NODE, busybox)).toString());
        await().atMost(WAIT).until(() -> pods.condition("host-net", "Ready"), "True"::equals);
        assertThat(pods.pod("host-net").getStatus().getPodIP()).isEqualTo("127.0.0.1");
        // hostPID: the node's processes (this test's JVM among them), the command not PID 1.
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "host-net"))
                .containsPattern("pid=(?!1\\n)\\d+"));
        assertThat(kubectl.ok("exec", "host-net", "--", "ps", "-o", "pid,comm")).contains(" java");
        // shareProcessNamespace: one container sees the other's process.
        await().atMost(WAIT).until(() -> pods.condition("shared-pids", "Ready"), "True"::equals);
        assertThat(kubectl.ok("exec", "shared-pids", "-c", "main", "--", "ps", "-o", "args")).contains("sleep 3601");
        await().atMost(WAIT).until(() -> pods.condition("privileged", "Ready"), "True"::equals);
        // Every capability root has here (this machine's root lacks some), not the runtime's default set.
        String rootCapabilities = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("CapEff:")).findFirst().orElseThrow().split("\\s+")[1];
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "privileged"))
                .containsPattern("CapEff:\\s+" + rootCapabilities));
    }

    /**
     * mountPropagation through CRI: a privileged container's mount under a Bidirectional volume shows on the node,
     * and from there in another container's HostToContainer mount of the same directory. The directory is made a
     * shared mount first (the node's / is private here; Kubernetes nodes' / is shared), and unmounted after.
     */
    @Test
    void mountPropagationCarriesAContainersMountToTheNodeAndAnotherContainer() throws Exception {
        Path shared = Files.createDirectories(work.resolve("propagation"));
        Commands.run(Duration.ofSeconds(30), "mount", "--bind", shared.toString(), shared.toString()).ok();
        try {
            Commands.run(Duration.ofSeconds(30), "mount", "--make-shared", shared.toString()).ok();
            kubectl.ok("apply", "-f", manifest("propagation.yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: propagation}
                    spec:
                      nodeName: %s
                      containers:
                      - name: mounter
                        image: %s
                        command: [sh, -c, 'mkdir -p /out/inner && mount -t tmpfs tmpfs /out/inner
                          && echo from-the-pod > /out/inner/file && sleep 3600']
                        securityContext: {privileged: true}
                        volumeMounts: [{name: shared, mountPath: /out, mountPropagation: Bidirectional}]
                      - name: reader
                        image: %s
                        command: [sleep, '3600']
                        volumeMounts: [{name: shared, mountPath: /in, mountPropagation: HostToContainer}]
                      volumes:
                      - {name: shared, hostPath: {path: %s}}
                    """.formatted(NODE, busybox, busybox, shared)).toString());
            await().atMost(WAIT).until(() -> pods.condition("propagation", "Ready"), "True"::equals);
            Path file = shared.resolve("inner").resolve("file");
            await().atMost(WAIT).until(() -> Files.isRegularFile(file));
            assertThat(Files.readString(file)).isEqualTo("from-the-pod\n");
            assertThat(kubectl.ok("exec", "propagation", "-c", "reader", "--", "cat", "/in/inner/file"))
                    .isEqualTo("from-the-pod\n");
            kubectl.ok("delete", "pod", "propagation", "--grace-period=0", "--force");

            // On a private mount the runtime refuses the container: it waits as CreateContainerError, with an event.
            Path unshared = Files.createDirectories(work.resolve("unshared"));
            kubectl.ok("apply", "-f", manifest("unshared.yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: unshared}
                    spec:
                      nodeName: %s
                      containers:
                      - name: main
                        image: %s
                        command: [sleep, '3600']
                        securityContext: {privileged: true}
                        volumeMounts: [{name: host, mountPath: /out, mountPropagation: Bidirectional}]
                      volumes:
                      - {name: host, hostPath: {path: %s}}
                    """.formatted(NODE, busybox, unshared)).toString());
            await().atMost(WAIT).untilAsserted(() -> {
                ContainerStatus status = pods.status("unshared", "main");
                assertThat(status).as("the container's status").isNotNull();
                assertThat(status.getState().getWaiting()).as("waiting").isNotNull();
                assertThat(status.getState().getWaiting().getReason()).isEqualTo("CreateContainerError");
                assertThat(status.getState().getWaiting().getMessage()).contains("not a shared mount");
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("unshared"))
                    .anySatisfy(event -> assertThat(event.getReason() + " " + event.getMessage())
                            .startsWith("Failed Error: ").contains("not a shared mount")));
            // Tried again after the kubelet's 10 s back-off, not at every relist: containerd names each attempt in
            // its message, so each attempt is an event of its own.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(7)).until(() -> pods.events("unshared")
                    .stream().filter(event -> "Failed".equals(event.getReason())).count() == 1);
            kubectl.ok("delete", "pod", "unshared", "--grace-period=0", "--force");
        } finally {
            // The container's mount outlives it on the node (a CSI driver unmounts its own); then the bind.
            Commands.run(Duration.ofSeconds(30), "umount", shared.resolve("inner").toString());
            Commands.run(Duration.ofSeconds(30), "umount", shared.toString()).ok();
        }
    }

    @Test
    void cpuLimitHoldsABusyLoopToItsQuota() throws Exception {
        kubectl.ok("apply", "-f", manifest("spin.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: spin}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: %s
                    command: [sh, -c, 'while :; do :; done']
                    resources: {limits: {cpu: 200m}}
                """.formatted(NODE, busybox)).toString());
        await().atMost(WAIT).until(() -> pods.condition("spin", "Ready"), "True"::equals);
        String id = pods.status("spin", "main").getContainerID().substring("containerd://".length());
        assertThat(Files.readString(CPU_CGROUPS.resolve(id).resolve("cpu.cfs_quota_us")).trim()).isEqualTo("20000");
        assertThat(Files.readString(CPU_CGROUPS.resolve(id).resolve("cpu.cfs_period_us")).trim()).isEqualTo("100000");
        // Measured: over at least 3 s of the busy loop, the container used no more than its 0.2 core (with room
        // for accounting slack), and the kernel throttled it; without the limit it would take a whole core.
        long[] start = cpu(id);
        await().atMost(WAIT).until(() -> cpu(id)[2] - start[2] >= 30);
        long[] end = cpu(id);
        double cores = (double) (end[0] - start[0]) / (end[1] - start[1]);
        assertThat(cores).isLessThan(0.3).isGreaterThan(0.05);
        assertThat(end[3]).isGreaterThan(start[3]);
    }

    /** [cpu time used (ns), wall time (ns), CFS periods, throttled periods] of the container's cgroup now. */
    private static long[] cpu(String id) throws IOException {
        long used = Long.parseLong(Files.readString(CPUACCT_CGROUPS.resolve(id).resolve("cpuacct.usage")).trim());
        long wall = System.nanoTime();
        long periods = 0;
        long throttled = 0;
        for (String line : Files.readAllLines(CPU_CGROUPS.resolve(id).resolve("cpu.stat"))) {
            String[] fields = line.split(" ");
            if (fields[0].equals("nr_periods")) {
                periods = Long.parseLong(fields[1]);
            } else if (fields[0].equals("nr_throttled")) {
                throttled = Long.parseLong(fields[1]);
            }
        }
        return new long[] {used, wall, periods, throttled};
    }

    @Test
    void aMissingImageGivesErrImagePullThenImagePullBackOffWithTheRegistrysReason() throws Exception {
        String missing = busybox.substring(0, busybox.lastIndexOf('/')) + "/no-such-image:1.0";
        kubectl.ok("run", "missing", "--image=" + missing, "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}");
        await().atMost(WAIT).until(() -> pods.waitingReason("missing", "missing"), "ImagePullBackOff"::equals);
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("missing")).extracting(Event::getMessage)
                .contains("Pulling image \"" + missing + "\"", "Error: ErrImagePull", "Error: ImagePullBackOff",
                        "Back-off pulling image \"" + missing + "\"")
                .anyMatch(message -> message.startsWith("Failed to pull image \"" + missing + "\"")
                        && message.contains("not found")));
        assertThat(kubectl.ok("get", "pod", "missing")).contains("ImagePullBackOff");
    }

    @Test
    void pullPolicyNeverWithAnAbsentImageGivesErrImageNeverPull() throws Exception {
        String absent = busybox.substring(0, busybox.lastIndexOf(':')) + ":never-pulled";
        kubectl.ok("run", "never", "--image=" + absent, "--image-pull-policy=Never",
                "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}");
        await().atMost(WAIT).until(() -> pods.waitingReason("never", "never"), "ErrImageNeverPull"::equals);
        assertThat(pods.status("never", "never").getState().getWaiting().getMessage())
                .isEqualTo("Container image \"" + absent + "\" is not present with pull policy of Never");
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("never")).extracting(Event::getReason)
                .contains("ErrImageNeverPull"));
    }

    @Test
    void aPrivateRegistryNeedsTheImagePullSecret() throws Exception {
        LocalRegistry.Credentials credentials = new LocalRegistry.Credentials("qube", "s3cret-pass");
        try (LocalRegistry registry = LocalRegistry.start(credentials)) {
            String image = registry.push(TestImages.layout(), TestImages.BUSYBOX, "private/busybox", "1.0");
            kubectl.ok("run", "anonymous", "--image=" + image, "--overrides={\"spec\":{\"nodeName\":\"" + NODE
                    + "\"}}", "--command", "--", "sleep", "3600");
            await().atMost(WAIT).until(() -> pods.waitingReason("anonymous", "anonymous"),
                    "ImagePullBackOff"::equals);
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("anonymous"))
                    .extracting(Event::getMessage).anyMatch(message ->
                            message.startsWith("Failed to pull image") && message.contains("401 Unauthorized")));

            kubectl.ok("create", "secret", "docker-registry", "pull-secret", "--docker-server=" + registry.host(),
                    "--docker-username=" + credentials.user(), "--docker-password=" + credentials.password());
            kubectl.ok("run", "authorized", "--image=" + image, "--overrides={\"spec\":{\"nodeName\":\"" + NODE
                    + "\",\"imagePullSecrets\":[{\"name\":\"pull-secret\"}]}}", "--command", "--", "sleep", "3600");
            await().atMost(WAIT).until(() -> pods.condition("authorized", "Ready"), "True"::equals);
        }
    }

    @Test
    void theAgentsRegistryConfigGivesMirrorsAndCredentials() throws Exception {
        // mirror.qube.test does not exist: containerd pulls from the mirror the agent's registries.yaml names.
        String mirrored = "mirror.qube.test/busybox:" + RegistryImages.TAG;
        kubectl.ok("run", "mirrored", "--image=" + mirrored, "--overrides={\"spec\":{\"nodeName\":\"" + NODE
                + "\"}}", "--command", "--", "sleep", "3600");
        await().atMost(WAIT).until(() -> pods.condition("mirrored", "Ready"), "True"::equals);
        // A registry behind basic auth, reached with the agent's credentials: the pod has no imagePullSecret.
        kubectl.ok("run", "credentialed", "--image=" + credentialedImage, "--overrides={\"spec\":{\"nodeName\":\""
                + NODE + "\"}}", "--command", "--", "sleep", "3600");
        await().atMost(WAIT).until(() -> pods.condition("credentialed", "Ready"), "True"::equals);
    }

    @Test
    void aKilledAgentLeavesContainersRunningAndAdoptsThemWhenBack() throws Exception {
        kubectl.ok("run", "survivor", "--image=" + busybox, "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--command", "--", "sh", "-c", "while true; do sleep 1; done");
        await().atMost(WAIT).until(() -> pods.condition("survivor", "Ready"), "True"::equals);
        ContainerStatus before = pods.status("survivor", "survivor");
        String id = before.getContainerID().substring("containerd://".length());

        agent.kill();
        // Without its agent the container runs on under its shim (containerd, a child of the agent, too).
        assertThat(ctr("tasks", "ls")).containsPattern(Pattern.quote(id) + "\\s+\\d+\\s+RUNNING");
        agent.start();
        await().atMost(WAIT).until(() -> PodLookups.ready(client.nodes().withName(NODE).get()));
        assertThat(agent.log()).contains("adopted the running containerd");

        ContainerStatus after = pods.status("survivor", "survivor");
        assertThat(after.getContainerID()).isEqualTo(before.getContainerID());
        assertThat(after.getRestartCount()).isZero();
        assertThat(after.getState().getRunning().getStartedAt()).isEqualTo(before.getState().getRunning()
                .getStartedAt());
        assertThat(kubectl.ok("exec", "survivor", "--", "echo", "still here")).isEqualTo("still here\n");
    }

    private static int tick(String line) {
        assertThat(line).startsWith("tick ");
        return Integer.parseInt(line.substring("tick ".length()).trim());
    }

    /** The local port from kubectl's "Forwarding from 127.0.0.1:N -> P" line. */
    private static int forwardedPort(BufferedReader output) throws IOException {
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            Matcher matcher = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+)").matcher(line);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        throw new AssertionError("kubectl port-forward ended without forwarding");
    }

    /** A GET of {@code path} through {@code kubectl port-forward} to the pod's port. */
    private static String getForwarded(String pod, int podPort, String path) throws Exception {
        Process forward = kubectl.start("port-forward", "pod/" + pod, ":" + podPort);
        try {
            int port = forwardedPort(new BufferedReader(new InputStreamReader(forward.getInputStream(),
                    StandardCharsets.UTF_8)));
            return get("http://127.0.0.1:" + port + path);
        } finally {
            forward.destroyForcibly();
        }
    }

    private static String get(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static Path manifest(String name, String yaml) throws IOException {
        return Files.writeString(work.resolve(name), yaml);
    }

    private static Path containerdDir() {
        return state.resolve("containerd");
    }

    /** ctr against the agent's containerd, in the CRI's namespace. */
    private static String ctr(String... args) throws Exception {
        List<String> command = Stream.concat(Stream.of("ctr", "--address",
                containerdDir().resolve("containerd.sock").toString(), "-n", "k8s.io"), Stream.of(args)).toList();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
