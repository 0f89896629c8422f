package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.qube.apiserver.registry.Defaulter;

/**
 * Kubernetes' defaults for each served kind: what a real cluster's defaulting and default admission plugins fill in
 * before storing. They run on every create and update (after a patch too), so each only fills what is missing.
 */
public final class KindDefaults {

    private KindDefaults() {
    }

    public static Defaulter<Namespace> namespace() {
        return NamespaceDefaults::apply;
    }

    public static Defaulter<Node> node() {
        return NodeDefaults::apply;
    }

    public static Defaulter<Pod> pod() {
        return PodDefaults::apply;
    }

    public static Defaulter<Binding> binding() {
        // Kubernetes defaults nothing in a Binding.
        return object -> { };
    }

    public static Defaulter<Service> service() {
        return ServiceDefaults::apply;
    }

    public static Defaulter<Endpoints> endpoints() {
        return EndpointsDefaults::endpoints;
    }

    public static Defaulter<ConfigMap> configMap() {
        // Kubernetes defaults nothing visible in a ConfigMap.
        return object -> { };
    }

    public static Defaulter<Secret> secret() {
        return SecretDefaults::apply;
    }

    public static Defaulter<ServiceAccount> serviceAccount() {
        // Kubernetes defaults nothing in a ServiceAccount (token secrets are no longer generated).
        return object -> { };
    }

    public static Defaulter<Event> event() {
        // Kubernetes defaults nothing in a core/v1 Event.
        return object -> { };
    }

    public static Defaulter<ReplicationController> replicationController() {
        return WorkloadDefaults::replicationController;
    }

    public static Defaulter<Deployment> deployment() {
        return WorkloadDefaults::deployment;
    }

    public static Defaulter<ReplicaSet> replicaSet() {
        return WorkloadDefaults::replicaSet;
    }

    public static Defaulter<DaemonSet> daemonSet() {
        return WorkloadDefaults::daemonSet;
    }

    public static Defaulter<ControllerRevision> controllerRevision() {
        // A Go int64 without omitempty: an absent revision reads, and is shown, as 0.
        return revision -> {
            if (revision.getRevision() == null) {
                revision.setRevision(0L);
            }
        };
    }

    public static Defaulter<Lease> lease() {
        // Kubernetes defaults nothing in a Lease.
        return object -> { };
    }

    public static Defaulter<EndpointSlice> endpointSlice() {
        return EndpointsDefaults::endpointSlice;
    }

    public static Defaulter<PriorityClass> priorityClass() {
        return priorityClass -> {
            if (NullSafe.isEmpty(priorityClass.getPreemptionPolicy())) {
                priorityClass.setPreemptionPolicy("PreemptLowerPriority");
            }
        };
    }

    public static Defaulter<Job> job() {
        return BatchDefaults::job;
    }

    public static Defaulter<CronJob> cronJob() {
        return BatchDefaults::cronJob;
    }

    public static Defaulter<StatefulSet> statefulSet() {
        return WorkloadDefaults::statefulSet;
    }

    public static Defaulter<PersistentVolume> persistentVolume() {
        return StorageDefaults::persistentVolume;
    }

    public static Defaulter<PersistentVolumeClaim> persistentVolumeClaim() {
        return StorageDefaults::persistentVolumeClaim;
    }

    public static Defaulter<StorageClass> storageClass() {
        return StorageDefaults::storageClass;
    }

    public static Defaulter<RoleBinding> roleBinding() {
        return binding -> RbacDefaults.binding(binding.getRoleRef(), binding.getSubjects());
    }

    public static Defaulter<ClusterRoleBinding> clusterRoleBinding() {
        return binding -> RbacDefaults.binding(binding.getRoleRef(), binding.getSubjects());
    }

    public static Defaulter<LimitRange> limitRange() {
        return QuotaDefaults::limitRange;
    }

    public static Defaulter<ResourceQuota> resourceQuota() {
        return QuotaDefaults::resourceQuota;
    }

    public static Defaulter<HorizontalPodAutoscaler> autoscaler() {
        return AutoscalerDefaults::apply;
    }

    public static Defaulter<Ingress> ingress() {
        // Kubernetes defaults nothing in a networking/v1 Ingress (pathType is required, not defaulted).
        return object -> { };
    }

    public static Defaulter<IngressClass> ingressClass() {
        return NetworkingDefaults::ingressClass;
    }

    public static Defaulter<NetworkPolicy> networkPolicy() {
        return NetworkingDefaults::networkPolicy;
    }

    public static Defaulter<PodDisruptionBudget> podDisruptionBudget() {
        return DisruptionBudgetDefaults::apply;
    }

    public static Defaulter<CustomResourceDefinition> customResourceDefinition() {
        return CustomResourceDefinitionDefaults::customResourceDefinition;
    }
}
