package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;

import static io.qube.apiserver.table.Cells.size;

/** What pods are configured with: config maps, secrets and service accounts. */
final class ConfigColumns {

    private ConfigColumns() {
    }

    /** NAME DATA AGE, counting text and binary entries alike. */
    static List<TableColumn<? super ConfigMap>> configMap() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Data", "string", "The number of entries, text and binary.",
                        (configMap, now) -> size(configMap.getData()) + size(configMap.getBinaryData())),
                CommonColumns.age());
    }

    /** NAME TYPE DATA AGE. */
    static List<TableColumn<? super Secret>> secret() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Type", "string", "Used to facilitate programmatic handling of secret data.",
                        (secret, now) -> Cells.text(secret.getType())),
                TableColumn.of("Data", "string", "The number of entries.", (secret, now) -> size(secret.getData())),
                CommonColumns.age());
    }

    /** NAME SECRETS AGE. */
    static List<TableColumn<? super ServiceAccount>> serviceAccount() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Secrets", "string", "The number of secrets pods running as this account may use.",
                        (account, now) -> size(account.getSecrets())),
                CommonColumns.age());
    }
}
