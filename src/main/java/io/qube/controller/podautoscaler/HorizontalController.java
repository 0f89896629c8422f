package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Kubernetes' horizontal pod autoscaler controller. Autoscalers are enqueued when they appear, when their spec
 * changes and when they go (their in-memory history is then dropped); each reconcile asks to be run again after
 * the sync period, which is what keeps them scaling as usage changes. Its own status writes do not enqueue it.
 * {@link AutoscalerSync} does the work for one key.
 */
public final class HorizontalController implements Controller {

    static final String COMPONENT = "horizontal-pod-autoscaler";

    /** Kubernetes' --horizontal-pod-autoscaler-* settings. */
    public record Settings(Duration syncPeriod, double tolerance, Duration cpuInitializationPeriod,
                           Duration initialReadinessDelay, Duration downscaleStabilization) {
    }

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private final Settings settings;
    private final Clock clock;

    public HorizontalController(KubernetesClient client, int workers, Settings settings, Clock clock) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<HorizontalPodAutoscaler> autoscalers = informers.of(HorizontalPodAutoscaler.class);
        autoscalers.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler hpa) {
                queue.addKeyOf(hpa);
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler hpa) {
                if (!Objects.equals(old.getSpec(), hpa.getSpec())) {
                    queue.addKeyOf(hpa);
                }
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler hpa, boolean finalStateUnknown) {
                queue.addKeyOf(hpa);
            }
        });
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        informers.awaitSynced();
        EventRecorder events = new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT);
        ReplicaCalculator calculator = new ReplicaCalculator(settings.tolerance(), settings.cpuInitializationPeriod(),
                settings.initialReadinessDelay(), clock);
        AutoscalerSync sync = new AutoscalerSync(client, autoscalers, pods, new ScaleTargets(client),
                new MetricProposals(new MetricsApi(client), calculator, events, clock),
                new ReplicaNormalizer(settings.downscaleStabilization(), clock), events, settings.syncPeriod(), clock);
        queue.start(sync::sync);
        queue.addAll(autoscalers);
    }

    @Override
    public void close() {
        queue.close();
    }
}
