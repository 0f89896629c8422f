package io.qube.controller.disruption;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.DisruptionConditions;
import io.qube.client.EventRecorder;
import io.qube.client.Selectors;
import io.qube.client.WorkQueue;
import io.qube.controller.ActivePods;
import io.qube.controller.IntOrPercent;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One budget's status computed from the caches (Kubernetes' trySync): the pods it selects, how many must stay
 * healthy (minAvailable as given, or as a percentage of the pods' controllers' scale; or that scale less
 * maxUnavailable), how many are healthy (ready, not being deleted and not just evicted), and from these the
 * disruptions allowed, never below 0 and 0 while no pod is expected. Evicted pods stay in disruptedPods until
 * they go or their deletion timeout passes; the budget is looked at again then. Written only when it changed.
 */
final class DisruptionSync {

    private static final Logger LOG = Logger.getLogger(DisruptionSync.class);

    private final KubernetesClient client;
    private final SharedIndexInformer<PodDisruptionBudget> budgets;
    private final SharedIndexInformer<Pod> pods;
    private final PodControllers controllers;
    private final EventRecorder events;
    private final Duration deletionTimeout;
    private final Clock clock;

    DisruptionSync(KubernetesClient client, SharedIndexInformer<PodDisruptionBudget> budgets,
                   SharedIndexInformer<Pod> pods, PodControllers controllers, EventRecorder events,
                   Duration deletionTimeout, Clock clock) {
        this.client = client;
        this.budgets = budgets;
        this.pods = pods;
        this.controllers = controllers;
        this.events = events;
        this.deletionTimeout = deletionTimeout;
        this.clock = clock;
    }

    /** What the budget's status should say. */
    record Counts(int currentHealthy, int desiredHealthy, int expectedPods, Map<String, String> disruptedPods) {
    }

