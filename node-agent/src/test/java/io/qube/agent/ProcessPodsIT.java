package io.qube.agent;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Pods on a real node: the control plane and one agent with the process runtime (as root: network namespaces,
 * mount namespaces, cgroups), driven with the real kubectl as a user would, checked through the API.
 */
class ProcessPodsIT {

    private static final String NODE = "it-node";
    /** Overridable so that several checkouts on one machine can run this test at once on their own networks. */
    private static final String BRIDGE = System.getProperty("qube.it.bridge", "qubeit0");
    private static final String CIDR = System.getProperty("qube.it.cidr", "10.77.0.0/24");
    private static final String SECOND_BRIDGE = System.getProperty("qube.it.second-bridge", "qubeit1");
    private static final String SECOND_CIDR = System.getProperty("qube.it.second-cidr", "10.77.1.0/24");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static QubeServer qube;
    private static KubernetesClient client;
    private static QubeAgent agent;
    private static Kubectl kubectl;
    private static Path work;
    private static Path state;
    /**
     * The test's pods, so that it can tell that it left no network namespace or cgroup of its own (not a list of
     * all namespaces before and after: tests running beside it on the machine add and remove theirs meanwhile).
     */
    private static PodUidWatch podUids;
    /** Top-level mount paths the tests' pods use, which the runtime creates on the host and must remove after. */
    private static final List<Path> HOST_MOUNT_POINTS = List.of(Path.of("/probe"), Path.of("/trace"),
            Path.of("/scratch"), Path.of("/config"), Path.of("/work"), Path.of("/signals"), Path.of("/site"));
    private static List<Path> mountPointsBefore;

    @BeforeAll
    static void startNode() throws Exception {
        qube = QubeServer.start();
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
        work = Files.createTempDirectory("qube-pods-it");
        podUids = new PodUidWatch(client);
        mountPointsBefore = HOST_MOUNT_POINTS.stream().filter(Files::exists).toList();
        state = work.resolve("state");
        agent = QubeAgent.start(qube.kubeconfig(), NODE, state, BRIDGE, CIDR);
        await().atMost(WAIT).until(() -> ready(client.nodes().withName(NODE).get()));
    }

    @AfterAll
    static void stopNode() throws Exception {
        try {
            if (client != null) {
                client.pods().inNamespace("default").withGracePeriod(0).delete();
                // The agent removes what each pod had: its processes, network namespace, cgroups, files.
                await().atMost(WAIT).untilAsserted(() -> assertThat(sandboxes()).isEmpty());
                assertThat(podUids.uids()).isNotEmpty();
                assertThat(podUids.traces()).isEmpty();
                assertThat(HOST_MOUNT_POINTS.stream().filter(Files::exists).toList())
                        .containsExactlyInAnyOrderElementsOf(mountPointsBefore);
            }
        } finally {
            if (agent != null) {
                agent.close();
            }
            if (podUids != null) {
                podUids.close();
            }
            if (client != null) {
                client.close();
            }
            if (qube != null) {
                qube.close();
            }
            new ProcessBuilder("ip", "link", "del", BRIDGE).start().waitFor();
            ProcessCluster.keepLogs(work);
            ProcessCluster.deleteTree(work);
        }
    }

    @Test
    void nodeRegistersAsKubectlShowsIt() throws Exception {
        Node node = client.nodes().withName(NODE).get();
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", NODE)
                .containsEntry("kubernetes.io/os", "linux").containsKey("kubernetes.io/arch");
        assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("process://0.1.0");
        assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods", "ephemeral-storage");
        assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isPositive();
        assertThat(kubectl.ok("get", "node", NODE, "-o", "wide")).contains("Ready", "127.0.0.1", "process://0.1.0");
    }

