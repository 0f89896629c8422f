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
import io.qube.controller.ApiErrors;
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
 * parallelism while completions remain (after the failure backoff), and the job finished once it succeeded enough
 * (completions, or a rule of its successPolicy), failed too often (backoffLimit, or per index backoffLimitPerIndex
 * and maxFailedIndexes), failed as a podFailurePolicy rule says, or ran too long (activeDeadlineSeconds). As in
 * Kubernetes 1.31+, SuccessCriteriaMet or FailureTarget comes first; Complete or Failed follows once none of its
 * pods still runs.
 *
 * <p>Succeeded and failed pods are counted from the pods that exist (Kubernetes' tracking before the
 * {@code batch.kubernetes.io/job-tracking} finalizer): a finished pod someone deletes is no longer counted.
 */
final class JobSync {

    /** Kubernetes' DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(6);
    /** Kubernetes' own name for the built-in Job controller in spec.managedBy. */
    static final String MANAGED_BY = "kubernetes.io/job-controller";
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

    /**
     * What one sync saw of the job's pods.
     *
     * @param failed  failed pods but those a podFailurePolicy rule ignores
     * @param failJob the first failed pod's match of a FailJob rule, or null
     */
    private record Counts(List<Pod> active, List<Pod> finished, int terminating, int ready, int succeeded,
                          int failed, SortedSet<Integer> succeededIndexes, int restarts,
                          PodFailureRules.Match failJob) {
    }

    /** Why a job fails: its FailureTarget's reason and message. */
    private record Failure(String reason, String message) {
        static Failure of(String reason) {
            return new Failure(reason, JobConditions.message(reason));
        }
    }

