package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ActivePods;
import io.qube.controller.ControllerRefs;
import io.qube.controller.Expectations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One Job brought toward its end, from the informers' caches: its pods claimed and counted, pods created up to
 * parallelism while completions remain (after the failure backoff), and the job finished once it succeeded enough,
 * failed too often (backoffLimit) or ran too long (activeDeadlineSeconds). As in Kubernetes 1.31+, SuccessCriteriaMet
 * or FailureTarget comes first; Complete or Failed follows once none of its pods still runs.
 *
 * <p>Succeeded and failed pods are counted from the pods that exist (Kubernetes' tracking before the
 * {@code batch.kubernetes.io/job-tracking} finalizer): a finished pod someone deletes is no longer counted.
 */
final class JobSync {

    /** Kubernetes' DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(6);
    /** Kubernetes' burst of pod creations in one sync. */
    private static final int BURST = 500;

    private final KubernetesClient client;
    private final SharedIndexInformer<Job> jobs;
    private final SharedIndexInformer<Pod> pods;
    private final Expectations expectations;
    private final EventRecorder events;
    private final Clock clock;

    JobSync(KubernetesClient client, SharedIndexInformer<Job> jobs, SharedIndexInformer<Pod> pods,
            Expectations expectations, EventRecorder events, Clock clock) {
        this.client = client;
        this.jobs = jobs;
        this.pods = pods;
        this.expectations = expectations;
        this.events = events;
        this.clock = clock;
    }

    /** What one sync saw of the job's pods. */
    private record Counts(List<Pod> active, List<Pod> finished, int terminating, int ready, int succeeded,
                          int failed, SortedSet<Integer> succeededIndexes, int restarts) {
    }

    WorkQueue.Outcome sync(String key) {
        Job job = jobs.getIndexer().getByKey(key);
        if (job == null) {
            expectations.forget(key);
            return WorkQueue.Outcome.DONE;
        }
        if (JobConditions.finished(job)) {
            return WorkQueue.Outcome.DONE;
        }
        boolean satisfied = expectations.satisfied(key);
        List<Pod> owned = ControllerRefs.claim(client, job, job.getSpec().getSelector(),
                pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, job.getMetadata().getNamespace()));
        JobSpec spec = job.getSpec();
        Counts counts = count(spec, owned, job.getStatus() == null ? null : job.getStatus().getCompletedIndexes());
        Instant now = clock.instant();
        JobStatus current = job.getStatus() == null ? new JobStatus() : job.getStatus();
        JobStatus next = new JobStatusBuilder(current).build();
        List<JobCondition> conditions = new ArrayList<>(next.getConditions() == null ? List.of() : next.getConditions());
        boolean suspended = Boolean.TRUE.equals(spec.getSuspend());
        WorkQueue.Outcome outcome = WorkQueue.Outcome.DONE;
        List<Runnable> afterStatus = new ArrayList<>();

