package io.qube.apiserver.table;

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
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.qube.apiserver.registry.TableColumn;
import java.util.List;

/**
 * The columns of {@code kubectl get} for each served kind, as a real cluster shows them (Kubernetes' printers);
 * an empty list gives NAME and AGE. The registry takes them from here, one method per kind.
 */
public final class KindTables {

    private KindTables() {
    }

    public static List<TableColumn<? super Namespace>> namespace() {
        return NamespaceColumns.columns();
    }

    public static List<TableColumn<? super Node>> node() {
        return NodeColumns.columns();
    }

    public static List<TableColumn<? super Pod>> pod() {
        return PodColumns.columns();
    }

    public static List<TableColumn<? super Service>> service() {
        return ServiceColumns.columns();
    }

    public static List<TableColumn<? super Endpoints>> endpoints() {
        return EndpointColumns.endpoints();
    }

    public static List<TableColumn<? super ConfigMap>> configMap() {
        return ConfigColumns.configMap();
    }

    public static List<TableColumn<? super Secret>> secret() {
        return ConfigColumns.secret();
    }

    public static List<TableColumn<? super ServiceAccount>> serviceAccount() {
        return ConfigColumns.serviceAccount();
    }

    public static List<TableColumn<? super Event>> event() {
        return EventColumns.columns();
    }

    public static List<TableColumn<? super ReplicationController>> replicationController() {
        return WorkloadColumns.replicationController();
    }

    public static List<TableColumn<? super Deployment>> deployment() {
        return WorkloadColumns.deployment();
    }

    public static List<TableColumn<? super ReplicaSet>> replicaSet() {
        return WorkloadColumns.replicaSet();
    }

    public static List<TableColumn<? super DaemonSet>> daemonSet() {
        return WorkloadColumns.daemonSet();
    }

    public static List<TableColumn<? super ControllerRevision>> controllerRevision() {
        return ControllerRevisionColumns.columns();
    }

    public static List<TableColumn<? super Lease>> lease() {
        return LeaseColumns.columns();
    }

    public static List<TableColumn<? super EndpointSlice>> endpointSlice() {
        return EndpointColumns.endpointSlice();
    }

    public static List<TableColumn<? super PriorityClass>> priorityClass() {
        return PriorityClassColumns.columns();
    }

    public static List<TableColumn<? super Job>> job() {
        return BatchColumns.job();
    }

    public static List<TableColumn<? super CronJob>> cronJob() {
        return BatchColumns.cronJob();
    }

    public static List<TableColumn<? super StatefulSet>> statefulSet() {
        return WorkloadColumns.statefulSet();
    }

    public static List<TableColumn<? super PersistentVolume>> persistentVolume() {
        return StorageColumns.persistentVolume();
    }

    public static List<TableColumn<? super PersistentVolumeClaim>> persistentVolumeClaim() {
        return StorageColumns.persistentVolumeClaim();
    }

    public static List<TableColumn<? super StorageClass>> storageClass() {
        return StorageColumns.storageClass();
    }

    public static List<TableColumn<? super Role>> role() {
        return RbacColumns.role();
    }

    public static List<TableColumn<? super ClusterRole>> clusterRole() {
        return RbacColumns.role();
    }

    public static List<TableColumn<? super RoleBinding>> roleBinding() {
        return RbacColumns.binding(RoleBinding::getRoleRef, RoleBinding::getSubjects);
    }

    public static List<TableColumn<? super ClusterRoleBinding>> clusterRoleBinding() {
        return RbacColumns.binding(ClusterRoleBinding::getRoleRef, ClusterRoleBinding::getSubjects);
    }

    public static List<TableColumn<? super LimitRange>> limitRange() {
        return QuotaColumns.limitRange();
    }

    public static List<TableColumn<? super ResourceQuota>> resourceQuota() {
        return QuotaColumns.resourceQuota();
    }

    public static List<TableColumn<? super HorizontalPodAutoscaler>> autoscaler() {
        return AutoscalerColumns.columns();
    }

    public static List<TableColumn<? super Ingress>> ingress() {
        return NetworkingColumns.ingress();
    }

    public static List<TableColumn<? super IngressClass>> ingressClass() {
        return NetworkingColumns.ingressClass();
    }

    public static List<TableColumn<? super NetworkPolicy>> networkPolicy() {
        return NetworkingColumns.networkPolicy();
    }

    public static List<TableColumn<? super PodDisruptionBudget>> podDisruptionBudget() {
        return DisruptionBudgetColumns.columns();
    }

    public static List<TableColumn<? super CustomResourceDefinition>> customResourceDefinition() {
        return CustomResourceColumns.definition();
    }
}
