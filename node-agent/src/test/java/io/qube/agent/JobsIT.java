package io.qube.agent;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs and CronJobs as a user drives them with the real kubectl, end to end: the packaged control plane (scheduler,
 * Job and CronJob controllers) and two simulated nodes, whose pods with restartPolicy Never or OnFailure end after
 * {@code sim.qube.io/run-seconds} (default 1) with the exit code {@code sim.qube.io/exit-code} (default 0).
 */
class JobsIT {

    private static final String NAMESPACE = "default";

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;

    @BeforeAll
    static void startClusterOfTwoSimulatedNodes() throws Exception {
        cluster = SimulatedCluster.start(2, "j", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
        client = cluster.client;
        kubectl = cluster.kubectl;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            client.batch().v1().cronjobs().inNamespace(NAMESPACE).delete();
            client.batch().v1().jobs().inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        } finally {
            cluster.close();
        }
    }

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
        Path manifest = Files.createTempFile("job", ".yaml");
        try {
            Files.writeString(manifest, """
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
            kubectl.ok("apply", "-f", manifest.toString());
        } finally {
            Files.delete(manifest);
        }

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
        kubectl.ok("create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=* * * * *");
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

    private static List<Job> jobsOf(String cronJob) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(job -> job.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> ref.getKind().equals("CronJob") && ref.getName().equals(cronJob)))
                .toList();
    }
}
