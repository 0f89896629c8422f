package io.qube.apiserver;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/** The object verbs over real HTTP: status codes, Status bodies, resourceVersions and watches. */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class ObjectApiTest {

    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final io.restassured.config.RestAssuredConfig YAML_AS_TEXT = io.restassured.RestAssured.config()
            .encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                    .encodeContentTypeAs("application/apply-patch+yaml", ContentType.TEXT));

    @TestHTTPResource("/")
    URL server;

    @Test
    void theSystemNamespacesExistFromTheFirstStart() {
        for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            given().get("/api/v1/namespaces/" + name).then().statusCode(200)
                    .body("kind", equalTo("Namespace")).body("metadata.name", equalTo(name));
        }
    }

    @Test
    void anObjectWhoseListKeyIsLongerThanJacksonsNameLimitStaysReadable() {
        // managedFields turn the env var's name into a field name (k:{"name":"..."}): 70,000 characters, above
        // Jackson's default limit for names, once made every later read and write of the pod a 500 (ApiFuzzTest).
        String name = "y".repeat(70_000);
        String pods = "/api/v1/namespaces/default/pods";
        given().contentType(ContentType.JSON).body("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
                + "{\"name\":\"long-key\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\","
                + "\"env\":[{\"name\":\"" + name + "\",\"value\":\"1\"}]}]}}").post(pods).then().statusCode(201);
        given().contentType("application/merge-patch+json").body("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}")
                .patch(pods + "/long-key").then().statusCode(200).body("metadata.labels.a", equalTo("b"));
        given().get(pods + "/long-key").then().statusCode(200)
                .body("spec.containers[0].env[0].name.length()", equalTo(70_000));
        given().delete(pods + "/long-key").then().statusCode(200);
    }

    @Test
    void createGetUpdateDeleteWithResourceVersions() {
        Response created = given().contentType(ContentType.JSON)
                .body("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"crud\"},"
                        + "\"data\":{\"a\":\"1\"}}")
                .post(CONFIGMAPS);
        created.then().statusCode(201).body("metadata.uid", notNullValue())
                .body("metadata.namespace", equalTo("default"))
                .body("metadata.creationTimestamp", notNullValue());
        String version = created.path("metadata.resourceVersion");

        given().get(CONFIGMAPS + "/crud").then().statusCode(200)
                .body("metadata.resourceVersion", equalTo(version)).body("data.a", equalTo("1"));
        given().get(CONFIGMAPS).then().statusCode(200).body("kind", equalTo("ConfigMapList"))
                .body("items.metadata.name", hasItem("crud"));

        String update = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"crud\","
                + "\"resourceVersion\":\"" + version + "\"},\"data\":{\"a\":\"2\"}}";
        String newVersion = given().contentType(ContentType.JSON).body(update).put(CONFIGMAPS + "/crud")
                .then().statusCode(200).body("data.a", equalTo("2")).extract().path("metadata.resourceVersion");
        assertThat(Long.parseLong(newVersion)).isGreaterThan(Long.parseLong(version));

        given().contentType(ContentType.JSON).body(update).put(CONFIGMAPS + "/crud").then().statusCode(409)
                .body("kind", equalTo("Status")).body("reason", equalTo("Conflict"))
                .body("message", equalTo("Operation cannot be fulfilled on configmaps \"crud\": the object has been"
                        + " modified; please apply your changes to the latest version and try again"));
        given().get(CONFIGMAPS + "/crud").then().body("data.a", equalTo("2"));

        given().delete(CONFIGMAPS + "/crud").then().statusCode(200).body("metadata.name", equalTo("crud"));
        given().get(CONFIGMAPS + "/crud").then().statusCode(404).contentType(ContentType.JSON)
                .body("kind", equalTo("Status")).body("reason", equalTo("NotFound"))
                .body("message", equalTo("configmaps \"crud\" not found"))
                .body("details.name", equalTo("crud")).body("details.kind", equalTo("configmaps"))
                .body("code", equalTo(404));
    }

    @Test
    void createTwiceIsAlreadyExists() {
        String body = "{\"metadata\":{\"name\":\"twice\"}}";
        given().contentType(ContentType.JSON).body(body).post(CONFIGMAPS).then().statusCode(201)
                .body("kind", equalTo("ConfigMap")).body("apiVersion", equalTo("v1"));
        given().contentType(ContentType.JSON).body(body).post(CONFIGMAPS).then().statusCode(409)
                .body("reason", equalTo("AlreadyExists"))
                .body("message", equalTo("configmaps \"twice\" already exists"));
    }

    @Test
    void generateNameMakesAUniqueName() {
        String name = given().contentType(ContentType.JSON).body("{\"metadata\":{\"generateName\":\"gen-\"}}")
                .post(CONFIGMAPS).then().statusCode(201).extract().path("metadata.name");
        assertThat(name).matches("gen-[a-z0-9]{5}");
    }

    @Test
    void badRequestsGetAStatusAndChangeNothing() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"keep\"},\"data\":{\"k\":\"v\"}}")
                .post(CONFIGMAPS).then().statusCode(201);
        String keepVersion = given().get(CONFIGMAPS + "/keep").path("metadata.resourceVersion");

        given().contentType(ContentType.JSON).body("{not json").post(CONFIGMAPS).then().statusCode(400)
                .body("kind", equalTo("Status")).body("reason", equalTo("BadRequest"));
        given().contentType(ContentType.JSON).body("{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
                + "\"metadata\":{\"name\":\"x\"}}").post(CONFIGMAPS).then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("do not match the URL"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"other\"}}")
                .put(CONFIGMAPS + "/keep").then().statusCode(400)
                .body("message", equalTo("the name of the object (other) does not match the name on the URL (keep)"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"keep\",\"namespace\":\"kube-system\"}}")
                .put(CONFIGMAPS + "/keep").then().statusCode(400)
                .body("message", org.hamcrest.Matchers.containsString("does not match the namespace"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"x\"}}")
                .post("/api/v1/namespaces/nope/configmaps").then().statusCode(404)
                .body("message", equalTo("namespaces \"nope\" not found"));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\""
                + "x".repeat(3 * 1024 * 1024) + "\"}}").post(CONFIGMAPS).then().statusCode(413)
                .body("kind", equalTo("Status")).body("code", equalTo(413));
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"keep\"},\"bogus\":1}")
                .queryParam("fieldValidation", "Strict").put(CONFIGMAPS + "/keep").then().statusCode(400)
                .body("message", equalTo("strict decoding error: unknown field \"bogus\""));
        given().get("/api/v1/namespaces/default/nonsense").then().statusCode(404).body("kind", equalTo("Status"));
        given().queryParam("labelSelector", "a in (b").get(CONFIGMAPS).then().statusCode(400)
                .body("reason", equalTo("BadRequest"));

        given().get(CONFIGMAPS + "/keep").then().statusCode(200)
                .body("metadata.resourceVersion", equalTo(keepVersion)).body("data.k", equalTo("v"));
    }

    @Test
    void unknownFieldsAreDroppedWithAWarningByDefault() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"warned\"},\"extra\":{\"x\":1}}")
                .post(CONFIGMAPS).then().statusCode(201)
                .header("Warning", equalTo("299 - \"unknown field \\\"extra\\\"\""))
                .body("extra", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void dryRunPersistsNothing() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"dry\"}}").queryParam("dryRun", "All")
                .post(CONFIGMAPS).then().statusCode(201).body("metadata.name", equalTo("dry"));
        given().get(CONFIGMAPS + "/dry").then().statusCode(404);
    }

    @Test
    void aWatchStreamsEventsAsNewlineDelimitedJson() throws Exception {
        String version = given().get(CONFIGMAPS).path("metadata.resourceVersion");
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server + CONFIGMAPS.substring(1)
                + "?watch=true&resourceVersion=" + version + "&labelSelector=watched%3Dyes&timeoutSeconds=30"))
                .build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException closed) {
                // the test ends the stream
            }
        });
        reader.start();
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"w1\",\"labels\":{\"watched\":\"yes\"}}}")
                .post(CONFIGMAPS).then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"w2\"}}").post(CONFIGMAPS)
                .then().statusCode(201);
        given().delete(CONFIGMAPS + "/w1").then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> lines.size() >= 2);
        assertThat(lines.get(0)).startsWith("{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"")
                .contains("\"name\":\"w1\"");
        assertThat(lines.get(1)).startsWith("{\"type\":\"DELETED\"").contains("\"name\":\"w1\"");
        assertThat(String.join("\n", lines)).doesNotContain("\"w2\"");
        reader.interrupt();
    }

    @Test
    void aWatchCanRunOverAWebSocketAsFabric8OpensIt() throws Exception {
        String version = given().get(CONFIGMAPS).path("metadata.resourceVersion");
        List<String> frames = new CopyOnWriteArrayList<>();
        java.net.http.WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.toString().replace("http://", "ws://") + CONFIGMAPS.substring(1)
                        + "?watch=true&resourceVersion=" + version + "&fieldSelector=metadata.name%3Dover-ws"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws,
                                                                                  CharSequence data, boolean last) {
                                frames.add(data.toString());
                                ws.request(1);
                                return null;
                            }
                        }).get();
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"over-ws\"}}").post(CONFIGMAPS)
                .then().statusCode(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> !frames.isEmpty());
        assertThat(frames.get(0)).startsWith("{\"type\":\"ADDED\"").contains("\"name\":\"over-ws\"");
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done");
    }

    @Test
    void kubectlsTableRequestGetsColumnsRowsAndPartialMetadata() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"tabled\",\"labels\":{\"t\":\"1\"}},"
                + "\"data\":{\"a\":\"1\",\"b\":\"2\"}}").post(CONFIGMAPS).then().statusCode(201);
        String accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                + "g=meta.k8s.io,application/json";
        given().accept(accept).queryParam("labelSelector", "t=1").get(CONFIGMAPS).then().statusCode(200)
                .body("kind", equalTo("Table")).body("apiVersion", equalTo("meta.k8s.io/v1"))
                .body("columnDefinitions.name", equalTo(List.of("Name", "Data", "Age")))
                .body("rows[0].cells[0]", equalTo("tabled")).body("rows[0].cells[1]", equalTo(2))
                .body("rows[0].object.kind", equalTo("PartialObjectMetadata"))
                .body("rows[0].object.metadata.labels.t", equalTo("1"));
        given().accept(accept).get(CONFIGMAPS + "/tabled").then().statusCode(200)
                .body("kind", equalTo("Table")).body("rows.size()", equalTo(1));
    }

    @Test
    void everyPatchTypeAndServerSideApplyCreatingTheObject() {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"patched\"},\"data\":{\"a\":\"1\"}}")
                .post(CONFIGMAPS).then().statusCode(201);
        given().contentType("application/merge-patch+json").body("{\"metadata\":{\"labels\":{\"m\":\"1\"}}}")
                .patch(CONFIGMAPS + "/patched").then().statusCode(200).body("metadata.labels.m", equalTo("1"));
        given().contentType("application/strategic-merge-patch+json").body("{\"data\":{\"b\":\"2\",\"a\":null}}")
                .patch(CONFIGMAPS + "/patched").then().statusCode(200).body("data.b", equalTo("2"))
                .body("data.a", org.hamcrest.Matchers.nullValue());
        given().contentType("application/json-patch+json").body("[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"3\"}]")
                .patch(CONFIGMAPS + "/patched").then().statusCode(200).body("data.c", equalTo("3"));
        given().contentType("application/json-patch+json").body("[{\"op\":\"test\",\"path\":\"/data/c\",\"value\":\"x\"}]")
                .patch(CONFIGMAPS + "/patched").then().statusCode(422).body("kind", equalTo("Status"));
        given().contentType("text/plain").body("x").patch(CONFIGMAPS + "/patched").then().statusCode(415)
                .body("reason", equalTo("UnsupportedMediaType"));
        given().contentType("application/merge-patch+json").body("{\"metadata\":{\"resourceVersion\":\"1\"}}")
                .patch(CONFIGMAPS + "/patched").then().statusCode(409).body("reason", equalTo("Conflict"));
        given().contentType("application/merge-patch+json").body("{}").patch(CONFIGMAPS + "/absent").then()
                .statusCode(404);

        String applied = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  x: \"1\"\n";
        given().config(YAML_AS_TEXT).contentType("application/apply-patch+yaml").queryParam("fieldManager", "tester").body(applied)
                .patch(CONFIGMAPS + "/applied").then().statusCode(201).body("data.x", equalTo("1"))
                .body("metadata.managedFields[0].manager", equalTo("tester"))
                .body("metadata.managedFields[0].operation", equalTo("Apply"));
        given().config(YAML_AS_TEXT).contentType("application/apply-patch+yaml").queryParam("fieldManager", "tester")
                .body(applied.replace("\"1\"", "\"2\""))
                .patch(CONFIGMAPS + "/applied").then().statusCode(200).body("data.x", equalTo("2"));
        given().config(YAML_AS_TEXT).contentType("application/apply-patch+yaml").queryParam("fieldManager", "other")
                .body(applied.replace("\"1\"", "\"3\"")).patch(CONFIGMAPS + "/applied").then().statusCode(409)
                .body("reason", equalTo("Conflict"));
        given().get(CONFIGMAPS + "/applied").then().body("data.x", equalTo("2"));
    }
}
