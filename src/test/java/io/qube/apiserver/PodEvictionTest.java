package io.qube.apiserver;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.controller.DisruptionControllerProfile;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pods/eviction subresource with Kubernetes' semantics, the disruption controller keeping budgets current: an
 * eviction the budget allows deletes the pod and spends a disruption, one that would break the budget is refused
 * with 429 and Kubernetes' message and cause, and pods the budget does not count go without asking it.
 */
@QuarkusTest
@TestProfile(DisruptionControllerProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class PodEvictionTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NODE = "evict-node";

    @Override
    protected String namespacePrefix() {
        return "evict";
    }

    @Test
    void aBudgetAllowsTheEvictionItCanAffordAndRefusesTheNext() {
        runningPods("web-1", "web-2");
        budget("web", Map.of("app", "web"), new IntOrString(1), null);
        await().atMost(PATIENCE).until(() -> allowed("web") == 1);

        Response first = evict("web-1", "policy/v1");

        assertThat(first.statusCode()).as(first.asString()).isEqualTo(201);
        assertThat(first.jsonPath().getString("status")).isEqualTo("Success");
        assertThat(client.pods().inNamespace(namespace).withName("web-1").get()).isNull();
        // The controller then sees one healthy pod of the one required: nothing more may go.
        await().atMost(PATIENCE).until(() -> budgetOf("web").getStatus().getCurrentHealthy() == 1);
        assertThat(allowed("web")).isZero();

        Response second = evict("web-2", "policy/v1beta1");

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.jsonPath().getString("reason")).isEqualTo("TooManyRequests");
        assertThat(second.jsonPath().getString("message"))
                .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(second.jsonPath().getString("details.causes[0].reason")).isEqualTo("DisruptionBudget");
        assertThat(second.jsonPath().getString("details.causes[0].message"))
                .isEqualTo("The disruption budget web needs 1 healthy pods and has 1 currently");
        assertThat(client.pods().inNamespace(namespace).withName("web-2").get()).isNotNull();
    }

    @Test
    void anAllowedEvictionMarksThePodBeforeItGoes() {
        runningPods("web-1", "web-2", "web-3");
        budget("web", Map.of("app", "web"), new IntOrString(1), null);
        await().atMost(PATIENCE).until(() -> allowed("web") == 2);
        // Holds the pod: the eviction's delete marks it and waits for the finalizer, so the pod can be seen.
        client.pods().inNamespace(namespace).withName("web-1").edit(p -> new PodBuilder(p).editMetadata()
                .addToFinalizers("example.com/hold").endMetadata().build());

        assertThat(evict("web-1", "policy/v1").statusCode()).isEqualTo(201);

        Pod going = client.pods().inNamespace(namespace).withName("web-1").get();
        assertThat(going.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(going.getStatus().getConditions()).filteredOn(c -> "DisruptionTarget".equals(c.getType()))
                .singleElement().satisfies(condition -> {
                    assertThat(condition.getStatus()).isEqualTo("True");
                    assertThat(condition.getReason()).isEqualTo("EvictionByEvictionAPI");
                    assertThat(condition.getMessage()).isEqualTo("Eviction API: evicting");
                });
        client.pods().inNamespace(namespace).withName("web-1").edit(p -> new PodBuilder(p).editMetadata()
                .withFinalizers().endMetadata().build());
    }

    @Test
    void theBudgetRecordsTheEvictionBeforeThePodIsDeleted() {
        runningPods("web-1", "web-2", "web-3");
        budget("web", Map.of("app", "web"), new IntOrString(1), null);
        await().atMost(PATIENCE).until(() -> allowed("web") == 2);

        // As in Kubernetes, the disruption is spent before the delete, which this precondition then refuses: the
        // record stays (until its timeout) and the controller counts the pod as about to go.
        Response refused = given().contentType(ContentType.JSON)
                .body("{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"web-1\"},"
                        + "\"deleteOptions\":{\"preconditions\":{\"uid\":\"not-this-pod\"}}}")
                .post("/api/v1/namespaces/" + namespace + "/pods/web-1/eviction");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(budgetOf("web").getStatus().getDisruptedPods()).containsOnlyKeys("web-1");
        assertThat(client.pods().inNamespace(namespace).withName("web-1").get().getMetadata()
                .getDeletionTimestamp()).isNull();
    }

    @Test
    void aPodUnderTwoBudgetsCannotBeEvicted() {
        runningPods("web-1");
        budget("by-app", Map.of("app", "web"), new IntOrString(0), null);
        budget("everything", Map.of(), null, new IntOrString("100%"));

        Response refused = evict("web-1", "policy/v1");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.jsonPath().getString("reason")).isEqualTo("Forbidden");
        assertThat(refused.jsonPath().getString("message")).isEqualTo("This pod has more than one "
                + "PodDisruptionBudget, which the eviction subresource does not support.");
        assertThat(client.pods().inNamespace(namespace).withName("web-1").get()).isNotNull();
    }

    @Test
    void podsTheBudgetDoesNotCountGoWithoutSpendingIt() {
        runningPods("ready");
        createPod("unready");
        cluster.run("unready", NODE, "10.242.0.9", false);
        createPod("pending");
        budget("web", Map.of("app", "web"), new IntOrString(5), null);
        budget("lenient", Map.of("app", "lenient"), new IntOrString(5), null);
        await().atMost(PATIENCE).until(() -> budgetOf("web").getStatus().getObservedGeneration() != null);

        assertThat(evict("ready", "policy/v1").statusCode()).isEqualTo(429);
        assertThat(evict("pending", "policy/v1").statusCode()).isEqualTo(201);
        // Unready, under a budget that is not met: only AlwaysAllow lets it go.
        assertThat(evict("unready", "policy/v1").statusCode()).isEqualTo(429);
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName("web")
                .edit(b -> new PodDisruptionBudgetBuilder(b).editSpec().withUnhealthyPodEvictionPolicy("AlwaysAllow")
                        .endSpec().build());
        assertThat(evict("unready", "policy/v1").statusCode()).isEqualTo(201);
        assertThat(client.pods().inNamespace(namespace).list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactly("ready");
        assertThat(allowed("web")).isZero();
    }

    @Test
    void anEvictionMustNameItsPod() {
        runningPods("web-1");

        Response response = given().contentType(ContentType.JSON)
                .body("{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"other\"}}")
                .post("/api/v1/namespaces/" + namespace + "/pods/web-1/eviction");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("message"))
                .isEqualTo("name in URL does not match name in Eviction object");
    }

    private void runningPods(String... names) {
        cluster.createNode(NODE, null);
        int ip = 1;
        for (String name : names) {
            createPod(name);
            cluster.run(name, NODE, "10.242.0." + ip++, true);
        }
    }

    private void createPod(String name) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app", "web").endMetadata().withNewSpec().withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("web").withImage("nginx").endContainer().endSpec().build()).create();
    }

    private void budget(String name, Map<String, String> selector, IntOrString minAvailable,
                        IntOrString maxUnavailable) {
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec().withMinAvailable(minAvailable)
                .withMaxUnavailable(maxUnavailable).withNewSelector().withMatchLabels(selector).endSelector()
                .endSpec().build()).create();
    }

    private PodDisruptionBudget budgetOf(String name) {
        return client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).get();
    }

    private int allowed(String name) {
        return budgetOf(name).getStatus().getDisruptionsAllowed();
    }

    private Response evict(String pod, String apiVersion) {
        return given().contentType(ContentType.JSON)
                .body("{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + pod
                        + "\",\"namespace\":\"" + namespace + "\"},\"deleteOptions\":{\"gracePeriodSeconds\":0}}")
                .post("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/eviction");
    }
}
