package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' replica calculation for resource metrics. The pods the scale selects are sorted first: deleted and
 * failed ones are left out; pending ones, and (for cpu only) pods that are not ready or whose sample may still
 * reflect their start, are "unready"; running pods without a sample are "missing". The usage ratio of the rest
 * against the target decides; within the tolerance nothing changes. When it would scale, missing pods are assumed
 * to use the target (on a scale-down) or nothing (on a scale-up), unready pods nothing on a scale-up, and the
 * ratio is computed again: if those assumptions bring it within the tolerance or turn its direction, nothing
 * changes. This damps the swings a rollout or a pod's warm-up would otherwise cause.
 */
final class ReplicaCalculator {

    /** A proposal: the replicas, the current average utilization in percent (null for a value target) and value. */
    record Result(int replicas, Integer utilization, long averageMilli) {
    }

    /** The figures do not allow a proposal; the message is Kubernetes' own. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private final double tolerance;
    private final Duration cpuInitializationPeriod;
    private final Duration initialReadinessDelay;
    private final Clock clock;

    ReplicaCalculator(double tolerance, Duration cpuInitializationPeriod, Duration initialReadinessDelay, Clock clock) {
        this.tolerance = tolerance;
        this.cpuInitializationPeriod = cpuInitializationPeriod;
        this.initialReadinessDelay = initialReadinessDelay;
        this.clock = clock;
    }

    /** Replicas for an average utilization target, in percent of the pods' requests. */
    Result utilization(int currentReplicas, int targetUtilization, String resource, List<Pod> pods,
                       Map<String, PodMetric> samples) throws Failed {
        if (pods.isEmpty()) {
            throw new Failed("no pods returned by selector while calculating replica count");
        }
        Map<String, PodMetric> metrics = new HashMap<>(samples);
        Groups groups = group(pods, metrics, resource);
        metrics.keySet().removeAll(groups.ignored());
        metrics.keySet().removeAll(groups.unready());
        if (metrics.isEmpty()) {
            throw new Failed("did not receive metrics for targeted pods (pods might be unready)");
        }
        Map<String, Long> requests = requests(pods, resource);
        Utilization first = utilizationOf(metrics, requests, targetUtilization);
        double ratio = first.ratio();
        boolean scaleUpWithUnready = !groups.unready().isEmpty() && ratio > 1.0;
        if (!scaleUpWithUnready && groups.missing().isEmpty()) {
            return new Result(withinTolerance(ratio) ? currentReplicas : (int) Math.ceil(ratio * groups.ready()),
                    first.percent(), first.averageMilli());
        }
        if (!groups.missing().isEmpty()) {
            // Newer Kubernetes assumes the target rather than 100% when the target is above 100%.
            long fallbackPercent = Math.max(100, targetUtilization);
            for (String pod : groups.missing()) {
                if (ratio < 1.0) {
                    metrics.put(pod, PodMetric.assumed(requests.get(pod) * fallbackPercent / 100));
                } else if (ratio > 1.0) {
                    metrics.put(pod, PodMetric.assumed(0));
                }
            }
        }
        if (scaleUpWithUnready) {
            groups.unready().forEach(pod -> metrics.put(pod, PodMetric.assumed(0)));
        }
        double newRatio = utilizationOf(metrics, requests, targetUtilization).ratio();
        return new Result(settle(currentReplicas, ratio, newRatio, metrics.size()), first.percent(),
                first.averageMilli());
    }

    /** Replicas for an average value target (milli-units per pod). */
    Result averageValue(int currentReplicas, long targetMilli, String resource, List<Pod> pods,
                        Map<String, PodMetric> samples) throws Failed {
        if (pods.isEmpty()) {
            throw new Failed("no pods returned by selector while calculating replica count");
        }
        Map<String, PodMetric> metrics = new HashMap<>(samples);
        Groups groups = group(pods, metrics, resource);
        metrics.keySet().removeAll(groups.ignored());
        metrics.keySet().removeAll(groups.unready());
        if (metrics.isEmpty()) {
            throw new Failed("did not receive metrics for targeted pods (pods might be unready)");
        }
        long usage = average(metrics);
        double ratio = (double) usage / targetMilli;
        boolean scaleUpWithUnready = !groups.unready().isEmpty() && ratio > 1.0;
        if (!scaleUpWithUnready && groups.missing().isEmpty()) {
            return new Result(withinTolerance(ratio) ? currentReplicas : (int) Math.ceil(ratio * groups.ready()),
                    null, usage);
        }
        for (String pod : groups.missing()) {
            if (ratio < 1.0) {
                metrics.put(pod, PodMetric.assumed(targetMilli));
            } else if (ratio > 1.0) {
                metrics.put(pod, PodMetric.assumed(0));
            }
        }
        if (scaleUpWithUnready) {
            groups.unready().forEach(pod -> metrics.put(pod, PodMetric.assumed(0)));
        }
        double newRatio = (double) average(metrics) / targetMilli;
        return new Result(settle(currentReplicas, ratio, newRatio, metrics.size()), null, usage);
    }

