package io.qube.agent.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.qube.agent.runtime.ImageManager.RegistryCredentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The credentials a pod's imagePullSecrets hold for an image's registry, as the kubelet's keyring matches them:
 * {@code kubernetes.io/dockerconfigjson} ({@code .dockerconfigjson}, {@code auths}) and the older
 * {@code .dockercfg}; an entry matches when its host is the image's registry and its path (if any) a prefix of
 * the image's repository. Secrets that are missing or malformed are skipped, as the kubelet skips them.
 */
final class PullSecrets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PullSecrets() {
    }

    static List<RegistryCredentials> forImage(Pod pod, String image, PodSources sources) {
        List<RegistryCredentials> found = new ArrayList<>();
        String location = location(image);
        for (LocalObjectReference reference : pod.getSpec().getImagePullSecrets()) {
            if (reference.getName() == null) {
                continue;
            }
            Map<String, byte[]> keys = sources.secret(pod.getMetadata().getNamespace(), reference.getName());
            if (keys == null) {
                continue;
            }
            try {
                if (keys.containsKey(".dockerconfigjson")) {
                    collect(JSON.readTree(keys.get(".dockerconfigjson")).path("auths"), location, found);
                } else if (keys.containsKey(".dockercfg")) {
                    collect(JSON.readTree(keys.get(".dockercfg")), location, found);
                }
            } catch (IOException e) {
                // not JSON: the kubelet ignores such a secret too
            }
        }
        return found;
    }

    private static void collect(JsonNode auths, String location, List<RegistryCredentials> found) {
        for (Iterator<Map.Entry<String, JsonNode>> entries = auths.fields(); entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String key = normalized(entry.getKey());
            if (!(location.equals(key) || location.startsWith(key + "/"))) {
                continue;
            }
            JsonNode value = entry.getValue();
            String username = value.path("username").asText("");
            String password = value.path("password").asText("");
            String auth = value.path("auth").asText("");
            if (username.isEmpty() && !auth.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    continue; // not base64: the kubelet skips such an entry too
                }
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    username = decoded.substring(0, colon);
                    password = decoded.substring(colon + 1);
                }
            }
            if (!username.isEmpty()) {
                found.add(new RegistryCredentials(username, password));
            }
        }
    }

    /** A docker config key without scheme or trailing slash; Docker Hub's old URL is docker.io. */
    private static String normalized(String key) {
        String stripped = key.replaceFirst("^https?://", "");
        while (stripped.endsWith("/")) {
            stripped = stripped.substring(0, stripped.length() - 1);
        }
        if (stripped.equals("index.docker.io/v1") || stripped.equals("index.docker.io")) {
            return "docker.io";
        }
        return stripped;
    }

    /** registry/repository of an image reference, with Docker Hub's defaults (docker.io, library/). */
    static String location(String image) {
        String name = image;
        int at = name.indexOf('@');
        if (at >= 0) {
            name = name.substring(0, at);
        }
        int slash = name.indexOf('/');
        int colon = name.lastIndexOf(':');
        if (colon > slash) {
            name = name.substring(0, colon); // the tag
        }
        slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        if (slash < 0 || !(first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            return "docker.io/" + (slash < 0 ? "library/" + name : name);
        }
        return name;
    }
}
