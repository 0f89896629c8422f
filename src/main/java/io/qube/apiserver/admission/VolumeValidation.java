package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes' validation of a pod's volumes: unique DNS-label names, exactly one source each, and the required
 * fields of the common sources (secret, configMap, hostPath, persistentVolumeClaim, emptyDir).
 */
final class VolumeValidation {

    private static final String FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive";

    private VolumeValidation() {
    }

    /** @return the names of the volumes found valid, which containers' volume mounts may name */
    static Set<String> validate(List<Volume> volumes, String path, FieldErrors errors) {
        Set<String> valid = new HashSet<>();
        for (int i = 0; i < volumes.size(); i++) {
            Volume volume = volumes.get(i);
            String at = path + "[" + i + "]";
            int problemsBefore = errors.causes().size();
            source(volume, at, errors);
            String name = NullSafe.string(volume.getName());
            if (name.isEmpty()) {
                errors.required(at + ".name", "");
            } else {
                NameSyntax.dns1123Label(name).forEach(problem -> errors.invalid(at + ".name", name, problem));
            }
            if (valid.contains(name)) {
                errors.duplicate(at + ".name", name);
            }
            // Like Kubernetes, only a volume without problems counts: a mount naming a broken one is NotFound too.
            if (errors.causes().size() == problemsBefore) {
                valid.add(name);
            }
        }
        return valid;
    }

    /**
     * Exactly one source. Which fields are set is read from the volume's JSON because the model has one field per
     * volume type (about thirty); the first is kept, any further one refused.
     */
    private static void source(Volume volume, String path, FieldErrors errors) {
        ObjectNode json = Json.MAPPER.valueToTree(volume);
        json.remove("name");
        Iterator<String> sources = json.fieldNames();
        if (!sources.hasNext()) {
            errors.required(path, "must specify a volume type");
            return;
        }
        sources.next();
        sources.forEachRemaining(extra -> errors.forbidden(path + "." + extra, "may not specify more than 1 volume type"));
        if (volume.getSecret() != null) {
            if (NullSafe.isEmpty(volume.getSecret().getSecretName())) {
                errors.required(path + ".secret.secretName", "");
            }
            fileMode(volume.getSecret().getDefaultMode(), path + ".secret.defaultMode", errors);
            items(NullSafe.list(volume.getSecret().getItems()), path + ".secret.items", errors);
        }
        if (volume.getConfigMap() != null) {
            if (NullSafe.isEmpty(volume.getConfigMap().getName())) {
                errors.required(path + ".configMap.name", "");
            }
            fileMode(volume.getConfigMap().getDefaultMode(), path + ".configMap.defaultMode", errors);
            items(NullSafe.list(volume.getConfigMap().getItems()), path + ".configMap.items", errors);
        }
        if (volume.getHostPath() != null && NullSafe.isEmpty(volume.getHostPath().getPath())) {
            errors.required(path + ".hostPath.path", "");
        }
        if (volume.getPersistentVolumeClaim() != null
                && NullSafe.isEmpty(volume.getPersistentVolumeClaim().getClaimName())) {
            errors.required(path + ".persistentVolumeClaim.claimName", "");
        }
        if (volume.getEmptyDir() != null && volume.getEmptyDir().getSizeLimit() != null
                && Quantities.value(volume.getEmptyDir().getSizeLimit()).map(size -> size.signum() < 0).orElse(true)) {
            errors.forbidden(path + ".emptyDir.sizeLimit", "SizeLimit field must be a valid resource quantity");
        }
    }

    /** Items project single keys to files: each needs the key and a relative path that stays inside the volume. */
    private static void items(List<KeyToPath> items, String path, FieldErrors errors) {
        for (int i = 0; i < items.size(); i++) {
            KeyToPath item = items.get(i);
            String at = path + "[" + i + "]";
            if (NullSafe.isEmpty(item.getKey())) {
                errors.required(at + ".key", "");
            }
            String file = NullSafe.string(item.getPath());
            if (file.isEmpty()) {
                errors.required(at + ".path", "");
            } else if (file.startsWith("/")) {
                errors.invalid(at + ".path", file, "must be a relative path");
            } else if (List.of(file.split("/")).contains("..")) {
                errors.invalid(at + ".path", file, "must not contain '..'");
            } else if (file.startsWith("..")) {
                errors.invalid(at + ".path", file, "must not start with '..'");
            }
            fileMode(item.getMode(), at + ".mode", errors);
        }
    }

    private static void fileMode(Integer mode, String path, FieldErrors errors) {
        if (mode != null && (mode < 0 || mode > 0777)) {
            errors.invalid(path, mode, FILE_MODE);
        }
    }
}
