package io.qube.agent;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs and CronJobs as a user drives them with the real kubectl, end to end: the packaged control plane (scheduler,
 * Job and CronJob controllers) and the nodes of the subclass's {@link Cluster}. Each pod both runs a real command
 * (a process-runtime node runs it) and carries the simulated runtime's annotations: a simulated node ends pods with
 * restartPolicy Never or OnFailure after {@code sim.qube.io/run-seconds} (default 1) with the exit code {@code
 * sim.qube.io/exit-code} (default 0).
 */
abstract class JobScenarios extends ClusterScenarios {

    @Test
    void kubectlCreateJobRunsToComplete() throws Exception {
        kubectl.ok("create", "job", "hello", "--image=busybox:1.36", "--", "echo", "hi");

        assertThat(kubectl.ok("wait", "--for=condition=complete", "job/hello", "--timeout=50s"))
                .contains("job.batch/hello condition met");
        assertThat(kubectl.ok("get", "job", "hello")).containsPattern("hello\\s+Complete\\s+1/1\\s+\\d+s");
        Job job = client.batch().v1().jobs().inNamespace(NAMESPACE).withName("hello").get();
        assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(kubectl.ok("describe", "job", "hello")).contains("SuccessfulCreate").contains("Completed");
    }

    @Test
    void aJobWhosePodsFailReachesBackoffLimitExceeded() throws Exception {
        apply("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: broken}
                spec:
                  backoffLimit: 1
                  template:
                    metadata:
                      annotations: {sim.qube.io/exit-code: "3"}
                    spec:
                      restartPolicy: Never
                      containers: [{name: main, image: "busybox:1.36", command: [sh, -c, "exit 3"]}]
                """);

        // Two failed pods, the second after Kubernetes' 10 s pod failure backoff.
        assertThat(kubectl.ok("wait", "--for=condition=failed", "job/broken", "--timeout=50s"))
                .contains("job.batch/broken condition met");
        Job job = client.batch().v1().jobs().inNamespace(NAMESPACE).withName("broken").get();
        assertThat(job.getStatus().getFailed()).isEqualTo(2);
        assertThat(job.getStatus().getConditions()).extracting(JobCondition::getType, JobCondition::getReason)
                .contains(org.assertj.core.groups.Tuple.tuple("Failed", "BackoffLimitExceeded"));
        assertThat(kubectl.ok("get", "job", "broken")).containsPattern("broken\\s+Failed\\s+0/1");
    }

    @Test
    void kubectlCreateCronJobFires() throws Exception {
        kubectl.ok("create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=* * * * *", "--", "true");
        assertThat(kubectl.ok("get", "cronjob", "tick"))
                .containsPattern("tick\\s+\\* \\* \\* \\* \\*\\s+<none>\\s+False\\s+0\\s+<none>");

        // The first minute boundary after its creation, and its Job then runs to Complete.
        await().atMost(Duration.ofSeconds(80)).untilAsserted(() -> assertThat(jobsOf("tick"))
                .isNotEmpty().allMatch(job -> job.getMetadata().getName().matches("tick-\\d+")));
        String name = jobsOf("tick").get(0).getMetadata().getName();
        assertThat(kubectl.ok("wait", "--for=condition=complete", "job/" + name, "--timeout=50s"))
                .contains("condition met");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.batch().v1().cronjobs()
                .inNamespace(NAMESPACE).withName("tick").get().getStatus().getLastSuccessfulTime()).isNotNull());
    }

    @Test
    void anIndexedJobCompletesEachIndexOnce() throws Exception {
        // The command fails unless the Job controller gave the pod its index.
        apply("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: indexed}
                spec:
                  completionMode: Indexed
                  completions: 3
                  parallelism: 3
                  backoffLimit: 0
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - {name: main, image: "busybox:1.36", command: [sh, -c, 'test "$JOB_COMPLETION_INDEX" -ge 0']}
                """);

        assertThat(kubectl.ok("wait", "--for=condition=complete", "job/indexed", "--timeout=50s"))
                .contains("job.batch/indexed condition met");
        Job job = client.batch().v1().jobs().inNamespace(NAMESPACE).withName("indexed").get();
        assertThat(job.getStatus().getSucceeded()).isEqualTo(3);
        assertThat(job.getStatus().getFailed()).isIn(null, 0);
        assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0-2");
        assertThat(client.pods().inNamespace(NAMESPACE).withLabel("job-name", "indexed").list().getItems())
                .extracting(pod -> pod.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index"))
                .containsExactlyInAnyOrder("0", "1", "2");
        assertThat(kubectl.ok("get", "job", "indexed")).containsPattern("indexed\\s+Complete\\s+3/3");
    }

    private List<Job> jobsOf(String cronJob) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(job -> job.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> ref.getKind().equals("CronJob") && ref.getName().equals(cronJob)))
                .toList();
    }
}
