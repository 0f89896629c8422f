package io.qube.apiserver.discovery;

import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The real kubectl 1.32 learns the API from discovery and OpenAPI alone: api-resources, api-versions, explain. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class KubectlDiscoveryTest {

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;

    @BeforeEach
    void freshKubectl() {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
    }

    @Test
    void versionDispatchesToKubectl132() {
        Kubectl.Result version = succeeded(kubectl.run("version", "-o", "json"));
        assertThat(version.stdout()).contains("\"gitVersion\": \"v1.32.0\"").contains("\"minor\": \"32\"");
    }

    @Test
    void apiResourcesListsEveryKindFromAggregatedDiscovery() {
        Kubectl.Result resources = succeeded(kubectl.run("api-resources", "-v=6"));
        assertThat(resources.stdout().lines())
                .anyMatch(line -> line.matches("pods\\s+po\\s+v1\\s+true\\s+Pod"))
                .anyMatch(line -> line.matches("namespaces\\s+ns\\s+v1\\s+false\\s+Namespace"))
                .anyMatch(line -> line.matches("nodes\\s+no\\s+v1\\s+false\\s+Node"))
                .anyMatch(line -> line.matches("bindings\\s+v1\\s+true\\s+Binding"))
                .anyMatch(line -> line.matches("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment"))
                .anyMatch(line -> line.matches("leases\\s+coordination.k8s.io/v1\\s+true\\s+Lease"))
                .anyMatch(line -> line.matches("endpointslices\\s+discovery.k8s.io/v1\\s+true\\s+EndpointSlice"))
                .anyMatch(line -> line.matches("priorityclasses\\s+pc\\s+scheduling.k8s.io/v1\\s+false\\s+PriorityClass"))
                .noneMatch(line -> line.startsWith("pods/"));
        // The aggregated answers to /api and /apis were enough: kubectl never fell back to per-group documents.
        assertThat(resources.stderr()).contains("/apis?timeout").doesNotContain("/api/v1?timeout")
                .doesNotContain("/apis/apps/v1?timeout");
    }

    @Test
    void apiResourcesWideShowsVerbsAndCategories() {
        Kubectl.Result wide = succeeded(kubectl.run("api-resources", "-o", "wide", "--api-group", "apps"));
        assertThat(wide.stdout().lines()).anyMatch(line -> line.startsWith("deployments")
                && line.contains("create,delete,deletecollection,get,list,patch,update,watch")
                && line.contains("all"));
    }

    @Test
    void apiVersions() {
        Kubectl.Result versions = succeeded(kubectl.run("api-versions"));
        assertThat(versions.stdout().lines()).containsExactly("apiextensions.k8s.io/v1", "apps/v1",
                "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2", "batch/v1", "coordination.k8s.io/v1",
                "discovery.k8s.io/v1", "metrics.k8s.io/v1beta1", "networking.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
                "scheduling.k8s.io/v1", "storage.k8s.io/v1", "v1");
    }

    @Test
    void explainPodContainers() {
        Kubectl.Result explain = succeeded(kubectl.run("explain", "pods.spec.containers"));
        assertThat(explain.stdout())
                .contains("KIND:       Pod")
                .contains("VERSION:    v1")
                .contains("FIELD: containers <[]Container>");
        assertThat(explain.stdout().lines().map(String::strip))
                .contains("image\t<string>", "name\t<string>", "ports\t<[]ContainerPort>", "env\t<[]EnvVar>",
                        "resources\t<ResourceRequirements>", "volumeMounts\t<[]VolumeMount>");
    }

    @Test
    void explainDeploymentReplicas() {
        Kubectl.Result explain = succeeded(kubectl.run("explain", "deployment.spec.replicas"));
        assertThat(explain.stdout())
                .contains("GROUP:      apps")
                .contains("KIND:       Deployment")
                .contains("FIELD: replicas <integer>");
        Kubectl.Result maxSurge = succeeded(kubectl.run("explain",
                "deployment.spec.strategy.rollingUpdate.maxSurge"));
        assertThat(maxSurge.stdout()).contains("FIELD: maxSurge <IntOrString>");
    }

    @Test
    void clientSideValidationAcceptsTheOpenApi(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
        // kubectl validates a manifest against /openapi/v3 before anything is sent; a client dry run stops there.
        Path manifest = directory.resolve("pod.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
                """);
        Kubectl.Result created = succeeded(kubectl.run("create", "--dry-run=client", "--validate=strict",
                "-o", "name", "-f", manifest.toString()));
        assertThat(created.stdout().strip()).isEqualTo("pod/web");
    }

    /**
     * A kind the server does not serve: kubectl finds it in neither the v3 nor (asking in protobuf) the v2 OpenAPI
     * document, lets validation pass, and then reports the mapping error Kubernetes users know.
     */
    @Test
    void unservedKindsAreNoMatchesForKind(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
        Path job = directory.resolve("deviceclass.yaml");
        Files.writeString(job, """
                apiVersion: resource.k8s.io/v1beta1
                kind: DeviceClass
                metadata:
                  name: gpus.example.com
                spec:
                  selectors: []
                """);
        for (String verb : new String[] {"apply", "create"}) {
            // -v=7 prints the request headers: the v2 document is asked for in gnostic's protobuf only.
            Kubectl.Result result = kubectl.run(verb, "-f", job.toString(), "-v=7");
            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.stderr()).as(result.describe())
                    .contains("no matches for kind \"DeviceClass\" in version \"resource.k8s.io/v1beta1\"")
                    .contains("/openapi/v2")
                    .contains("Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
                    .doesNotContain("content type");
        }

        for (String verb : new String[] {"apply", "create"}) {
            String configMap = "beside-a-widget-" + verb;
            Path mixed = directory.resolve(verb + "-mixed.yaml");
            Files.writeString(mixed, """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: %s
                    data:
                      k: v
                    ---
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata:
                      name: w
                    spec:
                      size: 3
                    """.formatted(configMap));
            Kubectl.Result result = kubectl.run(verb, "-f", mixed.toString());
            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.stdout()).as(result.describe()).contains("configmap/" + configMap + " created");
            assertThat(result.stderr()).as(result.describe())
                    .contains("no matches for kind \"Widget\" in version \"example.com/v1\"")
                    .contains("ensure CRDs are installed first")
                    .doesNotContain("content type");
            succeeded(kubectl.run("get", "configmap", configMap, "-n", "default"));
        }
    }

    private static Kubectl.Result succeeded(Kubectl.Result result) {
        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(result.stderr()).as(result.describe()).doesNotContain("Unhandled Error")
                .doesNotContain("couldn't get");
        return result;
    }
}
