package io.qube.apiserver.openapi;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes' strategic-merge-patch metadata ({@code x-kubernetes-patch-strategy} and
 * {@code x-kubernetes-patch-merge-key}) for the fields of the served kinds that have any. fabric8's classes do not
 * carry it, and kubectl apply computes its patches from these schema extensions: a list without them is replaced
 * whole, so a container or env var removed from a manifest would survive the server's merge by name.
 */
final class PatchStrategies {

    /** How a field merges: the strategy ("merge", "retainKeys" or both) and, for lists of objects, the key. */
    record Strategy(String strategy, String mergeKey) {
    }

    private static final Map<Class<?>, Map<String, Strategy>> BY_TYPE = new HashMap<>();

    static {
        field(ObjectMeta.class, "finalizers", "merge", null);
        field(ObjectMeta.class, "ownerReferences", "merge", "uid");
        field(PodSpec.class, "containers", "merge", "name");
        field(PodSpec.class, "initContainers", "merge", "name");
        field(PodSpec.class, "ephemeralContainers", "merge", "name");
        field(PodSpec.class, "volumes", "merge,retainKeys", "name");
        field(PodSpec.class, "imagePullSecrets", "merge", "name");
        field(PodSpec.class, "hostAliases", "merge", "ip");
        field(PodSpec.class, "topologySpreadConstraints", "merge", "topologyKey");
        field(PodSpec.class, "resourceClaims", "merge,retainKeys", "name");
        field(PodSpec.class, "schedulingGates", "merge", "name");
        for (Class<?> container : new Class<?>[] {Container.class, EphemeralContainer.class}) {
            field(container, "env", "merge", "name");
            field(container, "ports", "merge", "containerPort");
            field(container, "volumeMounts", "merge", "mountPath");
            field(container, "volumeDevices", "merge", "devicePath");
        }
        field(PodStatus.class, "conditions", "merge", "type");
        field(PodStatus.class, "podIPs", "merge", "ip");
        field(PodStatus.class, "hostIPs", "merge", "ip");
        field(PodStatus.class, "resourceClaimStatuses", "merge,retainKeys", "name");
        field(ServiceSpec.class, "ports", "merge", "port");
        field(ServiceStatus.class, "conditions", "merge", "type");
        field(ServiceAccount.class, "secrets", "merge", "name");
        field(NodeStatus.class, "conditions", "merge", "type");
        field(NodeStatus.class, "addresses", "merge", "type");
        field(NamespaceStatus.class, "conditions", "merge", "type");
        field(ReplicationControllerStatus.class, "conditions", "merge", "type");
        field(DeploymentSpec.class, "strategy", "retainKeys", null);
        field(DeploymentStatus.class, "conditions", "merge", "type");
        field(ReplicaSetStatus.class, "conditions", "merge", "type");
        field(DaemonSetStatus.class, "conditions", "merge", "type");
    }

    private PatchStrategies() {
    }

    static Optional<Strategy> of(Class<?> owner, String property) {
        return Optional.ofNullable(BY_TYPE.getOrDefault(owner, Map.of()).get(property));
    }

    private static void field(Class<?> owner, String property, String strategy, String mergeKey) {
        BY_TYPE.computeIfAbsent(owner, type -> new HashMap<>()).put(property, new Strategy(strategy, mergeKey));
    }
}
