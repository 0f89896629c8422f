package io.qube.apiserver.patch;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;

import java.util.Map;

import static io.qube.apiserver.patch.ListStrategy.key;
import static io.qube.apiserver.patch.ListStrategy.mergedBy;
import static java.util.Map.entry;

/**
 * Kubernetes' list semantics for the served kinds, keyed by the fabric8 class that declares the field. Written from the
 * {@code patchStrategy}/{@code patchMergeKey} and {@code listType}/{@code listMapKey} tags of k8s.io/api 1.32 (core/v1,
 * apps/v1 and batch/v1; coordination, discovery and scheduling declare no merging lists). A list that is not here is atomic, as
 * every untagged Kubernetes list is: tolerations, args, command, envFrom, taints, endpoint subsets, ...
 * Keying by declaring type makes PodSpec's entries hold wherever a PodSpec appears: in pods and in the pod templates of
 * deployments, replica sets, daemon sets and replication controllers.
 */
final class ListStrategies {

    private static final ListStrategy BY_NAME = mergedBy("name");
    private static final ListStrategy BY_TYPE = mergedBy("type");
    private static final ListStrategy BY_IP = mergedBy("ip");
    private static final ListStrategy BY_MOUNT_PATH = mergedBy("mountPath");
    private static final Map<String, ListStrategy> CONDITIONS = Map.of("conditions", BY_TYPE);

    // Container and EphemeralContainer are separate classes in fabric8 (one struct with the same tags in Kubernetes).
    private static final Map<String, ListStrategy> CONTAINER_LISTS = Map.of(
            "ports", mergedBy("containerPort").appliedBy(key("containerPort"), key("protocol", "TCP")),
            "env", BY_NAME,
            "volumeMounts", BY_MOUNT_PATH,
            "volumeDevices", mergedBy("devicePath"));

    private static final Map<Class<?>, Map<String, ListStrategy>> BY_DECLARING_TYPE = Map.ofEntries(
            entry(ObjectMeta.class, Map.of(
                    "finalizers", ListStrategy.SET,
                    "ownerReferences", mergedBy("uid"))),
            entry(PodSpec.class, Map.of(
                    "containers", BY_NAME,
                    "initContainers", BY_NAME,
                    "ephemeralContainers", BY_NAME,
                    "volumes", BY_NAME,
                    "imagePullSecrets", BY_NAME,
                    "resourceClaims", BY_NAME,
                    "schedulingGates", BY_NAME,
                    "hostAliases", BY_IP,
                    "topologySpreadConstraints", mergedBy("topologyKey")
                            .appliedBy(key("topologyKey"), key("whenUnsatisfiable")))),
            entry(Container.class, CONTAINER_LISTS),
            entry(EphemeralContainer.class, CONTAINER_LISTS),
            entry(PodStatus.class, Map.of(
                    "conditions", BY_TYPE,
                    "podIPs", BY_IP,
                    "hostIPs", BY_IP,
                    "resourceClaimStatuses", BY_NAME)),
            entry(ContainerStatus.class, Map.of(
                    "volumeMounts", BY_MOUNT_PATH,
                    "allocatedResourcesStatus", BY_NAME)),
            entry(ServiceSpec.class, Map.of(
                    "ports", mergedBy("port").appliedBy(key("port"), key("protocol", "TCP")))),
            entry(ServiceStatus.class, CONDITIONS),
            entry(ServiceAccount.class, Map.of("secrets", BY_NAME)),
            entry(NodeSpec.class, Map.of("podCIDRs", ListStrategy.SET)),
            entry(NodeStatus.class, Map.of(
                    "conditions", BY_TYPE,
                    "addresses", BY_TYPE)),
            entry(NamespaceStatus.class, CONDITIONS),
            entry(ReplicationControllerStatus.class, CONDITIONS),
            entry(DeploymentStatus.class, CONDITIONS),
            entry(ReplicaSetStatus.class, CONDITIONS),
            entry(DaemonSetStatus.class, CONDITIONS),
            entry(JobStatus.class, CONDITIONS));

    private ListStrategies() {
    }

    static ListStrategy of(Class<?> declaringType, String field) {
        return BY_DECLARING_TYPE.getOrDefault(declaringType, Map.of()).getOrDefault(field, ListStrategy.ATOMIC);
    }

    /** The whole table, for the test that checks every entry names a real list field. */
    static Map<Class<?>, Map<String, ListStrategy>> all() {
        return BY_DECLARING_TYPE;
    }
}
