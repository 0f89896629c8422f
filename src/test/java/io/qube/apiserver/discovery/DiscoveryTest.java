package io.qube.apiserver.discovery;

import io.qube.test.EmbeddedPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The discovery documents over real HTTP, in the forms and with the content types that kubectl and fabric8 need. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class DiscoveryTest {

    /** What kubectl 1.32 sends to /api and /apis. */
    static final String KUBECTL_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
            + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    static final String AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    @Test
    void versionReportsKubernetes132WithEveryField() {
        JsonPath version = get("/version", "application/json, */*", "application/json");
        assertThat(version.getString("major")).isEqualTo("1");
        assertThat(version.getString("minor")).isEqualTo("32");
        assertThat(version.getString("gitVersion")).isEqualTo("v1.32.0");
        for (String field : List.of("gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform")) {
            assertThat(version.getString(field)).as(field).isNotBlank();
        }
    }

    @Test
    void legacyCoreVersions() {
        JsonPath api = get("/api", "application/json", "application/json");
        assertThat(api.getString("kind")).isEqualTo("APIVersions");
        assertThat(api.getList("versions")).containsExactly("v1");
    }

    /** As Kubernetes: the address to reach the server at, for every client network, in /api and each /apis group. */
    @Test
    void legacyDocumentsNameTheServerAddress() {
        String address = "127.0.0.1:" + io.restassured.RestAssured.port;
        JsonPath api = get("/api", "application/json", "application/json");
        assertThat(api.<Object>getList("serverAddressByClientCIDRs"))
                .containsExactly(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", address));
        JsonPath apis = get("/apis", "application/json", "application/json");
        assertThat(apis.getList("groups")).isNotEmpty();
        assertThat(apis.getList("groups.serverAddressByClientCIDRs"))
                .allSatisfy(addresses -> assertThat((List<Object>) addresses)
                        .containsExactly(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", address)));
    }

    @Test
    void aggregatedCoreGroupForKubectl() {
        Response response = given().accept(KUBECTL_ACCEPT).get("/api");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo(AGGREGATED_V2);
        assertThat(response.header("Vary")).containsIgnoringCase("Accept");
        JsonPath api = response.jsonPath();
        assertThat(api.getString("kind")).isEqualTo("APIGroupDiscoveryList");
        assertThat(api.getString("apiVersion")).isEqualTo("apidiscovery.k8s.io/v2");
        assertThat(api.getString("items[0].metadata.name")).isEmpty();
        assertThat(api.getString("items[0].versions[0].version")).isEqualTo("v1");
        assertThat(api.getString("items[0].versions[0].freshness")).isEqualTo("Current");

        Map<String, Object> pods = api.getMap("items[0].versions[0].resources.find { it.resource == 'pods' }");
        assertThat(pods).containsEntry("scope", "Namespaced").containsEntry("singularResource", "pod")
                .containsEntry("shortNames", List.of("po")).containsEntry("categories", List.of("all"))
                .containsEntry("responseKind", Map.of("group", "", "version", "v1", "kind", "Pod"));
        assertThat(api.getList("items[0].versions[0].resources.find { it.resource == 'pods' }.subresources.subresource"))
                .containsExactly("binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward",
                        "status");
        assertThat(api.getList("items[0].versions[0].resources.find { it.resource == 'pods' }.subresources"
                + ".find { it.subresource == 'log' }.verbs")).containsExactly("get");
        assertThat(api.getList("items[0].versions[0].resources.find { it.resource == 'bindings' }.verbs"))
                .containsExactly("create");
        assertThat(api.getString("items[0].versions[0].resources.find { it.resource == 'namespaces' }.scope"))
                .isEqualTo("Cluster");
    }

    @Test
    void aggregatedV2beta1WhenOnlyThatIsAsked() {
        Response response = given()
                .accept("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")
                .get("/apis");
        assertThat(response.header("Content-Type"))
                .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
        assertThat(response.jsonPath().getString("apiVersion")).isEqualTo("apidiscovery.k8s.io/v2beta1");
    }

    @Test
    void preferenceWeightsAndUnservableTypesFallBackToLegacy() {
        String preferLegacy = "application/json;q=0.9," + AGGREGATED_V2 + ";q=0.5";
        assertThat(given().accept(preferLegacy).get("/apis").header("Content-Type")).isEqualTo("application/json");
        // Protobuf only: clients cope with JSON, not with a 406 on discovery.
        Response protobuf = given().accept("application/vnd.kubernetes.protobuf").get("/api");
        assertThat(protobuf.statusCode()).isEqualTo(200);
        assertThat(protobuf.header("Content-Type")).isEqualTo("application/json");
        assertThat(protobuf.jsonPath().getString("kind")).isEqualTo("APIVersions");
    }

    @Test
    void aggregatedGroupsCarryScaleAsAutoscalingV1() {
        Response response = given().accept(KUBECTL_ACCEPT).get("/apis");
        assertThat(response.header("Content-Type")).isEqualTo(AGGREGATED_V2);
        JsonPath apis = response.jsonPath();
        assertThat(apis.getList("items.metadata.name"))
                .containsExactly("apps", "batch", "storage.k8s.io", "rbac.authorization.k8s.io",
                        "authorization.k8s.io", "autoscaling", "networking.k8s.io", "policy", "apiextensions.k8s.io",
                        "coordination.k8s.io", "discovery.k8s.io", "scheduling.k8s.io", "metrics.k8s.io");
        String deployments = "items.find { it.metadata.name == 'apps' }.versions[0].resources"
                + ".find { it.resource == 'deployments' }";
        assertThat(apis.getList(deployments + ".shortNames")).containsExactly("deploy");
        assertThat(apis.getMap(deployments + ".subresources.find { it.subresource == 'scale' }.responseKind"))
                .isEqualTo(Map.of("group", "autoscaling", "version", "v1", "kind", "Scale"));
        String cronJobs = "items.find { it.metadata.name == 'batch' }.versions[0].resources"
                + ".find { it.resource == 'cronjobs' }";
        assertThat(apis.getList(cronJobs + ".shortNames")).containsExactly("cj");
        assertThat(apis.getList(cronJobs + ".categories")).containsExactly("all");
        assertThat(apis.getList(cronJobs + ".subresources.subresource")).containsExactly("status");
        assertThat(apis.getString(cronJobs + ".responseKind.kind")).isEqualTo("CronJob");
        assertThat(apis.getList("items.find { it.metadata.name == 'batch' }.versions[0].resources.resource"))
                .containsExactlyInAnyOrder("jobs", "cronjobs");
        assertThat(apis.getString("items.find { it.metadata.name == 'scheduling.k8s.io' }.versions[0]"
                + ".resources[0].scope")).isEqualTo("Cluster");
    }

    @Test
    void legacyGroupList() {
        JsonPath apis = get("/apis", "application/json", "application/json");
        assertThat(apis.getString("kind")).isEqualTo("APIGroupList");
        assertThat(apis.getList("groups.name"))
                .containsExactly("apps", "batch", "storage.k8s.io", "rbac.authorization.k8s.io",
                        "authorization.k8s.io", "autoscaling", "networking.k8s.io", "policy", "apiextensions.k8s.io",
                        "coordination.k8s.io", "discovery.k8s.io", "scheduling.k8s.io", "metrics.k8s.io");
        assertThat(apis.getString("groups.find { it.name == 'apps' }.preferredVersion.groupVersion"))
                .isEqualTo("apps/v1");
    }

    @Test
    void coreResourceListPutsSubresourcesAfterTheirResource() {
        JsonPath v1 = get("/api/v1", "application/json", "application/json");
        assertThat(v1.getString("kind")).isEqualTo("APIResourceList");
        assertThat(v1.getString("groupVersion")).isEqualTo("v1");
        List<String> names = v1.getList("resources.name");
        assertThat(names).containsSubsequence("pods", "pods/binding", "pods/exec", "pods/log", "pods/portforward",
                        "pods/status")
                .containsSubsequence("namespaces", "namespaces/finalize", "namespaces/status")
                .contains("bindings", "configmaps", "secrets", "services/status", "replicationcontrollers/scale")
                .doesNotContain("pods/attach", "configmaps/status");
        assertThat(v1.getMap("resources.find { it.name == 'pods/exec' }")).containsEntry("kind", "PodExecOptions")
                .containsEntry("verbs", List.of("create", "get"));
        assertThat(v1.getMap("resources.find { it.name == 'pods/portforward' }"))
                .containsEntry("kind", "PodPortForwardOptions").containsEntry("verbs", List.of("create", "get"));
        assertThat(v1.getMap("resources.find { it.name == 'pods/log' }")).containsEntry("kind", "Pod")
                .containsEntry("verbs", List.of("get"));

        Map<String, Object> pods = v1.getMap("resources.find { it.name == 'pods' }");
        assertThat(pods).containsEntry("singularName", "pod").containsEntry("namespaced", true)
                .containsEntry("kind", "Pod").containsEntry("shortNames", List.of("po"))
                .containsEntry("categories", List.of("all"))
                .containsEntry("verbs", List.of("create", "delete", "deletecollection", "get", "list", "patch",
                        "update", "watch"));
        assertThat(v1.getMap("resources.find { it.name == 'namespaces' }")).containsEntry("namespaced", false);
        assertThat(v1.getMap("resources.find { it.name == 'pods/binding' }"))
                .containsEntry("kind", "Binding").containsEntry("verbs", List.of("create"));
        // kubectl drain evicts only if it finds pods/eviction with the Eviction's group and version, else it deletes.
        assertThat(v1.getMap("resources.find { it.name == 'pods/eviction' }"))
                .containsEntry("kind", "Eviction").containsEntry("group", "policy").containsEntry("version", "v1")
                .containsEntry("verbs", List.of("create"));
        assertThat(v1.getMap("resources.find { it.name == 'pods/status' }"))
                .containsEntry("kind", "Pod").containsEntry("verbs", List.of("get", "patch", "update"));
        assertThat(v1.getMap("resources.find { it.name == 'bindings' }")).containsEntry("verbs", List.of("create"));
    }

    @Test
    void groupAndGroupVersionDocuments() {
        JsonPath apps = get("/apis/apps", "application/json", "application/json");
        assertThat(apps.getString("kind")).isEqualTo("APIGroup");
        assertThat(apps.getString("name")).isEqualTo("apps");
        assertThat(apps.getList("versions.groupVersion")).containsExactly("apps/v1");

        JsonPath appsV1 = get("/apis/apps/v1", "application/json", "application/json");
        assertThat(appsV1.getString("groupVersion")).isEqualTo("apps/v1");
        assertThat(appsV1.getMap("resources.find { it.name == 'deployments/scale' }"))
                .containsEntry("group", "autoscaling").containsEntry("version", "v1").containsEntry("kind", "Scale");
        assertThat(appsV1.getMap("resources.find { it.name == 'deployments/status' }"))
                .doesNotContainKey("group");

        JsonPath leases = get("/apis/coordination.k8s.io/v1", "application/json", "application/json");
        assertThat(leases.getList("resources.name")).containsExactly("leases");
    }

    @Test
    void unchangedDocumentsAnswer304() {
        Response first = given().accept("application/json").get("/api/v1");
        String etag = first.header("ETag");
        assertThat(etag).startsWith("\"");
        Response again = given().accept("application/json").header("If-None-Match", etag).get("/api/v1");
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.asString()).isEmpty();
    }

    @Test
    void onlyGetOnExactPaths() {
        assertThat(given().post("/version").statusCode()).isNotEqualTo(200);
        assertThat(given().get("/apis/no.such.group").statusCode()).isEqualTo(404);
        assertThat(given().get("/api/v2").statusCode()).isEqualTo(404);
    }

    private static JsonPath get(String path, String accept, String expectedContentType) {
        Response response = given().accept(accept).get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.header("Content-Type")).as(path).isEqualTo(expectedContentType);
        return response.jsonPath();
    }
}
