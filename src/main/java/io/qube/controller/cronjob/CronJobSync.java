package io.qube.controller.cronjob;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ControllerRefs;
import io.qube.controller.job.JobConditions;
import io.qube.cron.CronSchedule;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One CronJob from the informers' caches: its active list brought in line with its Jobs (finished ones leave it,
 * lastSuccessfulTime follows the newest completion), the Job of the latest due schedule time created under the
 * concurrency policy and starting deadline, finished Jobs beyond the history limits deleted, and the key requeued
 * for the next scheduled time.
 */
final class CronJobSync {

    static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    private final KubernetesClient client;
    private final SharedIndexInformer<CronJob> cronJobs;
    private final SharedIndexInformer<Job> jobs;
    private final EventRecorder events;
    private final Clock clock;
    /** The zone of a CronJob without spec.timeZone: this process's, as kube-controller-manager uses its own. */
    private final ZoneId localZone;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    /** Status writes in a row: the versions they replaced, the version and status the last one made. */
    private record Written(Set<String> superseded, String resourceVersion, CronJobStatus status) {
    }

    CronJobSync(KubernetesClient client, SharedIndexInformer<CronJob> cronJobs, SharedIndexInformer<Job> jobs,
                EventRecorder events, Clock clock, ZoneId localZone) {
        this.client = client;
        this.cronJobs = cronJobs;
        this.jobs = jobs;
        this.events = events;
        this.clock = clock;
        this.localZone = localZone;
    }

    WorkQueue.Outcome sync(String key) {
        CronJob cronJob = cronJobs.getIndexer().getByKey(key);
        if (cronJob == null) {
            written.remove(key);
            return WorkQueue.Outcome.DONE;
        }
        Instant now = clock.instant();
        String namespace = cronJob.getMetadata().getNamespace();
        List<Job> owned = jobs.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
                .filter(job -> isControlledBy(job, cronJob)).toList();
        Written last = lastWrite(key, cronJob);
        CronJobStatus current = last != null ? last.status()
                : cronJob.getStatus() == null ? new CronJobStatus() : cronJob.getStatus();
        String base = last != null ? last.resourceVersion() : cronJob.getMetadata().getResourceVersion();
        CronJobStatus status = new CronJobStatusBuilder(current).build();
        List<ObjectReference> active = new ArrayList<>(status.getActive() == null ? List.of() : status.getActive());
        reconcileActive(cronJob, owned, active, status);
        WorkQueue.Outcome outcome = WorkQueue.Outcome.DONE;
        if (cronJob.getMetadata().getDeletionTimestamp() == null && !Boolean.TRUE.equals(cronJob.getSpec().getSuspend())) {
            outcome = schedule(cronJob, active, status, now);
        }
        // An empty list, as the cached copy has it (fabric8 reads an absent list as empty and writes none).
        status.setActive(active);
        if (!Objects.equals(current, status)) {
            try {
                CronJob updated = client.batch().v1().cronjobs().inNamespace(namespace).resource(new CronJobBuilder(
                        cronJob).editMetadata().withResourceVersion(base).endMetadata().withStatus(status).build())
                        .updateStatus();
                Set<String> superseded = new HashSet<>(last == null ? Set.of() : last.superseded());
                superseded.add(base);
                written.put(key, new Written(superseded, updated.getMetadata().getResourceVersion(), status));
            } catch (KubernetesClientException e) {
                return e.getCode() == 409 || e.getCode() == 404 ? WorkQueue.Outcome.DONE : WorkQueue.Outcome.FAILED;
            }
        }
        cleanUpHistory(cronJob, owned);
        return outcome;
    }

    /**
     * The status this controller last wrote, while the cache still holds a version that write superseded: a Job
     * created or seen finished in that sync is then already accounted for, rather than seen again by the next sync
     * (an UnexpectedJob, a second SawCompletedJob). Null once the cache has caught up.
     */
    private Written lastWrite(String key, CronJob cached) {
        Written last = written.get(key);
        if (last != null && last.superseded().contains(cached.getMetadata().getResourceVersion())) {
            return last;
        }
        written.remove(key);
        return null;
    }

    private static boolean isControlledBy(Job job, CronJob cronJob) {
        var controller = ControllerRefs.controllerOf(job);
        return controller != null && cronJob.getMetadata().getUid().equals(controller.getUid());
    }

