package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;

import java.time.Instant;
import java.util.List;

/** A Job's status conditions as the Job controller writes them and other controllers read them. */
public final class JobConditions {

    private JobConditions() {
    }

    /** Complete or Failed: nothing more happens to the job's pods. */
    public static boolean finished(Job job) {
        return finishedCondition(job) != null;
    }

    /** The job's true Complete or Failed condition, or null while it runs. */
    public static JobCondition finishedCondition(Job job) {
        List<JobCondition> conditions = job.getStatus() == null ? null : job.getStatus().getConditions();
        if (conditions == null) {
            return null;
        }
        for (JobCondition condition : conditions) {
            if (("Complete".equals(condition.getType()) || "Failed".equals(condition.getType()))
                    && "True".equals(condition.getStatus())) {
                return condition;
            }
        }
        return null;
    }

    /** The true condition of this type, or null. */
    static JobCondition find(List<JobCondition> conditions, String type) {
        for (JobCondition condition : conditions) {
            if (type.equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return condition;
            }
        }
        return null;
    }

    static JobCondition make(String type, String reason, String message, Instant now) {
        String at = JobSync.timestamp(now);
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(at).withLastTransitionTime(at).build();
    }

    /** Kubernetes' messages for the reasons a job fails. */
    static String message(String reason) {
        return switch (reason) {
            case "BackoffLimitExceeded" -> "Job has reached the specified backoff limit";
            case "DeadlineExceeded" -> "Job was active longer than specified deadline";
            case "MaxFailedIndexesExceeded" -> "Job has exceeded the specified maximal number of failed indexes";
            case "FailedIndexes" -> "Job has failed indexes";
            default -> reason;
        };
    }

    /**
     * Sets a condition's status, adding it when absent; a False condition is only ever a change of an existing
     * one (a job never suspended has no Suspended condition). Whether anything changed.
     */
    static boolean set(List<JobCondition> conditions, String type, String status, String reason, String message,
                       Instant now) {
        for (int i = 0; i < conditions.size(); i++) {
            JobCondition condition = conditions.get(i);
            if (type.equals(condition.getType())) {
                if (status.equals(condition.getStatus())) {
                    return false;
                }
                String at = JobSync.timestamp(now);
                conditions.set(i, new JobConditionBuilder(condition).withStatus(status).withReason(reason)
                        .withMessage(message).withLastProbeTime(at).withLastTransitionTime(at).build());
                return true;
            }
        }
        if (status.equals("False")) {
            return false;
        }
        JobCondition added = make(type, reason, message, now);
        conditions.add(added);
        return true;
    }
}