        JobCondition failureTarget = JobConditions.find(conditions, "FailureTarget");
        if (failureTarget == null && !suspended) {
            String reason = failureReason(spec, counts, next, now);
            if (reason != null) {
                failureTarget = JobConditions.make("FailureTarget", reason, JobConditions.message(reason), now);
                conditions.add(failureTarget);
            }
        }
        boolean complete = failureTarget == null && (JobConditions.find(conditions, "SuccessCriteriaMet") != null
                || complete(spec, counts));
        int deleted = 0;
        if (failureTarget != null || complete) {
            if (complete && JobConditions.find(conditions, "SuccessCriteriaMet") == null) {
                conditions.add(JobConditions.make("SuccessCriteriaMet", "CompletionsReached",
                        "Reached expected number of succeeded pods", now));
            }
            deleted = deleteAll(key, job, counts.active());
            // The final condition waits for every pod to have stopped, so that it really is the end.
            if (deleted == 0 && counts.active().isEmpty() && counts.terminating() == 0) {
                if (complete) {
                    conditions.add(JobConditions.make("Complete", "CompletionsReached",
                            "Reached expected number of succeeded pods", now));
                    next.setCompletionTime(timestamp(now));
                    afterStatus.add(() -> events.normal(job, "Completed", "Job completed"));
                } else {
                    conditions.add(JobConditions.make("Failed", failureTarget.getReason(), failureTarget.getMessage(),
                            now));
                    JobCondition reason = failureTarget;
                    afterStatus.add(() -> events.warning(job, reason.getReason(), reason.getMessage()));
                }
            }
        } else if (suspended) {
            deleted = deleteAll(key, job, counts.active());
            if (JobConditions.set(conditions, "Suspended", "True", "JobSuspended", "Job suspended", now)) {
                afterStatus.add(() -> events.normal(job, "Suspended", "Job suspended"));
            }
        } else {
            if (JobConditions.set(conditions, "Suspended", "False", "JobResumed", "Job resumed", now)) {
                // The deadline counts from the resume, as in Kubernetes.
                next.setStartTime(timestamp(now));
                afterStatus.add(() -> events.normal(job, "Resumed", "Job resumed"));
            }
            if (next.getStartTime() == null) {
                next.setStartTime(timestamp(now));
            }
            if (satisfied) {
                outcome = manage(key, job, counts, now);
            }
            outcome = sooner(outcome, deadline(spec, next, now));
        }
        int active = counts.active().size() - deleted;
        // Go's omitempty: counts of zero are left out, ready and terminating (pointers) are not.
        next.setActive(omitZero(active));
        next.setReady(counts.ready());
        next.setSucceeded(omitZero(counts.succeeded()));
        next.setFailed(omitZero(counts.failed()));
        next.setTerminating(counts.terminating() + deleted);
        if ("Indexed".equals(spec.getCompletionMode())) {
            String indexes = CompletedIndexes.format(counts.succeededIndexes());
            next.setCompletedIndexes(indexes.isEmpty() ? null : indexes);
        }
        // An empty list, as the cached copy has it (fabric8 reads an absent list as empty and writes none).
        next.setConditions(conditions);
        if (!Objects.equals(current, next)) {
            try {
                client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                        .resource(new JobBuilder(job).withStatus(next).build()).updateStatus();
            } catch (KubernetesClientException e) {
                // A conflict means the cache is behind: the job's own update event brings it back.
                return e.getCode() == 409 || e.getCode() == 404 ? WorkQueue.Outcome.DONE : WorkQueue.Outcome.FAILED;
            }
        }
        afterStatus.forEach(Runnable::run);
        return outcome;
    }

    /** @param completedIndexes the status' record, kept: an index once completed stays so when its pod goes */
    private static Counts count(JobSpec spec, List<Pod> owned, String completedIndexes) {
        boolean indexed = "Indexed".equals(spec.getCompletionMode());
        int completions = spec.getCompletions() == null ? 0 : spec.getCompletions();
        List<Pod> active = new ArrayList<>();
        List<Pod> finished = new ArrayList<>();
        int terminating = 0;
        int ready = 0;
        int succeeded = 0;
        int failed = 0;
        int restarts = 0;
        SortedSet<Integer> indexes = indexed ? CompletedIndexes.parse(completedIndexes, completions) : new TreeSet<>();
        for (Pod pod : owned) {
            if (JobPods.succeeded(pod) || JobPods.failed(pod)) {
                finished.add(pod);
            }
            if (JobPods.succeeded(pod)) {
                succeeded++;
                int index = JobPods.index(pod, completions);
                if (index >= 0) {
                    indexes.add(index);
                }
            } else if (JobPods.failed(pod)) {
                failed++;
            } else if (JobPods.terminating(pod)) {
                terminating++;
            } else {
                active.add(pod);
                restarts += JobPods.restarts(pod);
                if (ActivePods.isReady(pod)) {
                    ready++;
                }
            }
        }
        return new Counts(active, finished, terminating, ready, indexed ? indexes.size() : succeeded, failed, indexes, restarts);
    }

    private static boolean complete(JobSpec spec, Counts counts) {
        if (spec.getCompletions() == null) {
            // Without completions the first success ends the job, once the other pods are done too.
            return counts.succeeded() > 0 && counts.active().isEmpty();
        }
        return counts.succeeded() >= spec.getCompletions();
    }

    /** BackoffLimitExceeded, DeadlineExceeded or null. */
    private static String failureReason(JobSpec spec, Counts counts, JobStatus status, Instant now) {
        int limit = spec.getBackoffLimit() == null ? 6 : spec.getBackoffLimit();
        // With OnFailure the kubelet restarts containers in place: those restarts are the failures.
        boolean onFailure = spec.getTemplate() != null && spec.getTemplate().getSpec() != null
                && "OnFailure".equals(spec.getTemplate().getSpec().getRestartPolicy());
        boolean restartsExceeded = onFailure && (limit == 0 ? counts.restarts() > 0 : counts.restarts() >= limit);
        if (counts.failed() > limit || restartsExceeded) {
            return "BackoffLimitExceeded";
        }
        Instant deadline = deadlineOf(spec, status);
        if (deadline != null && !now.isBefore(deadline)) {
            return "DeadlineExceeded";
        }
        return null;
    }

    private static Instant deadlineOf(JobSpec spec, JobStatus status) {
        if (spec.getActiveDeadlineSeconds() == null || status.getStartTime() == null) {
            return null;
        }
        return Instant.parse(status.getStartTime()).plusSeconds(spec.getActiveDeadlineSeconds());
    }

    /** Nothing happens at a deadline by itself: look again then. */
    private static WorkQueue.Outcome deadline(JobSpec spec, JobStatus status, Instant now) {
        Instant deadline = deadlineOf(spec, status);
        return deadline == null ? WorkQueue.Outcome.DONE
                : WorkQueue.Outcome.after(Duration.between(now, deadline).plusMillis(100));
    }

    /** Creates the pods the job still needs now, or deletes surplus ones after parallelism was lowered. */
    private WorkQueue.Outcome manage(String key, Job job, Counts counts, Instant now) {
        JobSpec spec = job.getSpec();
        int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
        int active = counts.active().size();
        // With podReplacementPolicy Failed a pod being deleted is replaced only once it has really stopped.
        int stopping = "Failed".equals(spec.getPodReplacementPolicy()) ? counts.terminating() : 0;
        List<Integer> indexes = new ArrayList<>();
        int wanted;
        if ("Indexed".equals(spec.getCompletionMode())) {
            Set<Integer> taken = new HashSet<>(counts.succeededIndexes());
            counts.active().forEach(pod -> taken.add(JobPods.index(pod, spec.getCompletions())));
            for (int i = 0; i < spec.getCompletions() && active + stopping + indexes.size() < parallelism; i++) {
                if (!taken.contains(i)) {
                    indexes.add(i);
                }
            }
            wanted = Math.min(parallelism, active + indexes.size());
        } else if (spec.getCompletions() == null) {
            // Once one pod succeeded the others are let finish, and none is added.
            wanted = counts.succeeded() > 0 ? active : parallelism;
        } else {
            wanted = Math.max(0, Math.min(parallelism, spec.getCompletions() - counts.succeeded()));
        }
        if (active > wanted) {
            List<Pod> doomed = counts.active().stream().sorted(ActivePods.deletionOrder(Map.of()))
                    .limit(active - wanted).toList();
            delete(key, job, doomed);
            return WorkQueue.Outcome.DONE;
        }
        int missing = Math.min(indexes.isEmpty() ? wanted - active - stopping : indexes.size(), BURST);
        if (missing <= 0) {
            return WorkQueue.Outcome.DONE;
        }
        Duration backoff = backoffLeft(counts, now);
        if (!backoff.isZero()) {
            return WorkQueue.Outcome.after(backoff);
        }
        expectations.expect(key, missing, Set.of());
        boolean failed = false;
        for (int i = 0; i < missing; i++) {
            if (failed) {
                // Not attempted after a failure, so never to be observed.
                expectations.creationObserved(key);
                continue;
            }
            try {
                Pod created = client.pods().inNamespace(job.getMetadata().getNamespace())
                        .resource(JobPods.newPod(job, indexes.isEmpty() ? null : indexes.get(i))).create();
                events.normal(job, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            } catch (KubernetesClientException e) {
                expectations.creationObserved(key);
                failed = true;
                events.warning(job, "FailedCreate", "Error creating: " + message(e));
            }
        }
        return failed ? WorkQueue.Outcome.FAILED : WorkQueue.Outcome.DONE;
    }

    /**
     * Kubernetes' pod failure backoff: after n failures since the last success, a new pod waits 10 s · 2^(n-1)
     * (at most 6 min) from the latest failure.
     */
    private static Duration backoffLeft(Counts counts, Instant now) {
        Instant lastSuccess = null;
        for (Pod pod : counts.finished()) {
            Instant at = JobPods.finishedAt(pod);
            if (at != null && JobPods.succeeded(pod) && (lastSuccess == null || at.isAfter(lastSuccess))) {
                lastSuccess = at;
            }
        }
        int consecutive = 0;
        Instant lastFailure = null;
        for (Pod pod : counts.finished()) {
            Instant at = JobPods.finishedAt(pod);
            if (at != null && JobPods.failed(pod) && (lastSuccess == null || at.isAfter(lastSuccess))) {
                consecutive++;
                lastFailure = lastFailure == null || at.isAfter(lastFailure) ? at : lastFailure;
            }
        }
        if (consecutive == 0) {
            return Duration.ZERO;
        }
        Duration delay = FIRST_BACKOFF.multipliedBy(1L << Math.min(consecutive - 1, 16));
        if (delay.compareTo(MAX_BACKOFF) > 0) {
            delay = MAX_BACKOFF;
        }
        Duration left = Duration.between(now, lastFailure.plus(delay));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Deletes the job's running pods; how many deletions were made. */
    private int deleteAll(String key, Job job, List<Pod> active) {
        return active.isEmpty() ? 0 : delete(key, job, active);
    }

    private int delete(String key, Job job, List<Pod> doomed) {
        Set<String> keys = new HashSet<>();
        doomed.forEach(pod -> keys.add(Cache.metaNamespaceKeyFunc(pod)));
        expectations.expect(key, 0, keys);
        int deleted = 0;
        for (Pod pod : doomed) {
            try {
                if (client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .delete().isEmpty()) {
                    expectations.deletionObserved(key, Cache.metaNamespaceKeyFunc(pod));
                    continue;
                }
                deleted++;
                events.normal(job, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
            } catch (KubernetesClientException e) {
                expectations.deletionObserved(key, Cache.metaNamespaceKeyFunc(pod));
                if (e.getCode() != 404) {
                    events.warning(job, "FailedDelete", "Error deleting: " + message(e));
                }
            }
        }
        return deleted;
    }

    private static WorkQueue.Outcome sooner(WorkQueue.Outcome a, WorkQueue.Outcome b) {
        if (!a.retry()) {
            return b;
        }
        if (!b.retry() || a.after() == null) {
            return a;
        }
        return b.after() != null && b.after().compareTo(a.after()) < 0 ? b : a;
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
    }

    private static Integer omitZero(int count) {
        return count == 0 ? null : count;
    }

    static String timestamp(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
