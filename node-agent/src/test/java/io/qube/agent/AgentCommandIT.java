package io.qube.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged agent as `qube agent` runs it: its options, and simulated nodes joining a running control plane. */
class AgentCommandIT {

    private static final Path AGENT = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private static ProcessBuilder agent(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-jar", AGENT.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    @Test
    void helpNamesEveryOption() throws Exception {
        Path log = Files.createTempFile("agent-help", ".log");
        Process help = agent(log, "--help").start();
        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).isZero();
        assertThat(Files.readString(log)).contains("--kubeconfig", "--runtime", "--name", "--node-ip", "--state-dir",
                "--pod-cidr", "--bridge", "--port", "--nodes", "--name-prefix", "--cpu", "--memory", "--max-pods",
                "--node-labels");
        Files.delete(log);
    }

    /** An agent stopped while it still waits for its API closes what it started: its containerd goes too. */
    @Test
    void aCriAgentStoppedBeforeItsApiAnswersStopsItsContainerd() throws Exception {
        Path work = Files.createTempDirectory("agent-cri-stop");
        Path kubeconfig = Files.writeString(work.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: none, cluster: {server: "http://127.0.0.1:1"}}]
                users: [{name: none, user: {}}]
                contexts: [{name: none, context: {cluster: none, user: none}}]
                current-context: none
                """);
        Path state = work.resolve("state");
        Path pidFile = state.resolve("containerd").resolve("containerd.pid");
        Process agent = agent(work.resolve("agent.log"), "--kubeconfig", kubeconfig.toString(), "--runtime", "cri",
                "--name", "never-joins", "--state-dir", state.toString(), "--pod-cidr", "10.77.13.0/24",
                "--bridge", "qubestop0", "--port", "0").start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(work.resolve("agent.log"))
                    .contains("waiting for the API"));
            long containerd = Long.parseLong(Files.readString(pidFile).trim());
            assertThat(ProcessHandle.of(containerd)).isPresent();
            agent.destroy();
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(containerd).isEmpty()
                    || !ProcessHandle.of(containerd).get().isAlive());
        } finally {
            agent.destroyForcibly().waitFor();
            // Had the agent left it, the test's containerd must not outlive the test either.
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroy);
            }
            ProcessCluster.deleteTree(work);
        }
    }

    /** What a user sees of simulated nodes and their pods, through the real kubectl. */
    private static void kubectlShowsSimulatedNodesAndPods(QubeServer qube, KubernetesClient client)
            throws Exception {
        Kubectl kubectl = new Kubectl(qube.kubeconfig());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kubectl.ok("get", "nodes",
                "-l", "tier=sim", "--no-headers")).containsPattern("(?m)^cli-0\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.0$")
                .containsPattern("(?m)^cli-2\\s+Ready\\s"));
        // The lease follows the node's registration within a renewal.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.ok("describe", "node",
                "cli-1")).contains("zone=a", "tier=sim").containsPattern("Capacity:\\s+cpu:\\s+2")
                .containsPattern("pods:\\s+20").containsPattern("Ready\\s+True\\s")
                .containsPattern("HolderIdentity:\\s+cli-1").containsPattern("Kubelet Version:\\s+v1\\.32\\.0"));
        kubectl.ok("run", "sim-pod", "--image=busybox", "--overrides={\"spec\":{\"nodeName\":\"cli-1\"}}");
        kubectl.ok("run", "sim-job", "--image=busybox", "--restart=Never", "--annotations=sim.qube.io/exit-code=3",
                "--overrides={\"spec\":{\"nodeName\":\"cli-2\"}}");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String pods = kubectl.ok("get", "pods", "-o", "wide", "--no-headers");
            assertThat(pods).containsPattern("(?m)^sim-pod\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+[0-9.]+\\s+cli-1\\s")
                    .containsPattern("(?m)^sim-job\\s+0/1\\s+Error\\s+0\\s+\\S+\\s+[0-9.]+\\s+cli-2\\s");
        });
        assertThat(kubectl.ok("describe", "pod", "sim-pod")).containsPattern("Status:\\s+Running")
                .containsPattern("Ready\\s+True").containsPattern("Node:\\s+cli-1/");
        client.pods().inNamespace("default").withGracePeriod(0).delete();
    }

    @Test
    void simulatedNodesJoinAndLeaveNoProcessBehind() throws Exception {
        Path log = Files.createTempFile("agent", ".log");
        try (QubeServer qube = QubeServer.start(); KubernetesClient client = qube.client()) {
            Process refused = agent(log, "--kubeconfig", qube.kubeconfig().toString(), "--runtime", "docker")
                    .start();
            assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(2);
            assertThat(Files.readString(log)).contains("--runtime docker is not a runtime of this agent");

            Process running = agent(log, "--kubeconfig", qube.kubeconfig().toString(), "--runtime", "simulated",
                    "--nodes", "3", "--name-prefix", "cli", "--cpu", "2", "--memory", "4Gi", "--max-pods", "20",
                    "--node-labels", "zone=a,tier=sim").start();
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.nodes()
                        .withLabel("tier", "sim").list().getItems()).extracting(n -> n.getMetadata().getName())
                        .containsExactlyInAnyOrder("cli-0", "cli-1", "cli-2"));
                assertThat(client.nodes().withName("cli-1").get().getStatus().getCapacity().get("pods").toString())
                        .isEqualTo("20");
                assertThat(client.nodes().withName("cli-1").get().getMetadata().getLabels())
                        .containsEntry("zone", "a");
                kubectlShowsSimulatedNodesAndPods(qube, client);
            } finally {
                running.destroy();
                assertThat(running.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            }
        }
        Files.delete(log);
    }
}
