package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.store.LabelSelector;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static io.qube.controller.podautoscaler.AutoscalerConditions.ABLE_TO_SCALE;
import static io.qube.controller.podautoscaler.AutoscalerConditions.SCALING_ACTIVE;

/**
 * One autoscaler's reconcile (Kubernetes' reconcileAutoscaler): read the target's scale, bring a size outside
 * min/max back inside, otherwise ask the metrics, normalize their proposal, write the new size through the scale
 * subresource, and record what happened in the status (written only when it changed), the conditions and events.
 * Every autoscaler is looked at again after the sync period, whatever happened.
 */
final class AutoscalerSync {

    private static final Logger LOG = Logger.getLogger(AutoscalerSync.class);

    private final KubernetesClient client;
    private final SharedIndexInformer<HorizontalPodAutoscaler> autoscalers;
    private final SharedIndexInformer<Pod> pods;
    private final ScaleTargets scales;
    private final MetricProposals proposals;
    private final ReplicaNormalizer normalizer;
    private final EventRecorder events;
    private final Duration syncPeriod;
    private final Clock clock;
    /** Each autoscaler's last valid selector, to find pods two autoscalers would fight over. */
    private final Map<String, LabelSelector> selectors = new ConcurrentHashMap<>();

    AutoscalerSync(KubernetesClient client, SharedIndexInformer<HorizontalPodAutoscaler> autoscalers,
                   SharedIndexInformer<Pod> pods, ScaleTargets scales, MetricProposals proposals,
                   ReplicaNormalizer normalizer, EventRecorder events, Duration syncPeriod, Clock clock) {
        this.client = client;
        this.autoscalers = autoscalers;
        this.pods = pods;
        this.scales = scales;
        this.proposals = proposals;
        this.normalizer = normalizer;
        this.events = events;
        this.syncPeriod = syncPeriod;
        this.clock = clock;
    }

    WorkQueue.Outcome sync(String key) {
        HorizontalPodAutoscaler cached = autoscalers.getIndexer().getByKey(key);
        if (cached == null) {
            normalizer.forget(key);
            selectors.remove(key);
            return WorkQueue.Outcome.DONE;
        }
        // A copy: the informer's object is shared and the reconcile edits its status.
        HorizontalPodAutoscaler hpa = client.getKubernetesSerialization().clone(cached);
        if (hpa.getStatus() == null) {
            hpa.setStatus(new HorizontalPodAutoscalerStatus());
        }
        HorizontalPodAutoscalerStatus original = client.getKubernetesSerialization().clone(hpa.getStatus());
        boolean written = reconcile(hpa, key, original);
        return written ? WorkQueue.Outcome.after(syncPeriod) : WorkQueue.Outcome.FAILED;
    }

