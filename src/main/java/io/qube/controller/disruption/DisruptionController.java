package io.qube.controller.disruption;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.client.Selectors;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Kubernetes' disruption controller: keeps each PodDisruptionBudget's status (healthy, desired and expected pods,
 * disruptions allowed, the DisruptionAllowed condition) in step with the pods it selects, and forgets evicted pods
 * that were not deleted in time. Budgets are enqueued on their own events, on those of the pods they select and
 * on those of the workloads in their namespace (whose scale a percentage is of);
 * {@link DisruptionSync} does the rest.
 */
public final class DisruptionController implements Controller {

    static final String COMPONENT = "disruption-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private final Duration deletionTimeout;
    private final Clock clock;

    /** @param deletionTimeout how long an evicted pod may take to go before it counts again (Kubernetes: 2 minutes) */
    public DisruptionController(KubernetesClient client, int workers, Duration deletionTimeout, Clock clock) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
        this.deletionTimeout = deletionTimeout;
        this.clock = clock;
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<PodDisruptionBudget> budgets = informers.of(PodDisruptionBudget.class);
        budgets.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueBudgetsOf(pod, budgets);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                // A relabelled pod may have left budgets; the queue takes each key once.
                enqueueBudgetsOf(old, budgets);
                enqueueBudgetsOf(pod, budgets);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                enqueueBudgetsOf(pod, budgets);
            }
        });
        PodControllers controllers = new PodControllers(informers.of(ReplicationController.class),
                informers.of(ReplicaSet.class), informers.of(Deployment.class), informers.of(StatefulSet.class));
        // Kubernetes rereads a controller's scale only when a pod or budget changes (or at a resync); a scaled
        // workload here updates the budgets of its namespace at once.
        EnqueueHandler<HasMetadata> scaled = new EnqueueHandler<>(owner -> enqueueBudgetsIn(owner, budgets));
        informers.of(ReplicationController.class).addEventHandler(scaled);
        informers.of(ReplicaSet.class).addEventHandler(scaled);
        informers.of(Deployment.class).addEventHandler(scaled);
        informers.of(StatefulSet.class).addEventHandler(scaled);
        informers.awaitSynced();
        DisruptionSync sync = new DisruptionSync(client, budgets, pods, controllers,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT), deletionTimeout, clock);
        queue.start(sync::sync);
        queue.addAll(budgets);
    }

    /** Every budget in the pod's namespace that selects it (a pod should have one; all are kept in step). */
    private void enqueueBudgetsOf(Pod pod, SharedIndexInformer<PodDisruptionBudget> budgets) {
        for (PodDisruptionBudget budget : budgets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
            if (budget.getSpec() != null && Selectors.matches(budget.getSpec().getSelector(), labels(pod))) {
                queue.addKeyOf(budget);
            }
        }
    }

    private void enqueueBudgetsIn(HasMetadata workload, SharedIndexInformer<PodDisruptionBudget> budgets) {
        budgets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, workload.getMetadata().getNamespace())
                .forEach(queue::addKeyOf);
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }

    @Override
    public void close() {
        queue.close();
    }
}