    /** The second pass: the current count unless the assumptions leave a change the same way as the first. */
    private int settle(int currentReplicas, double ratio, double newRatio, int counted) {
        if (withinTolerance(newRatio) || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) {
            return currentReplicas;
        }
        int proposed = (int) Math.ceil(newRatio * counted);
        if ((newRatio < 1.0 && proposed > currentReplicas) || (newRatio > 1.0 && proposed < currentReplicas)) {
            return currentReplicas;
        }
        return proposed;
    }

    private boolean withinTolerance(double ratio) {
        return Math.abs(1.0 - ratio) <= tolerance;
    }

    private record Groups(int ready, Set<String> unready, Set<String> missing, Set<String> ignored) {
    }

    private Groups group(List<Pod> pods, Map<String, PodMetric> metrics, String resource) {
        int ready = 0;
        Set<String> unready = new HashSet<>();
        Set<String> missing = new HashSet<>();
        Set<String> ignored = new HashSet<>();
        Instant now = clock.instant();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (pod.getMetadata().getDeletionTimestamp() != null || "Failed".equals(phase)) {
                ignored.add(name);
            } else if (phase == null || "Pending".equals(phase)) {
                unready.add(name);
            } else if (!metrics.containsKey(name)) {
                missing.add(name);
            } else if ("cpu".equals(resource) && cpuSampleUnready(pod, metrics.get(name), now)) {
                unready.add(name);
            } else {
                ready++;
            }
        }
        return new Groups(ready, unready, missing, ignored);
    }

    /**
     * Whether a cpu sample may not reflect the pod's steady use: within the initialization period after its start
     * while it is not ready or was sampled before a full window had passed since it became ready; after it, only
     * when it is not ready and has not been ready since shortly after its start (a pod that went unready later
     * is counted: its use is real).
     */
    private boolean cpuSampleUnready(Pod pod, PodMetric sample, Instant now) {
        PodCondition condition = readyCondition(pod);
        Instant started = instant(pod.getStatus().getStartTime());
        if (condition == null || started == null) {
            return true;
        }
        Instant transition = instant(condition.getLastTransitionTime());
        if (transition == null) {
            transition = started;
        }
        boolean notReady = "False".equals(condition.getStatus());
        if (started.plus(cpuInitializationPeriod).isAfter(now)) {
            return notReady || sample.timestamp().isBefore(transition.plus(sample.window()));
        }
        return notReady && started.plus(initialReadinessDelay).isAfter(transition);
    }

    private static PodCondition readyCondition(Pod pod) {
        if (pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .orElse(null);
    }

    private static Instant instant(String timestamp) {
        return timestamp == null || timestamp.isEmpty() ? null : Instant.parse(timestamp);
    }

    /**
     * Each pod's request of the resource: the sum over its containers and its sidecars (init containers that
     * keep running); a container without one makes utilization meaningless, which is an error.
     */
    private static Map<String, Long> requests(List<Pod> pods, String resource) throws Failed {
        Map<String, Long> requests = new HashMap<>();
        for (Pod pod : pods) {
            List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
            if (pod.getSpec().getInitContainers() != null) {
                pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy()))
                        .forEach(containers::add);
            }
            long sum = 0;
            for (Container container : containers) {
                Quantity request = container.getResources() == null || container.getResources().getRequests() == null
                        ? null : container.getResources().getRequests().get(resource);
                if (request == null) {
                    throw new Failed("missing request for " + resource + " in container " + container.getName()
                            + " of Pod " + pod.getMetadata().getName());
                }
                sum += milli(request);
            }
            requests.put(pod.getMetadata().getName(), sum);
        }
        return requests;
    }

    private record Utilization(double ratio, int percent, long averageMilli) {
    }

    /** Usage against requests, in whole percent as Kubernetes truncates it, over the pods that have both. */
    private static Utilization utilizationOf(Map<String, PodMetric> metrics, Map<String, Long> requests, int target)
            throws Failed {
        long usage = 0;
        long requested = 0;
        int counted = 0;
        for (Map.Entry<String, PodMetric> metric : metrics.entrySet()) {
            Long request = requests.get(metric.getKey());
            if (request == null) {
                continue; // a sample of a pod the selector no longer lists
            }
            usage += metric.getValue().milliValue();
            requested += request;
            counted++;
        }
        if (requested == 0) {
            throw new Failed("no metrics returned matched known pods");
        }
        int percent = (int) (usage * 100 / requested);
        return new Utilization((double) percent / target, percent, usage / counted);
    }

    private static long average(Map<String, PodMetric> metrics) {
        return metrics.values().stream().mapToLong(PodMetric::milliValue).sum() / metrics.size();
    }

    /** A quantity in thousandths, rounded up as Kubernetes' MilliValue does. */
    static long milli(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).multiply(BigDecimal.valueOf(1000))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