    /** Finished jobs leave the active list; running ones missing from it join it; vanished ones leave it. */
    private void reconcileActive(CronJob cronJob, List<Job> owned, List<ObjectReference> active, CronJobStatus status) {
        Map<String, Job> byUid = new LinkedHashMap<>();
        owned.forEach(job -> byUid.put(job.getMetadata().getUid(), job));
        for (Job job : owned) {
            boolean listed = active.stream().anyMatch(ref -> job.getMetadata().getUid().equals(ref.getUid()));
            JobCondition finished = JobConditions.finishedCondition(job);
            if (finished == null && !listed) {
                events.warning(cronJob, "UnexpectedJob", "Saw a job that the controller did not create or forgot: "
                        + job.getMetadata().getName());
                active.add(reference(job));
            } else if (finished != null && listed) {
                active.removeIf(ref -> job.getMetadata().getUid().equals(ref.getUid()));
                events.normal(cronJob, "SawCompletedJob", "Saw completed job: " + job.getMetadata().getName()
                        + ", condition: " + finished.getType());
            }
            if (finished != null && "Complete".equals(finished.getType()) && job.getStatus().getCompletionTime() != null) {
                String completed = job.getStatus().getCompletionTime();
                if (status.getLastSuccessfulTime() == null
                        || Instant.parse(completed).isAfter(Instant.parse(status.getLastSuccessfulTime()))) {
                    status.setLastSuccessfulTime(completed);
                }
            }
        }
        active.removeIf(ref -> {
            if (byUid.containsKey(ref.getUid()) || exists(cronJob, ref)) {
                return false;
            }
            events.normal(cronJob, "MissingJob", "Active job went missing: " + ref.getName());
            return true;
        });
    }

