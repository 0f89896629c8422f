package io.qube.controller.cronjob;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerRefs;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The CronJob controller against the real API, with no Job controller running: the Jobs it creates stay as
 * created, and the tests finish them by writing their status. Schedule arithmetic is unit-tested
 * ({@link ScheduledTimesTest}); one test here waits for a minutely schedule to fire.
 */
@QuarkusTest
@TestProfile(CronJobControllerTest.WithCronJobs.class)
@WithTestResource(EmbeddedPostgresResource.class)
class CronJobControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** A minutely schedule fires within a minute of its creation (plus the sync's own delay). */
    private static final Duration NEXT_MINUTE = Duration.ofSeconds(75);

    public static class WithCronJobs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.cronjob.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "cj";
    }

    @Test
    void aMinutelyScheduleCreatesAJobUnlessForbiddenByARunningOne() {
        CronJob allow = create(cronJob("tick", "* * * * *").build());
        CronJob forbid = create(cronJob("once", "* * * * *").editSpec().withConcurrencyPolicy("Forbid").endSpec()
                .build());
        // A running job of "once" that the controller did not make: it joins the active list, and blocks the next.
        client.batch().v1().jobs().inNamespace(namespace).resource(ownedJob(forbid, "once-manual")).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active("once")).containsExactly("once-manual"));

        await().atMost(NEXT_MINUTE).untilAsserted(() -> assertThat(jobsOf(allow)).hasSize(1));
        Job job = jobsOf(allow).get(0);
        // The controller creates the Job first and records the schedule time in the CronJob's status after it.
        CronJob ticked = await().atMost(PATIENCE).until(() -> get("tick"),
                c -> c.getStatus() != null && c.getStatus().getLastScheduleTime() != null);
        Instant scheduled = Instant.parse(ticked.getStatus().getLastScheduleTime());
        assertThat(scheduled.getEpochSecond() % 60).isZero();
        assertThat(job.getMetadata().getName()).isEqualTo("tick-" + scheduled.getEpochSecond() / 60);
        assertThat(Instant.parse(job.getMetadata().getAnnotations()
                .get("batch.kubernetes.io/cronjob-scheduled-timestamp"))).isEqualTo(scheduled);
        assertThat(job.getMetadata().getLabels()).containsEntry("team", "batch");
        OwnerReference owner = job.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getKind()).isEqualTo("CronJob");
        assertThat(owner.getController()).isTrue();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("busybox:1.36");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active("tick"))
                .containsExactly(job.getMetadata().getName()));
        assertThat(cluster.events("SuccessfulCreate")).extracting(e -> e.getMessage())
                .containsExactly("Created job " + job.getMetadata().getName());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("JobAlreadyActive"))
                .isNotEmpty().allMatch(e -> e.getInvolvedObject().getName().equals("once")));
        assertThat(jobsOf(forbid)).extracting(j -> j.getMetadata().getName()).containsExactly("once-manual");
        assertThat(cluster.events("UnexpectedJob")).extracting(e -> e.getMessage())
                .containsExactly("Saw a job that the controller did not create or forgot: once-manual");
    }

    @Test
    void finishedJobsLeaveTheActiveListAndOnlyTheNewestAreKept() {
        CronJob cronJob = create(cronJob("nightly", "0 3 * * *").editSpec().withSuccessfulJobsHistoryLimit(1)
                .withFailedJobsHistoryLimit(0).endSpec().build());
        List<String> names = List.of("nightly-1", "nightly-2", "nightly-3");
        for (String name : names) {
            client.batch().v1().jobs().inNamespace(namespace).resource(ownedJob(cronJob, name)).create();
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(active("nightly")).containsExactlyInAnyOrderElementsOf(names));

        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        finish("nightly-1", "Complete", start);
        finish("nightly-2", "Complete", start.plusSeconds(10));
        finish("nightly-3", "Failed", start.plusSeconds(20));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(jobsOf(cronJob))
                .extracting(j -> j.getMetadata().getName()).containsExactly("nightly-2"));
        CronJob current = get("nightly");
        assertThat(current.getStatus().getActive()).isEmpty();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> get("nightly")
                .getMetadata().getResourceVersion().equals(current.getMetadata().getResourceVersion()));
        assertThat(current.getStatus().getLastSuccessfulTime()).isEqualTo(start.plusSeconds(15).toString());
        assertThat(cluster.events("SawCompletedJob")).extracting(e -> e.getMessage()).containsExactlyInAnyOrder(
                "Saw completed job: nightly-1, condition: Complete", "Saw completed job: nightly-2, condition: Complete",
                "Saw completed job: nightly-3, condition: Failed");
        assertThat(cluster.events("SuccessfulDelete")).extracting(e -> e.getMessage())
                .containsExactlyInAnyOrder("Deleted job nightly-1", "Deleted job nightly-3");
    }

    private static CronJobBuilder cronJob(String name, String schedule) {
        return new CronJobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withSchedule(schedule).withNewJobTemplate()
                .withNewMetadata().addToLabels("team", "batch").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("OnFailure")
                .addNewContainer().withName("main").withImage("busybox:1.36").endContainer()
                .endSpec().endTemplate().endSpec().endJobTemplate().endSpec();
    }

    private Job ownedJob(CronJob cronJob, String name) {
        return new JobBuilder().withNewMetadata().withName(name).withOwnerReferences(ControllerRefs.controllerRef(
                        cronJob)).endMetadata()
                .withSpec(cronJob.getSpec().getJobTemplate().getSpec()).build();
    }

    /** As the Job controller would end it: started at {@code start}, finished five seconds later. */
    private void finish(String job, String condition, Instant start) {
        String end = start.plusSeconds(5).toString();
        client.batch().v1().jobs().inNamespace(namespace).withName(job).editStatus(j -> new JobBuilder(j)
                .editOrNewStatus().withStartTime(start.toString())
                .withCompletionTime(condition.equals("Complete") ? end : null)
                .addToConditions(new JobConditionBuilder().withType(condition).withStatus("True")
                        .withLastTransitionTime(end).build())
                .endStatus().build());
    }

    private CronJob create(CronJob cronJob) {
        return client.batch().v1().cronjobs().inNamespace(namespace).resource(cronJob).create();
    }

    private CronJob get(String name) {
        return client.batch().v1().cronjobs().inNamespace(namespace).withName(name).get();
    }

    /** The names in the CronJob's status.active. */
    private List<String> active(String cronJob) {
        CronJob current = get(cronJob);
        return current.getStatus() == null || current.getStatus().getActive() == null ? List.of()
                : current.getStatus().getActive().stream().map(ObjectReference::getName).toList();
    }

    private List<Job> jobsOf(CronJob cronJob) {
        return client.batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
                .filter(job -> job.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> ref.getUid().equals(cronJob.getMetadata().getUid())))
                .toList();
    }
}
