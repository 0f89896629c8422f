package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;

import java.util.LinkedHashMap;

/** Kubernetes' defaults for the workloads that run pods from a template (apps/v1 and the core ReplicationController). */
final class WorkloadDefaults {

    private WorkloadDefaults() {
    }

    static void deployment(Deployment deployment) {
        if (deployment.getSpec() == null) {
            deployment.setSpec(new DeploymentSpec());
        }
        DeploymentSpec spec = deployment.getSpec();
        if (spec.getReplicas() == null) {
            spec.setReplicas(1);
        }
        if (spec.getStrategy() == null) {
            spec.setStrategy(new DeploymentStrategy());
        }
        DeploymentStrategy strategy = spec.getStrategy();
        if (NullSafe.isEmpty(strategy.getType())) {
            strategy.setType("RollingUpdate");
        }
        if (strategy.getType().equals("RollingUpdate")) {
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateDeployment());
            }
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString("25%"));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString("25%"));
            }
        }
        if (spec.getRevisionHistoryLimit() == null) {
            spec.setRevisionHistoryLimit(10);
        }
        if (spec.getProgressDeadlineSeconds() == null) {
            spec.setProgressDeadlineSeconds(600);
        }
        spec.setTemplate(defaultedTemplate(spec.getTemplate()));
    }

    static void replicaSet(ReplicaSet replicaSet) {
        if (replicaSet.getSpec() == null) {
            replicaSet.setSpec(new ReplicaSetSpec());
        }
        if (replicaSet.getSpec().getReplicas() == null) {
            replicaSet.getSpec().setReplicas(1);
        }
        replicaSet.getSpec().setTemplate(defaultedTemplate(replicaSet.getSpec().getTemplate()));
    }

    static void daemonSet(DaemonSet daemonSet) {
        if (daemonSet.getSpec() == null) {
            daemonSet.setSpec(new DaemonSetSpec());
        }
        DaemonSetSpec spec = daemonSet.getSpec();
        if (spec.getUpdateStrategy() == null) {
            spec.setUpdateStrategy(new DaemonSetUpdateStrategy());
        }
        DaemonSetUpdateStrategy strategy = spec.getUpdateStrategy();
        if (NullSafe.isEmpty(strategy.getType())) {
            strategy.setType("RollingUpdate");
        }
        if (strategy.getType().equals("RollingUpdate")) {
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateDaemonSet());
            }
            // One node's pod at a time, replaced in place (no surge pod next to the old one).
            if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
                strategy.getRollingUpdate().setMaxUnavailable(new IntOrString(1));
            }
            if (strategy.getRollingUpdate().getMaxSurge() == null) {
                strategy.getRollingUpdate().setMaxSurge(new IntOrString(0));
            }
        }
        if (spec.getRevisionHistoryLimit() == null) {
            spec.setRevisionHistoryLimit(10);
        }
        spec.setTemplate(defaultedTemplate(spec.getTemplate()));
    }

    static void statefulSet(StatefulSet statefulSet) {
        if (statefulSet.getSpec() == null) {
            statefulSet.setSpec(new StatefulSetSpec());
        }
        StatefulSetSpec spec = statefulSet.getSpec();
        if (spec.getReplicas() == null) {
            spec.setReplicas(1);
        }
        if (NullSafe.isEmpty(spec.getPodManagementPolicy())) {
            spec.setPodManagementPolicy("OrderedReady");
        }
        if (spec.getUpdateStrategy() == null) {
            spec.setUpdateStrategy(new StatefulSetUpdateStrategy());
        }
        StatefulSetUpdateStrategy strategy = spec.getUpdateStrategy();
        if (NullSafe.isEmpty(strategy.getType())) {
            strategy.setType("RollingUpdate");
        }
        if (strategy.getType().equals("RollingUpdate")) {
            if (strategy.getRollingUpdate() == null) {
                strategy.setRollingUpdate(new RollingUpdateStatefulSetStrategy());
            }
            if (strategy.getRollingUpdate().getPartition() == null) {
                strategy.getRollingUpdate().setPartition(0);
            }
        }
        if (spec.getRevisionHistoryLimit() == null) {
            spec.setRevisionHistoryLimit(10);
        }
        if (spec.getPersistentVolumeClaimRetentionPolicy() == null) {
            spec.setPersistentVolumeClaimRetentionPolicy(new StatefulSetPersistentVolumeClaimRetentionPolicy());
        }
        StatefulSetPersistentVolumeClaimRetentionPolicy retention = spec.getPersistentVolumeClaimRetentionPolicy();
        if (NullSafe.isEmpty(retention.getWhenDeleted())) {
            retention.setWhenDeleted("Retain");
        }
        if (NullSafe.isEmpty(retention.getWhenScaled())) {
            retention.setWhenScaled("Retain");
        }
        for (var claim : NullSafe.list(spec.getVolumeClaimTemplates())) {
            // Stored as Kubernetes stores them: typed, with the claim defaults and a Pending phase.
            claim.setApiVersion("v1");
            claim.setKind("PersistentVolumeClaim");
            StorageDefaults.persistentVolumeClaim(claim);
        }
        spec.setTemplate(defaultedTemplate(spec.getTemplate()));
    }

    /**
     * The core ReplicationController predates label selectors: without a selector it selects its template's
     * labels, and without labels of its own it takes them too. Its template is optional (validation requires it).
     */
    static void replicationController(ReplicationController controller) {
        if (controller.getSpec() == null) {
            controller.setSpec(new ReplicationControllerSpec());
        }
        ReplicationControllerSpec spec = controller.getSpec();
        PodTemplateSpec template = spec.getTemplate();
        if (template != null && template.getMetadata() != null
                && !NullSafe.map(template.getMetadata().getLabels()).isEmpty()) {
            if (NullSafe.map(spec.getSelector()).isEmpty()) {
                spec.setSelector(new LinkedHashMap<>(template.getMetadata().getLabels()));
            }
            if (controller.getMetadata() == null) {
                controller.setMetadata(new ObjectMeta());
            }
            if (NullSafe.map(controller.getMetadata().getLabels()).isEmpty()) {
                controller.getMetadata().setLabels(new LinkedHashMap<>(template.getMetadata().getLabels()));
            }
        }
        if (spec.getReplicas() == null) {
            spec.setReplicas(1);
        }
        if (template != null) {
            spec.setTemplate(defaultedTemplate(template));
        }
    }

    /** apps/v1 templates are not optional in Kubernetes (Go values), so a missing one is defaulted as empty. */
    private static PodTemplateSpec defaultedTemplate(PodTemplateSpec template) {
        PodTemplateSpec defaulted = template == null ? new PodTemplateSpec() : template;
        if (defaulted.getSpec() == null) {
            defaulted.setSpec(new PodSpec());
        }
        PodSpecDefaults.apply(defaulted.getSpec());
        return defaulted;
    }
}
