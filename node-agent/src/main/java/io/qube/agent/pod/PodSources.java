package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ConfigMaps and Secrets pods take env and volumes from, and the claims and volumes behind their
 * persistentVolumeClaim volumes, read from the API when a container starts.
 */
class PodSources {

    private final KubernetesClient client;

    PodSources(KubernetesClient client) {
        this.client = client;
    }

    /** The ConfigMap's keys (data and binaryData), or null when it does not exist. */
    Map<String, byte[]> configMap(String namespace, String name) {
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
        if (map == null) {
            return null;
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        if (map.getData() != null) {
            map.getData().forEach((key, value) -> keys.put(key, value.getBytes(StandardCharsets.UTF_8)));
        }
        if (map.getBinaryData() != null) {
            map.getBinaryData().forEach((key, value) -> keys.put(key, Base64.getDecoder().decode(value)));
        }
        return keys;
    }

    /** The Secret's keys, decoded, or null when it does not exist. */
    Map<String, byte[]> secret(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return null;
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> keys.put(key, Base64.getDecoder().decode(value)));
        }
        return keys;
    }

    /** The keys of a ConfigMap ({@code secret} false) or Secret, or a {@link MissingSource} naming it as the kubelet does. */
    Map<String, byte[]> required(String namespace, String name, boolean secret) throws MissingSource {
        Map<String, byte[]> keys = secret ? secret(namespace, name) : configMap(namespace, name);
        if (keys == null) {
            throw new MissingSource((secret ? "secret" : "configmap") + " \"" + name + "\" not found");
        }
        return keys;
    }

    /** The claim, or null when it does not exist. */
    PersistentVolumeClaim claim(String namespace, String name) {
        return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
    }

    /** The volume, or null when it does not exist. */
    PersistentVolume volume(String name) {
        return client.persistentVolumes().withName(name).get();
    }
}
