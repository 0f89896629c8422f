package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.Nominator;
import io.qube.scheduler.framework.PodActions;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;
import io.qube.scheduler.framework.StorageLister;
import io.qube.scheduler.framework.VolumeActions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Handle for unit tests: a snapshot of given nodes, namespace labels, nominations and storage objects from maps,
 * and PodActions and VolumeActions that record what they are asked and succeed at once.
 */
public final class TestHandle implements Handle {

    /** One eviction asked for: the victim's key and the preemptor's. */
    public record Eviction(String victim, String preemptor) {
    }

    public final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    public final Map<String, List<PodInfo>> nominated = new HashMap<>();
    public final List<Eviction> evictions = new ArrayList<>();
    public final List<String> clearedNominations = new ArrayList<>();
    public final List<String> bindings = new ArrayList<>();
    public final List<Integer> preemptions = new ArrayList<>();
    public final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    public final Map<String, PersistentVolume> volumes = new LinkedHashMap<>();
    public final Map<String, StorageClass> storageClasses = new HashMap<>();
    /**
     * Volume writes asked for, "volume->namespace/claim" and "namespace/claim=node" (node null: removed); each is
     * applied to the maps at once, as the API and then the informers would show it.
     */
    public final List<String> volumeWrites = new ArrayList<>();
    /** Keys of pods the API no longer has. */
    public final List<String> deletedPods = new ArrayList<>();
    public LabelSelector defaultSpreadSelector;
    private final Snapshot snapshot;
    private Framework framework;

    public TestHandle(List<NodeInfo> nodes) {
        this(Snapshot.of(nodes));
    }

    /** A handle on a snapshot that someone else (a cache, in a benchmark) keeps up to date. */
    public TestHandle(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    public TestHandle() {
        this(List.of());
    }

    public TestHandle namespace(String name, String... keyValues) {
        namespaceLabels.put(name, Fixtures.map(keyValues));
        return this;
    }

    public TestHandle nominate(String nodeName, PodInfo pod) {
        nominated.computeIfAbsent(nodeName, n -> new ArrayList<>()).add(pod);
        return this;
    }

    /** The default profile's framework on this handle, each knowing the other. */
    public Framework defaultFramework() {
        Framework built = PluginRegistry.framework(PluginRegistry.Profile.defaults(), this);
        built.setHandle(this);
        this.framework = built;
        return built;
    }

    public void setFramework(Framework framework) {
        this.framework = framework;
        framework.setHandle(this);
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
        return namespaceLabels.getOrDefault(namespace, Map.of());
    }

    @Override
    public Nominator nominator() {
        // As the scheduler's own Nominations: nothing to copy while nothing is nominated.
        return nodeName -> nominated.isEmpty() ? List.of() : List.copyOf(nominated.getOrDefault(nodeName, List.of()));
    }

    @Override
    public LabelSelector defaultSpreadSelector(PodInfo pod) {
        return defaultSpreadSelector;
    }

    @Override
    public Framework framework() {
        return framework;
    }

    @Override
    public PodActions actions() {
        return new PodActions() {
            @Override
            public CompletionStage<Void> bind(PodInfo pod, String nodeName) {
                bindings.add(pod.key() + "->" + nodeName);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> evict(PodInfo victim, PodInfo preemptor) {
                evictions.add(new Eviction(victim.key(), preemptor.key()));
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> clearNomination(PodInfo pod) {
                clearedNominations.add(pod.key());
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /** Adds claims, volumes and classes to what storage() lists. */
    public TestHandle storage(HasMetadata... objects) {
        for (HasMetadata object : objects) {
            if (object instanceof PersistentVolumeClaim claim) {
                claims.put(claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName(), claim);
            } else if (object instanceof PersistentVolume volume) {
                volumes.put(volume.getMetadata().getName(), volume);
            } else if (object instanceof StorageClass storageClass) {
                storageClasses.put(storageClass.getMetadata().getName(), storageClass);
            } else {
                throw new IllegalArgumentException("not a storage object: " + object.getKind());
            }
        }
        return this;
    }

    @Override
    public boolean podExists(PodInfo pod) {
        return !deletedPods.contains(pod.key());
    }

    @Override
    public StorageLister storage() {
        return new StorageLister() {
            @Override
            public PersistentVolumeClaim claim(String namespace, String name) {
                return claims.get(namespace + "/" + name);
            }

            @Override
            public PersistentVolume volume(String name) {
                return volumes.get(name);
            }

            @Override
            public Collection<PersistentVolume> volumes() {
                return List.copyOf(volumes.values());
            }

            @Override
            public StorageClass storageClass(String name) {
                return storageClasses.get(name);
            }

            @Override
            public long changes() {
                return 0;
            }

            @Override
            public void awaitChange(long seen, Duration timeout) throws InterruptedException {
                // Nothing changes the maps behind a unit test's back: the wait lasts its whole timeout.
                Thread.sleep(timeout.toMillis());
            }
        };
    }

    @Override
    public VolumeActions volumeActions() {
        return new VolumeActions() {
            @Override
            public CompletionStage<Void> bindVolume(PersistentVolume volume, PersistentVolumeClaim claim) {
                volumeWrites.add(volume.getMetadata().getName() + "->" + claim.getMetadata().getNamespace() + "/"
                        + claim.getMetadata().getName());
                // As the API and then the informer would show it.
                volumes.put(volume.getMetadata().getName(), new PersistentVolumeBuilder(volume).editMetadata()
                        .withResourceVersion(volume.getMetadata().getResourceVersion() + "+").endMetadata().editSpec()
                        .withNewClaimRef().withNamespace(claim.getMetadata().getNamespace())
                        .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).endClaimRef()
                        .endSpec().build());
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> selectNode(PersistentVolumeClaim claim, String nodeName) {
                volumeWrites.add(claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName() + "="
                        + nodeName);
                PersistentVolumeClaim current = claims.get(claim.getMetadata().getNamespace() + "/"
                        + claim.getMetadata().getName());
                var edited = new PersistentVolumeClaimBuilder(current).editMetadata()
                        .withResourceVersion(current.getMetadata().getResourceVersion() + "+");
                if (nodeName == null) {
                    edited.removeFromAnnotations(StorageNames.SELECTED_NODE);
                } else {
                    edited.addToAnnotations(StorageNames.SELECTED_NODE, nodeName);
                }
                claims.put(claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName(),
                        edited.endMetadata().build());
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    @Override
    public void recordPreemption(int victims) {
        preemptions.add(victims);
    }
}
