package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterResult;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.StorageLister;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pod's PersistentVolumeClaims (and generic ephemeral volumes' claims), as Kubernetes' VolumeBinding plugin:
 * PreFilter rejects a pod whose claims are missing, being deleted, lost, or unbound in an Immediate class; Filter
 * keeps nodes that reach every bound claim's volume and, for each unbound WaitForFirstConsumer claim, either a
 * matching Available volume or the class's provisioner; Reserve promises the chosen volumes; PreBind, on the binding
 * thread, pre-binds them or sets {@code volume.kubernetes.io/selected-node} for the provisioner, then waits until
 * every claim is bound to a volume the node reaches.
 */
public final class VolumeBinding implements ExtensionPoints.PreFilter, ExtensionPoints.Filter, ExtensionPoints.Reserve,
        ExtensionPoints.PreBind, ExtensionPoints.EnqueueExtensions {

    private static final Logger LOG = Logger.getLogger(VolumeBinding.class);

    static final String UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
    static final String NODE_CONFLICT = "node(s) had volume node affinity conflict";
    static final String BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
    static final String VOLUME_MISSING = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
    private static final String STATE = Names.VOLUME_BINDING;

    /** A static volume chosen for a claim. */
    record StaticBinding(PersistentVolume volume, PersistentVolumeClaim claim) {
    }

    /** What the pod needs on one node: volumes to pre-bind, claims to provision there. */
    record PodVolumes(List<StaticBinding> bindings, List<PersistentVolumeClaim> provisions) {
        boolean isEmpty() {
            return bindings.isEmpty() && provisions.isEmpty();
        }
    }

    /**
     * The pod's claims sorted at PreFilter, what Filter found per node, and what Reserve chose. Shared, not copied,
     * by preemption's copies of the cycle (as Kubernetes does): preemption never runs this plugin's Filter on them.
     */
    static final class State implements CycleState.Data {
        final List<PersistentVolumeClaim> bound;
        final List<PersistentVolumeClaim> toBind;
        final Map<String, PodVolumes> byNode = new HashMap<>();
        PodVolumes reserved;
        Node reservedNode;

        State(List<PersistentVolumeClaim> bound, List<PersistentVolumeClaim> toBind) {
            this.bound = bound;
            this.toBind = toBind;
        }

        @Override
        public CycleState.Data copy() {
            return this;
        }
    }

    private final Handle handle;
    private final Duration bindTimeout;
    private final AssumedVolumes assumed = new AssumedVolumes();

    public VolumeBinding(Handle handle, Duration bindTimeout) {
        this.handle = handle;
        this.bindTimeout = bindTimeout;
    }

    @Override
    public String name() {
        return Names.VOLUME_BINDING;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        StorageLister storage = handle.storage();
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        List<Volume> volumes = pod.pod().getSpec().getVolumes();
        for (Volume volume : volumes == null ? List.<Volume>of() : volumes) {
            boolean ephemeral = volume.getEphemeral() != null;
            String claimName = volume.getPersistentVolumeClaim() != null
                    ? volume.getPersistentVolumeClaim().getClaimName()
                    : ephemeral ? pod.name() + "-" + volume.getName() : null;
            if (claimName == null) {
                continue;
            }
            PersistentVolumeClaim claim = storage.claim(pod.namespace(), claimName);
            String problem = claimProblem(pod, claimName, claim, ephemeral);
            if (problem != null) {
                return PreFilterResult.of(Status.unresolvable(problem));
            }
            claims.add(claim);
        }
        if (claims.isEmpty()) {
            return PreFilterResult.SKIP;
        }
        List<PersistentVolumeClaim> bound = new ArrayList<>();
        List<PersistentVolumeClaim> toBind = new ArrayList<>();
        boolean unboundImmediate = false;
        for (PersistentVolumeClaim claim : claims) {
            if (VolumeMatching.isFullyBound(claim)) {
                bound.add(claim);
            } else if (isEmpty(claim.getSpec().getVolumeName()) && VolumeMatching.waitsForFirstConsumer(
                    storage.storageClass(VolumeMatching.claimClass(claim)))) {
                toBind.add(claim);
            } else {
                // Immediate claims (and claims pre-bound to a volume) are the PV controller's to bind first.
                unboundImmediate = true;
            }
        }
        if (unboundImmediate) {
            return PreFilterResult.of(Status.unresolvable(UNBOUND_IMMEDIATE));
        }
        state.write(STATE, new State(bound, toBind));
        return PreFilterResult.SUCCESS;
    }

    /** Why the pod cannot use this claim at all, with Kubernetes' words; null when it can. */
    private static String claimProblem(PodInfo pod, String claimName, PersistentVolumeClaim claim, boolean ephemeral) {
        if (claim == null) {
            return ephemeral
                    ? "waiting for ephemeral volume controller to create the persistentvolumeclaim \"" + claimName
                    + "\""
                    : "persistentvolumeclaim \"" + claimName + "\" not found";
        }
        if (claim.getStatus() != null && "Lost".equals(claim.getStatus().getPhase())) {
            return "persistentvolumeclaim \"" + claimName + "\" bound to non-existent persistentvolume \""
                    + claim.getSpec().getVolumeName() + "\"";
        }
        if (claim.getMetadata().getDeletionTimestamp() != null) {
            return "persistentvolumeclaim \"" + claimName + "\" is being deleted";
        }
        if (ephemeral && !controlledBy(claim, pod)) {
            return "PVC " + pod.namespace() + "/" + claimName + " was not created for pod " + pod.key()
                    + " (pod is not owner)";
        }
        return null;
    }

    private static boolean controlledBy(PersistentVolumeClaim claim, PodInfo pod) {
        List<OwnerReference> owners = claim.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(owner -> Boolean.TRUE.equals(owner.getController())
                && Objects.equals(owner.getUid(), pod.uid()));
    }

    @Override
    public Status filter(CycleState cycle, PodInfo pod, NodeInfo nodeInfo) {
        State state = cycle.read(STATE);
        Node node = nodeInfo.node();
        StorageLister storage = handle.storage();
        boolean boundReachable = true;
        boolean boundVolumesExist = true;
        for (PersistentVolumeClaim claim : state.bound) {
            PersistentVolume volume = storage.volume(claim.getSpec().getVolumeName());
            if (volume == null) {
                boundVolumesExist = false;
                break;
            }
            if (!VolumeMatching.admits(volume, node)) {
                boundReachable = false;
                break;
            }
        }
        PodVolumes found = new PodVolumes(new ArrayList<>(), new ArrayList<>());
        boolean unboundSatisfied = state.toBind.isEmpty() || findUnbound(state.toBind, node, found);
        List<String> reasons = new ArrayList<>();
        if (!boundReachable) {
            reasons.add(NODE_CONFLICT);
        }
        if (!unboundSatisfied) {
            reasons.add(BIND_CONFLICT);
        }
        if (!boundVolumesExist) {
            reasons.add(VOLUME_MISSING);
        }
        if (!reasons.isEmpty()) {
            return Status.unresolvable(reasons.toArray(String[]::new));
        }
        state.byNode.put(nodeInfo.name(), found);
        return Status.SUCCESS;
    }

    /**
     * Kubernetes' FindPodVolumes for the unbound claims: a claim with a selected node fits only there; the others,
     * smallest request first, take a matching static volume or else need a class that provisions on this node.
     * Fills {@code found}; false when some claim cannot be satisfied here.
     */
    private boolean findUnbound(List<PersistentVolumeClaim> toBind, Node node, PodVolumes found) {
        StorageLister storage = handle.storage();
        String nodeName = node.getMetadata().getName();
        List<PersistentVolumeClaim> toMatch = new ArrayList<>();
        List<PersistentVolumeClaim> toProvision = new ArrayList<>();
        for (PersistentVolumeClaim claim : toBind) {
            String selected = selectedNode(claim);
            if (selected == null) {
                toMatch.add(claim);
            } else if (selected.equals(nodeName)) {
                toProvision.add(claim);
            } else {
                return false;
            }
        }
        toMatch.sort(Comparator.comparing(VolumeMatching::requestedStorage));
        Set<String> promised = new HashSet<>(assumed.volumes());
        Set<String> chosen = new HashSet<>();
        boolean satisfied = true;
        for (PersistentVolumeClaim claim : toMatch) {
            PersistentVolume volume = promisedTo(claim, promised);
            if (volume != null && !VolumeMatching.admits(volume, node)) {
                return false;
            }
            if (volume == null) {
                Set<String> excluded = new HashSet<>(promised);
                excluded.addAll(chosen);
                volume = VolumeMatching.findBestMatch(claim, storage.volumes(), node, excluded, false);
            }
            if (volume == null) {
                toProvision.add(claim);
                satisfied = false;
                continue;
            }
            chosen.add(volume.getMetadata().getName());
            found.bindings().add(new StaticBinding(volume, claim));
        }
        if (toProvision.isEmpty()) {
            return satisfied;
        }
        for (PersistentVolumeClaim claim : toProvision) {
            StorageClass storageClass = storage.storageClass(VolumeMatching.claimClass(claim));
            if (storageClass == null || !VolumeMatching.provisions(storageClass)
                    || !VolumeMatching.topologyAdmits(storageClass, node)) {
                return false;
            }
            found.provisions().add(claim);
        }
        return true;
    }

    /** The volume an earlier pod in flight promised to this same claim, or null. */
    private PersistentVolume promisedTo(PersistentVolumeClaim claim, Set<String> promised) {
        String key = claimKey(claim);
        for (String volumeName : promised) {
            if (key.equals(assumed.claimOf(volumeName))) {
                return handle.storage().volume(volumeName);
            }
        }
        return null;
    }

    private String selectedNode(PersistentVolumeClaim claim) {
        var annotations = claim.getMetadata().getAnnotations();
        String annotated = annotations == null ? null : annotations.get(StorageNames.SELECTED_NODE);
        return annotated != null ? annotated : assumed.selectedNode(claimKey(claim));
    }

    private static String claimKey(PersistentVolumeClaim claim) {
        return claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
    }

    @Override
    public Status reserve(CycleState cycle, PodInfo pod, String nodeName) {
        State state = cycle.read(STATE);
        PodVolumes volumes = state == null ? null : state.byNode.get(nodeName);
        if (volumes == null || volumes.isEmpty()) {
            return Status.SUCCESS;
        }
        Map<String, String> promised = new LinkedHashMap<>();
        volumes.bindings().forEach(b -> promised.put(b.volume().getMetadata().getName(), claimKey(b.claim())));
        Map<String, String> selected = new LinkedHashMap<>();
        volumes.provisions().forEach(claim -> selected.put(claimKey(claim), nodeName));
        assumed.assume(pod.key(), promised, selected);
        state.reserved = volumes;
        // Read here, on the scheduling thread, since the snapshot changes under the binding thread.
        state.reservedNode = handle.snapshot().get(nodeName).node();
        return Status.SUCCESS;
    }

    @Override
    public void unreserve(CycleState cycle, PodInfo pod, String nodeName) {
        assumed.forget(pod.key());
    }

    /**
     * Makes the API writes Reserve decided on, then waits (up to the bind timeout) until the PV controller and the
     * provisioner have bound every claim to a volume this node reaches. On failure the claims this pod sent to be
     * provisioned here and still unbound lose their selected node, so the next attempt may choose another.
     */
    @Override
    public Status preBind(CycleState cycle, PodInfo pod, String nodeName) {
        State state = cycle.read(STATE);
        if (state == null || state.reserved == null) {
            return Status.SUCCESS;
        }
        long deadline = System.nanoTime() + bindTimeout.toNanos();
        Map<String, String> versionsBefore = new HashMap<>();
        String failure;
        try {
            failure = bindAndWait(pod, state.reserved, state.reservedNode, versionsBefore, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (failure == null) {
            assumed.forget(pod.key());
            return Status.SUCCESS;
        }
        for (PersistentVolumeClaim claim : state.reserved.provisions()) {
            PersistentVolumeClaim current = handle.storage().claim(claim.getMetadata().getNamespace(),
                    claim.getMetadata().getName());
            if (current != null && isEmpty(current.getSpec().getVolumeName())
                    && nodeName.equals(annotation(current, StorageNames.SELECTED_NODE))) {
                handle.volumeActions().selectNode(current, null).whenComplete((done, error) -> {
                    if (error != null) {
                        LOG.debugf("removing the selected node of claim %s: %s", claimKey(current), error.getMessage());
                    }
                });
            }
        }
        return Status.error("binding volumes: " + failure);
    }

    /** The writes, then the wait; the reason it failed, or null when every claim is bound. */
    private String bindAndWait(PodInfo pod, PodVolumes volumes, Node node, Map<String, String> versionsBefore,
                               long deadline) throws InterruptedException {
        try {
            // Only what is not so already is written; what is written is awaited in the informers' objects.
            for (StaticBinding binding : volumes.bindings()) {
                var ref = binding.volume().getSpec().getClaimRef();
                if (ref == null || !Objects.equals(ref.getUid(), binding.claim().getMetadata().getUid())) {
                    versionsBefore.put(binding.volume().getMetadata().getName(),
                            binding.volume().getMetadata().getResourceVersion());
                    handle.volumeActions().bindVolume(binding.volume(), binding.claim()).toCompletableFuture()
                            .get(remaining(deadline), TimeUnit.NANOSECONDS);
                }
            }
            for (PersistentVolumeClaim claim : volumes.provisions()) {
                if (!node.getMetadata().getName().equals(annotation(claim, StorageNames.SELECTED_NODE))) {
                    versionsBefore.put(claimKey(claim), claim.getMetadata().getResourceVersion());
                    handle.volumeActions().selectNode(claim, node.getMetadata().getName()).toCompletableFuture()
                            .get(remaining(deadline), TimeUnit.NANOSECONDS);
                }
            }
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "timed out waiting for the condition";
        }
        StorageLister storage = handle.storage();
        while (true) {
            long seen = storage.changes();
            if (!handle.podExists(pod)) {
                return "pod does not exist any more";
            }
            BindingCheck check = checkBindings(volumes, node, versionsBefore);
            if (check.failure() != null) {
                return check.failure();
            }
            if (check.done()) {
                return null;
            }
            long left = remaining(deadline);
            if (left == 0) {
                return "timed out waiting for the condition";
            }
            // Woken by any claim or volume change; at least once a second regardless, as Kubernetes polls.
            storage.awaitChange(seen, Duration.ofNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1))));
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private record BindingCheck(boolean done, String failure) {
        static final BindingCheck WAIT = new BindingCheck(false, null);

        static BindingCheck failed(String failure) {
            return new BindingCheck(false, failure);
        }
    }

    /** Kubernetes' checkBindings, on the informers' objects: all bound, not yet, or a reason to give up. */
    private BindingCheck checkBindings(PodVolumes volumes, Node node, Map<String, String> versionsBefore) {
        StorageLister storage = handle.storage();
        String nodeName = node.getMetadata().getName();
        for (StaticBinding binding : volumes.bindings()) {
            String volumeName = binding.volume().getMetadata().getName();
            PersistentVolume volume = storage.volume(volumeName);
            PersistentVolumeClaim claim = storage.claim(binding.claim().getMetadata().getNamespace(),
                    binding.claim().getMetadata().getName());
            if (volume == null) {
                return BindingCheck.failed("failed to check binding: persistentvolume \"" + volumeName
                        + "\" not found");
            }
            if (claim == null) {
                return BindingCheck.failed("failed to check binding: persistentvolumeclaim \""
                        + claimKey(binding.claim()) + "\" not found");
            }
            if (Objects.equals(volume.getMetadata().getResourceVersion(), versionsBefore.get(volumeName))) {
                return BindingCheck.WAIT;
            }
            if (!VolumeMatching.admits(volume, node)) {
                return BindingCheck.failed(affinityMismatch(volumeName, nodeName));
            }
            if (volume.getSpec().getClaimRef() == null || isEmpty(volume.getSpec().getClaimRef().getUid())) {
                return BindingCheck.failed("ClaimRef got reset for pv \"" + volumeName + "\"");
            }
            if (!VolumeMatching.isFullyBound(claim)) {
                return BindingCheck.WAIT;
            }
        }
        for (PersistentVolumeClaim provisioned : volumes.provisions()) {
            PersistentVolumeClaim claim = storage.claim(provisioned.getMetadata().getNamespace(),
                    provisioned.getMetadata().getName());
            if (claim == null) {
                return BindingCheck.failed("failed to check provisioning pvc: persistentvolumeclaim \""
                        + claimKey(provisioned) + "\" not found");
            }
            if (Objects.equals(claim.getMetadata().getResourceVersion(), versionsBefore.get(claimKey(provisioned)))) {
                return BindingCheck.WAIT;
            }
            if (!nodeName.equals(annotation(claim, StorageNames.SELECTED_NODE))) {
                // A provisioner that gives up removes the annotation, asking the scheduler to try again.
                return BindingCheck.failed("provisioning failed for PVC \"" + claim.getMetadata().getName() + "\"");
            }
            if (!isEmpty(claim.getSpec().getVolumeName())) {
                PersistentVolume volume = storage.volume(claim.getSpec().getVolumeName());
                if (volume == null) {
                    return BindingCheck.WAIT;
                }
                if (!VolumeMatching.admits(volume, node)) {
                    return BindingCheck.failed(affinityMismatch(volume.getMetadata().getName(), nodeName));
                }
            }
            if (!VolumeMatching.isFullyBound(claim)) {
                return BindingCheck.WAIT;
            }
        }
        return new BindingCheck(true, null);
    }

    private static String affinityMismatch(String volumeName, String nodeName) {
        return "pv \"" + volumeName + "\" node affinity doesn't match node \"" + nodeName
                + "\": no matching NodeSelectorTerms";
    }

    private static String annotation(PersistentVolumeClaim claim, String key) {
        var annotations = claim.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.PERSISTENT_VOLUME_CLAIM_CHANGED, ClusterEvent.PERSISTENT_VOLUME_CHANGED,
                ClusterEvent.STORAGE_CLASS_CHANGED, ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED);
    }
}