    WorkQueue.Outcome sync(String key) {
        Job job = jobs.getIndexer().getByKey(key);
        if (job == null) {
            expectations.forget(key);
            return WorkQueue.Outcome.DONE;
        }
        if (JobConditions.finished(job) || !managedHere(job)) {
            return WorkQueue.Outcome.DONE;
        }
        boolean satisfied = expectations.satisfied(key);
        List<Pod> owned = ControllerRefs.claim(client, job, job.getSpec().getSelector(),
                pods);
        JobSpec spec = job.getSpec();
        JobStatus current = job.getStatus() == null ? new JobStatus() : job.getStatus();
        Counts counts = count(spec, owned, current.getCompletedIndexes());
        IndexFailures indexFailures = perIndex(spec) ? IndexFailures.of(spec, current.getFailedIndexes(),
                counts.succeededIndexes(), owned, pod -> PodFailureRules.match(spec.getPodFailurePolicy(), pod)) : null;
        Instant now = clock.instant();
        JobStatus next = new JobStatusBuilder(current).build();
        List<JobCondition> conditions = new ArrayList<>(next.getConditions() == null ? List.of() : next.getConditions());
        boolean suspended = Boolean.TRUE.equals(spec.getSuspend());
        WorkQueue.Outcome outcome = WorkQueue.Outcome.DONE;
        List<Runnable> afterStatus = new ArrayList<>();

        JobCondition failureTarget = JobConditions.find(conditions, "FailureTarget");
        JobCondition successCriteria = JobConditions.find(conditions, "SuccessCriteriaMet");
        if (failureTarget == null && successCriteria == null && !suspended) {
            Failure failure = failure(spec, counts, indexFailures, next, now);
            if (failure != null) {
                failureTarget = JobConditions.make("FailureTarget", failure.reason(), failure.message(), now);
                conditions.add(failureTarget);
            }
        }
        if (failureTarget == null && successCriteria == null) {
            successCriteria = successCriteria(spec, counts, now);
            if (successCriteria != null) {
                conditions.add(successCriteria);
            }
        }
        boolean complete = failureTarget == null && successCriteria != null;
        int deleted = 0;
        if (failureTarget != null || complete) {
            deleted = deleteAll(key, job, counts.active());
            // The final condition waits for every pod to have stopped, so that it really is the end.
            if (deleted == 0 && counts.active().isEmpty() && counts.terminating() == 0) {
                if (complete) {
                    conditions.add(JobConditions.make("Complete", successCriteria.getReason(),
                            successCriteria.getMessage(), now));
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
                outcome = manage(key, job, counts, indexFailures, now);
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
        if (indexFailures != null) {
            // Present, if empty, whenever the job counts failures per index, as Kubernetes writes it.
            next.setFailedIndexes(CompletedIndexes.format(indexFailures.failed()));
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

    /** A job that names another controller in spec.managedBy (e.g. MultiKueue) is left to it, as in Kubernetes. */
    private static boolean managedHere(Job job) {
        String managedBy = job.getSpec().getManagedBy();
        return managedBy == null || managedBy.equals(MANAGED_BY);
    }

    /** Failures counted per index: an Indexed job with backoffLimitPerIndex. */
    private static boolean perIndex(JobSpec spec) {
        return "Indexed".equals(spec.getCompletionMode()) && spec.getBackoffLimitPerIndex() != null;
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
        PodFailureRules.Match failJob = null;
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
                PodFailureRules.Match match = PodFailureRules.match(spec.getPodFailurePolicy(), pod);
                if (PodFailureRules.counts(match)) {
                    failed++;
                }
                if (failJob == null && match != null && PodFailureRules.FAIL_JOB.equals(match.action())) {
                    failJob = match;
                }
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
        return new Counts(active, finished, terminating, ready, indexed ? indexes.size() : succeeded, failed, indexes,
                restarts, failJob);
    }

    /** SuccessCriteriaMet once a successPolicy rule holds or enough pods succeeded; null before. */
    private static JobCondition successCriteria(JobSpec spec, Counts counts, Instant now) {
        if ("Indexed".equals(spec.getCompletionMode())) {
            String matched = SuccessRules.match(spec.getSuccessPolicy(), spec.getCompletions(),
                    counts.succeededIndexes());
            if (matched != null) {
                return JobConditions.make("SuccessCriteriaMet", "SuccessPolicy", matched, now);
            }
        }
        // Without completions the first success ends the job, once the other pods are done too.
        boolean reached = spec.getCompletions() == null ? counts.succeeded() > 0 && counts.active().isEmpty()
                : counts.succeeded() >= spec.getCompletions();
        return reached ? JobConditions.make("SuccessCriteriaMet", "CompletionsReached",
                "Reached expected number of succeeded pods", now) : null;
    }

    /** Why the job fails now, in Kubernetes' order of checks, or null. */
    private static Failure failure(JobSpec spec, Counts counts, IndexFailures indexFailures, JobStatus status,
                                   Instant now) {
        if (counts.failJob() != null) {
            return new Failure("PodFailurePolicy", counts.failJob().message());
        }
        if (indexFailures != null) {
            int failedIndexes = indexFailures.failed().size();
            if (spec.getMaxFailedIndexes() != null && failedIndexes > spec.getMaxFailedIndexes()) {
                return Failure.of("MaxFailedIndexesExceeded");
            }
            if (failedIndexes > 0 && failedIndexes + counts.succeededIndexes().size() >= spec.getCompletions()) {
                return Failure.of("FailedIndexes");
            }
        } else {
            int limit = spec.getBackoffLimit() == null ? 6 : spec.getBackoffLimit();
            // With OnFailure the kubelet restarts containers in place: those restarts are the failures.
            boolean onFailure = spec.getTemplate() != null && spec.getTemplate().getSpec() != null
                    && "OnFailure".equals(spec.getTemplate().getSpec().getRestartPolicy());
            boolean restartsExceeded = onFailure && (limit == 0 ? counts.restarts() > 0 : counts.restarts() >= limit);
            if (counts.failed() > limit || restartsExceeded) {
                return Failure.of("BackoffLimitExceeded");
            }
        }
        Instant deadline = deadlineOf(spec, status);
        if (deadline != null && !now.isBefore(deadline)) {
            return Failure.of("DeadlineExceeded");
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
    private WorkQueue.Outcome manage(String key, Job job, Counts counts, IndexFailures indexFailures, Instant now) {
        JobSpec spec = job.getSpec();
        int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
        int active = counts.active().size();
        // With podReplacementPolicy Failed a pod being deleted is replaced only once it has really stopped.
        int stopping = "Failed".equals(spec.getPodReplacementPolicy()) ? counts.terminating() : 0;
        List<Integer> indexes = new ArrayList<>();
        Duration indexBackoff = Duration.ZERO;
        int wanted;
        if ("Indexed".equals(spec.getCompletionMode())) {
            Set<Integer> taken = new HashSet<>(counts.succeededIndexes());
            counts.active().forEach(pod -> taken.add(JobPods.index(pod, spec.getCompletions())));
            if (indexFailures != null) {
                taken.addAll(indexFailures.failed());
            }
            for (int i = 0; i < spec.getCompletions() && active + stopping + indexes.size() < parallelism; i++) {
                if (taken.contains(i)) {
                    continue;
                }
                // Counted per index, an index's failures delay only its own next pod.
                Duration left = indexFailures == null ? Duration.ZERO : backoffLeft(finishedOfIndex(counts, i,
                        spec.getCompletions()), spec, now);
                if (left.isZero()) {
                    indexes.add(i);
                } else if (indexBackoff.isZero() || left.compareTo(indexBackoff) < 0) {
                    indexBackoff = left;
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
        boolean indexed = "Indexed".equals(spec.getCompletionMode());
        int missing = Math.min(indexed ? indexes.size() : wanted - active - stopping, BURST);
        WorkQueue.Outcome later = indexBackoff.isZero() ? WorkQueue.Outcome.DONE : WorkQueue.Outcome.after(indexBackoff);
        if (missing <= 0) {
            return later;
        }
        Duration backoff = indexFailures != null ? Duration.ZERO : backoffLeft(counts.finished(), spec, now);
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
                Integer index = indexed ? indexes.get(i) : null;
                Pod created = client.pods().inNamespace(job.getMetadata().getNamespace()).resource(JobPods.newPod(job,
                        index, indexFailures == null ? Map.of() : indexFailures.annotationsFor(index))).create();
                events.normal(job, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            } catch (KubernetesClientException e) {
                expectations.creationObserved(key);
                failed = true;
                events.warning(job, "FailedCreate", "Error creating: " + ApiErrors.message(e));
            }
        }
        return failed ? WorkQueue.Outcome.FAILED : later;
    }

    private static List<Pod> finishedOfIndex(Counts counts, int index, int completions) {
        return counts.finished().stream().filter(pod -> JobPods.index(pod, completions) == index).toList();
    }

    /**
     * Kubernetes' pod failure backoff: after n failures since the last success (failures a podFailurePolicy rule
     * ignores left out), a new pod waits 10 s · 2^(n-1) (at most 6 min) from the latest failure.
     */
    private static Duration backoffLeft(List<Pod> finished, JobSpec spec, Instant now) {
        Instant lastSuccess = null;
        for (Pod pod : finished) {
            Instant at = JobPods.finishedAt(pod);
            if (at != null && JobPods.succeeded(pod) && (lastSuccess == null || at.isAfter(lastSuccess))) {
                lastSuccess = at;
            }
        }
        int consecutive = 0;
        Instant lastFailure = null;
        for (Pod pod : finished) {
            Instant at = JobPods.finishedAt(pod);
            if (at != null && JobPods.failed(pod) && (lastSuccess == null || at.isAfter(lastSuccess))
                    && PodFailureRules.counts(PodFailureRules.match(spec.getPodFailurePolicy(), pod))) {
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
                    events.warning(job, "FailedDelete", "Error deleting: " + ApiErrors.message(e));
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


    private static Integer omitZero(int count) {
        return count == 0 ? null : count;
    }

    static String timestamp(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
