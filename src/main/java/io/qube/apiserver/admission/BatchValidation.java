package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.cron.CronSchedule;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.qube.apiserver.admission.WorkloadValidation.asJson;
import static io.qube.apiserver.admission.WorkloadValidation.nonNegative;

/**
 * Kubernetes' validation of batch/v1: a Job's counts, completion mode and pods that finish (restartPolicy Never or
 * OnFailure), its generated selector, and what may not change once it runs; a CronJob's schedule and time zone.
 */
final class BatchValidation {

    /** Kubernetes' cap on an Indexed job's completions and parallelism. */
    private static final int MAX_INDEXED = 100_000;
    /** A CronJob's jobs are named {@code <name>-<11 digits>}, which must still fit in 63 characters. */
    private static final int MAX_CRONJOB_NAME = 52;

    private BatchValidation() {
    }

    static void job(Job job, Job old, FieldErrors errors) {
        JobSpec spec = job.getSpec() == null ? new JobSpec() : job.getSpec();
        jobSpec(spec, "spec", errors);
        if (spec.getSelector() == null) {
            errors.required("spec.selector", "");
        }
        generatedSelector(job, spec, errors);
        if (old != null && old.getSpec() != null) {
            jobUpdate(spec, old, errors);
        }
    }

    static void cronJob(CronJob cronJob, CronJob old, FieldErrors errors) {
        String name = cronJob.getMetadata() == null ? null : cronJob.getMetadata().getName();
        if (name != null && name.length() > MAX_CRONJOB_NAME) {
            errors.invalid("metadata.name", name, "must be no more than " + MAX_CRONJOB_NAME + " characters");
        }
        CronJobSpec spec = cronJob.getSpec() == null ? new CronJobSpec() : cronJob.getSpec();
        String schedule = spec.getSchedule();
        if (NullSafe.isEmpty(schedule)) {
            errors.required("spec.schedule", "");
        } else {
            CronSchedule.problem(schedule).ifPresent(problem -> errors.invalid("spec.schedule", schedule, problem));
            // A time zone in the schedule stays allowed on update only for objects stored with one already.
            boolean hadZone = old != null && old.getSpec() != null && NullSafe.string(old.getSpec().getSchedule())
                    .contains("TZ");
            if (schedule.contains("TZ")) {
                if (!hadZone) {
                    errors.invalid("spec.schedule", schedule,
                            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
                } else if (spec.getTimeZone() != null) {
                    errors.invalid("spec.schedule", schedule,
                            "cannot use both timeZone field and TZ or CRON_TZ in schedule");
                }
            }
        }
        timeZone(spec.getTimeZone(), errors);
        String policy = NullSafe.string(spec.getConcurrencyPolicy());
        if (policy.isEmpty()) {
            errors.required("spec.concurrencyPolicy", "");
        } else if (!List.of("Allow", "Forbid", "Replace").contains(policy)) {
            errors.notSupported("spec.concurrencyPolicy", policy, List.of("Allow", "Forbid", "Replace"));
        }
        nonNegative(longAsInt(spec.getStartingDeadlineSeconds()), "spec.startingDeadlineSeconds", errors);
        nonNegative(spec.getSuccessfulJobsHistoryLimit(), "spec.successfulJobsHistoryLimit", errors);
        nonNegative(spec.getFailedJobsHistoryLimit(), "spec.failedJobsHistoryLimit", errors);
        JobTemplateSpec template = spec.getJobTemplate() == null ? new JobTemplateSpec() : spec.getJobTemplate();
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        MetadataValidation.validateLabels(meta.getLabels(), "spec.jobTemplate.metadata.labels", errors);
        MetadataValidation.validateAnnotations(meta.getAnnotations(), "spec.jobTemplate.metadata.annotations", errors);
        JobSpec jobSpec = template.getSpec() == null ? new JobSpec() : template.getSpec();
        jobSpec(jobSpec, "spec.jobTemplate.spec", errors);
    }

    /** What Jobs and CronJobs' job templates share. */
    private static void jobSpec(JobSpec spec, String path, FieldErrors errors) {
        nonNegative(spec.getParallelism(), path + ".parallelism", errors);
        nonNegative(spec.getCompletions(), path + ".completions", errors);
        nonNegative(spec.getBackoffLimit(), path + ".backoffLimit", errors);
        nonNegative(spec.getTtlSecondsAfterFinished(), path + ".ttlSecondsAfterFinished", errors);
        if (spec.getActiveDeadlineSeconds() != null && spec.getActiveDeadlineSeconds() <= 0) {
            errors.invalid(path + ".activeDeadlineSeconds", spec.getActiveDeadlineSeconds(),
                    "must be greater than 0");
        }
        String mode = spec.getCompletionMode();
        if (mode != null && !List.of("NonIndexed", "Indexed").contains(mode)) {
            errors.notSupported(path + ".completionMode", mode, List.of("NonIndexed", "Indexed"));
        }
        if ("Indexed".equals(mode)) {
            if (spec.getCompletions() == null) {
                errors.required(path + ".completions", "when completion mode is Indexed");
            } else if (spec.getCompletions() > MAX_INDEXED) {
                errors.invalid(path + ".completions", spec.getCompletions(), "must be less than or equal to "
                        + MAX_INDEXED + " when completion mode is Indexed");
            }
            if (spec.getParallelism() != null && spec.getParallelism() > MAX_INDEXED) {
                errors.invalid(path + ".parallelism", spec.getParallelism(), "must be less than or equal to "
                        + MAX_INDEXED + " when completion mode is Indexed");
            }
        }
        String replacement = spec.getPodReplacementPolicy();
        if (replacement != null && !List.of("TerminatingOrFailed", "Failed").contains(replacement)) {
            errors.notSupported(path + ".podReplacementPolicy", replacement, List.of("TerminatingOrFailed", "Failed"));
        } else if ("TerminatingOrFailed".equals(replacement) && spec.getPodFailurePolicy() != null) {
            errors.notSupported(path + ".podReplacementPolicy", replacement, List.of("Failed"));
        }
        PodTemplateSpec template = spec.getTemplate() == null ? new PodTemplateSpec() : spec.getTemplate();
        LabelSelector selector = spec.getSelector();
        if (selector != null) {
            LabelSelectors.validate(selector, path + ".selector", errors);
            Optional<io.qube.store.LabelSelector> parsed = LabelSelectors.toStoreSelector(selector);
            Map<String, String> labels = template.getMetadata() == null ? Map.of()
                    : NullSafe.map(template.getMetadata().getLabels());
            if (parsed.isPresent() && !parsed.get().matches(labels)) {
                errors.invalid(path + ".template.metadata.labels", asJson(labels),
                        "`selector` does not match template `labels`");
            }
        }
        WorkloadValidation.template(template, path + ".template", errors);
        JobPolicyValidation.validate(spec, template.getSpec(), path, errors);
        String restart = template.getSpec() == null ? null : template.getSpec().getRestartPolicy();
        if (!"OnFailure".equals(restart) && !"Never".equals(restart)) {
            errors.notSupported(path + ".template.spec.restartPolicy", NullSafe.string(restart),
                    List.of("OnFailure", "Never"));
        }
    }

    /** Unless the user chose a selector (manualSelector), it must be the generated one, with the uid in it. */
    private static void generatedSelector(Job job, JobSpec spec, FieldErrors errors) {
        if (Boolean.TRUE.equals(spec.getManualSelector()) || spec.getSelector() == null || job.getMetadata() == null) {
            return;
        }
        String uid = job.getMetadata().getUid();
        Map<String, String> labels = spec.getTemplate() == null || spec.getTemplate().getMetadata() == null
                ? Map.of() : NullSafe.map(spec.getTemplate().getMetadata().getLabels());
        if (!Objects.equals(labels.get(BatchDefaults.CONTROLLER_UID), uid)) {
            errors.invalid("spec.template.metadata.labels", asJson(labels),
                    "`selector` does not match template `labels`");
        }
        Optional<io.qube.store.LabelSelector> parsed = LabelSelectors.toStoreSelector(spec.getSelector());
        if (parsed.isEmpty() || !parsed.get().matches(Map.of(BatchDefaults.CONTROLLER_UID, NullSafe.string(uid)))) {
            errors.invalid("spec.selector", asJson(spec.getSelector()), "`selector` not auto-generated");
        }
    }

    private static void jobUpdate(JobSpec spec, Job old, FieldErrors errors) {
        JobSpec before = old.getSpec();
        if (!asJson(spec.getSelector()).equals(asJson(before.getSelector()))) {
            errors.invalid("spec.selector", asJson(spec.getSelector()), "field is immutable");
        }
        if (!Objects.equals(spec.getCompletions(), before.getCompletions())) {
            if (!"Indexed".equals(spec.getCompletionMode())) {
                errors.invalid("spec.completions", spec.getCompletions(), "field is immutable");
            } else if (!Objects.equals(spec.getCompletions(), spec.getParallelism())) {
                errors.invalid("spec.completions", spec.getCompletions(),
                        "can only be modified in tandem with spec.parallelism");
            }
        }
        immutable(spec.getCompletionMode(), before.getCompletionMode(), "spec.completionMode", errors);
        immutable(spec.getManualSelector(), before.getManualSelector(), "spec.manualSelector", errors);
        immutable(spec.getPodFailurePolicy(), before.getPodFailurePolicy(), "spec.podFailurePolicy", errors);
        immutable(spec.getBackoffLimitPerIndex(), before.getBackoffLimitPerIndex(), "spec.backoffLimitPerIndex", errors);
        immutable(spec.getManagedBy(), before.getManagedBy(), "spec.managedBy", errors);
        // A suspended job that never started may still have its pods' placement changed (Kueue relies on it).
        boolean neverStarted = Boolean.TRUE.equals(before.getSuspend())
                && (old.getStatus() == null || old.getStatus().getStartTime() == null);
        PodTemplateSpec template = spec.getTemplate();
        PodTemplateSpec previous = before.getTemplate();
        boolean same = neverStarted ? asJson(withoutPlacement(template)).equals(asJson(withoutPlacement(previous)))
                : asJson(template).equals(asJson(previous));
        if (!same) {
            errors.invalid("spec.template", asJson(template), "field is immutable");
        }
    }

    /** A template without what a never-started suspended job may change: labels, annotations and scheduling. */
    private static PodTemplateSpec withoutPlacement(PodTemplateSpec template) {
        if (template == null) {
            return null;
        }
        PodSpec spec = template.getSpec() == null ? null : new io.fabric8.kubernetes.api.model.PodSpecBuilder(
                template.getSpec()).withNodeSelector(null).withAffinity(null).withTolerations()
                .withSchedulingGates().build();
        return new PodTemplateSpec(null, spec);
    }

    private static void immutable(Object value, Object old, String path, FieldErrors errors) {
        if (!asJson(value).equals(asJson(old))) {
            errors.invalid(path, asJson(value), "field is immutable");
        }
    }

    private static void timeZone(String zone, FieldErrors errors) {
        if (zone == null) {
            return;
        }
        if (zone.isEmpty()) {
            errors.invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string");
            return;
        }
        if (zone.equalsIgnoreCase("Local")) {
            errors.invalid("spec.timeZone", zone,
                    "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
            return;
        }
        // Only region names: Java also takes offsets such as "+02:00", which Go's time zone database does not.
        boolean known;
        try {
            known = zone.matches("[A-Za-z_][A-Za-z0-9_+\\-/]*") && ZoneId.getAvailableZoneIds().contains(zone)
                    || zone.equals("UTC");
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            known = false;
        }
        if (!known) {
            errors.invalid("spec.timeZone", zone, "unknown time zone " + zone);
        }
    }

    private static Integer longAsInt(Long value) {
        return value == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }
}
