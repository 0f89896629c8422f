package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sets up a pod's volumes under its sandbox directory, as the kubelet's volume plugins do: emptyDir a directory
 * of the pod's, configMap, secret, downwardAPI and projected written by the {@link AtomicWriter} (so updates reach
 * running containers), hostPath the host's own path after its type check, persistentVolumeClaim the directory of
 * the claim's bound volume (local or hostPath) on this node. With a pod fsGroup, emptyDir and local volumes get
 * its group ({@link VolumeOwnership}). A source that is missing (a claim not bound yet) is a {@link MissingSource}
 * with the kubelet's wording; the pod waits for it.
 */
final class PodVolumes {

    /** The kubelet's default file mode for projected volumes, 0644. */
    private static final int DEFAULT_MODE = 0644;

    private final PodSources sources;

    PodVolumes(PodSources sources) {
        this.sources = sources;
    }

    /**
     * The host path of every volume, by name, after setting each up.
     *
     * @param mounted what the pod's earlier set-ups did for good, which this one adds to
     */
    Map<String, Path> setUp(Pod pod, Path podDirectory, DownwardValues downward, Mounted mounted)
            throws MissingSource, IOException {
        Map<String, Path> paths = new LinkedHashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path directory = podDirectory.resolve("volumes").resolve(volume.getName());
            boolean owned = volume.getEmptyDir() != null;
            if (volume.getPersistentVolumeClaim() != null) {
                ClaimPath claim = mounted.claims.get(volume.getName());
                if (claim == null) {
                    claim = claimPath(pod.getMetadata().getNamespace(), volume);
                    mounted.claims.put(volume.getName(), claim);
                }
                paths.put(volume.getName(), claim.path());
                owned = claim.local() && !readOnly(pod, volume.getName());
            } else {
                try {
                    paths.put(volume.getName(), setUp(pod, volume, directory, downward));
                } catch (MissingSource e) {
                    throw new MissingSource("MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : "
                            + e.getMessage());
                }
            }
            var context = pod.getSpec().getSecurityContext();
            if (owned && context != null && context.getFsGroup() != null && !mounted.owned.contains(volume.getName())) {
                VolumeOwnership.apply(paths.get(volume.getName()), context.getFsGroup(),
                        context.getFsGroupChangePolicy(), false);
                mounted.owned.add(volume.getName());
            }
        }
        return paths;
    }

    /** Whether every mount of the volume is read-only: a persistentVolumeClaim volume with {@code readOnly}. */
    static boolean readOnly(Pod pod, String volumeName) {
        return pod.getSpec().getVolumes().stream().anyMatch(volume -> volume.getName().equals(volumeName)
                && volume.getPersistentVolumeClaim() != null
                && Boolean.TRUE.equals(volume.getPersistentVolumeClaim().getReadOnly()));
    }

    /**
     * The host directory of the claim's bound volume, or why there is none yet in the kubelet's words (the claim
     * missing, being deleted, not bound; its volume missing or not one this node can mount).
     */
    private ClaimPath claimPath(String namespace, Volume volume) throws MissingSource, IOException {
        String name = volume.getPersistentVolumeClaim().getClaimName();
        try {
            PersistentVolumeClaim claim = sources.claim(namespace, name);
            if (claim == null) {
                throw new MissingSource("failed to fetch PVC from API server: persistentvolumeclaims \"" + name
                        + "\" not found");
            }
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                throw new MissingSource("can't start pod because PVC " + namespace + "/" + name + " is being deleted");
            }
            String phase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
            String volumeName = claim.getSpec().getVolumeName();
            if (!"Bound".equals(phase) || volumeName == null || volumeName.isEmpty()) {
                throw new MissingSource("PVC " + namespace + "/" + name + " has non-bound phase (\""
                        + (phase == null ? "" : phase) + "\") or empty pvc.Spec.VolumeName (\""
                        + (volumeName == null ? "" : volumeName) + "\")");
            }
            PersistentVolume bound = sources.volume(volumeName);
            if (bound == null) {
                throw new MissingSource("failed to fetch PV \"" + volumeName + "\" from API server: "
                        + "persistentvolumes \"" + volumeName + "\" not found");
            }
            var claimRef = bound.getSpec().getClaimRef();
            if (claimRef == null || !claim.getMetadata().getUid().equals(claimRef.getUid())) {
                throw new MissingSource("found PV object \"" + volumeName + "\" but its ClaimRef.UID (\""
                        + (claimRef == null ? "" : claimRef.getUid()) + "\") does not point to claim.UID (\""
                        + claim.getMetadata().getUid() + "\")");
            }
            if (bound.getSpec().getLocal() != null) {
                Path path = Path.of(bound.getSpec().getLocal().getPath());
                if (!Files.isDirectory(path)) {
                    throw new MissingSource("MountVolume.NewMounter initialization failed for volume \"" + volumeName
                            + "\" : path \"" + path + "\" does not exist");
                }
                return new ClaimPath(path, true);
            }
            if (bound.getSpec().getHostPath() != null) {
                return new ClaimPath(hostPath(bound.getSpec().getHostPath()), false);
            }
            throw new MissingSource("volume \"" + volumeName + "\" is neither a local nor a hostPath volume, the "
                    + "kinds this node mounts");
        } catch (MissingSource e) {
            throw new MissingSource("Unable to attach or mount volumes: unmounted volumes=[" + volume.getName()
                    + "], unattached volumes=[], failed to process volumes=[" + volume.getName() + "]: error "
                    + "processing PVC " + namespace + "/" + name + ": " + e.getMessage());
        }
    }

    /** A claim's volume on this node: its directory and whether the pod's fsGroup owns it (local, not hostPath). */
    private record ClaimPath(Path path, boolean local) {
    }

    /**
     * What a pod's earlier set-ups did for good, kept by its worker: each claim's volume once resolved (a mounted
     * volume stays while the pod runs, as in the kubelet, even when its claim is deleted meanwhile) and the volumes
     * given to the fsGroup already (the kubelet does it once, at the mount).
     */
    static final class Mounted {
        private final Map<String, ClaimPath> claims = new HashMap<>();
        private final Set<String> owned = new HashSet<>();
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
                    + "configMap, secret, downwardAPI, projected, hostPath, persistentVolumeClaim)");
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
