package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * An Indexed job's failures per index, for {@code backoffLimitPerIndex}. As in Kubernetes, each pod carries how often
 * its index had failed before it was made (counted and ignored failures in two annotations), so the count survives
 * the deletion of older pods; an index fails for good once its count exceeds the limit or a FailIndex rule matched
 * one of its pods, and failed indexes stay recorded in the job's {@code status.failedIndexes}.
 */
final class IndexFailures {

    static final String FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count";
    static final String IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count";

    private final Map<Integer, Integer> counted = new HashMap<>();
    private final Map<Integer, Integer> ignored = new HashMap<>();
    private final SortedSet<Integer> failed;

    private IndexFailures(SortedSet<Integer> failed) {
        this.failed = failed;
    }

    /**
     * @param recorded the job's status.failedIndexes
     * @param succeeded indexes that succeeded, which no later failure of a stray pod turns into failed ones
     * @param matches   the podFailurePolicy rule each failed pod matches (null for none)
     */
    static IndexFailures of(JobSpec spec, String recorded, Set<Integer> succeeded, List<Pod> owned,
                            Function<Pod, PodFailureRules.Match> matches) {
        int completions = spec.getCompletions();
        IndexFailures failures = new IndexFailures(CompletedIndexes.parse(recorded, completions));
        for (Pod pod : owned) {
            int index = JobPods.index(pod, completions);
            if (index < 0) {
                continue;
            }
            int before = annotation(pod, FAILURE_COUNT);
            int ignoredBefore = annotation(pod, IGNORED_FAILURE_COUNT);
            PodFailureRules.Match match = JobPods.failed(pod) ? matches.apply(pod) : null;
            boolean countedFailure = JobPods.failed(pod) && PodFailureRules.counts(match);
            boolean ignoredFailure = JobPods.failed(pod) && !countedFailure;
            failures.counted.merge(index, before + (countedFailure ? 1 : 0), Math::max);
            failures.ignored.merge(index, ignoredBefore + (ignoredFailure ? 1 : 0), Math::max);
            boolean failIndex = match != null && PodFailureRules.FAIL_INDEX.equals(match.action());
            if ((failIndex || failures.counted.get(index) > spec.getBackoffLimitPerIndex())
                    && !succeeded.contains(index)) {
                failures.failed.add(index);
            }
        }
        return failures;
    }

    /** Indexes that failed for good: never run again. */
    SortedSet<Integer> failed() {
        return failed;
    }

    /** The annotations a new pod of this index carries (the ignored count only once there is one, as Kubernetes). */
    Map<String, String> annotationsFor(int index) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(FAILURE_COUNT, Integer.toString(counted.getOrDefault(index, 0)));
        int ignoredFailures = ignored.getOrDefault(index, 0);
        if (ignoredFailures > 0) {
            annotations.put(IGNORED_FAILURE_COUNT, Integer.toString(ignoredFailures));
        }
        return annotations;
    }

    private static int annotation(Pod pod, String name) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(name);
        return value != null && value.matches("[0-9]{1,9}") ? Integer.parseInt(value) : 0;
    }
}
