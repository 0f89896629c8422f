package io.qube.apiserver.batch;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * batch/v1 Jobs and CronJobs over HTTP, as a Kubernetes apiserver serves them: Kubernetes' defaults (the Job's
 * generated selector and pod labels among them), 422 field errors, immutable fields, kubectl's table columns and
 * the status subresource. No controller runs in this test: the objects are plain data.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class BatchKindsTest {

    private static final String JOBS = "/apis/batch/v1/namespaces/default/jobs";
    private static final String CRONJOBS = "/apis/batch/v1/namespaces/default/cronjobs";
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private static String job(String name, String extraSpec, String restartPolicy) {
        return """
                {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"%s"},
                 "spec":{%s"template":{"spec":{"restartPolicy":"%s",
                   "containers":[{"name":"main","image":"busybox:1.36"}]}}}}
                """.formatted(name, extraSpec, restartPolicy);
    }

    private static String cronJob(String name, String extraSpec) {
        return """
                {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"%s"},
                 "spec":{%s"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
                   "containers":[{"name":"main","image":"busybox:1.36"}]}}}}}}
                """.formatted(name, extraSpec);
    }

    private static JsonPath create(String path, String body, int status) {
        return given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(status).extract()
                .jsonPath();
    }

    @Test
    void aJobGetsKubernetesDefaultsAndAGeneratedSelector() {
        JsonPath job = create(JOBS, job("defaults", "", "Never"), 201);
        String uid = job.getString("metadata.uid");

        assertThat(job.getInt("spec.completions")).isEqualTo(1);
        assertThat(job.getInt("spec.parallelism")).isEqualTo(1);
        assertThat(job.getInt("spec.backoffLimit")).isEqualTo(6);
        assertThat(job.getString("spec.completionMode")).isEqualTo("NonIndexed");
        assertThat(job.getBoolean("spec.suspend")).isFalse();
        assertThat(job.getString("spec.podReplacementPolicy")).isEqualTo("TerminatingOrFailed");
        assertThat(job.getMap("spec.selector.matchLabels")).isEqualTo(Map.of("batch.kubernetes.io/controller-uid", uid));
        Map<String, String> labels = Map.of("batch.kubernetes.io/controller-uid", uid, "controller-uid", uid,
                "batch.kubernetes.io/job-name", "defaults", "job-name", "defaults");
        assertThat(job.getMap("spec.template.metadata.labels")).isEqualTo(labels);
        assertThat(job.getMap("metadata.labels")).isEqualTo(labels);
        assertThat(job.getString("spec.template.spec.dnsPolicy")).isEqualTo("ClusterFirst");
        assertThat(job.getMap("status")).isNullOrEmpty();

        // Parallelism alone leaves completions unset: the job is done at its first success.
        JsonPath workQueue = create(JOBS, job("queue", "\"parallelism\":3,", "OnFailure"), 201);
        assertThat(workQueue.getString("spec.completions")).isNull();
        assertThat(workQueue.getInt("spec.parallelism")).isEqualTo(3);
    }

    @Test
    void invalidJobsAreRefusedWithFieldErrors() {
        JsonPath always = create(JOBS, job("always", "", "Always"), 422);
        assertThat(always.getString("reason")).isEqualTo("Invalid");
        assertThat(always.getList("details.causes.field")).containsExactly("spec.template.spec.restartPolicy");
        assertThat(always.getString("details.causes[0].message"))
                .isEqualTo("Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");

        JsonPath counts = create(JOBS, job("counts", "\"completions\":-1,\"backoffLimit\":-2,"
                + "\"activeDeadlineSeconds\":0,", "Never"), 422);
        assertThat(counts.getList("details.causes.field")).containsExactlyInAnyOrder("spec.completions",
                "spec.backoffLimit", "spec.activeDeadlineSeconds");

        JsonPath indexed = create(JOBS, job("indexed", "\"completionMode\":\"Indexed\",\"parallelism\":2,",
                "Never"), 422);
        assertThat(indexed.getList("details.causes.message"))
                .containsExactly("Required value: when completion mode is Indexed");

        JsonPath chosen = create(JOBS, job("chosen", "\"selector\":{\"matchLabels\":{\"app\":\"x\"}},", "Never"),
                422);
        assertThat(chosen.getList("details.causes.field")).contains("spec.selector");
    }

    @Test
    void failureAndSuccessPoliciesAreValidatedAsKubernetesDoes() {
        JsonPath onFailure = create(JOBS, job("on-failure", "\"podFailurePolicy\":{\"rules\":[{\"action\":\"Ignore\","
                + "\"onPodConditions\":[{\"type\":\"DisruptionTarget\"}]}]},", "OnFailure"), 422);
        assertThat(onFailure.getList("details.causes.field")).containsExactly("spec.template.spec.restartPolicy");
        assertThat(onFailure.getString("details.causes[0].message"))
                .isEqualTo("Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified");

        JsonPath rules = create(JOBS, job("rules", "\"podFailurePolicy\":{\"rules\":["
                + "{\"action\":\"FailJob\",\"onExitCodes\":{\"containerName\":\"other\",\"operator\":\"In\","
                + "\"values\":[0,3,2]}},"
                + "{\"action\":\"FailIndex\",\"onExitCodes\":{\"operator\":\"NotIn\",\"values\":[1]}},"
                + "{\"action\":\"Retry\",\"onPodConditions\":[{\"type\":\"DisruptionTarget\",\"status\":\"Maybe\"}]},"
                + "{\"action\":\"Count\"}]},", "Never"), 422);
        assertThat(rules.getList("details.causes.field")).containsExactlyInAnyOrder(
                "spec.podFailurePolicy.rules[0].onExitCodes.containerName",
                "spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
                "spec.podFailurePolicy.rules[0].onExitCodes.values[2]",
                "spec.podFailurePolicy.rules[1].action",
                "spec.podFailurePolicy.rules[2].action",
                "spec.podFailurePolicy.rules[2].onPodConditions[0].status",
                "spec.podFailurePolicy.rules[3]");
        assertThat(rules.getList("details.causes.message")).contains(
                "Invalid value: 0: must not be 0 for the In operator",
                "Invalid value: 2: must be ordered",
                "Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set");

        JsonPath perIndex = create(JOBS, job("per-index", "\"completions\":3,\"backoffLimitPerIndex\":1,"
                + "\"maxFailedIndexes\":4,\"successPolicy\":{\"rules\":[{\"succeededIndexes\":\"0-1\"}]},", "Never"),
                422);
        assertThat(perIndex.getList("details.causes.field")).containsExactlyInAnyOrder("spec.backoffLimitPerIndex",
                "spec.maxFailedIndexes", "spec.successPolicy");

        JsonPath success = create(JOBS, job("success", "\"completionMode\":\"Indexed\",\"completions\":3,"
                + "\"successPolicy\":{\"rules\":[{\"succeededIndexes\":\"2,0\"},{\"succeededIndexes\":\"0-1\","
                + "\"succeededCount\":3},{}]},", "Never"), 422);
        assertThat(success.getList("details.causes.field")).containsExactly(
                "spec.successPolicy.rules[0].succeededIndexes", "spec.successPolicy.rules[1].succeededCount",
                "spec.successPolicy.rules[2]");
        assertThat(success.getString("details.causes[1].message")).isEqualTo("Invalid value: 3: must be less than "
                + "or equal to 2 (the number of indexes in the specified succeededIndexes field)");

        JsonPath valid = create(JOBS, job("valid", "\"completionMode\":\"Indexed\",\"completions\":3,"
                + "\"backoffLimitPerIndex\":1,\"maxFailedIndexes\":1,"
                + "\"podFailurePolicy\":{\"rules\":[{\"action\":\"FailIndex\",\"onExitCodes\":{\"operator\":\"In\","
                + "\"values\":[3,5]}}]},"
                + "\"successPolicy\":{\"rules\":[{\"succeededIndexes\":\"0-1\",\"succeededCount\":1}]},", "Never"), 201);
        assertThat(valid.getInt("spec.backoffLimit")).isEqualTo(Integer.MAX_VALUE);
        assertThat(valid.getString("spec.podReplacementPolicy")).isEqualTo("Failed");
    }

    @Test
    void aRunningJobsTemplateSelectorAndCompletionsAreImmutable() {
        create(JOBS, job("fixed", "\"completions\":2,", "Never"), 201);
        JsonPath refused = given().contentType("application/merge-patch+json")
                .body("{\"spec\":{\"completions\":3,\"template\":{\"spec\":{\"containers\":"
                        + "[{\"name\":\"main\",\"image\":\"busybox:1.37\"}]}}}}")
                .patch(JOBS + "/fixed").then().statusCode(422).extract().jsonPath();
        assertThat(refused.getList("details.causes.field")).containsExactlyInAnyOrder("spec.completions",
                "spec.template");
        assertThat(refused.getString("message")).contains("field is immutable");

        // Parallelism, suspend and the deadline may change.
        given().contentType("application/merge-patch+json")
                .body("{\"spec\":{\"parallelism\":2,\"suspend\":true,\"activeDeadlineSeconds\":60}}")
                .patch(JOBS + "/fixed").then().statusCode(200);
    }

    @Test
    void aCronJobGetsDefaultsAndItsScheduleAndTimeZoneAreChecked() {
        JsonPath cronJob = create(CRONJOBS, cronJob("nightly", "\"schedule\":\"0 3 * * *\","), 201);
        assertThat(cronJob.getString("spec.concurrencyPolicy")).isEqualTo("Allow");
        assertThat(cronJob.getBoolean("spec.suspend")).isFalse();
        assertThat(cronJob.getInt("spec.successfulJobsHistoryLimit")).isEqualTo(3);
        assertThat(cronJob.getInt("spec.failedJobsHistoryLimit")).isEqualTo(1);
        // The job template is not a Job yet: no Job defaults and no selector until the controller creates one.
        assertThat(cronJob.getString("spec.jobTemplate.spec.completions")).isNull();
        assertThat(cronJob.getString("spec.jobTemplate.spec.selector")).isNull();

        record Case(String spec, String field, String message) {
        }
        for (Case bad : List.of(
                new Case("\"schedule\":\"* * * *\",", "spec.schedule",
                        "Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]"),
                new Case("\"schedule\":\"61 * * * *\",", "spec.schedule",
                        "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"),
                new Case("\"schedule\":\"TZ=UTC 0 3 * * *\",", "spec.schedule",
                        "Invalid value: \"TZ=UTC 0 3 * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone "
                                + "field instead"),
                new Case("\"schedule\":\"@hourly\",\"timeZone\":\"Mars/Olympus\",", "spec.timeZone",
                        "Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"),
                new Case("\"schedule\":\"@hourly\",\"concurrencyPolicy\":\"Sometimes\",", "spec.concurrencyPolicy",
                        "Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""),
                new Case("", "spec.schedule", "Required value"))) {
            JsonPath refused = create(CRONJOBS, cronJob("bad", bad.spec()), 422);
            assertThat(refused.getList("details.causes.field")).as(bad.spec()).containsExactly(bad.field());
            assertThat(refused.getString("details.causes[0].message")).as(bad.spec()).isEqualTo(bad.message());
        }
        create(CRONJOBS, cronJob("zoned", "\"schedule\":\"@hourly\",\"timeZone\":\"Europe/Berlin\","), 201);
    }

    @Test
    void tablesShowKubectlsColumnsAndStatusIsItsOwnSubresource() {
        create(JOBS, job("table", "\"completions\":3,\"parallelism\":2,", "Never"), 201);
        given().contentType("application/merge-patch+json")
                .body("{\"status\":{\"succeeded\":1,\"active\":2,\"startTime\":\"2026-01-01T00:00:00Z\","
                        + "\"completionTime\":\"2026-01-01T00:01:05Z\",\"conditions\":[{\"type\":\"Complete\","
                        + "\"status\":\"True\"}]}}")
                .patch(JOBS + "/table/status").then().statusCode(200);
        // A write to the job itself leaves status alone.
        given().contentType("application/merge-patch+json").body("{\"status\":{\"succeeded\":9}}")
                .patch(JOBS + "/table").then().statusCode(200);

        JsonPath jobs = given().accept(TABLE).get(JOBS + "/table").then().statusCode(200).extract().jsonPath();
        assertThat(jobs.getList("columnDefinitions.name")).containsExactly("Name", "Status", "Completions",
                "Duration", "Age", "Containers", "Images", "Selector");
        List<Object> cells = jobs.getList("rows[0].cells");
        assertThat(cells.subList(0, 4)).containsExactly("table", "Complete", "1/3", "65s");

        create(CRONJOBS, cronJob("table", "\"schedule\":\"*/5 * * * *\",\"suspend\":true,"), 201);
        JsonPath cronJobs = given().accept(TABLE).get(CRONJOBS + "/table").then().statusCode(200).extract()
                .jsonPath();
        assertThat(cronJobs.getList("columnDefinitions.name")).containsExactly("Name", "Schedule", "Timezone",
                "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector");
        assertThat(cronJobs.getList("rows[0].cells").subList(0, 6))
                .containsExactly("table", "*/5 * * * *", "<none>", "True", 0, "<none>");
    }
}
