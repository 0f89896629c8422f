package io.qube.agent.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cri runtime's test harness end to end: the images built from busybox, served by a local registry (one open,
 * one behind basic auth), pulled and run by a private containerd; and nothing of it left on the machine after.
 */
@ExtendWith(RegistryImagesExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRegistryIT {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String K8S = "k8s.io";

    private final LocalRegistry.Credentials user = new LocalRegistry.Credentials("qube",
            UUID.randomUUID().toString());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RegistryImages images;
    private LocalRegistry privateRegistry;
    private String privateBusybox;
    private TestContainerd containerd;

    @BeforeAll
    void start(RegistryImages images) {
        this.images = images;
        privateRegistry = LocalRegistry.start(user);
        privateBusybox = privateRegistry.push(TestImages.layout(), TestImages.BUSYBOX, "private/busybox",
                RegistryImages.TAG);
        containerd = TestContainerd.start(images.pause());
    }

    @AfterAll
    void stop() {
        try {
            if (containerd != null) {
                containerd.close();
                assertThat(containerd.processes()).as("containerd and its shims ended").isEmpty();
                assertThat(containerd.mounts()).as("mounts under containerd's directory").isEmpty();
                assertThat(containerd.directory()).doesNotExist();
            }
        } finally {
            if (privateRegistry != null) {
                privateRegistry.close();
            }
        }
    }

    @Test
    void servesTheBusyboxManifestAsBuilt() throws Exception {
        HttpResponse<byte[]> manifest = get(images.registry().url("/v2/busybox/manifests/" + RegistryImages.TAG),
                null);

        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(manifest.body()));
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        // skopeo copied the manifest byte for byte, so it is the one the layout's index names
        assertThat(digest).isEqualTo(layoutDigest(TestImages.BUSYBOX));
        assertThat(new String(manifest.body(), StandardCharsets.UTF_8))
                .contains("application/vnd.oci.image.layer.v1.tar+gzip");
    }

    @Test
    void privateRegistryAnswersOnlyWithCredentials() throws Exception {
        URI manifest = privateRegistry.url("/v2/private/busybox/manifests/" + RegistryImages.TAG);

        HttpResponse<byte[]> anonymous = get(privateRegistry.url("/v2/"), null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Basic"));
        assertThat(get(manifest, null).statusCode()).isEqualTo(401);
        assertThat(get(manifest, new LocalRegistry.Credentials(user.user(), "wrong")).statusCode()).isEqualTo(401);
        assertThat(get(privateRegistry.url("/v2/"), user).statusCode()).isEqualTo(200);
        assertThat(get(manifest, user).statusCode()).isEqualTo(200);
    }

    @Test
    void containerdPullsAndRunsBusyboxFromTheRegistry() {
        containerd.ctr("--namespace", K8S, "images", "pull", "--plain-http", images.busybox()).ok();

        assertThat(run(images.busybox(), "cat", TestImages.MARKER_PATH)).isEqualTo(TestImages.MARKER);
        assertThat(Path.of(TestImages.MARKER_PATH)).as("the marker is the image's, not the host's").doesNotExist();
        assertThat(run(images.busybox(), "ls", "/bin").lines()).containsAll(TestImages.APPLETS);
        assertThat(run(images.busybox(), "id")).startsWith("uid=0(root) gid=0(root)");
    }

    @Test
    void containerdPullsFromThePrivateRegistryOnlyWithCredentials() {
        Commands.Result anonymous = containerd.ctr("--namespace", K8S, "images", "pull", "--plain-http",
                privateBusybox);
        assertThat(anonymous.succeeded()).as(anonymous.output()).isFalse();
        assertThat(anonymous.output()).contains("401");

        containerd.ctr("--namespace", K8S, "images", "pull", "--plain-http", "--user", user.colonSeparated(),
                privateBusybox).ok();
        assertThat(containerd.ctr("--namespace", K8S, "images", "list", "--quiet").ok().lines())
                .contains(privateBusybox);
    }

    /** A pause container must end on SIGTERM, or stopping every sandbox would wait for its grace period and SIGKILL. */
    @Test
    void pauseImageSleepsUntilSigterm() {
        containerd.ctr("--namespace", K8S, "images", "pull", "--plain-http", images.pause()).ok();
        String id = uniqueId();
        containerd.ctr("--namespace", K8S, "run", "--detach", images.pause(), id).ok();
        try {
            assertThat(taskStatus(id)).isEqualTo("RUNNING");

            containerd.ctr("--namespace", K8S, "tasks", "kill", "--signal", "SIGTERM", id).ok();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> taskStatus(id).equals("STOPPED"));
        } finally {
            containerd.ctr("--namespace", K8S, "tasks", "delete", "--force", id);
            containerd.ctr("--namespace", K8S, "containers", "delete", id).ok();
        }
    }

    /** Runs the command in a new container of the image, removed after; its output. */
    private String run(String image, String... command) {
        List<String> arguments = new ArrayList<>(List.of("--namespace", K8S, "run", "--rm", image, uniqueId()));
        arguments.addAll(List.of(command));
        return containerd.ctr(arguments.toArray(String[]::new)).ok();
    }

    /** runc keeps its state under /run/containerd/runc/<namespace>/<id> for every containerd: ids must be unique. */
    private static String uniqueId() {
        return "qube-harness-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String taskStatus(String id) {
        return containerd.ctr("--namespace", K8S, "tasks", "list").ok().lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns[0].equals(id))
                .map(columns -> columns[columns.length - 1])
                .findFirst().orElse("absent");
    }

    private HttpResponse<byte[]> get(URI uri, LocalRegistry.Credentials credentials)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Accept", OCI_MANIFEST);
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.colonSeparated().getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String layoutDigest(String tag) throws IOException {
        JsonNode index = new ObjectMapper().readTree(Files.readString(TestImages.layout().resolve("index.json")));
        for (JsonNode manifest : index.get("manifests")) {
            if (tag.equals(manifest.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return manifest.get("digest").asText();
            }
        }
        throw new AssertionError("no " + tag + " in the layout's index: " + index);
    }
}
