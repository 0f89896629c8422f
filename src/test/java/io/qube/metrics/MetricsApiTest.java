package io.qube.metrics;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics.k8s.io API's shape without node agents (figures from real agents: the node agent's ResourceMetricsIT):
 * discovery in both forms, empty lists, 404 for an object without figures, read-only verbs, selector errors.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class MetricsApiTest {

    private static final String API = "/apis/metrics.k8s.io/v1beta1";

    @Test
    void legacyDiscoveryListsNodesAndPodsReadOnly() {
        Response groups = given().get("/apis");
        assertThat(groups.jsonPath().getList("groups.name", String.class)).contains("metrics.k8s.io");
        Response resources = given().get(API);
        assertThat(resources.statusCode()).isEqualTo(200);
        List<Map<String, Object>> listed = resources.jsonPath().getList("resources");
        assertThat(listed).extracting(r -> r.get("name")).containsExactlyInAnyOrder("nodes", "pods");
        Map<String, Object> pods = listed.stream().filter(r -> r.get("name").equals("pods")).findFirst().orElseThrow();
        assertThat(pods.get("kind")).isEqualTo("PodMetrics");
        assertThat(pods.get("namespaced")).isEqualTo(true);
        assertThat(pods.get("verbs")).isEqualTo(List.of("get", "list"));
        Map<String, Object> nodes = listed.stream().filter(r -> r.get("name").equals("nodes")).findFirst()
                .orElseThrow();
        assertThat(nodes.get("kind")).isEqualTo("NodeMetrics");
        assertThat(nodes.get("namespaced")).isEqualTo(false);
    }

    @Test
    void aggregatedDiscoveryListsTheGroup() {
        Response aggregated = given().header("Accept",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
                .get("/apis");
        assertThat(aggregated.jsonPath().getString("items.find { it.metadata.name == 'metrics.k8s.io' }"
                + ".versions[0].resources.find { it.resource == 'pods' }.responseKind.kind")).isEqualTo("PodMetrics");
    }

    @Test
    void listsWithoutFiguresAreEmptyAndGetsAreNotFound() {
        Response nodes = given().get(API + "/nodes");
        assertThat(nodes.statusCode()).isEqualTo(200);
        assertThat(nodes.jsonPath().getString("kind")).isEqualTo("NodeMetricsList");
        assertThat(nodes.jsonPath().getList("items")).isEmpty();
        Response pods = given().queryParam("labelSelector", "app=web")
                .get(API + "/namespaces/default/pods");
        assertThat(pods.jsonPath().getString("kind")).as(pods.asString()).isEqualTo("PodMetricsList");
        assertThat(pods.jsonPath().getList("items")).isEmpty();
        assertThat(given().get(API + "/pods").statusCode()).isEqualTo(200);
        Response missing = given().get(API + "/namespaces/default/pods/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.jsonPath().getString("message"))
                .isEqualTo("podmetrics.metrics.k8s.io \"default/nothing\" not found");
        assertThat(given().get(API + "/nodes/nothing").jsonPath().getString("message"))
                .isEqualTo("nodemetrics.metrics.k8s.io \"nothing\" not found");
    }

    @Test
    void onlyGetAndListAreServed() {
        Response create = given().contentType("application/json").body("{}").post(API + "/nodes");
        assertThat(create.statusCode()).isEqualTo(405);
        assertThat(create.jsonPath().getString("reason")).isEqualTo("MethodNotAllowed");
        assertThat(given().get(API + "/nodes?watch=true").statusCode()).isEqualTo(405);
        assertThat(given().delete(API + "/namespaces/default/pods/p").statusCode()).isEqualTo(405);
        assertThat(given().get(API + "/deployments").statusCode()).isEqualTo(404);
    }

    @Test
    void aBadSelectorIsABadRequest() {
        Response response = given().queryParam("labelSelector", "a in (").get(API + "/pods");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        Response field = given().queryParam("fieldSelector", "spec.nothing=x").get(API + "/nodes");
        assertThat(field.statusCode()).as(field.asString()).isEqualTo(400);
        assertThat(given().queryParam("fieldSelector", "metadata.name=n1").get(API + "/nodes").statusCode())
                .isEqualTo(200);
    }

    @Test
    void tablesHaveTheMetricsColumns() {
        Response table = given().header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").get(API + "/nodes");
        assertThat(table.jsonPath().getString("kind")).isEqualTo("Table");
        assertThat(table.jsonPath().getList("columnDefinitions.name", String.class))
                .containsExactly("Name", "CPU", "Memory", "Window");
    }
}
