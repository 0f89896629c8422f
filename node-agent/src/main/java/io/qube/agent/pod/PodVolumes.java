package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets up a pod's volumes under its sandbox directory, as the kubelet's volume plugins do: emptyDir a directory
 * of the pod's, configMap, secret, downwardAPI and projected written by the {@link AtomicWriter} (so updates reach
 * running containers), hostPath the host's own path after its type check. A source that is missing is a
 * {@link MissingSource} with the kubelet's wording; the pod waits for it.
 */
final class PodVolumes {

    /** The kubelet's default file mode for projected volumes, 0644. */
    private static final int DEFAULT_MODE = 0644;

    private final PodSources sources;

    PodVolumes(PodSources sources) {
        this.sources = sources;
    }

    /** The host path of every volume, by name, after setting each up. */
    Map<String, Path> setUp(Pod pod, Path podDirectory, DownwardValues downward) throws MissingSource, IOException {
        Map<String, Path> paths = new LinkedHashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path directory = podDirectory.resolve("volumes").resolve(volume.getName());
            try {
                paths.put(volume.getName(), setUp(pod, volume, directory, downward));
            } catch (MissingSource e) {
                throw new MissingSource("MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : "
                        + e.getMessage());
            }
        }
        return paths;
    }

    private Path setUp(Pod pod, Volume volume, Path directory, DownwardValues downward)
            throws MissingSource, IOException {
        String namespace = pod.getMetadata().getNamespace();
        if (volume.getHostPath() != null) {
            return hostPath(volume.getHostPath());
        }
        if (volume.getConfigMap() != null) {
            var source = volume.getConfigMap();
            AtomicWriter.write(directory, keyFiles(namespace, source.getName(), false, source.getItems(),
                    source.getOptional(), mode(source.getDefaultMode(), DEFAULT_MODE)));
        } else if (volume.getSecret() != null) {
            var source = volume.getSecret();
            AtomicWriter.write(directory, keyFiles(namespace, source.getSecretName(), true, source.getItems(),
                    source.getOptional(), mode(source.getDefaultMode(), DEFAULT_MODE)));
        } else if (volume.getDownwardAPI() != null) {
            AtomicWriter.write(directory, downwardFiles(volume.getDownwardAPI().getItems(),
                    mode(volume.getDownwardAPI().getDefaultMode(), DEFAULT_MODE), downward));
        } else if (volume.getProjected() != null) {
            AtomicWriter.write(directory, projected(namespace, volume.getProjected().getSources(),
                    mode(volume.getProjected().getDefaultMode(), DEFAULT_MODE), downward));
        } else if (volume.getEmptyDir() != null) {
            Files.createDirectories(directory);
        } else {
            throw new MissingSource("the volume's type is not supported by this node's runtime (supported: emptyDir, "
                    + "configMap, secret, downwardAPI, projected, hostPath)");
        }
        return directory;
    }

    private static Path hostPath(HostPathVolumeSource source) throws MissingSource, IOException {
        Path path = Path.of(source.getPath());
        String type = source.getType() == null ? "" : source.getType();
        switch (type) {
            case "DirectoryOrCreate" -> Files.createDirectories(path);
            case "FileOrCreate" -> {
                if (!Files.exists(path)) {
                    Files.createDirectories(path.getParent());
                    Files.createFile(path);
                }
            }
            case "Directory" -> check(Files.isDirectory(path), path, "a directory");
            case "File" -> check(Files.isRegularFile(path), path, "a file");
            case "Socket", "CharDevice", "BlockDevice" -> check(Files.exists(path) && !Files.isDirectory(path)
                    && !Files.isRegularFile(path), path, "a " + type);
            default -> {
                // "" checks nothing, as in Kubernetes
            }
        }
        return path;
    }

    private static void check(boolean holds, Path path, String what) throws MissingSource {
        if (!holds) {
            throw new MissingSource("hostPath type check failed: " + path + " is not " + what);
        }
    }

    private Map<String, AtomicWriter.File> keyFiles(String namespace, String name, boolean secret,
                                                    List<KeyToPath> items, Boolean optional, int defaultMode)
            throws MissingSource {
        Map<String, byte[]> keys = secret ? sources.secret(namespace, name) : sources.configMap(namespace, name);
        if (keys == null) {
            if (Boolean.TRUE.equals(optional)) {
                return Map.of();
            }
            throw new MissingSource((secret ? "secret" : "configmap") + " \"" + name + "\" not found");
        }
        Map<String, AtomicWriter.File> files = new LinkedHashMap<>();
        if (items == null || items.isEmpty()) {
            keys.forEach((key, value) -> files.put(key, new AtomicWriter.File(value, defaultMode)));
            return files;
        }
        for (KeyToPath item : items) {
            byte[] value = keys.get(item.getKey());
            if (value == null) {
                if (Boolean.TRUE.equals(optional)) {
                    continue;
                }
                throw new MissingSource((secret ? "secret" : "configmap") + " references non-existent "
                        + (secret ? "secret" : "config") + " key: " + item.getKey());
            }
            files.put(item.getPath(), new AtomicWriter.File(value, mode(item.getMode(), defaultMode)));
        }
        return files;
    }

    private static Map<String, AtomicWriter.File> downwardFiles(List<DownwardAPIVolumeFile> items, int defaultMode,
                                                                DownwardValues downward) throws MissingSource {
        Map<String, AtomicWriter.File> files = new LinkedHashMap<>();
        for (DownwardAPIVolumeFile item : items) {
            String value = item.getFieldRef() != null ? downward.field(item.getFieldRef())
                    : downward.resource(item.getResourceFieldRef(), null);
            files.put(item.getPath(), new AtomicWriter.File(value.getBytes(StandardCharsets.UTF_8),
                    mode(item.getMode(), defaultMode)));
        }
        return files;
    }

    private Map<String, AtomicWriter.File> projected(String namespace, List<VolumeProjection> projections,
                                                     int defaultMode, DownwardValues downward) throws MissingSource {
        Map<String, AtomicWriter.File> files = new LinkedHashMap<>();
        for (VolumeProjection projection : projections) {
            if (projection.getConfigMap() != null) {
                ConfigMapProjection source = projection.getConfigMap();
                files.putAll(keyFiles(namespace, source.getName(), false, source.getItems(), source.getOptional(),
                        defaultMode));
            } else if (projection.getSecret() != null) {
                SecretProjection source = projection.getSecret();
                files.putAll(keyFiles(namespace, source.getName(), true, source.getItems(), source.getOptional(),
                        defaultMode));
            } else if (projection.getDownwardAPI() != null) {
                files.putAll(downwardFiles(projection.getDownwardAPI().getItems(), defaultMode, downward));
            } else if (projection.getServiceAccountToken() != null) {
                throw new MissingSource("serviceAccountToken projections need the TokenRequest API, which Qube "
                        + "does not serve yet");
            }
        }
        return files;
    }

    private static int mode(Integer mode, int absent) {
        return mode == null ? absent : mode;
    }
}
