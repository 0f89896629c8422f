package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A container's environment as the kubelet makes it: the runtime's base (what an image would give), then
 * {@code envFrom} sources in order, then {@code env} entries in order, each value expanded against what is
 * defined before it. A missing source or key that is not optional is a {@link MissingSource}
 * ({@code CreateContainerConfigError}).
 */
final class ContainerEnv {

    private ContainerEnv() {
    }

    static Map<String, String> of(Pod pod, Container container, Map<String, String> base, PodSources sources,
                                  DownwardValues downward) throws MissingSource {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>(base);
        for (EnvFromSource from : container.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            boolean secret = from.getSecretRef() != null;
            String name = secret ? from.getSecretRef().getName() : from.getConfigMapRef() == null ? null
                    : from.getConfigMapRef().getName();
            if (name == null) {
                continue;
            }
            Boolean optional = secret ? from.getSecretRef().getOptional() : from.getConfigMapRef().getOptional();
            Map<String, byte[]> keys = Boolean.TRUE.equals(optional)
                    ? orEmpty(secret ? sources.secret(namespace, name) : sources.configMap(namespace, name))
                    : sources.required(namespace, name, secret);
            keys.forEach((key, value) -> env.put(prefix + key, new String(value, StandardCharsets.UTF_8)));
        }
        for (EnvVar variable : container.getEnv()) {
            String value = variable.getValueFrom() == null ? Expansion.expand(orEmpty(variable.getValue()), env)
                    : valueFrom(namespace, variable.getValueFrom(), container, sources, downward);
            if (value != null) {
                env.put(variable.getName(), value);
            }
        }
        return env;
    }

    /** Null for an optional reference that is not there: the variable is left out. */
    private static String valueFrom(String namespace, EnvVarSource source, Container container, PodSources sources,
                                    DownwardValues downward) throws MissingSource {
        if (source.getFieldRef() != null) {
            return downward.field(source.getFieldRef());
        }
        if (source.getResourceFieldRef() != null) {
            return downward.resource(source.getResourceFieldRef(), container);
        }
        boolean secret = source.getSecretKeyRef() != null;
        String name = secret ? source.getSecretKeyRef().getName() : source.getConfigMapKeyRef().getName();
        String key = secret ? source.getSecretKeyRef().getKey() : source.getConfigMapKeyRef().getKey();
        boolean optional = Boolean.TRUE.equals(secret ? source.getSecretKeyRef().getOptional()
                : source.getConfigMapKeyRef().getOptional());
        Map<String, byte[]> keys = secret ? sources.secret(namespace, name) : sources.configMap(namespace, name);
        if (keys == null || !keys.containsKey(key)) {
            if (optional) {
                return null;
            }
            if (keys == null) {
                throw new MissingSource((secret ? "secret" : "configmap") + " \"" + name + "\" not found");
            }
            throw new MissingSource("couldn't find key " + key + " in " + (secret ? "Secret " : "ConfigMap ")
                    + namespace + "/" + name);
        }
        return new String(keys.get(key), StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> orEmpty(Map<String, byte[]> keys) {
        return keys == null ? Map.of() : keys;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
