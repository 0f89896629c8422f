package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Secret is Opaque unless it says otherwise, and {@code stringData} is only a write-side convenience. */
final class SecretDefaults {

    private SecretDefaults() {
    }

    /**
     * Folds {@code stringData} into {@code data} (base64, winning over a {@code data} entry of the same key) and
     * drops it, as Kubernetes does before storing: reads never show stringData.
     */
    static void apply(Secret secret) {
        if (NullSafe.isEmpty(secret.getType())) {
            secret.setType("Opaque");
        }
        Map<String, String> stringData = NullSafe.map(secret.getStringData());
        if (!stringData.isEmpty()) {
            Map<String, String> data = new LinkedHashMap<>(NullSafe.map(secret.getData()));
            stringData.forEach((key, value) -> data.put(key,
                    Base64.getEncoder().encodeToString(NullSafe.string(value).getBytes(StandardCharsets.UTF_8))));
            secret.setData(data);
        }
        secret.setStringData(null);
    }
}