    @Test
    void podSeesItsEnvironmentAndVolumes() throws Exception {
        assertThat(Path.of("/etc/qube-it-config")).doesNotExist();
        kubectl.ok("apply", "-f", manifest("env.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: app-config}
                data: {greeting: hello, file.txt: from a configmap}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: app-secret}
                stringData: {password: s3cret}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: env-pod, labels: {app: env}}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c]
                    args:
                    - |
                      echo "GREETING=$GREETING"; echo "PASSWORD=$PASSWORD"; echo "POD_NAME=$POD_NAME"
                      echo "POD_IP=$POD_IP"; echo "MEM_MI=$MEM_MI"; echo "CFG_greeting=$CFG_greeting"; echo "MSG=$MSG"
                      echo "file=$(cat /etc/qube-it-config/file.txt)"; echo "secret=$(cat /etc/secret/password)"
                      echo "mode=$(stat -L -c %a /etc/secret/password)"; echo "labels=$(cat /etc/info/labels)"
                      echo ok > /scratch/x && echo "scratch=$(cat /scratch/x)"
                      ip -4 -o addr show eth0 | awk '{print "eth0=" $4}'
                      while true; do sleep 1; done
                    env:
                    - {name: GREETING, valueFrom: {configMapKeyRef: {name: app-config, key: greeting}}}
                    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: app-secret, key: password}}}
                    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
                    - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
                    - {name: MSG, value: "$(GREETING) from $(POD_NAME)"}
                    envFrom:
                    - {prefix: CFG_, configMapRef: {name: app-config}}
                    resources: {limits: {memory: 64Mi}}
                    volumeMounts:
                    - {name: config, mountPath: /etc/qube-it-config}
                    - {name: secret, mountPath: /etc/secret, readOnly: true}
                    - {name: info, mountPath: /etc/info}
                    - {name: scratch, mountPath: /scratch}
                  volumes:
                  - {name: config, configMap: {name: app-config}}
                  - {name: secret, secret: {secretName: app-secret, defaultMode: 0400}}
                  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
                  - {name: scratch, emptyDir: {}}
                """).toString());
        awaitReady("env-pod");
        Pod pod = pods().withName("env-pod").get();
        String ip = pod.getStatus().getPodIP();
        assertThat(ip).startsWith(subnetPrefix(CIDR));
        assertThat(pod.getStatus().getHostIP()).isEqualTo("127.0.0.1");
        assertThat(pod.getStatus().getQosClass()).isEqualTo("Burstable");
        assertThat(pod.getStatus().getStartTime()).isNotNull();
        assertThat(pod.getStatus().getConditions()).extracting(PodCondition::getType).contains("PodScheduled",
                "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready");
        ContainerStatus main = pod.getStatus().getContainerStatuses().get(0);
        assertThat(main.getContainerID()).startsWith("process://");
        assertThat(main.getStarted()).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "env-pod")).contains(
                "GREETING=hello", "PASSWORD=s3cret", "POD_NAME=env-pod", "POD_IP=" + ip, "MEM_MI=64",
                "CFG_greeting=hello", "MSG=hello from env-pod", "file=from a configmap", "secret=s3cret",
                "mode=400", "labels=app=\"env\"", "scratch=ok", "eth0=" + ip + "/24"));
        // The mount path existed only in the container's mount namespace.
        assertThat(Path.of("/etc/qube-it-config")).doesNotExist();
    }

    @Test
    void crashingContainerRestartsWithBackOffAndKeepsItsPreviousLog() throws Exception {
        kubectl.ok("run", "crasher", "--image=busybox", "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--command", "--", "sh", "-c", "echo run $(date +%s%N); sleep 1; exit 3");
        await().atMost(WAIT).until(() -> waitingReason("crasher", "crasher"), "CrashLoopBackOff"::equals);
        await().atMost(WAIT).until(() -> status("crasher", "crasher").getRestartCount() >= 2
                && status("crasher", "crasher").getState().getRunning() != null);
        ContainerStatus status = status("crasher", "crasher");
        assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(status.getLastState().getTerminated().getReason()).isEqualTo("Error");
        // The first restart is at once, the second after the 10 s back-off from the last exit.
        Instant exited = Instant.parse(status.getLastState().getTerminated().getFinishedAt());
        Instant restarted = Instant.parse(status.getState().getRunning().getStartedAt());
        assertThat(Duration.between(exited, restarted)).isGreaterThanOrEqualTo(Duration.ofSeconds(9));
        assertThat(kubectl.ok("logs", "crasher", "--previous")).startsWith("run ");
        assertThat(kubectl.ok("get", "pod", "crasher")).contains("crasher");
        assertThat(events("crasher")).extracting(Event::getReason).contains("BackOff", "Started", "Created",
                "Pulled");
        // Each restart started the container again: one event counted up, as the kubelet's recorder aggregates.
        assertThat(events("crasher")).filteredOn(event -> "Started".equals(event.getReason())).singleElement()
                .satisfies(started -> assertThat(started.getCount()).isGreaterThanOrEqualTo(3));
    }

    @Test
    void logsFollowTailAndTimestamps() throws Exception {
        kubectl.ok("run", "ticker", "--image=busybox", "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--command", "--", "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done");
        awaitReady("ticker");
        Process follow = kubectl.start("logs", "-f", "ticker");
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(follow.getInputStream(),
                    StandardCharsets.UTF_8))) {
                lines.lines().forEach(seen::add);
            } catch (IOException ended) {
                // the stream closes when the test destroys kubectl
            }
        });
        reader.start();
        try {
            await().atMost(WAIT).until(() -> !seen.isEmpty());
            assertThat(seen.get(0)).startsWith("tick ");
            int first = Integer.parseInt(seen.get(0).substring(5));
            // Lines written after the stream opened keep arriving on it, in order.
            await().atMost(WAIT).until(() -> seen.size() > 10);
            assertThat(seen.subList(0, 10)).allSatisfy(line -> assertThat(line).startsWith("tick "));
            assertThat(seen.get(10)).isEqualTo("tick " + (Integer.parseInt(seen.get(9).substring(5)) + 1));
            assertThat(first).isGreaterThanOrEqualTo(0);
        } finally {
            follow.destroy();
            reader.join(10_000);
        }
        String tail = kubectl.ok("logs", "ticker", "--tail=2", "--timestamps");
        assertThat(tail.lines().toList()).hasSize(2)
                .allSatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z tick \\d+"));
        assertThat(kubectl.ok("logs", "ticker", "--limit-bytes=7")).isEqualTo("tick 0\n");
    }

    @Test
    void probesRestartOnLivenessAndFlipReadiness() throws Exception {
        Path probes = Files.createDirectories(work.resolve("probes"));
        kubectl.ok("apply", "-f", manifest("probed.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: probed}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'while true; do sleep 1; done']
                    readinessProbe:
                      exec: {command: [test, -f, /probe/ready]}
                      periodSeconds: 1
                      failureThreshold: 1
                    livenessProbe:
                      exec: {command: [test, '!', -f, /probe/dead]}
                      initialDelaySeconds: 3
                      periodSeconds: 1
                      failureThreshold: 2
                    volumeMounts: [{name: probe, mountPath: /probe}]
                  volumes:
                  - {name: probe, hostPath: {path: %s, type: Directory}}
                """.formatted(probes)).toString());
        await().atMost(WAIT).until(() -> status("probed", "main") != null
                && status("probed", "main").getState().getRunning() != null);
        assertThat(condition("probed", "Ready")).isEqualTo("False");
        Files.writeString(probes.resolve("ready"), "");
        await().atMost(WAIT).until(() -> condition("probed", "Ready"), "True"::equals);
        Files.delete(probes.resolve("ready"));
        await().atMost(WAIT).until(() -> condition("probed", "Ready"), "False"::equals);

        Files.writeString(probes.resolve("dead"), "");
        await().atMost(WAIT).until(() -> status("probed", "main").getRestartCount() >= 1);
        Files.delete(probes.resolve("dead"));
        // Events are written apart from the pod's status: the restart can be seen before its event is stored.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(events("probed")).extracting(Event::getMessage).anySatisfy(message -> assertThat(message)
                    .isEqualTo("Container main failed liveness probe, will be restarted"));
            assertThat(events("probed")).extracting(Event::getReason).contains("Unhealthy");
        });
    }

    @Test
    void gracefulDeleteRunsPreStopThenSigtermThenKillsAfterTheGracePeriod() throws Exception {
        Path trace = Files.createDirectories(work.resolve("grace"));
        kubectl.ok("apply", "-f", manifest("graceful.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: graceful}
                spec:
                  nodeName: it-node
                  terminationGracePeriodSeconds: 3
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'trap "echo term >> /trace/log; sleep 60" TERM; echo started >> /trace/log; while true; do sleep 0.2; done']
                    lifecycle:
                      preStop:
                        exec: {command: [sh, -c, 'echo prestop >> /trace/log']}
                    volumeMounts: [{name: trace, mountPath: /trace}]
                  volumes:
                  - {name: trace, hostPath: {path: %s}}
                """.formatted(trace)).toString());
        awaitReady("graceful");
        await().atMost(WAIT).until(() -> Files.exists(trace.resolve("log")));
        Instant start = Instant.now();
        kubectl.ok("delete", "pod", "graceful");
        Duration took = Duration.between(start, Instant.now());
        assertThat(pods().withName("graceful").get()).isNull();
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(3)).isLessThan(Duration.ofSeconds(30));
        assertThat(Files.readAllLines(trace.resolve("log"))).containsExactly("started", "prestop", "term");
    }

    /**
     * The kubelet's pod workers are one per pod: pods that take their whole grace period to stop, more of them
     * than the agent has spare threads, hold up none but themselves.
     */
    @Test
    void podsWaitingOutTheirGracePeriodDoNotHoldUpANewPod() throws Exception {
        int stopping = 6;
        for (int i = 0; i < stopping; i++) {
            kubectl.ok("apply", "-f", manifest("stubborn-" + i + ".yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: stubborn-%d}
                    spec:
                      nodeName: it-node
                      terminationGracePeriodSeconds: 120
                      containers:
                      - name: main
                        image: busybox
                        command: [sh, -c, 'trap "" TERM; while true; do sleep 0.2; done']
                    """.formatted(i)).toString());
        }
        for (int i = 0; i < stopping; i++) {
            awaitReady("stubborn-" + i);
        }
        try {
            for (int i = 0; i < stopping; i++) {
                kubectl.ok("delete", "pod", "stubborn-" + i, "--wait=false");
            }
            await().atMost(WAIT).until(() -> pods().list().getItems().stream().filter(pod ->
                    pod.getMetadata().getName().startsWith("stubborn-")
                            && pod.getMetadata().getDeletionTimestamp() != null).count() == stopping);
            kubectl.ok("run", "newcomer", "--image=busybox", "--restart=Never",
                    "--overrides={\"spec\":{\"nodeName\":\"it-node\"}}", "--command", "--", "sleep", "600");
            // Well inside the others' 120 s of grace, which a shared worker would have had to wait out first.
            await().atMost(WAIT).until(() -> condition("newcomer", "Ready"), "True"::equals);
            List<Pod> stubborn = pods().list().getItems().stream()
                    .filter(pod -> pod.getMetadata().getName().startsWith("stubborn-")).toList();
            assertThat(stubborn).hasSize(stopping);
            // A forced delete cuts their grace short: their runs are killed now, not in two minutes.
            for (int i = 0; i < stopping; i++) {
                kubectl.ok("delete", "pod", "stubborn-" + i, "--grace-period=0", "--force");
            }
            List<Path> theirs = stubborn.stream().map(pod -> state.resolve("pods").resolve(pod.getMetadata().getUid()))
                    .toList();
            await().atMost(WAIT).untilAsserted(() -> assertThat(sandboxes()).doesNotContainAnyElementsOf(theirs));
        } finally {
            for (int i = 0; i < stopping; i++) {
                kubectl.ok("delete", "pod", "stubborn-" + i, "--grace-period=0", "--force", "--ignore-not-found");
            }
            kubectl.ok("delete", "pod", "newcomer", "--grace-period=0", "--force", "--ignore-not-found");
        }
    }

    @Test
    void initContainersRunInOrderBeforeTheContainers() throws Exception {
        kubectl.ok("apply", "-f", manifest("init.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: with-init}
                spec:
                  nodeName: it-node
                  initContainers:
                  - {name: first, image: busybox, command: [sh, -c, 'echo first >> /work/order'],
                     volumeMounts: [{name: work, mountPath: /work}]}
                  - {name: second, image: busybox, command: [sh, -c, 'echo second >> /work/order'],
                     volumeMounts: [{name: work, mountPath: /work}]}
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'echo main >> /work/order; echo "order=$(cat /work/order | tr "\\n" ,)"; while true; do sleep 1; done']
                    volumeMounts: [{name: work, mountPath: /work}]
                  volumes:
                  - {name: work, emptyDir: {}}
                """).toString());
        awaitReady("with-init");
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "with-init"))
                .contains("order=first,second,main,"));
        assertThat(status("with-init", "first").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(status("with-init", "second").getState().getTerminated().getExitCode()).isZero();
        assertThat(condition("with-init", "Initialized")).isEqualTo("True");
    }

    @Test
    void httpGetAndTcpSocketProbesReachThePod() throws Exception {
        kubectl.ok("apply", "-f", manifest("web.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: python
                    command: [python3, -m, http.server, '8080']
                    ports: [{name: http, containerPort: 8080}]
                    readinessProbe:
                      httpGet: {path: /, port: http}
                      periodSeconds: 1
                    livenessProbe:
                      tcpSocket: {port: 8080}
                      initialDelaySeconds: 15
                      periodSeconds: 2
                  - name: picky
                    image: busybox
                    command: [sh, -c, 'while true; do sleep 1; done']
                    readinessProbe:
                      httpGet: {path: /no-such-page, port: 8080}
                      periodSeconds: 1
                """).toString());
        await().atMost(WAIT).until(() -> status("web", "main") != null && Boolean.TRUE.equals(
                status("web", "main").getReady()));
        assertThat(status("web", "picky").getReady()).isFalse();
        assertThat(condition("web", "Ready")).isEqualTo("False");
        await().atMost(WAIT).untilAsserted(() -> assertThat(events("web")).extracting(Event::getMessage)
                .contains("Readiness probe failed: HTTP probe failed with statuscode: 404"));
        assertThat(status("web", "main").getRestartCount()).isZero();
    }

    @Test
    void podsRunOnWhileTheApiIsAwayAndTheAgentCatchesUp() throws Exception {
        Path signals = Files.createDirectories(work.resolve("outage"));
        kubectl.ok("apply", "-f", manifest("outage.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: outage}
                spec:
                  nodeName: it-node
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'while [ ! -f /signals/stop ]; do sleep 0.2; done; exit 7']
                    volumeMounts: [{name: signals, mountPath: /signals}]
                  volumes:
                  - {name: signals, hostPath: {path: %s}}
                """.formatted(signals)).toString());
        awaitReady("outage");
        long pid = containerPid(pods().withName("outage").get());

        qube.stop();
        try {
            assertThat(Path.of("/proc", Long.toString(pid))).exists();
            // The container ends while nobody can be told.
            Files.writeString(signals.resolve("stop"), "");
            await().atMost(WAIT).until(() -> !Files.exists(Path.of("/proc", Long.toString(pid))));
        } finally {
            qube.startAgain();
        }
        await().atMost(WAIT).until(() -> phase("outage"), "Failed"::equals);
        assertThat(status("outage", "main").getState().getTerminated().getExitCode()).isEqualTo(7);
        assertThat(agent.log()).doesNotContain("Exception in thread");
        await().atMost(WAIT).until(() -> ready(client.nodes().withName(NODE).get()));
    }

    /**
     * {@code kubectl debug -it} as a user runs it, on a terminal (script(1) gives kubectl one): the ephemeral
     * container starts in the running pod, is reported running, takes what is typed and answers, and once exited is
     * reported terminated with its exit code; the pod's own container runs on, and the ephemeral one is not started
     * again.
     */
    @Test
    void debugStartsAnEphemeralContainerAndAttachesToIt() throws Exception {
        kubectl.ok("run", "debuggee", "--image=busybox", "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--command", "--", "sh", "-c", "while true; do sleep 1; done");
        awaitReady("debuggee");
        Process debug = kubectl.startOnTerminal("debug", "-it", "debuggee", "--image=busybox", "--target=debuggee",
                "--container=debugger", "--", "sh");
        StringBuffer output = Kubectl.output(debug);
        try {
            await().atMost(WAIT).untilAsserted(() -> assertThat(ephemeral("debuggee", "debugger"))
                    .isNotNull().satisfies(s -> {
                        assertThat(s.getState().getRunning()).isNotNull();
                        assertThat(s.getImage()).isEqualTo("busybox");
                        assertThat(s.getImageID()).isNotEmpty();
                        assertThat(s.getContainerID()).startsWith("process://");
                    }));
            // kubectl attaches once it sees the container running; typed lines go to the shell from then on.
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(debug.isAlive()).as(() -> "kubectl debug ended early:\n" + output).isTrue();
                Kubectl.type(debug, "echo typed-$((6*7))\n");
                assertThat(output.toString()).contains("typed-42");
            });
            Kubectl.type(debug, "exit 3\n");
            assertThat(debug.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(output::toString).isTrue();
        } finally {
            debug.destroyForcibly();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(ephemeral("debuggee", "debugger").getState()
                .getTerminated()).isNotNull().satisfies(t -> assertThat(t.getExitCode()).isEqualTo(3)));
        Pod pod = pods().withName("debuggee").get();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(pod.getStatus().getContainerStatuses()).singleElement()
                .satisfies(s -> assertThat(s.getRestartCount()).isZero());
        // Never restarted: the relist that follows leaves the ended container as it is.
        await().during(Duration.ofSeconds(3)).atMost(WAIT).untilAsserted(() -> assertThat(
                ephemeral("debuggee", "debugger").getState().getTerminated()).isNotNull());
        assertThat(kubectl.ok("logs", "debuggee", "-c", "debugger")).contains("typed-42");
    }

    /**
     * {@code kubectl attach -i} to an ordinary container with stdin and a tty (kubectl without a terminal of its
     * own: {@code -i} only): what is written reaches the container's shell, its answer comes back; leaving detaches
     * without ending the container.
     */
    @Test
    void attachReachesAContainersOwnStdinAndOutput() throws Exception {
        kubectl.ok("apply", "-f", manifest("attach.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: attachee}
                spec:
                  nodeName: it-node
                  containers:
                  - {name: main, image: busybox, command: [sh], stdin: true, tty: true}
                """).toString());
        awaitReady("attachee");
        Process attach = kubectl.start("attach", "-i", "attachee", "-c", "main");
        StringBuffer output = Kubectl.output(attach);
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                Kubectl.type(attach, "echo attached-$((40+2))\n");
                assertThat(output.toString()).contains("attached-42");
            });
        } finally {
            attach.destroyForcibly();
        }
        await().during(Duration.ofSeconds(2)).atMost(WAIT).untilAsserted(() -> assertThat(
                status("attachee", "main").getState().getRunning()).isNotNull());
        assertThat(status("attachee", "main").getRestartCount()).isZero();

        Kubectl.Result missing = kubectl.run("attach", "attachee", "-c", "nope");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.out()).contains("nope");
    }

    private static ContainerStatus ephemeral(String pod, String container) {
        return new PodLookups(client, "default").ephemeral(pod, container);
    }

    @Test
    void execRunsInTheContainerWithStdinAndItsExitCode() throws Exception {
        kubectl.ok("run", "shell", "--image=busybox", "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--command", "--", "sh", "-c", "while true; do sleep 1; done");
        awaitReady("shell");
        // In the pod's namespaces: its host name and its network.
        String ip = pods().withName("shell").get().getStatus().getPodIP();
        assertThat(kubectl.ok("exec", "shell", "--", "sh", "-c", "hostname; ip -4 -o addr show eth0"))
                .contains("shell\n").contains(ip + "/24");
        Kubectl.Result failed = kubectl.run("exec", "shell", "--", "sh", "-c", "echo before; exit 3");
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.out()).contains("before");

        Process interactive = kubectl.start("exec", "-i", "shell", "--", "sh", "-c", "tr a-z A-Z");
        interactive.getOutputStream().write("piped through\n".getBytes(StandardCharsets.UTF_8));
        interactive.getOutputStream().close();
        assertThat(interactive.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(new String(interactive.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("PIPED THROUGH\n");
        assertThat(interactive.exitValue()).isZero();

        // fabric8 speaks v4.channel.k8s.io.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var watch = pods().withName("shell").writingOutput(out).exec("sh", "-c", "echo from fabric8; exit 5")) {
            assertThat(watch.exitCode().get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(5);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("from fabric8\n");

        Kubectl.Result completed = kubectl.run("exec", "no-such-pod", "--", "true");
        assertThat(completed.exitCode()).isNotZero();
        assertThat(completed.out()).contains("pods \"no-such-pod\" not found");
    }

    /** As the kubelet's runtimes do, the forward dials localhost in the pod's network: a port bound there only too. */
    @Test
    void fabric8PortForwardReachesAPortOnThePodsLocalhost() throws Exception {
        kubectl.ok("apply", "-f", manifest("forwarded.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: forwarded}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: python
                    command: [sh, -c, 'echo forwarded > /site/index.html;
                      exec python3 -m http.server -d /site --bind 127.0.0.1 8081']
                    volumeMounts: [{name: site, mountPath: /site}]
                  volumes:
                  - {name: site, emptyDir: {}}
                """).toString());
        awaitReady("forwarded");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try (var forward = pods().withName("forwarded").portForward(8081)) {
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + forward.getLocalPort() + "/index.html")).timeout(Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("forwarded\n");
            });
        }
        String ip = pods().withName("forwarded").get().getStatus().getPodIP();
        assertThatThrownBy(() -> new java.net.Socket(ip, 8081).close()).isInstanceOf(java.net.ConnectException.class);
    }

    /**
     * kubectl 1.32 tunnels SPDY in a WebSocket: several connections, a body larger than SPDY's initial 64 KiB
     * window, and a refused port's error reaching kubectl. Its plain SPDY fallback is refused with a clear reason.
     */
    @Test
    void kubectlPortForwardTunnelsSpdyInAWebSocket() throws Exception {
        kubectl.ok("apply", "-f", manifest("kubectl-forwarded.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: kubectl-forwarded}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: python
                    command: [sh, -c, 'echo forwarded > /site/index.html; head -c 1048576 /dev/zero | tr "\\0" q > /site/big;
                      exec python3 -m http.server -d /site 8082']
                    readinessProbe: {tcpSocket: {port: 8082}, periodSeconds: 1}
                    volumeMounts: [{name: site, mountPath: /site}]
                  volumes:
                  - {name: site, emptyDir: {}}
                """).toString());
        awaitReady("kubectl-forwarded");
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        for (int round = 0; round < 2; round++) { // a second kubectl on the same pod, after the first ended
            Process forward = kubectl.start("port-forward", "pod/kubectl-forwarded", ":8082");
            try {
                BufferedReader output = new BufferedReader(new InputStreamReader(forward.getInputStream(),
                        StandardCharsets.UTF_8));
                int port = forwardedPort(output);
                for (int i = 0; i < 3; i++) {
                    var page = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                            + port + "/index.html")).timeout(Duration.ofSeconds(10)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(page.statusCode()).isEqualTo(200);
                    assertThat(page.body()).isEqualTo("forwarded\n");
                }
                var big = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + port + "/big")).timeout(Duration.ofSeconds(20)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(big.body()).hasSize(1 << 20).matches("q+");
            } finally {
                forward.destroy();
                assertThat(forward.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }

        // Nothing listens on port 9: kubectl prints the node's reason and, as kubectl does, stops forwarding.
        Process refused = kubectl.start("port-forward", "pod/kubectl-forwarded", ":9");
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(refused.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = forwardedPort(output);
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                assertThat(socket.getInputStream().read()).isEqualTo(-1); // kubectl closes it: no bytes came
            } catch (java.net.SocketException reset) {
                // kubectl may close it with a reset: also an end without bytes
            }
            assertThat(refused.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("error forwarding port 9 to pod kubectl-forwarded_default")
                    .contains("connect: connection refused");
        } finally {
            refused.destroyForcibly();
        }

        Process plain = kubectl.start(java.util.Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false"), "port-forward",
                "pod/kubectl-forwarded", ":8082");
        try {
            assertThat(plain.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(plain.exitValue()).isNotZero();
            assertThat(new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("Qube serves portforward as a WebSocket (SPDY/3.1+portforward.k8s.io");
        } finally {
            plain.destroyForcibly();
        }

        Kubectl.Result missing = kubectl.run("port-forward", "pod/no-such-pod", ":80");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.out()).contains("pods \"no-such-pod\" not found");
    }

    /** The local port from kubectl's "Forwarding from 127.0.0.1:N -> P" line. */
    private static int forwardedPort(BufferedReader output) throws IOException {
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+)")
                    .matcher(line);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        throw new AssertionError("kubectl port-forward ended without forwarding");
    }

    @Test
    void memoryLimitExceededIsOomKilled() throws Exception {
        kubectl.ok("apply", "-f", manifest("oom.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: hog}
                spec:
                  nodeName: it-node
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: busybox
                    command: [tail, /dev/zero]
                    resources: {limits: {memory: 32Mi}}
                """).toString());
        await().atMost(WAIT).until(() -> phase("hog"), "Failed"::equals);
        ContainerStatus status = status("hog", "main");
        assertThat(status.getState().getTerminated().getReason()).isEqualTo("OOMKilled");
        assertThat(status.getState().getTerminated().getExitCode()).isEqualTo(137);
    }

    @Test
    void killedAgentLeavesRunningPodsRunningAndReadoptsThem() throws Exception {
        kubectl.ok("run", "survivor", "--image=busybox", "--overrides={\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--command", "--", "sh", "-c", "while true; do sleep 1; done");
        awaitReady("survivor");
        ContainerStatus before = status("survivor", "survivor");
        long pid = containerPid(pods().withName("survivor").get());
        assertThat(Path.of("/proc", Long.toString(pid))).exists();

        agent.kill();
        // Without its agent, the pod runs on.
        assertThat(Path.of("/proc", Long.toString(pid))).exists();
        agent.start();

        await().atMost(WAIT).until(() -> "True".equals(condition("survivor", "Ready")));
        ContainerStatus after = status("survivor", "survivor");
        assertThat(after.getContainerID()).isEqualTo(before.getContainerID());
        assertThat(after.getRestartCount()).isEqualTo(before.getRestartCount());
        assertThat(containerPid(pods().withName("survivor").get())).isEqualTo(pid);
        assertThat(Path.of("/proc", Long.toString(pid))).exists();
    }

    @Test
    void missingConfigMapWaitsWithFailedMountAndStartsOnceItExists() throws Exception {
        kubectl.ok("apply", "-f", manifest("late.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: late}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'echo "key=$(cat /config/key)"; while true; do sleep 1; done']
                    volumeMounts: [{name: config, mountPath: /config}]
                  volumes:
                  - {name: config, configMap: {name: late-config}}
                """).toString());
        await().atMost(WAIT).untilAsserted(() -> assertThat(events("late")).anySatisfy(event -> {
            assertThat(event.getReason()).isEqualTo("FailedMount");
            assertThat(event.getMessage()).contains("configmap \"late-config\" not found");
        }));
        assertThat(phase("late")).isEqualTo("Pending");
        assertThat(waitingReason("late", "main")).isEqualTo("ContainerCreating");
        kubectl.ok("create", "configmap", "late-config", "--from-literal=key=arrived");
        awaitReady("late");
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "late")).contains("key=arrived"));
    }

    @Test
    void badSpecsGiveClearReasonsAndTheAgentRunsOn() throws Exception {
        kubectl.ok("apply", "-f", manifest("bad.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: too-big}
                spec:
                  nodeName: it-node
                  containers:
                  - {name: main, image: busybox, command: [sleep, '60'], resources: {requests: {cpu: '1000'}}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: no-command}
                spec:
                  nodeName: it-node
                  containers:
                  - {name: main, image: nginx}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: no-binary}
                spec:
                  nodeName: it-node
                  restartPolicy: Never
                  containers:
                  - {name: main, image: busybox, command: [no-such-binary-here]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: no-key}
                spec:
                  nodeName: it-node
                  containers:
                  - name: main
                    image: busybox
                    command: [sleep, '60']
                    env: [{name: X, valueFrom: {configMapKeyRef: {name: absent-config, key: x}}}]
                """).toString());
        await().atMost(WAIT).until(() -> phase("too-big"), "Failed"::equals);
        Pod tooBig = pods().withName("too-big").get();
        assertThat(tooBig.getStatus().getReason()).isEqualTo("OutOfcpu");
        assertThat(tooBig.getStatus().getMessage()).startsWith("Pod was rejected: Node didn't have enough resource: "
                + "cpu, requested: 1000000");

        await().atMost(WAIT).until(() -> waitingReason("no-command", "main"), "CreateContainerError"::equals);
        assertThat(status("no-command", "main").getState().getWaiting().getMessage()).contains("has none");

        await().atMost(WAIT).until(() -> phase("no-binary"), "Failed"::equals);
        ContainerStatus noBinary = status("no-binary", "main");
        assertThat(noBinary.getState().getTerminated().getReason()).isEqualTo("StartError");
        assertThat(noBinary.getState().getTerminated().getExitCode()).isEqualTo(128);
        assertThat(noBinary.getState().getTerminated().getMessage()).contains("no-such-binary-here");

        await().atMost(WAIT).until(() -> waitingReason("no-key", "main"), "CreateContainerConfigError"::equals);
        assertThat(status("no-key", "main").getState().getWaiting().getMessage())
                .isEqualTo("configmap \"absent-config\" not found");

        assertThat(agent.log()).doesNotContain("Exception in thread");
        assertThat(ready(client.nodes().withName(NODE).get())).isTrue();
    }

    @Test
    void secondAgentJoinsAsSecondNode() throws Exception {
        Path secondState = work.resolve("second");
        QubeAgent second = QubeAgent.start(qube.kubeconfig(), "it-node-2", secondState, SECOND_BRIDGE, SECOND_CIDR);
        try {
            await().atMost(WAIT).until(() -> ready(client.nodes().withName("it-node-2").get()));
            kubectl.ok("run", "elsewhere", "--image=busybox",
                    "--overrides={\"spec\":{\"nodeName\":\"it-node-2\"}}", "--command", "--", "sh", "-c",
                    "echo on the second node; while true; do sleep 1; done");
            awaitReady("elsewhere");
            assertThat(pods().withName("elsewhere").get().getStatus().getPodIP()).startsWith(subnetPrefix(SECOND_CIDR));
            assertThat(kubectl.ok("get", "nodes")).contains(NODE, "it-node-2");
            await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("logs", "elsewhere"))
                    .contains("on the second node"));
        } finally {
            // The second agent removes its pod before it goes, or the pod's processes would outlive the test.
            kubectl.run("delete", "pod", "elsewhere", "--grace-period=1", "--ignore-not-found");
            await().atMost(WAIT).untilAsserted(() -> {
                try (Stream<Path> left = Files.list(secondState.resolve("pods"))) {
                    assertThat(left.toList()).isEmpty();
                }
            });
            second.close();
            new ProcessBuilder("ip", "link", "del", SECOND_BRIDGE).start().waitFor();
        }
    }

    private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Pod, io.fabric8.kubernetes.api.model.PodList,
            io.fabric8.kubernetes.client.dsl.PodResource> pods() {
        return client.pods().inNamespace("default");
    }

    private static Path manifest(String name, String yaml) throws IOException {
        return Files.writeString(work.resolve(name), yaml);
    }

    private static void awaitReady(String pod) {
        await().atMost(WAIT).until(() -> condition(pod, "Ready"), "True"::equals);
    }

    private static String condition(String pod, String type) {
        Pod current = pods().withName(pod).get();
        if (current == null || current.getStatus() == null || current.getStatus().getConditions() == null) {
            return null;
        }
        return current.getStatus().getConditions().stream().filter(c -> c.getType().equals(type))
                .map(PodCondition::getStatus).findFirst().orElse(null);
    }

    private static String phase(String pod) {
        Pod current = pods().withName(pod).get();
        return current == null || current.getStatus() == null ? null : current.getStatus().getPhase();
    }

    private static ContainerStatus status(String pod, String container) {
        Pod current = pods().withName(pod).get();
        if (current == null || current.getStatus() == null) {
            return null;
        }
        return Stream.concat(current.getStatus().getContainerStatuses().stream(),
                        current.getStatus().getInitContainerStatuses().stream())
                .filter(s -> s.getName().equals(container)).findFirst().orElse(null);
    }

    private static String waitingReason(String pod, String container) {
        ContainerStatus status = status(pod, container);
        return status == null || status.getState() == null || status.getState().getWaiting() == null ? null
                : status.getState().getWaiting().getReason();
    }

    /** "10.77.0." for "10.77.0.0/24": the start of every pod IP in that /24. */
    private static String subnetPrefix(String cidr) {
        return cidr.substring(0, cidr.lastIndexOf('.') + 1);
    }

    private static List<Event> events(String pod) {
        return client.v1().events().inNamespace("default").withField("involvedObject.name", pod).list().getItems();
    }

    /** The container's PID as its shim recorded it in the agent's state. */
    private static long containerPid(Pod pod) throws IOException {
        String id = pod.getStatus().getContainerStatuses().get(0).getContainerID().substring("process://".length());
        String[] parts = id.split("/");
        Path pid = state.resolve("pods").resolve(parts[0]).resolve("containers").resolve(parts[1]).resolve("pid");
        return Long.parseLong(Files.readString(pid).split(" ")[0]);
    }

    private static boolean ready(Node node) {
        return node != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static List<Path> sandboxes() throws IOException {
        Path pods = state.resolve("pods");
        if (!Files.isDirectory(pods)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(pods)) {
            return entries.toList();
        }
    }
}
