package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.qube.apiserver.registry.TableColumn;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.qube.apiserver.table.Cells.number;

/** batch/v1: jobs and cron jobs, as kubectl 1.32 prints them. */
final class BatchColumns {

    private BatchColumns() {
    }

    /** NAME STATUS COMPLETIONS DURATION AGE; wide: CONTAINERS IMAGES SELECTOR. */
    static List<TableColumn<? super Job>> job() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Status", "string", "Status of the job.", (job, now) -> state(job)),
                TableColumn.of("Completions", "string", "The number of pods which reached phase Succeeded.",
                        (job, now) -> completions(job)),
                TableColumn.of("Duration", "string", "Time required to complete the job.",
                        (job, now) -> duration(status(job.getStatus()), now)),
                CommonColumns.age(),
                CommonColumns.templateContainers((Job job) -> spec(job).getTemplate()),
                CommonColumns.templateImages((Job job) -> spec(job).getTemplate()),
                TableColumn.wide("Selector", "string", "A label query over pods that should match the pod count.",
                        (job, now) -> Selectors.selectorOrNone(spec(job).getSelector())));
    }

    /** NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE; wide: CONTAINERS IMAGES SELECTOR. */
    static List<TableColumn<? super CronJob>> cronJob() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Schedule", "string", "The schedule in Cron format.",
                        (cronJob, now) -> Cells.text(spec(cronJob).getSchedule())),
                TableColumn.of("Timezone", "string", "The time zone name for the given schedule.",
                        (cronJob, now) -> Cells.orNone(spec(cronJob).getTimeZone())),
                TableColumn.of("Suspend", "boolean", "Whether subsequent executions are suspended.",
                        (cronJob, now) -> suspend(spec(cronJob).getSuspend())),
                TableColumn.of("Active", "integer", "A list of pointers to currently running jobs.",
                        (cronJob, now) -> Cells.size(status(cronJob).getActive())),
                TableColumn.of("Last Schedule", "string", "Information when was the last time the job was "
                        + "successfully scheduled.", (cronJob, now) -> status(cronJob).getLastScheduleTime() == null
                        ? Cells.NONE : Durations.since(status(cronJob).getLastScheduleTime(), now)),
                CommonColumns.age(),
                CommonColumns.templateContainers(BatchColumns::podTemplate),
                CommonColumns.templateImages(BatchColumns::podTemplate),
                TableColumn.wide("Selector", "string", "A label query over pods that should match the pod count.",
                        (cronJob, now) -> Selectors.selectorOrNone(jobSpec(cronJob).getSelector())));
    }

    /** Kubernetes prints this boolean column's cells as text. */
    private static String suspend(Boolean suspend) {
        return suspend == null ? "<unset>" : suspend ? "True" : "False";
    }

    /** The first of kubectl's states that applies, in its order. */
    private static String state(Job job) {
        List<JobCondition> conditions = Cells.list(status(job.getStatus()).getConditions());
        if (has(conditions, "Complete")) {
            return "Complete";
        }
        if (has(conditions, "Failed")) {
            return "Failed";
        }
        if (job.getMetadata() != null && job.getMetadata().getDeletionTimestamp() != null) {
            return "Terminating";
        }
        for (String state : new String[] {"Suspended", "FailureTarget", "SuccessCriteriaMet"}) {
            if (has(conditions, state)) {
                return state;
            }
        }
        return "Running";
    }

    private static boolean has(List<JobCondition> conditions, String type) {
        return conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** "2/3" against completions; a job without completions finishes with its first success: "0/1 of 3". */
    private static String completions(Job job) {
        int succeeded = number(status(job.getStatus()).getSucceeded());
        if (spec(job).getCompletions() != null) {
            return succeeded + "/" + spec(job).getCompletions();
        }
        int parallelism = number(spec(job).getParallelism());
        return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }

    private static String duration(JobStatus status, Instant now) {
        Instant start = Durations.parse(status.getStartTime());
        if (start == null) {
            return "";
        }
        Instant end = Durations.parse(status.getCompletionTime());
        return Durations.human(Duration.between(start, end == null ? now : end));
    }

    private static JobSpec spec(Job job) {
        return job.getSpec() == null ? new JobSpec() : job.getSpec();
    }

    private static JobStatus status(JobStatus status) {
        return status == null ? new JobStatus() : status;
    }

    private static CronJobSpec spec(CronJob cronJob) {
        return cronJob.getSpec() == null ? new CronJobSpec() : cronJob.getSpec();
    }

    private static CronJobStatus status(CronJob cronJob) {
        return cronJob.getStatus() == null ? new CronJobStatus() : cronJob.getStatus();
    }

    private static JobSpec jobSpec(CronJob cronJob) {
        JobTemplateSpec template = spec(cronJob).getJobTemplate();
        return template == null || template.getSpec() == null ? new JobSpec() : template.getSpec();
    }

    private static PodTemplateSpec podTemplate(CronJob cronJob) {
        return jobSpec(cronJob).getTemplate();
    }
}
