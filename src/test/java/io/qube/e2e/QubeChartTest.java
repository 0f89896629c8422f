package io.qube.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The installation chart helm/qube, checked with the real Helm (helm-java): lint, then templates with the default
 * values and each documented variant of helm/qube/ci, every rendered object sent to Qube's own API as a server-side
 * dry run (`?dryRun=All`: defaults, schema and validation, nothing stored).
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class QubeChartTest {

    private static final Path CHART = Path.of("helm/qube");
    private static final Path DASHBOARD = CHART.resolve("files/grafana-dashboard.json");
    private static final ResourceDefinitionContext SERVICE_MONITORS = new ResourceDefinitionContext.Builder()
            .withGroup("monitoring.coreos.com").withVersion("v1").withKind("ServiceMonitor")
            .withPlural("servicemonitors").withNamespaced(true).build();

    @TestHTTPResource
    URL server;

    private KubernetesClient client;

    @BeforeEach
    void connect() {
        client = Fabric8Clients.to(server);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theChartLintsCleanStrictly() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.startsWith("[ERROR]")
                || message.startsWith("[WARNING]"));
    }

    @Test
    void theDefaultValuesRenderOneApiserverOnItsEmbeddedDatabaseAndANodeAgentOnEveryNode() {
        String namespace = "chart-default";
        List<HasMetadata> objects = render(namespace, null);

        Map<String, Object> deployment = spec(objects, "Deployment");
        assertThat(deployment).containsEntry("replicas", 1);
        assertThat(text(objects, "Deployment")).contains("type: Recreate").contains("/q/health/live")
                .contains("/q/health/ready").doesNotContain("QUARKUS_DATASOURCE_REACTIVE_URL");
        assertThat(kinds(objects)).doesNotContain("StatefulSet", "PodDisruptionBudget", "ServiceMonitor");
        String daemonSet = text(objects, "DaemonSet");
        assertThat(daemonSet).contains("hostNetwork: true").contains("hostPID: true").contains("privileged: true")
                .contains("--runtime=cri").contains("--container-runtime-endpoint=/run/containerd/containerd.sock")
                .contains("operator: Exists");
        for (HasMetadata object : objects) {
            assertThat(object.getMetadata().getLabels()).as("%s %s", object.getKind(), object.getMetadata().getName())
                    .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance",
                            "app.kubernetes.io/version", "app.kubernetes.io/managed-by",
                            "app.kubernetes.io/component", "helm.sh/chart");
        }
        dryRunAll(namespace, objects);
    }

    @ParameterizedTest
    @ValueSource(strings = {"external-db", "bundled-db", "replicas-3", "monitoring"})
    void eachDocumentedVariantRendersAndQubesApiAcceptsEveryObject(String variant) {
        String namespace = "chart-" + variant;
        List<HasMetadata> objects = render(namespace, CHART.resolve("ci/" + variant + "-values.yaml"));

        assertThat(kinds(objects)).contains("Deployment", "Service", "PodDisruptionBudget", "DaemonSet",
                "ServiceAccount", "Role", "RoleBinding", "ConfigMap");
        String deployment = text(objects, "Deployment");
        assertThat(deployment).contains("QUARKUS_DATASOURCE_REACTIVE_URL").contains("secretKeyRef")
                .contains("maxUnavailable: 0");
        switch (variant) {
            case "external-db" -> {
                assertThat(deployment).contains("postgresql://postgres.databases.svc:5432/qube")
                        .contains("name: qube-db");
                assertThat(kinds(objects)).doesNotContain("StatefulSet", "Secret");
            }
            case "bundled-db" -> {
                assertThat(deployment).contains("postgresql://" + namespace + "-qube-postgresql:5432/qube");
                Map<String, Object> statefulSet = spec(objects, "StatefulSet");
                assertThat(statefulSet.get("volumeClaimTemplates")).asString().contains("storage=2Gi");
                assertThat(kinds(objects)).contains("Secret");
            }
            case "replicas-3" -> assertThat(spec(objects, "Deployment")).containsEntry("replicas", 3);
            case "monitoring" -> {
                assertThat(kinds(objects)).contains("ServiceMonitor");
                // The dashboard file comes from the monitoring work (files/grafana-dashboard.json): without it the
                // chart renders no dashboard ConfigMap rather than an empty one.
                boolean dashboard = objects.stream().anyMatch(object -> object.getMetadata().getName()
                        .endsWith("-dashboard"));
                assertThat(dashboard).as("dashboard ConfigMap rendered iff %s exists", DASHBOARD)
                        .isEqualTo(Files.exists(DASHBOARD));
            }
            default -> throw new AssertionError("no expectations for " + variant);
        }
        dryRunAll(namespace, objects);
    }

    @Test
    void incompleteDatabaseSettingsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> template("chart-refused").set("controlPlane.replicaCount", 2).call())
                .hasMessageContaining("controlPlane.replicaCount > 1 needs a shared database");
        assertThatThrownBy(() -> template("chart-refused").set("externalDatabase.url", "postgresql://db/qube")
                .call()).hasMessageContaining("externalDatabase.existingSecret");
        assertThatThrownBy(() -> template("chart-refused").set("postgresql.enabled", true).call())
                .hasMessageContaining("postgresql.auth.password or postgresql.auth.existingSecret");
    }

    @Test
    void theValuesSchemaRefusesUnknownAndMistypedValues() {
        assertThatThrownBy(() -> template("chart-refused").set("nodeAgent.proxyMode", "ipvs").call())
                .hasMessageContaining("proxyMode");
        assertThatThrownBy(() -> template("chart-refused").set("controlPlane.replicas", 3).call())
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> template("chart-refused").set("externalDatabase.url", "mysql://db/qube")
                .set("externalDatabase.existingSecret", "db").call()).hasMessageContaining("url");
    }

    private TemplateCommand template(String namespace) {
        return new Helm(CHART).template().withName(namespace).withNamespace(namespace);
    }

    /** The chart rendered for release {@code namespace} in that namespace, with these values (null: defaults). */
    private List<HasMetadata> render(String namespace, Path values) {
        TemplateCommand template = template(namespace);
        if (values != null) {
            template = template.withValuesFile(values);
        }
        String yaml = template.call();
        try (InputStream in = new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))) {
            return client.load(in).items();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Creates the namespace, then sends every object as a dry-run create: Qube must accept each one and store none.
     * The ServiceMonitor kind is the Prometheus Operator's: its CRD is installed first, as a cluster with that
     * operator has it.
     */
    private void dryRunAll(String namespace, List<HasMetadata> objects) {
        Fabric8Clients.ensureNamespace(client, namespace);
        if (kinds(objects).contains("ServiceMonitor")) {
            installServiceMonitorCrd();
        }
        for (HasMetadata object : objects) {
            String what = object.getKind() + " " + object.getMetadata().getName();
            HasMetadata accepted;
            try {
                accepted = client.resource(object).inNamespace(namespace).dryRun().create();
            } catch (KubernetesClientException e) {
                throw new AssertionError(what + " refused by Qube's API: " + e.getStatus(), e);
            }
            assertThat(accepted.getMetadata().getName()).as(what).isEqualTo(object.getMetadata().getName());
            assertThat(accepted.getMetadata().getCreationTimestamp()).as(what + " defaulted by the server")
                    .isNotBlank();
        }
        assertThat(client.apps().deployments().inNamespace(namespace).list().getItems()).as("dry run stores nothing")
                .isEmpty();
        assertThat(client.configMaps().inNamespace(namespace).list().getItems())
                .noneMatch(configMap -> configMap.getMetadata().getName().startsWith(namespace));
    }

    private void installServiceMonitorCrd() {
        try (InputStream in = Files.newInputStream(Path.of("src/test/resources/charts/servicemonitor-crd.yaml"))) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
            client.resource(crd).createOr(existing -> existing.update());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                client.genericKubernetesResources(SERVICE_MONITORS).inAnyNamespace().list() != null);
    }

    private static List<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).toList();
    }

    private static HasMetadata only(List<HasMetadata> objects, String kind) {
        List<HasMetadata> ofKind = objects.stream().filter(object -> object.getKind().equals(kind)).toList();
        assertThat(ofKind).as(kind).hasSize(1);
        return ofKind.get(0);
    }

    /** The object as YAML without quotes, for the assertions on what it says. */
    private static String text(List<HasMetadata> objects, String kind) {
        return io.fabric8.kubernetes.client.utils.Serialization.asYaml(only(objects, kind)).replace("\"", "");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(List<HasMetadata> objects, String kind) {
        Map<String, Object> map = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
                .convertValue(only(objects, kind), Map.class);
        return ((Map<String, Object>) map.get("spec")).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue() == null ? "" : entry.getValue()));
    }
}
