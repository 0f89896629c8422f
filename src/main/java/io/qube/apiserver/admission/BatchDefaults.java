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

import java.util.LinkedHashMap;
import java.util.Map;

/** Kubernetes' defaults for batch/v1 Jobs and CronJobs, and the selector the apiserver generates for a Job. */
final class BatchDefaults {

    static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    static final String LEGACY_CONTROLLER_UID = "controller-uid";
    static final String JOB_NAME = "batch.kubernetes.io/job-name";
    static final String LEGACY_JOB_NAME = "job-name";

    private BatchDefaults() {
    }

    static void job(Job job) {
        if (job.getSpec() == null) {
            job.setSpec(new JobSpec());
        }
        JobSpec spec = job.getSpec();
        if (spec.getCompletions() == null && spec.getParallelism() == null) {
            spec.setCompletions(1);
        }
        if (spec.getParallelism() == null) {
            spec.setParallelism(1);
        }
        if (spec.getBackoffLimit() == null) {
            spec.setBackoffLimit(spec.getBackoffLimitPerIndex() != null ? Integer.MAX_VALUE : 6);
        }
        if (NullSafe.isEmpty(spec.getCompletionMode())) {
            spec.setCompletionMode("NonIndexed");
        }
        if (spec.getSuspend() == null) {
            spec.setSuspend(false);
        }
        if (NullSafe.isEmpty(spec.getPodReplacementPolicy())) {
            spec.setPodReplacementPolicy(spec.getPodFailurePolicy() != null ? "Failed" : "TerminatingOrFailed");
        }
        if (spec.getPodFailurePolicy() != null) {
            NullSafe.list(spec.getPodFailurePolicy().getRules()).forEach(rule ->
                    NullSafe.list(rule.getOnPodConditions()).forEach(pattern -> {
                        if (NullSafe.isEmpty(pattern.getStatus())) {
                            pattern.setStatus("True");
                        }
                    }));
        }
        spec.setTemplate(defaultedTemplate(spec.getTemplate()));
        if (!Boolean.TRUE.equals(spec.getManualSelector())) {
            generateSelector(job);
        }
        // Done at every decode in Kubernetes, so the labels include the generated ones.
        Map<String, String> templateLabels = spec.getTemplate().getMetadata().getLabels();
        if (job.getMetadata() != null && templateLabels != null && NullSafe.map(job.getMetadata().getLabels()).isEmpty()) {
            job.getMetadata().setLabels(new LinkedHashMap<>(templateLabels));
        }
    }

    /**
     * What Kubernetes' Job strategy does on create: the pods get the job's name and uid as labels (the user's own
     * values for those keys stay, and validation judges them), and the selector picks the uid, which only this
     * job's pods can carry.
     */
    private static void generateSelector(Job job) {
        ObjectMeta meta = job.getMetadata();
        if (meta == null || NullSafe.isEmpty(meta.getUid())) {
            return;
        }
        PodTemplateSpec template = job.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>(NullSafe.map(template.getMetadata().getLabels()));
        labels.putIfAbsent(LEGACY_JOB_NAME, meta.getName());
        labels.putIfAbsent(JOB_NAME, meta.getName());
        labels.putIfAbsent(LEGACY_CONTROLLER_UID, meta.getUid());
        labels.putIfAbsent(CONTROLLER_UID, meta.getUid());
        template.getMetadata().setLabels(labels);
        LabelSelector selector = job.getSpec().getSelector();
        if (selector == null) {
            selector = new LabelSelector();
            job.getSpec().setSelector(selector);
        }
        Map<String, String> matchLabels = new LinkedHashMap<>(NullSafe.map(selector.getMatchLabels()));
        matchLabels.putIfAbsent(CONTROLLER_UID, meta.getUid());
        selector.setMatchLabels(matchLabels);
    }

    static void cronJob(CronJob cronJob) {
        if (cronJob.getSpec() == null) {
            cronJob.setSpec(new CronJobSpec());
        }
        CronJobSpec spec = cronJob.getSpec();
        if (NullSafe.isEmpty(spec.getConcurrencyPolicy())) {
            spec.setConcurrencyPolicy("Allow");
        }
        if (spec.getSuspend() == null) {
            spec.setSuspend(false);
        }
        if (spec.getSuccessfulJobsHistoryLimit() == null) {
            spec.setSuccessfulJobsHistoryLimit(3);
        }
        if (spec.getFailedJobsHistoryLimit() == null) {
            spec.setFailedJobsHistoryLimit(1);
        }
        if (spec.getJobTemplate() == null) {
            spec.setJobTemplate(new JobTemplateSpec());
        }
        if (spec.getJobTemplate().getSpec() == null) {
            spec.getJobTemplate().setSpec(new JobSpec());
        }
        // Only the pod template inside is defaulted: the Job's own defaults come when the controller creates it.
        JobSpec jobSpec = spec.getJobTemplate().getSpec();
        jobSpec.setTemplate(defaultedTemplate(jobSpec.getTemplate()));
    }

    private static PodTemplateSpec defaultedTemplate(PodTemplateSpec template) {
        PodTemplateSpec defaulted = template == null ? new PodTemplateSpec() : template;
        if (defaulted.getMetadata() == null) {
            defaulted.setMetadata(new ObjectMeta());
        }
        if (defaulted.getSpec() == null) {
            defaulted.setSpec(new PodSpec());
        }
        PodSpecDefaults.apply(defaulted.getSpec());
        return defaulted;
    }
}
