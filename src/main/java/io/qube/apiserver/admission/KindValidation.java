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
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.qube.apiserver.registry.Validator;

/**
 * Kubernetes' validation of each served kind's own fields, on create (old is null) and update; metadata is checked
 * for every kind by {@link MetadataValidation}. Runs after defaulting, on the object about to be stored.
 */
public final class KindValidation {

    private KindValidation() {
    }

    public static Validator<Namespace> namespace() {
        return (namespace, old, errors) -> NamespaceValidation.validate(namespace, errors);
    }

    public static Validator<Node> node() {
        return NodeValidation::validate;
    }

    public static Validator<Pod> pod() {
        return PodValidation::validate;
    }

    public static Validator<Binding> binding() {
        return (binding, old, errors) -> BindingValidation.validate(binding, errors);
    }

    public static Validator<Service> service() {
        return ServiceValidation::validate;
    }

    public static Validator<Endpoints> endpoints() {
        return (endpoints, old, errors) -> EndpointsValidation.validate(endpoints, errors);
    }

    public static Validator<ConfigMap> configMap() {
        return ConfigMapValidation::validate;
    }

    public static Validator<Secret> secret() {
        return SecretValidation::validate;
    }

    public static Validator<ServiceAccount> serviceAccount() {
        // Kubernetes checks nothing in a ServiceAccount beyond its metadata.
        return (serviceAccount, old, errors) -> { };
    }

    public static Validator<Event> event() {
        return (event, old, errors) -> EventValidation.validate(event, errors);
    }

    public static Validator<ReplicationController> replicationController() {
        return (controller, old, errors) -> WorkloadValidation.replicationController(controller, errors);
    }

    public static Validator<Deployment> deployment() {
        return WorkloadValidation::deployment;
    }

    public static Validator<ReplicaSet> replicaSet() {
        return WorkloadValidation::replicaSet;
    }

    public static Validator<DaemonSet> daemonSet() {
        return WorkloadValidation::daemonSet;
    }

    public static Validator<ControllerRevision> controllerRevision() {
        return ControllerRevisionValidation::validate;
    }

    public static Validator<Lease> lease() {
        return (lease, old, errors) -> LeaseValidation.validate(lease, errors);
    }

    public static Validator<EndpointSlice> endpointSlice() {
        return EndpointSliceValidation::validate;
    }

    public static Validator<PriorityClass> priorityClass() {
        return PriorityClassValidation::validate;
    }

    public static Validator<Job> job() {
        return BatchValidation::job;
    }

    public static Validator<CronJob> cronJob() {
        return BatchValidation::cronJob;
    }

    public static Validator<StatefulSet> statefulSet() {
        return WorkloadValidation::statefulSet;
    }

    public static Validator<PersistentVolume> persistentVolume() {
        return StorageValidation::persistentVolume;
    }

    public static Validator<PersistentVolumeClaim> persistentVolumeClaim() {
        return StorageValidation::persistentVolumeClaim;
    }

    public static Validator<StorageClass> storageClass() {
        return StorageValidation::storageClass;
    }

    public static Validator<Role> role() {
        return RbacValidation::role;
    }

    public static Validator<ClusterRole> clusterRole() {
        return RbacValidation::clusterRole;
    }

    public static Validator<RoleBinding> roleBinding() {
        return RbacValidation::roleBinding;
    }

    public static Validator<ClusterRoleBinding> clusterRoleBinding() {
        return RbacValidation::clusterRoleBinding;
    }

    public static Validator<LimitRange> limitRange() {
        return QuotaValidation::limitRange;
    }

    public static Validator<ResourceQuota> resourceQuota() {
        return QuotaValidation::resourceQuota;
    }

    public static Validator<HorizontalPodAutoscaler> autoscaler() {
        return AutoscalerValidation::validate;
    }

    /** A pod's update through pods/ephemeralcontainers, in place of the pod's own update rules. */
    public static Validator<Pod> podEphemeralContainers() {
        return EphemeralContainers::validateUpdate;
    }

    public static Validator<Ingress> ingress() {
        return IngressValidation::ingress;
    }

    public static Validator<IngressClass> ingressClass() {
        return IngressValidation::ingressClass;
    }

    public static Validator<NetworkPolicy> networkPolicy() {
        return NetworkPolicyValidation::validate;
    }

    public static Validator<PodDisruptionBudget> podDisruptionBudget() {
        return DisruptionBudgetValidation::validate;
    }

    public static Validator<CustomResourceDefinition> customResourceDefinition() {
        return CustomResourceDefinitionValidation::customResourceDefinition;
    }
}
