package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The Job and TTL-after-finished controllers against the real API. No node runs here: the tests end pods by
 * writing their status as a node's agent would (Succeeded or Failed with a terminated container).
 */
@QuarkusTest
@TestProfile(JobControllerTest.WithJobs.class)
@WithTestResource(EmbeddedPostgresResource.class)
class JobControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    public static class WithJobs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.job.enabled", "true",
                    "qube.controllers.ttl-after-finished.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "job";
    }

    @Test
    void runsParallelPodsUntilTheCompletionsSucceed() {
        Job job = create(job("work").editSpec().withCompletions(3).withParallelism(2).endSpec().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(2));
        for (Pod pod : active(job)) {
            assertThat(pod.getMetadata().getName()).startsWith("work-");
            assertThat(pod.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-name", "work")
                    .containsEntry("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
            OwnerReference owner = pod.getMetadata().getOwnerReferences().get(0);
            assertThat(owner.getKind()).isEqualTo("Job");
            assertThat(owner.getController()).isTrue();
            assertThat(owner.getBlockOwnerDeletion()).isTrue();
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            Job current = get("work");
            assertThat(current.getStatus().getActive()).isEqualTo(2);
            assertThat(current.getStatus().getStartTime()).isNotNull();
        });
        // Settled: a sync that changes nothing writes nothing (no status churn from its own update events).
        String settled = get("work").getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> get("work").getMetadata().getResourceVersion().equals(settled));

        finish(active(job).get(0), 0);
        // One success leaves one completion for one more pod: two run again, never three.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get("work").getStatus().getSucceeded()).isEqualTo(1));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(2));
        active(job).forEach(pod -> finish(pod, 0));

        await().atMost(PATIENCE).untilAsserted(() -> {
            Job done = get("work");
            assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
            assertThat(done.getStatus().getActive()).isNull();
            assertThat(done.getStatus().getCompletionTime()).isNotNull();
            assertThat(done.getStatus().getConditions()).extracting(JobCondition::getType, JobCondition::getStatus)
                    .containsExactly(tuple("SuccessCriteriaMet", "True"),
                            tuple("Complete", "True"));
        });
        assertThat(owned(job)).hasSize(3);
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(cluster.events("SuccessfulCreate")).hasSize(3);
            assertThat(cluster.events("Completed")).extracting(e -> e.getMessage()).containsExactly("Job completed");
        });
    }

    @Test
    void failsWithBackoffLimitExceededAfterTooManyFailedPods() {
        Job job = create(job("flaky").editSpec().withBackoffLimit(1).endSpec().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(1));
        finish(active(job).get(0), 1);
        // The replacement waits out the 10 s pod failure backoff.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(1));
        assertThat(get("flaky").getStatus().getFailed()).isEqualTo(1);
        finish(active(job).get(0), 1);

        await().atMost(PATIENCE).untilAsserted(() -> {
            Job failed = get("flaky");
            assertThat(failed.getStatus().getFailed()).isEqualTo(2);
            assertThat(failed.getStatus().getCompletionTime()).isNull();
            assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getType)
                    .containsExactly("FailureTarget", "Failed");
            JobCondition condition = failed.getStatus().getConditions().get(1);
            assertThat(condition.getReason()).isEqualTo("BackoffLimitExceeded");
            assertThat(condition.getMessage()).isEqualTo("Job has reached the specified backoff limit");
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("BackoffLimitExceeded"))
                .singleElement().matches(e -> e.getType().equals("Warning")));
        assertThat(owned(job)).hasSize(2);
    }

    @Test
    void activeDeadlineSecondsFailsTheJobAndDeletesItsPods() {
        Job job = create(job("slow").editSpec().withActiveDeadlineSeconds(2L).withParallelism(2).withCompletions(2)
                .endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(2));

        await().atMost(PATIENCE).untilAsserted(() -> {
            Job failed = get("slow");
            assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getType)
                    .containsExactly("FailureTarget", "Failed");
            assertThat(failed.getStatus().getConditions().get(1).getReason()).isEqualTo("DeadlineExceeded");
            assertThat(failed.getStatus().getActive()).isNull();
        });
        assertThat(owned(job)).isEmpty();
        assertThat(cluster.events("SuccessfulDelete")).hasSize(2);
    }

    @Test
    void anIndexedJobRunsEachIndexOnce() {
        Job job = create(job("indexed").editSpec().withCompletionMode("Indexed").withCompletions(3)
                .withParallelism(3).endSpec().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(3));
        assertThat(active(job)).extracting(pod -> pod.getMetadata().getAnnotations()
                .get("batch.kubernetes.io/job-completion-index")).containsExactlyInAnyOrder("0", "1", "2");
        Pod first = active(job).stream().filter(pod -> "1".equals(pod.getMetadata().getLabels()
                .get("batch.kubernetes.io/job-completion-index"))).findFirst().orElseThrow();
        assertThat(first.getSpec().getHostname()).isEqualTo("indexed-1");
        assertThat(first.getMetadata().getName()).startsWith("indexed-1-");
        EnvVar index = first.getSpec().getContainers().get(0).getEnv().get(0);
        assertThat(index.getName()).isEqualTo("JOB_COMPLETION_INDEX");
        assertThat(index.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");

        // Index 1 fails once and is run again; the others succeed.
        finish(first, 1);
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(active(job)).hasSize(3)
                .noneMatch(pod -> pod.getMetadata().getName().equals(first.getMetadata().getName())));
        for (Pod pod : active(job)) {
            finish(pod, 0);
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            Job done = get("indexed");
            assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0-2");
            assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
            assertThat(done.getStatus().getFailed()).isEqualTo(1);
            assertThat(done.getStatus().getConditions()).extracting(JobCondition::getType).contains("Complete");
        });
    }

    @Test
    void aSuspendedJobRunsNoPodsUntilResumed() {
        Job job = create(job("later").editSpec().withSuspend(true).withParallelism(2).withCompletions(2)
                .endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> {
            Job suspended = get("later");
            assertThat(suspended.getStatus().getConditions()).singleElement()
                    .matches(c -> c.getType().equals("Suspended") && c.getStatus().equals("True")
                            && c.getReason().equals("JobSuspended"));
            assertThat(suspended.getStatus().getStartTime()).isNull();
        });
        assertThat(owned(job)).isEmpty();

        client.batch().v1().jobs().inNamespace(namespace).withName("later")
                .edit(j -> new JobBuilder(j).editSpec().withSuspend(false).endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(2));
        await().atMost(PATIENCE).untilAsserted(() -> {
            Job resumed = get("later");
            assertThat(resumed.getStatus().getConditions()).singleElement()
                    .matches(c -> c.getStatus().equals("False") && c.getReason().equals("JobResumed"));
            assertThat(resumed.getStatus().getStartTime()).isNotNull();
        });

        // Suspending a running job deletes its pods.
        client.batch().v1().jobs().inNamespace(namespace).withName("later")
                .edit(j -> new JobBuilder(j).editSpec().withSuspend(true).endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(job)).isEmpty());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get("later").getStatus().getActive()).isNull());
    }

    @Test
    void aFinishedJobIsDeletedAfterItsTtl() {
        Job job = create(job("brief").editSpec().withTtlSecondsAfterFinished(1).endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(1));
        finish(active(job).get(0), 0);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get("brief")).isNull());
    }

    @Test
    void aPodFailurePolicyIgnoresDisruptionsAndFailsTheJobOnAnExitCode() {
        Job job = create(job("policy").editSpec().withBackoffLimit(0).withNewPodFailurePolicy()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName("main").withOperator("In")
                .withValues(42).endOnExitCodes().endRule()
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").endOnPodCondition()
                .endRule()
                .endPodFailurePolicy().endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(1));
        Pod evicted = active(job).get(0);

        // An eviction is not the pod's fault: with backoffLimit 0 the job would fail if it counted. The
        // replacement comes at once (no failure backoff) and the failure is counted nowhere.
        finish(evicted, 137, new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                .withReason("TerminationByKubelet").build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).singleElement()
                .matches(pod -> !pod.getMetadata().getName().equals(evicted.getMetadata().getName())));
        assertThat(get("policy").getStatus().getFailed()).isNull();
        assertThat(get("policy").getStatus().getConditions()).isEmpty();

        Pod broken = active(job).get(0);
        finish(broken, 42);
        String message = "Container main for pod " + namespace + "/" + broken.getMetadata().getName()
                + " failed with exit code 42 matching FailJob rule at index 0";
        await().atMost(PATIENCE).untilAsserted(() -> {
            Job failed = get("policy");
            assertThat(failed.getStatus().getFailed()).isEqualTo(1);
            assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getType, JobCondition::getReason,
                    JobCondition::getMessage).containsExactly(tuple("FailureTarget", "PodFailurePolicy", message),
                    tuple("Failed", "PodFailurePolicy", message));
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("PodFailurePolicy"))
                .singleElement().matches(e -> e.getMessage().equals(message)));
    }

    @Test
    void backoffLimitPerIndexFailsOnlyTheIndexThatFailedTooOften() {
        Job job = create(job("per-index").editSpec().withCompletionMode("Indexed").withCompletions(3)
                .withParallelism(3).withBackoffLimitPerIndex(1).endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(3));
        assertThat(get("per-index").getStatus().getFailedIndexes()).isEmpty();

        // Index 1 fails; its next pod (after the index's own 10 s backoff) carries the count, and fails too.
        finish(ofIndex(job, "1"), 1);
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(active(job)).hasSize(3));
        Pod second = ofIndex(job, "1");
        assertThat(second.getMetadata().getAnnotations()).containsEntry("batch.kubernetes.io/job-index-failure-count",
                "1");
        finish(second, 1);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get("per-index").getStatus().getFailedIndexes())
                .isEqualTo("1"));
        // Only the other indexes run on; the job fails once they are done.
        assertThat(active(job)).hasSize(2);
        for (Pod pod : active(job)) {
            finish(pod, 0);
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            Job failed = get("per-index");
            assertThat(failed.getStatus().getCompletedIndexes()).isEqualTo("0,2");
            assertThat(failed.getStatus().getFailedIndexes()).isEqualTo("1");
            assertThat(failed.getStatus().getFailed()).isEqualTo(2);
            assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getType, JobCondition::getReason,
                    JobCondition::getMessage).containsExactly(
                    tuple("FailureTarget", "FailedIndexes", "Job has failed indexes"),
                    tuple("Failed", "FailedIndexes", "Job has failed indexes"));
        });
        assertThat(owned(job)).hasSize(4);
    }

    @Test
    void aSuccessPolicyCompletesTheJobBeforeEveryIndexSucceeded() {
        Job job = create(job("leader").editSpec().withCompletionMode("Indexed").withCompletions(3)
                .withParallelism(3).withNewSuccessPolicy().addNewRule().withSucceededIndexes("0").endRule()
                .endSuccessPolicy().endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active(job)).hasSize(3));

        finish(ofIndex(job, "0"), 0);

        await().atMost(PATIENCE).untilAsserted(() -> {
            Job done = get("leader");
            assertThat(done.getStatus().getConditions()).extracting(JobCondition::getType, JobCondition::getReason,
                    JobCondition::getMessage).containsExactly(
                    tuple("SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"),
                    tuple("Complete", "SuccessPolicy", "Matched rules at index 0"));
            assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0");
            assertThat(done.getStatus().getCompletionTime()).isNotNull();
        });
        // The indexes still running when the policy was met were stopped.
        assertThat(owned(job)).singleElement().matches(pod -> "0".equals(pod.getMetadata().getAnnotations()
                .get("batch.kubernetes.io/job-completion-index")));
    }

    @Test
    void aJobManagedByAnotherControllerIsLeftToIt() {
        Job job = create(job("elsewhere").editSpec().withManagedBy("example.com/multikueue").endSpec().build());

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(owned(job)).isEmpty();
            assertThat(get("elsewhere").getStatus()).isNull();
        });
    }

    private Pod ofIndex(Job job, String index) {
        return active(job).stream().filter(pod -> index.equals(pod.getMetadata().getAnnotations()
                .get("batch.kubernetes.io/job-completion-index"))).findFirst().orElseThrow();
    }

    private static JobBuilder job(String name) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox:1.36").endContainer()
                .endSpec().endTemplate().endSpec();
    }

    private Job create(Job job) {
        return client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    }

    private Job get(String name) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    }

    private List<Pod> owned(Job job) {
        return client.pods().inNamespace(namespace).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> ref.getUid().equals(job.getMetadata().getUid())))
                .toList();
    }

    private List<Pod> active(Job job) {
        return owned(job).stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null
                && (pod.getStatus() == null || pod.getStatus().getPhase() == null
                || pod.getStatus().getPhase().equals("Pending") || pod.getStatus().getPhase().equals("Running")))
                .toList();
    }

    /** Ends the pod as a node would: its container terminated with this exit code, with these conditions added. */
    private void finish(Pod pod, int exitCode, PodCondition... conditions) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).editStatus(p -> new PodBuilder(p)
                .editOrNewStatus().withPhase(exitCode == 0 ? "Succeeded" : "Failed").addToConditions(conditions)
                .withContainerStatuses(new ContainerStatusBuilder().withName("main").withImage("busybox:1.36")
                        .withReady(false).withRestartCount(0).withNewState().withNewTerminated()
                        .withExitCode(exitCode).withReason(exitCode == 0 ? "Completed" : "Error")
                        .withStartedAt(now).withFinishedAt(now).endTerminated().endState().build())
                .endStatus().build());
    }
}