    /** The cache may not have seen a job just created: ask the API before calling it missing. */
    private boolean exists(CronJob cronJob, ObjectReference ref) {
        try {
            Job job = client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace())
                    .withName(ref.getName()).get();
            return job != null && job.getMetadata().getUid().equals(ref.getUid());
        } catch (KubernetesClientException e) {
            return true; // unknown: keep it until the next sync
        }
    }

    /** Starts the job of the latest due time if the policy allows; when to look again. */
    private WorkQueue.Outcome schedule(CronJob cronJob, List<ObjectReference> active, CronJobStatus status,
                                       Instant now) {
        CronJobSpec spec = cronJob.getSpec();
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(spec.getSchedule());
        } catch (CronSchedule.InvalidSchedule e) {
            events.warning(cronJob, "UnparseableSchedule", "unparseable schedule: \"" + spec.getSchedule() + "\" : "
                    + e.getMessage());
            return WorkQueue.Outcome.DONE;
        }
        ZoneId zone;
        try {
            zone = spec.getTimeZone() != null ? ZoneId.of(spec.getTimeZone()) : schedule.zone().orElse(localZone);
        } catch (DateTimeException e) {
            events.warning(cronJob, "UnknownTimeZone", "invalid timeZone: \"" + spec.getTimeZone() + "\": "
                    + e.getMessage());
            return WorkQueue.Outcome.DONE;
        }
        ScheduledTimes times = new ScheduledTimes(schedule, zone);
        Instant earliest = Instant.parse(status.getLastScheduleTime() != null ? status.getLastScheduleTime()
                : cronJob.getMetadata().getCreationTimestamp());
        ScheduledTimes.Due due = times.mostRecent(earliest, spec.getStartingDeadlineSeconds(), now);
        WorkQueue.Outcome next = times.next(now).map(at -> WorkQueue.Outcome.after(
                Duration.between(now, at).plusMillis(100))).orElse(WorkQueue.Outcome.DONE);
        if (due.missed() > ScheduledTimes.TOO_MANY_MISSED) {
            events.warning(cronJob, "TooManyMissedTimes", "too many missed start times: " + due.missed()
                    + ". Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }
        if (due.time().isEmpty()) {
            return next;
        }
        Instant scheduled = due.time().get();
        if (spec.getStartingDeadlineSeconds() != null
                && scheduled.plusSeconds(spec.getStartingDeadlineSeconds()).isBefore(now)) {
            events.warning(cronJob, "MissSchedule", "Missed scheduled time to start a job: "
                    + DateTimeFormatter.RFC_1123_DATE_TIME.format(scheduled.atZone(ZoneId.of("UTC"))));
            return next;
        }
        String name = jobName(cronJob, scheduled);
        if (active.stream().anyMatch(ref -> name.equals(ref.getName()))
                || scheduled.toString().equals(normalized(status.getLastScheduleTime()))) {
            return next;
        }
        String policy = spec.getConcurrencyPolicy() == null ? "Allow" : spec.getConcurrencyPolicy();
        if (policy.equals("Forbid") && !active.isEmpty()) {
            events.normal(cronJob, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }
        if (policy.equals("Replace")) {
            for (ObjectReference ref : List.copyOf(active)) {
                if (deleteJob(cronJob, ref.getName())) {
                    active.remove(ref);
                } else {
                    return WorkQueue.Outcome.FAILED;
                }
            }
        }
        Job created;
        try {
            created = client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace())
                    .resource(jobFor(cronJob, name, scheduled, zone)).create();
            events.normal(cronJob, "SuccessfulCreate", "Created job " + name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                events.warning(cronJob, "FailedCreate", "Error creating job: " + e.getMessage());
                return WorkQueue.Outcome.FAILED;
            }
            // Made by an earlier sync whose status write was lost: ours if it names this CronJob as controller.
            created = client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace()).withName(name)
                    .get();
            if (created == null || !isControlledBy(created, cronJob)) {
                return next;
            }
        }
        active.add(reference(created));
        status.setLastScheduleTime(scheduled.toString());
        return next;
    }

    /** {@code <cronjob>-<scheduled time in minutes since the epoch>}, the same for every try of one time. */
    static String jobName(CronJob cronJob, Instant scheduled) {
        return cronJob.getMetadata().getName() + "-" + scheduled.getEpochSecond() / 60;
    }

    private static Job jobFor(CronJob cronJob, String name, Instant scheduled, ZoneId zone) {
        ObjectMeta template = cronJob.getSpec().getJobTemplate().getMetadata() == null ? new ObjectMeta()
                : cronJob.getSpec().getJobTemplate().getMetadata();
        Map<String, String> annotations = new LinkedHashMap<>(template.getAnnotations() == null ? Map.of()
                : template.getAnnotations());
        annotations.put(SCHEDULED_TIMESTAMP, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(scheduled.atZone(zone)));
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cronJob.getMetadata().getNamespace())
                .withLabels(template.getLabels())
                .withAnnotations(annotations)
                .withFinalizers(template.getFinalizers())
                .withOwnerReferences(ControllerRefs.controllerRef(cronJob))
                .endMetadata()
                .withSpec(new JobSpecBuilder(cronJob.getSpec().getJobTemplate().getSpec()).build())
                .build();
    }

    private static ObjectReference reference(Job job) {
        return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                .withNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withResourceVersion(job.getMetadata().getResourceVersion())
                .build();
    }

    private static String normalized(String timestamp) {
        return timestamp == null ? null : Instant.parse(timestamp).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Finished jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit go, oldest first. */
    private void cleanUpHistory(CronJob cronJob, List<Job> owned) {
        Integer successfulLimit = cronJob.getSpec().getSuccessfulJobsHistoryLimit();
        Integer failedLimit = cronJob.getSpec().getFailedJobsHistoryLimit();
        List<Job> succeeded = new ArrayList<>();
        List<Job> failed = new ArrayList<>();
        for (Job job : owned) {
            JobCondition finished = JobConditions.finishedCondition(job);
            if (finished != null && job.getMetadata().getDeletionTimestamp() == null) {
                ("Complete".equals(finished.getType()) ? succeeded : failed).add(job);
            }
        }
        removeOldest(cronJob, succeeded, successfulLimit);
        removeOldest(cronJob, failed, failedLimit);
    }

    private void removeOldest(CronJob cronJob, List<Job> finished, Integer limit) {
        if (limit == null || finished.size() <= limit) {
            return;
        }
        finished.sort(Comparator.comparing(CronJobSync::startedAt));
        for (Job job : finished.subList(0, finished.size() - limit)) {
            deleteJob(cronJob, job.getMetadata().getName());
        }
    }

    /** A job's start time, else its creation (Kubernetes' byJobStartTime). */
    private static Instant startedAt(Job job) {
        String start = job.getStatus() == null ? null : job.getStatus().getStartTime();
        return Instant.parse(Optional.ofNullable(start).orElse(job.getMetadata().getCreationTimestamp()));
    }

    private boolean deleteJob(CronJob cronJob, String name) {
        try {
            // Nothing deleted (a 404) means an earlier sync did it and the cache has not caught up: no event.
            if (!client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace()).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete().isEmpty()) {
                events.normal(cronJob, "SuccessfulDelete", "Deleted job " + name);
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return true;
            }
            events.warning(cronJob, "FailedDelete", "Deleted job: " + e.getMessage());
            return false;
        }
    }
}
