package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.qube.apiserver.registry.FieldErrors;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/** Kubernetes' validation of a ConfigMap: keys usable as file names, at most 1 MiB, and frozen once immutable. */
final class ConfigMapValidation {

    /** Kubernetes' limit for the data of a ConfigMap or Secret, which must fit in one etcd value. */
    static final int MAX_DATA_BYTES = 1024 * 1024;

    private ConfigMapValidation() {
    }

    static void validate(ConfigMap configMap, ConfigMap old, FieldErrors errors) {
        Map<String, String> data = NullSafe.map(configMap.getData());
        Map<String, String> binaryData = NullSafe.map(configMap.getBinaryData());
        long size = 0;
        for (Map.Entry<String, String> entry : data.entrySet()) {
            String key = entry.getKey();
            String path = "data[" + key + "]";
            NameSyntax.configMapKey(key).forEach(problem -> errors.invalid(path, key, problem));
            if (binaryData.containsKey(key)) {
                errors.invalid(path, key, "duplicate of key present in binaryData");
            }
            size += NullSafe.string(entry.getValue()).getBytes(StandardCharsets.UTF_8).length;
        }
        for (Map.Entry<String, String> entry : binaryData.entrySet()) {
            String key = entry.getKey();
            String path = "binaryData[" + key + "]";
            NameSyntax.configMapKey(key).forEach(problem -> errors.invalid(path, key, problem));
            try {
                size += Base64.getDecoder().decode(NullSafe.string(entry.getValue())).length;
            } catch (IllegalArgumentException notBase64) {
                errors.invalid(path, "<binary data>", "illegal base64 data");
            }
        }
        if (size > MAX_DATA_BYTES) {
            // Kubernetes reports this on the whole object: an empty field path.
            errors.tooLong("", MAX_DATA_BYTES);
        }
        if (old != null && Boolean.TRUE.equals(old.getImmutable())) {
            if (!Boolean.TRUE.equals(configMap.getImmutable())) {
                errors.forbidden("immutable", "field is immutable when `immutable` is set");
            }
            if (!Objects.equals(data, NullSafe.map(old.getData()))) {
                errors.forbidden("data", "field is immutable when `immutable` is set");
            }
            if (!Objects.equals(binaryData, NullSafe.map(old.getBinaryData()))) {
                errors.forbidden("binaryData", "field is immutable when `immutable` is set");
            }
        }
    }
}
