package io.qube.apiserver.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.Secret;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes' validation of a Secret: key syntax, at most 1 MiB of (decoded) data, the keys each well-known type
 * requires, and no change of type, nor of data once immutable. Runs after stringData was folded into data.
 */
final class SecretValidation {

    /** Values never appear in messages. */
    private static final String REDACTED = "<secret contents redacted>";

    private SecretValidation() {
    }

    static void validate(Secret secret, Secret old, FieldErrors errors) {
        Map<String, byte[]> data = decodedData(secret, errors);
        long size = 0;
        for (Map.Entry<String, byte[]> entry : data.entrySet()) {
            String key = entry.getKey();
            NameSyntax.configMapKey(key).forEach(problem -> errors.invalid("data[" + key + "]", key, problem));
            size += entry.getValue().length;
        }
        if (size > ConfigMapValidation.MAX_DATA_BYTES) {
            errors.tooLong("data", ConfigMapValidation.MAX_DATA_BYTES);
        }
        typeRequirements(secret, data, errors);
        if (old != null) {
            if (!Objects.equals(NullSafe.string(secret.getType()), NullSafe.string(old.getType()))) {
                errors.invalid("type", secret.getType(), "field is immutable");
            }
            if (Boolean.TRUE.equals(old.getImmutable())) {
                if (!Boolean.TRUE.equals(secret.getImmutable())) {
                    errors.forbidden("immutable", "field is immutable when `immutable` is set");
                }
                if (!Objects.equals(NullSafe.map(secret.getData()), NullSafe.map(old.getData()))) {
                    errors.forbidden("data", "field is immutable when `immutable` is set");
                }
            }
        }
    }

    /** The data values decoded from base64; a value that is not base64 is reported and left out. */
    private static Map<String, byte[]> decodedData(Secret secret, FieldErrors errors) {
        Map<String, byte[]> decoded = new LinkedHashMap<>();
        NullSafe.map(secret.getData()).forEach((key, value) -> {
            try {
                decoded.put(key, Base64.getDecoder().decode(NullSafe.string(value)));
            } catch (IllegalArgumentException notBase64) {
                errors.invalid("data[" + key + "]", REDACTED, "illegal base64 data");
            }
        });
        return decoded;
    }

    /** The keys consumers of each well-known type rely on. */
    private static void typeRequirements(Secret secret, Map<String, byte[]> data, FieldErrors errors) {
        switch (NullSafe.string(secret.getType())) {
            case "kubernetes.io/service-account-token" -> {
                String account = secret.getMetadata() == null ? null
                        : NullSafe.map(secret.getMetadata().getAnnotations()).get("kubernetes.io/service-account.name");
                if (NullSafe.isEmpty(account)) {
                    errors.required("metadata.annotations[kubernetes.io/service-account.name]", "");
                }
            }
            case "kubernetes.io/dockercfg" -> jsonKey(data, ".dockercfg", errors);
            case "kubernetes.io/dockerconfigjson" -> jsonKey(data, ".dockerconfigjson", errors);
            case "kubernetes.io/basic-auth" -> {
                // Either may be empty, but one of them must be there.
                if (!data.containsKey("username") && !data.containsKey("password")) {
                    errors.required("data[username]", "");
                    errors.required("data[password]", "");
                }
            }
            case "kubernetes.io/ssh-auth" -> {
                if (data.getOrDefault("ssh-privatekey", new byte[0]).length == 0) {
                    errors.required("data[ssh-privatekey]", "");
                }
            }
            case "kubernetes.io/tls" -> {
                if (!data.containsKey("tls.crt")) {
                    errors.required("data[tls.crt]", "");
                }
                if (!data.containsKey("tls.key")) {
                    errors.required("data[tls.key]", "");
                }
            }
            default -> {
                // Opaque and custom types carry whatever their users agree on.
            }
        }
    }

    private static void jsonKey(Map<String, byte[]> data, String key, FieldErrors errors) {
        if (!data.containsKey(key)) {
            errors.required("data[" + key + "]", "");
            return;
        }
        try {
            if (!Json.MAPPER.readTree(new String(data.get(key), StandardCharsets.UTF_8)).isObject()) {
                errors.invalid("data[" + key + "]", REDACTED, "must be a JSON object");
            }
        } catch (JsonProcessingException malformed) {
            errors.invalid("data[" + key + "]", REDACTED, malformed.getOriginalMessage());
        }
    }
}
