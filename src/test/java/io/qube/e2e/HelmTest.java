package io.qube.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.launcher.KubeconfigWriter;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real Helm (its Go library, through helm-java) manages a chart's whole life on Qube: lint, template, install
 * into a new namespace, list and status, upgrade, uninstall, and an install Qube refuses. Helm is a client-go
 * program: its release records are Secrets written and deleted through typed clients in protobuf.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class HelmTest {

    private static final Path CHART = Path.of("src/test/resources/charts/webapp");

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
    void lintAndTemplate() {
        LintResult lint = new Helm(CHART).lint().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        String manifests = new Helm(CHART).template().withName("preview").set("message", "templated").call();
        assertThat(manifests).contains("kind: Deployment", "kind: Service", "kind: ConfigMap", "kind: Secret",
                "kind: ServiceAccount", "name: preview-web", "message: \"templated\"");
    }

    @Test
    void installUpgradeUninstall() {
        String namespace = "helm-life";
        Release installed = new Helm(CHART).install().withName("shop").withNamespace(namespace).createNamespace()
                .set("message", "first").withKubeConfigContents(kubeconfig).call();
        assertThat(installed.getStatus()).isEqualTo("deployed");
        assertThat(installed.getRevision()).isEqualTo("1");
        assertThat(client.namespaces().withName(namespace).get()).isNotNull();
        assertThat(client.configMaps().inNamespace(namespace).withName("shop-config").get().getData())
                .containsEntry("message", "first");
        assertThat(client.apps().deployments().inNamespace(namespace).withName("shop-web").get()).isNotNull();
        assertThat(client.services().inNamespace(namespace).withName("shop-web").get().getSpec().getClusterIP())
                .startsWith("10.");
        assertThat(client.serviceAccounts().inNamespace(namespace).withName("shop-sa").get()).isNotNull();
        assertThat(new String(Base64.getDecoder().decode(client.secrets().inNamespace(namespace)
                .withName("shop-secret").get().getData().get("token")), StandardCharsets.UTF_8))
                .isEqualTo("shop-token");

        List<Release> listed = Helm.list().withNamespace(namespace).withKubeConfigContents(kubeconfig).call();
        assertThat(listed).extracting(Release::getName, Release::getStatus).containsExactly(
                org.assertj.core.groups.Tuple.tuple("shop", "deployed"));
        Release status = Helm.status("shop").withNamespace(namespace).withKubeConfigContents(kubeconfig).call();
        assertThat(status.getStatus()).isEqualTo("deployed");

        Release upgraded = new Helm(CHART).upgrade().withName("shop").withNamespace(namespace)
                .set("message", "second").set("replicaCount", 3).withKubeConfigContents(kubeconfig).call();
        assertThat(upgraded.getRevision()).isEqualTo("2");
        assertThat(upgraded.getStatus()).isEqualTo("deployed");
        assertThat(client.configMaps().inNamespace(namespace).withName("shop-config").get().getData())
                .containsEntry("message", "second");
        assertThat(client.apps().deployments().inNamespace(namespace).withName("shop-web").get().getSpec()
                .getReplicas()).isEqualTo(3);
        assertThat(releaseSecrets(namespace, "shop")).hasSize(2);

        String uninstalled = Helm.uninstall("shop").withNamespace(namespace).withKubeConfigContents(kubeconfig)
                .call();
        assertThat(uninstalled).contains("shop");
        assertThat(client.configMaps().inNamespace(namespace).withName("shop-config").get()).isNull();
        assertThat(client.secrets().inNamespace(namespace).withName("shop-secret").get()).isNull();
        assertThat(client.services().inNamespace(namespace).withName("shop-web").get()).isNull();
        assertThat(client.serviceAccounts().inNamespace(namespace).withName("shop-sa").get()).isNull();
        assertThat(client.apps().deployments().inNamespace(namespace).withName("shop-web").get()).isNull();
        assertThat(releaseSecrets(namespace, "shop")).isEmpty();
        assertThat(Helm.list().withNamespace(namespace).withKubeConfigContents(kubeconfig).call()).isEmpty();
    }

    /**
     * A value that makes the Service invalid: Qube refuses it with its validation message, which Helm reports. Helm
     * by design keeps a "failed" release (and whatever it had created before) after a plain failed install; users
     * who want nothing left behind install with --atomic, which uninstalls on failure, so that is what is checked.
     */
    @Test
    void anInvalidValueFailsTheInstallAndLeavesNothing() {
        String namespace = "helm-invalid";
        assertThatThrownBy(() -> new Helm(CHART).install().withName("broken").withNamespace(namespace)
                .createNamespace().atomic().set("servicePort", 99999).withKubeConfigContents(kubeconfig).call())
                .hasMessageContaining("Service \"broken-web\" is invalid")
                .hasMessageContaining("spec.ports[0].port");
        assertThat(releaseSecrets(namespace, "broken")).isEmpty();
        assertThat(client.configMaps().inNamespace(namespace).withName("broken-config").get()).isNull();
        assertThat(client.secrets().inNamespace(namespace).withName("broken-secret").get()).isNull();
        assertThat(client.serviceAccounts().inNamespace(namespace).withName("broken-sa").get()).isNull();
        assertThat(client.services().inNamespace(namespace).withName("broken-web").get()).isNull();
        assertThat(client.apps().deployments().inNamespace(namespace).withName("broken-web").get()).isNull();
        assertThat(Helm.list().all().withNamespace(namespace).withKubeConfigContents(kubeconfig).call()).isEmpty();
    }

    private List<?> releaseSecrets(String namespace, String release) {
        return client.secrets().inNamespace(namespace).withLabel("owner", "helm").withLabel("name", release).list()
                .getItems();
    }
}