    /** @return false when the status could not be written (the reconcile is tried again sooner) */
    private boolean reconcile(HorizontalPodAutoscaler hpa, String key, HorizontalPodAutoscalerStatus original) {
        String namespace = hpa.getMetadata().getNamespace();
        ScaleTargets.Found target;
        try {
            target = scales.get(namespace, hpa.getSpec().getScaleTargetRef());
        } catch (ScaleTargets.ScaleFailed e) {
            events.warning(hpa, "FailedGetScale", e.getMessage());
            AutoscalerConditions.set(hpa, ABLE_TO_SCALE, false, "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: " + e.getMessage(),
                    clock.instant());
            return writeIfChanged(original, hpa);
        }
        AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "SucceededGetScale",
                "the HPA controller was able to get the target's current scale", clock.instant());
        int current = target.scale().getSpec().getReplicas() == null ? 0 : target.scale().getSpec().getReplicas();
        normalizer.recordInitial(key, current);
        int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
        int max = hpa.getSpec().getMaxReplicas();
        List<MetricStatus> metricStatuses = hpa.getStatus().getCurrentMetrics();
        int desired;
        String reason = "";
        boolean rescale = true;
        if (current == 0 && min != 0) {
            desired = 0;
            rescale = false;
            AutoscalerConditions.set(hpa, SCALING_ACTIVE, false, "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero", clock.instant());
        } else if (current > max) {
            reason = "Current number of replicas above Spec.MaxReplicas";
            desired = max;
        } else if (current < min) {
            reason = "Current number of replicas below Spec.MinReplicas";
            desired = min;
        } else {
            String selector = target.scale().getStatus() == null ? null : target.scale().getStatus().getSelector();
            List<Pod> selected = selectedPods(hpa, key, selector);
            MetricProposals.Proposal proposal = selected == null
                    ? new MetricProposals.Proposal(-1, "", null, "selector is required or invalid")
                    : proposals.propose(hpa, current, selector, selected);
            if (proposal.replicas() == -1) {
                setStatus(hpa, current, hpa.getStatus().getDesiredReplicas() == null ? 0
                        : hpa.getStatus().getDesiredReplicas(), proposal.statuses(), false);
                events.warning(hpa, "FailedComputeMetricsReplicas", proposal.error());
                return writeIfChanged(original, hpa);
            }
            metricStatuses = proposal.statuses();
            desired = proposal.replicas();
            if (desired > current) {
                reason = proposal.metric() + " above target";
            } else if (desired < current) {
                reason = "All metrics below target";
            }
            desired = normalizer.normalize(hpa, key, current, desired, min);
            rescale = desired != current;
        }
        if (rescale) {
            try {
                scales.update(target, desired);
            } catch (ScaleTargets.ScaleFailed e) {
                events.warning(hpa, "FailedRescale", "New size: " + desired + "; reason: " + reason + "; error: "
                        + e.getMessage());
                AutoscalerConditions.set(hpa, ABLE_TO_SCALE, false, "FailedUpdateScale",
                        "the HPA controller was unable to update the target scale: " + e.getMessage(), clock.instant());
                setStatus(hpa, current, hpa.getStatus().getDesiredReplicas() == null ? 0
                        : hpa.getStatus().getDesiredReplicas(), metricStatuses, false);
                writeIfChanged(original, hpa);
                return true;
            }
            AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + desired, clock.instant());
            events.normal(hpa, "SuccessfulRescale", "New size: " + desired + "; reason: " + reason);
            normalizer.rescaled(hpa, key, current, desired);
            LOG.debugf("autoscaler %s: %d -> %d (%s)", key, current, desired, reason);
        } else {
            desired = current;
        }
        setStatus(hpa, current, desired, metricStatuses, rescale);
        return writeIfChanged(original, hpa);
    }

    /**
     * The pods the scale's selector matches, or null (with ScalingActive False, as Kubernetes' selector
     * validation) when there is no usable selector or another autoscaler's selector matches one of them too.
     */
    private List<Pod> selectedPods(HorizontalPodAutoscaler hpa, String key, String selector) {
        if (selector == null || selector.isEmpty()) {
            events.warning(hpa, "SelectorRequired", "selector is required");
            AutoscalerConditions.set(hpa, SCALING_ACTIVE, false, "InvalidSelector",
                    "the HPA target's scale is missing a selector", clock.instant());
            return null;
        }
        LabelSelector parsed;
        try {
            parsed = LabelSelector.parse(selector);
        } catch (RuntimeException e) {
            String message = "couldn't convert selector into a corresponding internal selector object: "
                    + e.getMessage();
            events.warning(hpa, "InvalidSelector", message);
            AutoscalerConditions.set(hpa, SCALING_ACTIVE, false, "InvalidSelector", message, clock.instant());
            return null;
        }
        selectors.put(key, parsed);
        String namespace = hpa.getMetadata().getNamespace();
        List<Pod> selected = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
                .filter(pod -> parsed.matches(labels(pod))).toList();
        List<String> sharing = selectors.entrySet().stream()
                .filter(other -> !other.getKey().equals(key) && other.getKey().startsWith(namespace + "/")
                        && autoscalers.getIndexer().getByKey(other.getKey()) != null
                        && selected.stream().anyMatch(pod -> other.getValue().matches(labels(pod))))
                .map(Map.Entry::getKey).sorted().toList();
        if (!sharing.isEmpty()) {
            String message = "pods by selector " + selector + " are controlled by multiple HPAs: "
                    + String.join(", ", Stream.concat(Stream.of(key), sharing.stream()).sorted().toList());
            events.warning(hpa, "AmbiguousSelector", message);
            AutoscalerConditions.set(hpa, SCALING_ACTIVE, false, "AmbiguousSelector", message, clock.instant());
            return null;
        }
        return selected;
    }

    private void setStatus(HorizontalPodAutoscaler hpa, int current, int desired, List<MetricStatus> metrics,
                           boolean rescaled) {
        HorizontalPodAutoscalerStatus status = hpa.getStatus();
        status.setCurrentReplicas(current);
        status.setDesiredReplicas(desired);
        status.setCurrentMetrics(metrics);
        if (rescaled) {
            status.setLastScaleTime(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }

    private boolean writeIfChanged(HorizontalPodAutoscalerStatus original, HorizontalPodAutoscaler hpa) {
        if (Objects.equals(original, hpa.getStatus())) {
            return true;
        }
        try {
            client.resource(hpa).updateStatus();
            return true;
        } catch (KubernetesClientException e) {
            // A conflict: the autoscaler changed meanwhile; the retry reads the newer one.
            events.warning(hpa, "FailedUpdateStatus", e.getMessage());
            return false;
        }
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }
}
