package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.client.StorageNames;

/**
 * The default StorageClass {@code local-path}, as k3s ships one: volumes are directories that the node agents make
 * under their data directory ({@code qube.io/local-path}, node-local, so binding waits for the pod's node). Made
 * when missing, like an addon in EnsureExists mode; a user's changes to it are left as they are.
 */
final class LocalPathStorageClass {

    static final String NAME = "local-path";

    private LocalPathStorageClass() {
    }

    static StorageClass storageClass() {
        return new StorageClassBuilder().withNewMetadata().withName(NAME)
                .addToAnnotations(StorageNames.DEFAULT_CLASS, "true").endMetadata()
                .withProvisioner(StorageNames.LOCAL_PATH).withReclaimPolicy("Delete").withVolumeBindingMode("WaitForFirstConsumer")
                .build();
    }

    /** Creates the class if it does not exist. */
    static void ensure(KubernetesClient client) {
        if (client.storage().v1().storageClasses().withName(NAME).get() != null) {
            return;
        }
        try {
            client.storage().v1().storageClasses().resource(storageClass()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e; // another apiserver made it meanwhile otherwise
            }
        }
    }
}
