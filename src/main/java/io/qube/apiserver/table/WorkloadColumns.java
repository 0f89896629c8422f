package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerSpec;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;
import java.util.Map;

import static io.qube.apiserver.table.Cells.number;

/** The controllers that run pods: deployments, replica sets, replication controllers, daemon and stateful sets. */
final class WorkloadColumns {

    private WorkloadColumns() {
    }

    /** NAME READY UP-TO-DATE AVAILABLE AGE; wide: CONTAINERS IMAGES SELECTOR. */
    static List<TableColumn<? super Deployment>> deployment() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Ready", "string", "Number of the pod with ready state",
                        (deployment, now) -> number(status(deployment).getReadyReplicas()) + "/"
                                + number(spec(deployment).getReplicas())),
                TableColumn.of("Up-to-date", "string", "Total number of pods targeted by this deployment that have "
                        + "the desired template spec.", (deployment, now) -> number(status(deployment).getUpdatedReplicas())),
                TableColumn.of("Available", "string", "Total number of pods targeted by this deployment that have "
                        + "been ready for at least minReadySeconds.",
                        (deployment, now) -> number(status(deployment).getAvailableReplicas())),
                CommonColumns.age(),
                CommonColumns.templateContainers((Deployment deployment) -> spec(deployment).getTemplate()),
                CommonColumns.templateImages((Deployment deployment) -> spec(deployment).getTemplate()),
                // Unlike the replica sets', a deployment's empty selector shows as nothing rather than <none>.
                TableColumn.wide("Selector", "string", "Label selector for pods.",
                        (deployment, now) -> Selectors.selector(spec(deployment).getSelector())));
    }

    /** NAME DESIRED CURRENT READY AGE; wide: CONTAINERS IMAGES SELECTOR. */
    static List<TableColumn<? super ReplicaSet>> replicaSet() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Desired", "integer", "The number of pods wanted.",
                        (set, now) -> number(spec(set).getReplicas())),
                TableColumn.of("Current", "integer", "The most recently observed number of pods.",
                        (set, now) -> number(status(set).getReplicas())),
                TableColumn.of("Ready", "integer", "The number of pods that are ready.",
                        (set, now) -> number(status(set).getReadyReplicas())),
                CommonColumns.age(),
                CommonColumns.templateContainers((ReplicaSet set) -> spec(set).getTemplate()),
                CommonColumns.templateImages((ReplicaSet set) -> spec(set).getTemplate()),
                TableColumn.wide("Selector", "string", "Label selector for pods.",
                        (set, now) -> Selectors.selectorOrNone(spec(set).getSelector())));
    }

    /** NAME DESIRED CURRENT READY AGE; wide: CONTAINERS IMAGES SELECTOR (a plain label map). */
    static List<TableColumn<? super ReplicationController>> replicationController() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Desired", "integer", "The number of pods wanted.",
                        (controller, now) -> number(spec(controller).getReplicas())),
                TableColumn.of("Current", "integer", "The most recently observed number of pods.",
                        (controller, now) -> number(status(controller).getReplicas())),
                TableColumn.of("Ready", "integer", "The number of pods that are ready.",
                        (controller, now) -> number(status(controller).getReadyReplicas())),
                CommonColumns.age(),
                CommonColumns.templateContainers(WorkloadColumns::template),
                CommonColumns.templateImages(WorkloadColumns::template),
                TableColumn.wide("Selector", "string", "Label keys and values that pods must match.",
                        (controller, now) -> Selectors.labels(spec(controller).getSelector())));
    }

    /** NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE; wide: CONTAINERS IMAGES SELECTOR. */
    static List<TableColumn<? super DaemonSet>> daemonSet() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Desired", "integer", "The number of nodes that should be running the daemon pod.",
                        (set, now) -> number(status(set).getDesiredNumberScheduled())),
                TableColumn.of("Current", "integer", "The number of nodes running at least one daemon pod that "
                        + "should.", (set, now) -> number(status(set).getCurrentNumberScheduled())),
                TableColumn.of("Ready", "integer", "The number of nodes whose daemon pod is ready.",
                        (set, now) -> number(status(set).getNumberReady())),
                TableColumn.of("Up-to-date", "integer", "The number of nodes running the updated daemon pod.",
                        (set, now) -> number(status(set).getUpdatedNumberScheduled())),
                TableColumn.of("Available", "integer", "The number of nodes whose daemon pod is available.",
                        (set, now) -> number(status(set).getNumberAvailable())),
                TableColumn.of("Node Selector", "string", "The labels a node must have to run the daemon pod.",
                        (set, now) -> Selectors.labels(nodeSelector(spec(set).getTemplate()))),
                CommonColumns.age(),
                CommonColumns.templateContainers((DaemonSet set) -> spec(set).getTemplate()),
                CommonColumns.templateImages((DaemonSet set) -> spec(set).getTemplate()),
                TableColumn.wide("Selector", "string", "Label selector for pods.",
                        (set, now) -> Selectors.selectorOrNone(spec(set).getSelector())));
    }

    /** NAME READY AGE; wide: CONTAINERS IMAGES. */
    static List<TableColumn<? super StatefulSet>> statefulSet() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Ready", "string", "Number of the pod with ready state",
                        (set, now) -> number(status(set).getReadyReplicas()) + "/" + number(spec(set).getReplicas())),
                CommonColumns.age(),
                CommonColumns.templateContainers((StatefulSet set) -> spec(set).getTemplate()),
                CommonColumns.templateImages((StatefulSet set) -> spec(set).getTemplate()));
    }

    private static Map<String, String> nodeSelector(PodTemplateSpec template) {
        return template == null || template.getSpec() == null ? null : template.getSpec().getNodeSelector();
    }

    private static PodTemplateSpec template(ReplicationController controller) {
        return spec(controller).getTemplate();
    }

    private static DeploymentSpec spec(Deployment deployment) {
        return deployment.getSpec() == null ? new DeploymentSpec() : deployment.getSpec();
    }

    private static DeploymentStatus status(Deployment deployment) {
        return deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
    }

    private static ReplicaSetSpec spec(ReplicaSet set) {
        return set.getSpec() == null ? new ReplicaSetSpec() : set.getSpec();
    }

    private static ReplicaSetStatus status(ReplicaSet set) {
        return set.getStatus() == null ? new ReplicaSetStatus() : set.getStatus();
    }

    private static ReplicationControllerSpec spec(ReplicationController controller) {
        return controller.getSpec() == null ? new ReplicationControllerSpec() : controller.getSpec();
    }

    private static ReplicationControllerStatus status(ReplicationController controller) {
        return controller.getStatus() == null ? new ReplicationControllerStatus() : controller.getStatus();
    }

    private static DaemonSetSpec spec(DaemonSet set) {
        return set.getSpec() == null ? new DaemonSetSpec() : set.getSpec();
    }

    private static DaemonSetStatus status(DaemonSet set) {
        return set.getStatus() == null ? new DaemonSetStatus() : set.getStatus();
    }

    private static StatefulSetSpec spec(StatefulSet set) {
        return set.getSpec() == null ? new StatefulSetSpec() : set.getSpec();
    }

    private static StatefulSetStatus status(StatefulSet set) {
        return set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
    }
}
