package io.qube.apiserver.registry;

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
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
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
import io.qube.apiserver.admission.KindDefaults;
import io.qube.apiserver.admission.KindValidation;
import io.qube.apiserver.conversion.AutoscalingV1;
import io.qube.apiserver.table.KindTables;

/** The kinds Qube serves. Adding one is one entry here plus its defaults, validation and table columns. */
public final class BuiltinResources {

    private BuiltinResources() {
    }

    public static ResourceRegistry registry() {
        ResourceDefinition<HorizontalPodAutoscaler> autoscalers = ResourceDefinition.of(HorizontalPodAutoscaler.class)
                .defaults(KindDefaults.autoscaler()).validation(KindValidation.autoscaler())
                .table(KindTables.autoscaler()).shortNames("hpa").categories("all").withStatus();
        return new ResourceRegistry()
                .register(ResourceDefinition.of(Namespace.class).defaults(KindDefaults.namespace()).validation(KindValidation.namespace())
                        .table(KindTables.namespace()).clusterScoped().shortNames("ns")
                        .names(NameRule.DNS_LABEL).withStatus())
                .register(ResourceDefinition.of(Node.class).defaults(KindDefaults.node()).validation(KindValidation.node())
                        .table(KindTables.node()).clusterScoped().shortNames("no").withStatus().keepsStatusOnCreate())
                .register(ResourceDefinition.of(Pod.class).defaults(KindDefaults.pod()).validation(KindValidation.pod())
                        .table(KindTables.pod()).shortNames("po").categories("all").withStatus())
                .register(ResourceDefinition.of(Binding.class).defaults(KindDefaults.binding()).validation(KindValidation.binding())
                        .createOnly())
                .register(ResourceDefinition.of(Service.class).defaults(KindDefaults.service()).validation(KindValidation.service())
                        .table(KindTables.service()).shortNames("svc").categories("all")
                        .names(NameRule.DNS_1035_LABEL).withStatus())
                .register(ResourceDefinition.of(Endpoints.class).defaults(KindDefaults.endpoints()).validation(KindValidation.endpoints())
                        .table(KindTables.endpoints()).shortNames("ep"))
                .register(ResourceDefinition.of(ConfigMap.class).defaults(KindDefaults.configMap()).validation(KindValidation.configMap())
                        .table(KindTables.configMap()).shortNames("cm"))
                .register(ResourceDefinition.of(Secret.class).defaults(KindDefaults.secret()).validation(KindValidation.secret())
                        .table(KindTables.secret()))
                .register(ResourceDefinition.of(ServiceAccount.class).defaults(KindDefaults.serviceAccount()).validation(KindValidation.serviceAccount())
                        .table(KindTables.serviceAccount()).shortNames("sa"))
                .register(ResourceDefinition.of(Event.class).defaults(KindDefaults.event()).validation(KindValidation.event())
                        .table(KindTables.event()).shortNames("ev"))
                .register(ResourceDefinition.of(ReplicationController.class).defaults(KindDefaults.replicationController()).validation(KindValidation.replicationController())
                        .table(KindTables.replicationController()).shortNames("rc").categories("all")
                        .withStatus().withScale())
                .register(ResourceDefinition.of(Deployment.class).defaults(KindDefaults.deployment()).validation(KindValidation.deployment())
                        .table(KindTables.deployment()).shortNames("deploy").categories("all")
                        .withStatus().withScale())
                .register(ResourceDefinition.of(ReplicaSet.class).defaults(KindDefaults.replicaSet()).validation(KindValidation.replicaSet())
                        .table(KindTables.replicaSet()).shortNames("rs").categories("all")
                        .withStatus().withScale())
                .register(ResourceDefinition.of(DaemonSet.class).defaults(KindDefaults.daemonSet()).validation(KindValidation.daemonSet())
                        .table(KindTables.daemonSet()).shortNames("ds").categories("all").withStatus())
                .register(ResourceDefinition.of(StatefulSet.class).defaults(KindDefaults.statefulSet()).validation(KindValidation.statefulSet())
                        .table(KindTables.statefulSet()).shortNames("sts").categories("all").withStatus().withScale())
                .register(ResourceDefinition.of(ControllerRevision.class).defaults(KindDefaults.controllerRevision())
                        .validation(KindValidation.controllerRevision()).table(KindTables.controllerRevision()))
                .register(ResourceDefinition.of(Job.class).defaults(KindDefaults.job()).validation(KindValidation.job())
                        .table(KindTables.job()).categories("all").withStatus())
                .register(ResourceDefinition.of(CronJob.class).defaults(KindDefaults.cronJob()).validation(KindValidation.cronJob())
                        .table(KindTables.cronJob()).shortNames("cj").categories("all").withStatus())
                .register(ResourceDefinition.of(PersistentVolume.class).defaults(KindDefaults.persistentVolume())
                        .validation(KindValidation.persistentVolume()).table(KindTables.persistentVolume())
                        .clusterScoped().shortNames("pv").withStatus())
                .register(ResourceDefinition.of(PersistentVolumeClaim.class).defaults(KindDefaults.persistentVolumeClaim())
                        .validation(KindValidation.persistentVolumeClaim()).table(KindTables.persistentVolumeClaim())
                        .shortNames("pvc").withStatus())
                .register(ResourceDefinition.of(LimitRange.class).defaults(KindDefaults.limitRange())
                        .validation(KindValidation.limitRange()).table(KindTables.limitRange()).shortNames("limits"))
                .register(ResourceDefinition.of(ResourceQuota.class).defaults(KindDefaults.resourceQuota())
                        .validation(KindValidation.resourceQuota()).table(KindTables.resourceQuota())
                        .shortNames("quota").withStatus())
                .register(ResourceDefinition.of(StorageClass.class).defaults(KindDefaults.storageClass())
                        .validation(KindValidation.storageClass()).table(KindTables.storageClass())
                        .clusterScoped().shortNames("sc"))
                .register(ResourceDefinition.of(Role.class).validation(KindValidation.role()).table(KindTables.role())
                        .names(NameRule.PATH_SEGMENT))
                .register(ResourceDefinition.of(ClusterRole.class).validation(KindValidation.clusterRole())
                        .table(KindTables.clusterRole()).clusterScoped().names(NameRule.PATH_SEGMENT))
                .register(ResourceDefinition.of(RoleBinding.class).defaults(KindDefaults.roleBinding())
                        .validation(KindValidation.roleBinding()).table(KindTables.roleBinding())
                        .names(NameRule.PATH_SEGMENT))
                .register(ResourceDefinition.of(ClusterRoleBinding.class).defaults(KindDefaults.clusterRoleBinding())
                        .validation(KindValidation.clusterRoleBinding()).table(KindTables.clusterRoleBinding())
                        .clusterScoped().names(NameRule.PATH_SEGMENT))
                .register(ResourceDefinition.of(SelfSubjectAccessReview.class).clusterScoped().createOnly())
                .register(ResourceDefinition.of(SelfSubjectRulesReview.class).clusterScoped().createOnly())
                .register(ResourceDefinition.of(SubjectAccessReview.class).clusterScoped().createOnly())
                // autoscaling/v2 first: the preferred version, which objects are stored in.
                .register(autoscalers)
                .register(ResourceDefinition.of(io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class)
                        .storedAs(autoscalers, new AutoscalingV1()).shortNames("hpa").categories("all").withStatus())
                .register(ResourceDefinition.of(Ingress.class).defaults(KindDefaults.ingress())
                        .validation(KindValidation.ingress()).table(KindTables.ingress()).shortNames("ing").withStatus())
                .register(ResourceDefinition.of(IngressClass.class).defaults(KindDefaults.ingressClass())
                        .validation(KindValidation.ingressClass()).table(KindTables.ingressClass()).clusterScoped())
                .register(ResourceDefinition.of(NetworkPolicy.class).defaults(KindDefaults.networkPolicy())
                        .validation(KindValidation.networkPolicy()).table(KindTables.networkPolicy())
                        .shortNames("netpol"))
                .register(ResourceDefinition.of(PodDisruptionBudget.class).defaults(KindDefaults.podDisruptionBudget())
                        .validation(KindValidation.podDisruptionBudget()).table(KindTables.podDisruptionBudget())
                        .shortNames("pdb").withStatus())
                .register(ResourceDefinition.of(CustomResourceDefinition.class).defaults(KindDefaults.customResourceDefinition())
                        .validation(KindValidation.customResourceDefinition()).table(KindTables.customResourceDefinition())
                        .clusterScoped().shortNames("crd", "crds").categories("api-extensions").withStatus())
                .register(ResourceDefinition.of(Lease.class).defaults(KindDefaults.lease()).validation(KindValidation.lease())
                        .table(KindTables.lease()))
                .register(ResourceDefinition.of(EndpointSlice.class).defaults(KindDefaults.endpointSlice()).validation(KindValidation.endpointSlice())
                        .table(KindTables.endpointSlice()))
                .register(ResourceDefinition.of(PriorityClass.class).defaults(KindDefaults.priorityClass()).validation(KindValidation.priorityClass())
                        .table(KindTables.priorityClass()).clusterScoped().shortNames("pc"))
                // Resource metrics, last as Kubernetes lists aggregated groups: computed from the node agents'
                // summaries (io.qube.metrics), never stored.
                .register(ResourceDefinition.computed(NodeMetrics.class, "nodes").clusterScoped())
                .register(ResourceDefinition.computed(PodMetrics.class, "pods"));
    }
}
