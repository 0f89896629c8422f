package io.qube.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Qube's own images, built from docker/ by docker/build.sh (buildah, no Docker engine), pushed to a local registry
 * and run by the cri runtime: the control plane as a non-root pod that becomes Ready on its health endpoint and
 * answers /version, the node agent's image running its command.
 */
@ExtendWith(RegistryImagesExtension.class)
class QubeImagesIT {

    private static final String BRIDGE = "helmbr0";
    private static final String ROOT_IP = "10.125.0.1";
    private static final Host NODE = new Host("helm-a", "helm-a", "10.125.0.2", "10.125.1.0/24");
    private static final String POD_BRIDGE = "helmpod0";
    private static final String TAG = "it";
    /** The JVM and the embedded PostgreSQL start inside the pod, on a machine other tests share. */
    private static final Duration START = Duration.ofMinutes(5);
    /** A first build makes the Debian base with debootstrap; later ones reuse it from target/images. */
    private static final Duration BUILD = Duration.ofMinutes(40);

    private static CriHosts cluster;
    private static KubernetesClient client;
    private static String controlPlane;
    private static String nodeAgent;

    @BeforeAll
    static void buildPushAndStart(RegistryImages images) throws Exception {
        Path repository = Path.of("..").toAbsolutePath().normalize();
        Commands.run(BUILD, repository.resolve("docker/build.sh").toString(), "--push",
                images.registry().host(), "--tag", TAG).ok();
        controlPlane = images.registry().imageRef("qube/control-plane", TAG);
        nodeAgent = images.registry().imageRef("qube/node-agent", TAG);
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(NODE));
        client = cluster.client;
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void bothImagesCarryOciLabelsAndAHealthCheck() throws Exception {
        for (String image : List.of(controlPlane, nodeAgent)) {
            JsonNode config = imageConfig(image);
            assertThat(config.at("/config/Labels/org.opencontainers.image.title").asText()).as(image)
                    .startsWith("qube-");
            assertThat(config.at("/config/Labels/org.opencontainers.image.version").asText()).as(image)
                    .isEqualTo("0.1.0-SNAPSHOT");
            assertThat(config.at("/config/Labels/org.opencontainers.image.revision").asText()).as(image)
                    .matches("[0-9a-f]{40}");
            assertThat(config.at("/config/Healthcheck/Test").toString()).as(image).contains("curl");
        }
        assertThat(imageConfig(controlPlane).at("/config/User").asText()).isEqualTo("10001:10001");
        assertThat(imageConfig(nodeAgent).at("/config/User").asText()).as("the agent runs as root").isEmpty();
    }

    /** The image's configuration as the registry holds it (Docker's schema: the one with a health check). */
    private static JsonNode imageConfig(String image) throws Exception {
        return new ObjectMapper().readTree(Commands.run(Duration.ofMinutes(1), "skopeo", "inspect", "--raw",
                "--config", "--tls-verify=false", "docker://" + image).ok());
    }

    @Test
    void theControlPlaneImageRunsAsANonRootPodThatBecomesReadyAndServesTheApi() throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName("qube-control-plane").endMetadata()
                .withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext()
                .addNewContainer().withName("control-plane").withImage(controlPlane)
                .addNewPort().withName("http").withContainerPort(6443).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/q/health/ready").withNewPort(6443).endHttpGet()
                .withPeriodSeconds(2).endReadinessProbe()
                .endContainer().endSpec().build();
        client.pods().inNamespace("default").resource(pod).create();

        await().atMost(START).pollInterval(Duration.ofSeconds(1)).until(() ->
                podReady(client.pods().inNamespace("default").withName("qube-control-plane").get()));

        String version = cluster.kubectl.ok("exec", "qube-control-plane", "--", "curl", "-fsS",
                "http://127.0.0.1:6443/version");
        assertThat(version).contains("\"gitVersion\"").contains("\"platform\"");
        assertThat(cluster.kubectl.ok("exec", "qube-control-plane", "--", "id", "-u").strip()).isEqualTo("10001");
        assertThat(cluster.kubectl.ok("exec", "qube-control-plane", "--", "curl", "-fsS",
                "http://127.0.0.1:6443/q/health/ready")).contains("\"UP\"");
    }

    private static boolean podReady(Pod pod) {
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    @Test
    void theNodeAgentImageRunsItsCommand() throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName("qube-node-agent").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("node-agent").withImage(nodeAgent).withArgs("--help")
                .endContainer().endSpec().build();
        client.pods().inNamespace("default").resource(pod).create();

        await().atMost(START).pollInterval(Duration.ofSeconds(1)).until(() -> "Succeeded".equals(
                client.pods().inNamespace("default").withName("qube-node-agent").get().getStatus().getPhase()));

        assertThat(cluster.kubectl.ok("logs", "qube-node-agent")).contains("--kubeconfig")
                .contains("--container-runtime-endpoint").contains("--runtime");
    }
}
