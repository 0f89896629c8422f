package io.qube.agent;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Qube installed by Helm onto a Qube cluster: an "outer" Qube with one cri node (its agent and containerd on a host
 * of its own, as {@link QubeImagesIT}), Qube's images built from docker/ and pushed to the run's registry, then
 * {@code helm install} of helm/qube with the bundled PostgreSQL (the image docker/postgresql builds, on a claim of
 * the outer cluster's default local-path StorageClass). The installed ("inner") Qube's control plane becomes Ready,
 * answers through its Service, and its DaemonSet's agent joins it as a node that runs a Deployment's pods;
 * {@code helm upgrade} rolls the apiservers under a writing client; {@code helm uninstall} removes what the release
 * made, leaving the StatefulSet's claim as Kubernetes does.
 * <p>
 * The inner agent runs on the outer node but with a containerd of its own (chart value
 * {@code nodeAgent.containerRuntimeEndpoint: ""}): on the outer containerd it would adopt the outer pods' sandboxes
 * (its own control plane's among them) and remove them as pods it does not know. It also serves no cluster DNS and
 * programs no Service proxy (the outer agent does both in the same network namespace, with the same chain names),
 * and its pods get a CIDR and bridge of their own.
 */
@ExtendWith(RegistryImagesExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmInstallIT {

    private static final String BRIDGE = "he2ebr0";
    private static final String ROOT_IP = "10.127.0.1";
    private static final Host NODE = new Host("he2e-a", "he2e-a", "10.127.0.2", "10.127.1.0/24");
    private static final String POD_BRIDGE = "he2epod0";
    private static final String INNER_POD_CIDR = "10.127.2.0/24";
    private static final String RELEASE = "qube";
    /** The outer control plane's Service CIDR. */
    private static final String SERVICE_CIDR = "10.96.0.0/12";
    private static final String NAMESPACE = "default";
    private static final String INSTANCE = "app.kubernetes.io/instance";
    /** The control plane's Service (the release's name holds the chart's, so it is the objects' prefix). */
    private static final String SERVICE = RELEASE + "-control-plane";
    /** Images pulled, PostgreSQL initialised, two JVMs started on a machine other tests share. */
    private static final Duration START = Duration.ofMinutes(10);
    private static final int HELM_TIMEOUT_SECONDS = 900;

    private static RegistryImages registry;
    private static CriHosts cluster;
    private static KubernetesClient outer;
    private static Path chart;
    private static Path values;
    private static Path innerState;
    private static String innerServer;
    private static KubernetesClient inner;

    @BeforeAll
    static void buildImagesStartTheOuterClusterAndInstall(RegistryImages images) throws Exception {
        registry = images;
        QubeImages built = QubeImages.pushed(images);
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(NODE));
        outer = cluster.client;
        // A host-network pod (the inner agent) reaches Services as a node's processes do: the packet needs a route
        // before the proxy's OUTPUT rule rewrites its destination, which a real node's default route gives. The
        // test's host has only its bridge's subnet.
        Commands.run(Duration.ofSeconds(30), "ip", "-n", NODE.netns(), "route", "add", SERVICE_CIDR, "dev", "eth0")
                .ok();
        chart = Path.of("..", "helm", "qube").toAbsolutePath().normalize();
        // The chart mounts the agent's state directory with Bidirectional propagation, which needs a shared mount
        // (a systemd host's / is one; this machine's is private): a directory of its own is made one, outside the
        // cluster's (whose close checks that nothing is mounted there), unmounted and removed after.
        innerState = Files.createTempDirectory("qube-helm-inner-agent");
        Commands.run(Duration.ofSeconds(30), "mount", "--bind", innerState.toString(), innerState.toString()).ok();
        Commands.run(Duration.ofSeconds(30), "mount", "--make-shared", innerState.toString()).ok();
        values = Files.writeString(cluster.work.resolve("values.yaml"), values(built, images));
        new Helm(chart).install().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(values)
                .withKubeConfig(cluster.kubeconfig()).withTimeout(HELM_TIMEOUT_SECONDS).call();
    }

    /** The chart's values for this cluster: images from the registry, the bundled database, the inner agent's knobs. */
    private static String values(QubeImages built, RegistryImages images) {
        String host = images.registry().host();
        return """
                image:
                  registry: "%s"
                controlPlane:
                  replicaCount: 2
                  image: {repository: qube/control-plane, tag: "%s"}
                  # Two apiservers and a surge one during the upgrade, on one node of a shared machine.
                  resources:
                    requests: {cpu: 100m, memory: 256Mi}
                    limits: {memory: 1536Mi}
                  service:
                    type: NodePort
                nodeAgent:
                  image: {repository: qube/node-agent, tag: "%s"}
                  containerRuntimeEndpoint: ""
                  stateDir: "%s"
                  port: 10350
                  proxyMode: none
                  resources:
                    requests: {cpu: 50m, memory: 128Mi}
                  extraArgs:
                    - --sandbox-image=%s
                    - --pod-cidr=%s
                    - --bridge=he2einner0
                    - --no-serve-cluster-dns
                    - --remove-pods-on-exit
                postgresql:
                  enabled: true
                  image: {repository: "%s", tag: "%s"}
                  auth: {password: helm-install-it}
                  persistence: {size: 1Gi}
                """.formatted(host, QubeImages.TAG, QubeImages.TAG, innerState,
                images.pause(), INNER_POD_CIDR, host + "/qube/postgresql", QubeImages.TAG);
    }

    @AfterAll
    static void removeEverything() throws Exception {
        try {
            if (inner != null) {
                inner.close();
            }
            if (outer != null) {
                new Helm(chart).uninstall(RELEASE).ignoreNotFound().withNamespace(NAMESPACE)
                        .withKubeConfig(cluster.kubeconfig()).call();
                outer.persistentVolumeClaims().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).delete();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (innerState != null) {
                Commands.run(Duration.ofSeconds(30), "umount", "-R", innerState.toString()).ok();
                ProcessCluster.deleteTree(innerState);
            }
        }
    }

    @Test
    @Order(1)
    void theInstalledControlPlaneAndItsDatabaseBecomeReady() {
        await().atMost(START).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<Pod> pods = outer.pods().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems();
            Map<String, Long> ready = pods.stream().filter(HelmInstallIT::ready).collect(Collectors.groupingBy(
                    pod -> pod.getMetadata().getLabels().get("app.kubernetes.io/component"), Collectors.counting()));
            assertThat(ready).containsEntry("control-plane", 2L).containsEntry("database", 1L)
                    .containsEntry("node-agent", 1L);
        });
        assertThat(outer.persistentVolumeClaims().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                .getItems()).singleElement().satisfies(claim -> assertThat(claim.getStatus().getPhase())
                .isEqualTo("Bound"));
    }

    @Test
    @Order(2)
    void itsServiceAnswersVersionAndReadinessFromAPod() throws Exception {
        String pod = controlPlanePods().get(0);
        String service = "http://" + SERVICE + "." + NAMESPACE + ".svc:6443";
        assertThat(cluster.kubectl.ok("exec", pod, "--", "curl", "-fsS", service + "/version"))
                .contains("\"gitVersion\"");
        assertThat(cluster.kubectl.ok("exec", pod, "--", "curl", "-fsS", service + "/q/health/ready"))
                .contains("\"UP\"");
    }

    @Test
    @Order(3)
    void kubectlOnTheInstalledQubeRunsADeploymentOnTheInstalledAgent() throws Exception {
        KubernetesClient client = inner();
        await().atMost(START).untilAsserted(() -> assertThat(client.nodes().withName(NODE.node()).get())
                .matches(PodLookups::ready, "Ready"));
        Kubectl kubectl = new Kubectl(innerKubeconfig());
        kubectl.ok("create", "deployment", "hello", "--image=" + registry.busybox(), "--replicas=2", "--",
                "sleep", "3600");
        await().atMost(START).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(
                client.pods().inNamespace("default").withLabel("app", "hello").list().getItems())
                .hasSize(2).allSatisfy(pod -> {
                    assertThat(pod.getSpec().getNodeName()).isEqualTo(NODE.node());
                    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                    assertThat(pod.getStatus().getPodIP()).startsWith("10.127.2.");
                }));
        await().atMost(START).untilAsserted(() -> assertThat(kubectl.ok("get", "deployment", "hello", "-o",
                "jsonpath={.status.readyReplicas}")).isEqualTo("2"));
    }

    @Test
    @Order(4)
    void anUpgradeRollsTheApiserversWithoutAnErrorSeenByAWritingClient() throws Exception {
        Set<String> before = Set.copyOf(controlPlanePods());
        ConfigMapWriter writer = new ConfigMapWriter(innerWithoutRetries(), "default");
        try {
            new Helm(chart).upgrade().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(values)
                    .set("controlPlane.podAnnotations.rolled", "by-helm-upgrade").waitReady()
                    .withKubeConfig(cluster.kubeconfig()).withTimeout(HELM_TIMEOUT_SECONDS).call();
            await().atMost(START).untilAsserted(() -> assertThat(controlPlanePods()).hasSize(2)
                    .doesNotContainAnyElementsOf(before));
        } finally {
            writer.close();
        }
        // The run's record of what the client saw while the apiservers rolled.
        System.out.printf("HelmInstallIT upgrade: %d writes acknowledged, %d error answers, %d connection failures "
                + "retried%n", writer.acknowledged.size(), writer.errorAnswers.size(),
                writer.connectionFailures.size());
        assertThat(writer.errorAnswers).isEmpty();
        assertThat(writer.acknowledged).hasSizeGreaterThan(10);
        Set<String> stored = inner().configMaps().inNamespace("default").list().getItems().stream()
                .map(map -> map.getMetadata().getName()).collect(Collectors.toSet());
        assertThat(stored).containsAll(writer.acknowledged);
    }

    @Test
    @Order(5)
    void anUninstallRemovesWhatTheReleaseMadeButTheStatefulSetsClaim() throws Exception {
        // The inner agent's pods first: stopped with them, it removes their sandboxes and its containerd.
        inner().apps().deployments().inNamespace("default").withName("hello").delete();
        await().atMost(START).untilAsserted(() -> assertThat(inner().pods().inNamespace("default")
                .withLabel("app", "hello").list().getItems()).isEmpty());
        // What the release made, so that its removal below is not an absence from the start.
        assertThat(outer.serviceAccounts().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems())
                .isNotEmpty();
        assertThat(outer.rbac().roles().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems())
                .isNotEmpty();
        assertThat(outer.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE)
                .list().getItems()).hasSize(1);
        new Helm(chart).uninstall(RELEASE).withNamespace(NAMESPACE).withKubeConfig(cluster.kubeconfig()).call();
        await().atMost(START).untilAsserted(() -> {
            assertThat(outer.pods().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems()).isEmpty();
            assertThat(outer.apps().deployments().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                    .getItems()).isEmpty();
            assertThat(outer.apps().statefulSets().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                    .getItems()).isEmpty();
            assertThat(outer.apps().daemonSets().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                    .getItems()).isEmpty();
            assertThat(outer.services().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems())
                    .isEmpty();
            assertThat(outer.configMaps().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems())
                    .isEmpty();
            assertThat(outer.serviceAccounts().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                    .getItems()).isEmpty();
            assertThat(outer.rbac().roles().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list().getItems())
                    .isEmpty();
            assertThat(outer.rbac().roleBindings().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                    .getItems()).isEmpty();
            assertThat(outer.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE)
                    .list().getItems()).isEmpty();
            assertThat(outer.secrets().inNamespace(NAMESPACE).list().getItems())
                    .noneMatch(secret -> secret.getMetadata().getName().startsWith("sh.helm.release"))
                    .noneMatch(secret -> RELEASE.equals(secret.getMetadata().getLabels() == null ? null
                            : secret.getMetadata().getLabels().get(INSTANCE)));
        });
        // A StatefulSet's claims outlive it (Kubernetes' default persistentVolumeClaimRetentionPolicy: Retain).
        assertThat(outer.persistentVolumeClaims().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE).list()
                .getItems()).singleElement().satisfies(claim -> assertThat(claim.getMetadata().getName())
                .isEqualTo("data-" + RELEASE + "-postgresql-0"));
    }

    private static List<String> controlPlanePods() {
        return outer.pods().inNamespace(NAMESPACE).withLabel(INSTANCE, RELEASE)
                .withLabel("app.kubernetes.io/component", "control-plane").list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).filter(HelmInstallIT::ready)
                .map(pod -> pod.getMetadata().getName()).toList();
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** The installed Qube's address from the test: its Service's node port on the outer node. */
    private static String innerServer() {
        if (innerServer == null) {
            int nodePort = outer.services().inNamespace(NAMESPACE).withName(SERVICE).get().getSpec().getPorts()
                    .get(0).getNodePort();
            innerServer = "http://" + NODE.ip() + ":" + nodePort;
        }
        return innerServer;
    }

    private static Path innerKubeconfig() throws Exception {
        Path file = cluster.work.resolve("inner-kubeconfig");
        if (!Files.exists(file)) {
            Files.writeString(file, Files.readString(cluster.kubeconfig())
                    .replaceAll("server: *\\S+", "server: " + innerServer()));
        }
        return file;
    }

    private static KubernetesClient inner() throws Exception {
        if (inner == null) {
            inner = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(innerKubeconfig())))
                    .build();
        }
        return inner;
    }

    /** A client of the installed Qube that retries nothing itself: the writer decides what a retry is. */
    private static KubernetesClient innerWithoutRetries() throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(innerKubeconfig()));
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