    WorkQueue.Outcome sync(String key) {
        PodDisruptionBudget budget = budgets.getIndexer().getByKey(key);
        if (budget == null) {
            return WorkQueue.Outcome.DONE;
        }
        PodDisruptionBudgetSpec spec = budget.getSpec() == null ? new PodDisruptionBudgetSpec() : budget.getSpec();
        List<Pod> selected = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, budget.getMetadata().getNamespace())
                .stream().filter(pod -> Selectors.matches(spec.getSelector(), labels(pod))).toList();
        if (selected.isEmpty()) {
            events.normal(budget, "NoPods", "No matching pods found");
        }
        Instant now = clock.instant();
        Wanted wanted;
        try {
            wanted = wanted(spec, selected);
        } catch (PodControllers.NotFound e) {
            events.warning(budget, "CalculateExpectedPodCountFailed",
                    "Failed to calculate the number of expected pods: " + e.getMessage());
            return failSafe(budget, e.getMessage(), now);
        }
        Map<String, String> disrupted = stillDisrupted(budget, selected, now);
        int healthy = (int) selected.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null
                        && !disrupted.containsKey(pod.getMetadata().getName()) && ActivePods.isReady(pod))
                .count();
        WorkQueue.Outcome written = write(budget, new Counts(healthy, wanted.desiredHealthy(), wanted.expectedPods(), disrupted), now);
        Instant recheck = disrupted.values().stream().map(Instant::parse).min(Instant::compareTo)
                .map(time -> time.plus(deletionTimeout)).orElse(null);
        return written == WorkQueue.Outcome.DONE && recheck != null
                ? WorkQueue.Outcome.after(Duration.between(now, recheck).plusMillis(1)) : written;
    }

    /** How many pods the budget expects and how many of them it wants healthy. */
    private record Wanted(int expectedPods, int desiredHealthy) {
    }

    /** As Kubernetes' getExpectedPodCount: a count of minAvailable needs no controller, anything else does. */
    private Wanted wanted(PodDisruptionBudgetSpec spec, List<Pod> selected) throws PodControllers.NotFound {
        IntOrString maxUnavailable = spec.getMaxUnavailable();
        IntOrString minAvailable = spec.getMinAvailable();
        if (maxUnavailable != null) {
            int expected = scale(selected);
            return new Wanted(expected, Math.max(0, expected - IntOrPercent.scaled(maxUnavailable, expected, true)));
        }
        if (minAvailable != null && minAvailable.getStrVal() == null) {
            return new Wanted(selected.size(), minAvailable.getIntVal() == null ? 0 : minAvailable.getIntVal());
        }
        if (minAvailable != null) {
            int expected = scale(selected);
            return new Wanted(expected, IntOrPercent.scaled(minAvailable, expected, true));
        }
        return new Wanted(0, 0);
    }

    private int scale(List<Pod> selected) throws PodControllers.NotFound {
        PodControllers.Scale scale = controllers.expectedScale(selected);
        if (!scale.unmanaged().isEmpty()) {
            LOG.debugf("pods without a controller are not counted: %s", scale.unmanaged());
        }
        return scale.expected();
    }

    /**
     * The disruptedPods entries that still hold: pods that exist, are not yet being deleted, and were evicted less
     * than the deletion timeout ago (Kubernetes' buildDisruptedPodMap).
     */
    private Map<String, String> stillDisrupted(PodDisruptionBudget budget, List<Pod> selected, Instant now) {
        Map<String, String> recorded = budget.getStatus() == null || budget.getStatus().getDisruptedPods() == null
                ? Map.of() : budget.getStatus().getDisruptedPods();
        Map<String, String> kept = new TreeMap<>();
        for (Pod pod : selected) {
            String name = pod.getMetadata().getName();
            String since = recorded.get(name);
            if (since == null || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (Instant.parse(since).plus(deletionTimeout).isBefore(now)) {
                events.warning(pod, "NotDeleted", "Pod was expected by PDB " + budget.getMetadata().getNamespace()
                        + "/" + budget.getMetadata().getName() + " to be deleted but it wasn't");
            } else {
                kept.put(name, since);
            }
        }
        return kept;
    }

    private WorkQueue.Outcome write(PodDisruptionBudget budget, Counts counts, Instant now) {
        // Kubernetes requires expected pods: a budget that matches none is safe when its first pods appear.
        int allowed = counts.expectedPods() <= 0 ? 0 : Math.max(0, counts.currentHealthy() - counts.desiredHealthy());
        PodDisruptionBudgetStatus current = budget.getStatus() == null ? new PodDisruptionBudgetStatus()
                : budget.getStatus();
        Long generation = budget.getMetadata().getGeneration();
        if (Objects.equals(current.getCurrentHealthy(), counts.currentHealthy())
                && Objects.equals(current.getDesiredHealthy(), counts.desiredHealthy())
                && Objects.equals(current.getExpectedPods(), counts.expectedPods())
                && Objects.equals(current.getDisruptionsAllowed(), allowed)
                && Objects.equals(current.getObservedGeneration(), generation)
                && counts.disruptedPods().equals(current.getDisruptedPods() == null ? Map.of()
                        : current.getDisruptedPods())) {
            return WorkQueue.Outcome.DONE;
        }
        PodDisruptionBudget next = new PodDisruptionBudgetBuilder(budget).build();
        PodDisruptionBudgetStatus status = new PodDisruptionBudgetStatus();
        status.setCurrentHealthy(counts.currentHealthy());
        status.setDesiredHealthy(counts.desiredHealthy());
        status.setExpectedPods(counts.expectedPods());
        status.setDisruptionsAllowed(allowed);
        status.setDisruptedPods(counts.disruptedPods().isEmpty() ? null : counts.disruptedPods());
        status.setObservedGeneration(generation);
        status.setConditions(current.getConditions());
        next.setStatus(status);
        DisruptionConditions.update(next, now);
        return updateStatus(next);
    }

    /** When the expected pods cannot be known, no disruption is allowed, and the condition says why. */
    private WorkQueue.Outcome failSafe(PodDisruptionBudget budget, String why, Instant now) {
        PodDisruptionBudget next = new PodDisruptionBudgetBuilder(budget).build();
        PodDisruptionBudgetStatus status = next.getStatus() == null ? new PodDisruptionBudgetStatus()
                : next.getStatus();
        status.setDisruptionsAllowed(0);
        next.setStatus(status);
        DisruptionConditions.syncFailed(next, why, now);
        updateStatus(next);
        return WorkQueue.Outcome.FAILED;
    }

    private WorkQueue.Outcome updateStatus(PodDisruptionBudget next) {
        try {
            client.resource(next).updateStatus();
            return WorkQueue.Outcome.DONE;
        } catch (KubernetesClientException e) {
            // A conflict means the cache was behind (an eviction took a disruption): the retry sees the newer budget.
            LOG.debugf("budget %s/%s: %s", next.getMetadata().getNamespace(), next.getMetadata().getName(),
                    e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }
}
