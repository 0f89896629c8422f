package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigColumnsTest {

    private static final String CREATED = ago(Duration.ofDays(3).plusHours(4));

    @Test
    void configMapCountsTextAndBinaryEntries() {
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("settings")
                .withCreationTimestamp(CREATED).endMetadata().addToData("a", "1").addToData("b", "2")
                .addToBinaryData("logo.png", "iVBORw0KGgo=").build();

        assertThat(Rows.headers(ConfigColumns.configMap(), true)).containsExactly("NAME", "DATA", "AGE");
        assertThat(Rows.cells(ConfigColumns.configMap(), configMap)).containsExactly("settings", 3, "3d4h");
    }

    @Test
    void secretShowsItsTypeAndEntryCount() {
        Secret secret = new SecretBuilder().withNewMetadata().withName("db-credentials").withCreationTimestamp(CREATED)
                .endMetadata().withType("Opaque").addToData("username", "YWRtaW4=").addToData("password", "czNjcjN0")
                .build();
        Secret empty = new SecretBuilder().withNewMetadata().withName("tls").withCreationTimestamp(CREATED)
                .endMetadata().withType("kubernetes.io/tls").build();

        assertThat(Rows.headers(ConfigColumns.secret(), true)).containsExactly("NAME", "TYPE", "DATA", "AGE");
        assertThat(Rows.cells(ConfigColumns.secret(), secret)).containsExactly("db-credentials", "Opaque", 2, "3d4h");
        assertThat(Rows.cells(ConfigColumns.secret(), empty)).containsExactly("tls", "kubernetes.io/tls", 0, "3d4h");
    }

    @Test
    void serviceAccountCountsItsSecrets() {
        ServiceAccount account = new ServiceAccountBuilder().withNewMetadata().withName("default")
                .withCreationTimestamp(CREATED).endMetadata().addNewSecret().withName("default-token").endSecret()
                .build();

        assertThat(Rows.headers(ConfigColumns.serviceAccount(), true)).containsExactly("NAME", "SECRETS", "AGE");
        assertThat(Rows.cells(ConfigColumns.serviceAccount(), account)).containsExactly("default", 1, "3d4h");
    }
}
