package io.qube.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.launcher.KubeconfigWriter;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator bundle as real charts ship them, installed and uninstalled by the real Helm (helm-java): a
 * CustomResourceDefinition from the chart's crds/ folder and a custom resource of it, a ServiceAccount with a Role
 * and RoleBinding, an Ingress, a NetworkPolicy, a PodDisruptionBudget, a ResourceQuota and a LimitRange.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class HelmOperatorChartTest {

    private static final Path CHART = Path.of("src/test/resources/charts/operator");
    private static final ResourceDefinitionContext BACKUPS = new ResourceDefinitionContext.Builder()
            .withGroup("example.qube.io").withVersion("v1").withKind("Backup").withPlural("backups").withNamespaced(true)
            .build();

    @TestHTTPResource
    URL server;

    private String kubeconfig;
    private KubernetesClient client;

    @BeforeEach
    void connect() {
        kubeconfig = KubeconfigWriter.kubeconfig("http://127.0.0.1:" + server.getPort());
        client = Fabric8Clients.to(server);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void anOperatorBundleInstallsAndUninstalls() {
        String namespace = "helm-operator";
        Release installed = new Helm(CHART).install().withName("shop").withNamespace(namespace).createNamespace()
                .withKubeConfigContents(kubeconfig).call();

        assertThat(installed.getStatus()).isEqualTo("deployed");
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("backups.example.qube.io").get())
                .isNotNull();
        GenericKubernetesResource backup = client.genericKubernetesResources(BACKUPS).inNamespace(namespace)
                .withName("shop-nightly").get();
        assertThat(backup.getAdditionalProperties()).extractingByKey("spec")
                .asString().contains("schedule=0 3 * * *").contains("keep=7");
        assertThat(client.rbac().roles().inNamespace(namespace).withName("shop-operator").get().getRules())
                .hasSize(2);
        assertThat(client.rbac().roleBindings().inNamespace(namespace).withName("shop-operator").get()
                .getSubjects()).singleElement().satisfies(subject ->
                assertThat(subject.getName()).isEqualTo("shop-operator"));
        assertThat(client.network().v1().ingresses().inNamespace(namespace).withName("shop-web").get().getSpec()
                .getRules()).singleElement().satisfies(rule ->
                assertThat(rule.getHost()).isEqualTo("shop.example.test"));
        assertThat(client.network().v1().networkPolicies().inNamespace(namespace).withName("shop-web").get()
                .getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName("shop-web").get())
                .isNotNull();
        assertThat(client.resourceQuotas().inNamespace(namespace).withName("shop-quota").get().getSpec().getHard())
                .containsKeys("pods", "requests.cpu");
        assertThat(client.limitRanges().inNamespace(namespace).withName("shop-limits").get()).isNotNull();

        Helm.uninstall("shop").withNamespace(namespace).withKubeConfigContents(kubeconfig).call();

        assertThat(client.genericKubernetesResources(BACKUPS).inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(client.rbac().roles().inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(client.network().v1().ingresses().inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(client.resourceQuotas().inNamespace(namespace).list().getItems()).isEmpty();
        assertThat(client.limitRanges().inNamespace(namespace).list().getItems()).isEmpty();
        // Helm leaves the CRDs of crds/ installed, as it documents: their resources may outlive a release.
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("backups.example.qube.io").get())
                .isNotNull();
        assertThat(Helm.list().withNamespace(namespace).withKubeConfigContents(kubeconfig).call()).isEmpty();
    }
}
