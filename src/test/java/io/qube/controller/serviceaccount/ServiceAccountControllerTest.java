package io.qube.controller.serviceaccount;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.controller.ServiceControllersProfile;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ServiceAccount controller against the real API: every namespace, the system ones included, gets a
 * ServiceAccount "default", which comes back when deleted; a namespace being deleted gets none, so its deletion
 * completes.
 */
@QuarkusTest
@TestProfile(ServiceControllersProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class ServiceAccountControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Override
    protected String namespacePrefix() {
        return "sa";
    }

    @Test
    void everyNamespaceHasADefaultServiceAccount() {
        for (String name : List.of(namespace, "default", "kube-system", "kube-public", "kube-node-lease")) {
            await().atMost(PATIENCE).untilAsserted(() ->
                    assertThat(client.serviceAccounts().inNamespace(name).withName("default").get()).isNotNull());
        }
    }

    @Test
    void aDeletedDefaultServiceAccountIsMadeAgain() {
        await().atMost(PATIENCE).until(() -> account() != null);
        String uid = account().getMetadata().getUid();

        client.serviceAccounts().inNamespace(namespace).withName("default").delete();

        await().atMost(PATIENCE).untilAsserted(() -> {
            ServiceAccount again = account();
            assertThat(again).isNotNull();
            assertThat(again.getMetadata().getUid()).isNotEqualTo(uid);
        });
    }

    @Test
    void aNamespaceBeingDeletedGetsNoneAndGoes() {
        await().atMost(PATIENCE).until(() -> account() != null);

        client.namespaces().withName(namespace).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.namespaces().withName(namespace).get()).isNull());
        assertThat(account()).isNull();
    }

    private ServiceAccount account() {
        return client.serviceAccounts().inNamespace(namespace).withName("default").get();
    }
}
