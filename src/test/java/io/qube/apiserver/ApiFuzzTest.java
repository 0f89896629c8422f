package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.apiserver.codec.Json;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests as a new user's mistakes and a hostile client would make them, on every served kind: mutated and
 * malformed bodies in JSON, YAML and protobuf (and content types the API does not take), the four patch types, dry
 * runs and real writes, delete options, odd query parameters, selectors and watches. No answer may be a 5xx, no
 * connection may drop, no request may take 10 s, and canary objects in a namespace of their own stay exactly as they
 * were. The seed is printed; {@code -Dfuzz.seed=N} replays a run and {@code -Dfuzz.requests=N} sizes it.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class ApiFuzzTest {

    private static final int WORKERS = 4;
    private static final String CANARY_NS = "fuzz-canary";
    private static final String FUZZ_NS = "fuzz";
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/yaml",
            "application/vnd.kubernetes.protobuf", "text/plain", "application/x-www-form-urlencoded", "",
            "application/json; charset=latin1", "application/merge-patch+json");
    private static final List<String> PATCH_TYPES = List.of("application/json-patch+json",
            "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml");

    /** A served kind: where it lives and a valid object of it, named {@code NAME}. */
    private record Kind(String collection, boolean namespaced, String valid) {
        String path(String namespace) {
            return namespaced ? collection.replace("{ns}", namespace) : collection;
        }
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("/api/v1/namespaces/{ns}/configmaps", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"NAME\",\"labels\":{\"a\":\"b\"}},"
                            + "\"data\":{\"k\":\"v\"}}"),
            new Kind("/api/v1/namespaces/{ns}/secrets", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"NAME\"},\"type\":\"Opaque\","
                            + "\"data\":{\"k\":\"dmFsdWU=\"}}"),
            new Kind("/api/v1/namespaces/{ns}/services", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"NAME\"},\"spec\":{\"type\":"
                            + "\"NodePort\",\"selector\":{\"app\":\"x\"},\"ports\":[{\"name\":\"http\",\"port\":80,"
                            + "\"targetPort\":\"http\"}]}}"),
            new Kind("/api/v1/namespaces/{ns}/pods", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"NAME\"},\"spec\":{\"containers\":"
                            + "[{\"name\":\"c\",\"image\":\"busybox\",\"ports\":[{\"containerPort\":80}],\"resources\":"
                            + "{\"limits\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}},\"env\":[{\"name\":\"A\",\"value\":"
                            + "\"1\"}]}]}}"),
            new Kind("/api/v1/namespaces/{ns}/serviceaccounts", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"NAME\"}}"),
            new Kind("/api/v1/namespaces/{ns}/endpoints", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",\"metadata\":{\"name\":\"NAME\"},\"subsets\":"
                            + "[{\"addresses\":[{\"ip\":\"10.244.0.5\"}],\"ports\":[{\"port\":80}]}]}"),
            new Kind("/api/v1/namespaces/{ns}/events", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"NAME\"},\"involvedObject\":"
                            + "{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":\"NS\"},\"reason\":\"Started\","
                            + "\"message\":\"m\",\"type\":\"Normal\"}"),
            new Kind("/api/v1/namespaces/{ns}/replicationcontrollers", true,
                    "{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":\"NAME\"},"
                            + "\"spec\":{\"replicas\":1,\"selector\":{\"app\":\"x\"},\"template\":{\"metadata\":"
                            + "{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}}}"),
            new Kind("/apis/apps/v1/namespaces/{ns}/deployments", true,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"NAME\"},\"spec\":"
                            + "{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":{\"metadata\":"
                            + "{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}}}"),
            new Kind("/apis/apps/v1/namespaces/{ns}/replicasets", true,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"NAME\"},\"spec\":"
                            + "{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":{\"metadata\":"
                            + "{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}}}"),
            new Kind("/apis/apps/v1/namespaces/{ns}/daemonsets", true,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"NAME\"},\"spec\":"
                            + "{\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":{\"metadata\":"
                            + "{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}}}"),
            new Kind("/apis/apps/v1/namespaces/{ns}/controllerrevisions", true,
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"metadata\":{\"name\":\"NAME\"},"
                            + "\"revision\":1,\"data\":{\"spec\":{\"template\":{\"$patch\":\"replace\",\"spec\":"
                            + "{\"containers\":[{\"name\":\"c\",\"image\":\"b\"}]}}}}}"),
            new Kind("/apis/coordination.k8s.io/v1/namespaces/{ns}/leases", true,
                    "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"NAME\"},"
                            + "\"spec\":{\"holderIdentity\":\"h\",\"leaseDurationSeconds\":10,"
                            + "\"renewTime\":\"2026-01-01T00:00:00.000000Z\"}}"),
            new Kind("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", true,
                    "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"NAME\"},"
                            + "\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"10.244.0.5\"],\"conditions\":"
                            + "{\"ready\":true}}],\"ports\":[{\"name\":\"http\",\"port\":80}]}"),
            new Kind("/api/v1/nodes", false,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"NAME\",\"labels\":{\"fuzz\":\"yes\"}},"
                            + "\"spec\":{\"podCIDR\":\"10.244.1.0/24\"},\"status\":{\"capacity\":{\"cpu\":\"2\"}}}"),
            new Kind("/api/v1/namespaces", false,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"NAME\",\"labels\":{\"fuzz\":"
                            + "\"yes\"}}}"),
            new Kind("/apis/scheduling.k8s.io/v1/priorityclasses", false,
                    "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"NAME\","
                            + "\"labels\":{\"fuzz\":\"yes\"}},\"value\":1000}"));

    @TestHTTPResource
    URL server;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void noServerErrorsNoDropsNoHangsAndCanariesUnchanged() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int requests = Integer.getInteger("fuzz.requests", 6000);
        System.out.println("ApiFuzzTest seed: " + seed + " (replay with -Dfuzz.seed=" + seed + ")");

        send("POST", "/api/v1/namespaces", "application/json",
                bytes("{\"metadata\":{\"name\":\"" + CANARY_NS + "\"}}"), 201);
        send("POST", "/api/v1/namespaces", "application/json", bytes("{\"metadata\":{\"name\":\"" + FUZZ_NS + "\"}}"),
                201);
        Map<String, String> canaries = new LinkedHashMap<>();
        for (Kind kind : KINDS) {
            String name = kind.namespaced() ? "canary" : "fuzz-canary-" + kind.collection().replaceAll(".*/", "");
            String path = kind.path(CANARY_NS);
            // Cluster-scoped canaries lose the label the fuzzer's collection deletes select on.
            String canary = named(kind, name, CANARY_NS).toString().replace("\"fuzz\":\"yes\"", "\"fuzz\":\"canary\"");
            send("POST", path, "application/json", bytes(canary), 201);
            canaries.put(path + "/" + name, null);
        }
        canaries.put("/api/v1/namespaces/" + CANARY_NS, null);
        for (String path : canaries.keySet()) {
            canaries.put(path, get(path));
        }

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicIntegerArray answers = new AtomicIntegerArray(6);
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Random random = new Random(seed + w);
                int share = requests / WORKERS;
                done.add(workers.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        fuzzOne(random, failures, answers);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            workers.shutdownNow();
        }
        System.out.printf("ApiFuzzTest: %d requests, %d answered 2xx, %d 4xx, %d 5xx%n", requests, answers.get(2),
                answers.get(4), answers.get(5));
        assertThat(failures).as("seed " + seed + ": failures").isEmpty();
        // The run exercised both sides: writes that went through and requests refused as the client's fault.
        assertThat(answers.get(2)).as("2xx answers").isGreaterThan(requests / 20);
        assertThat(answers.get(4)).as("4xx answers").isGreaterThan(requests / 5);
        for (Map.Entry<String, String> canary : canaries.entrySet()) {
            assertThat(get(canary.getKey())).as("seed " + seed + ": canary " + canary.getKey())
                    .isEqualTo(canary.getValue());
        }
    }

    private void fuzzOne(Random random, List<String> failures, AtomicIntegerArray answers) {
        Kind kind = KINDS.get(random.nextInt(KINDS.size()));
        String name = "fuzz-" + random.nextInt(6);
        String collection = kind.path(FUZZ_NS);
        String object = collection + "/" + name;
        String query = query(random);
        String method;
        String path;
        String contentType;
        byte[] body = null;
        switch (random.nextInt(10)) {
            case 0, 1 -> {
                method = "POST";
                path = collection;
                contentType = pick(random, CONTENT_TYPES);
                body = body(random, kind, name, contentType);
            }
            case 2 -> {
                method = "PUT";
                path = object + pick(random, List.of("", "", "/status", "/scale", "/finalize", "/nope"));
                contentType = pick(random, CONTENT_TYPES);
                body = body(random, kind, name, contentType);
            }
            case 3, 4 -> {
                method = "PATCH";
                path = object + pick(random, List.of("", "", "/status", "/scale"));
                contentType = pick(random, PATCH_TYPES);
                body = patch(random, kind, name, contentType);
            }
            case 5 -> {
                method = "DELETE";
                path = random.nextInt(4) == 0 ? collection : object;
                if (!kind.namespaced() && path.equals(collection)) {
                    query = "labelSelector=fuzz%3Dyes&" + query; // never the cluster-scoped canaries
                }
                contentType = pick(random, List.of("application/json", "application/vnd.kubernetes.protobuf", ""));
                body = random.nextBoolean() ? deleteOptions(random, contentType) : null;
            }
            case 6 -> {
                method = "POST";
                path = pick(random, List.of("/api/v1/namespaces/" + FUZZ_NS + "/pods/" + name + "/binding",
                        "/api/v1/namespaces/" + FUZZ_NS + "/bindings"));
                contentType = pick(random, List.of("application/json", "application/yaml"));
                body = mutated(random, binding(name)).getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                method = "GET";
                path = pick(random, List.of(collection, object, kind.collection().replace("{ns}/", "")
                        .replace("/namespaces", kind.namespaced() ? "" : "/namespaces"), object + "/status",
                        object + "/scale", "/apis/" + random.nextInt(3), "/api/v1/watch/" + name));
                contentType = null;
            }
        }
        String described = method + " " + path + "?" + query + " [" + contentType + "] "
                + (body == null ? "" : preview(body));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path + (query.isEmpty() ? "" : "?"
                        + query))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null && !contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        if (random.nextInt(8) == 0) {
            request.header("Accept", pick(random, List.of("application/vnd.kubernetes.protobuf,application/json",
                    "application/json;as=Table;v=v1;g=meta.k8s.io", "text/html", "*/*", "application/yaml")));
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            answers.incrementAndGet(Math.min(5, response.statusCode() / 100));
            if (response.statusCode() >= 500 && !tooLargeResourceVersion(response)) {
                failures.add(response.statusCode() + " for " + described + " -> "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            failures.add("no answer (" + e + ") for " + described);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Kubernetes' own answer to a read at a resourceVersion the server has not reached: it waits up to 3 s, then
     * 504 Timeout "Too large resource version" so the client retries. The one 5xx that is the documented
     * behaviour, not a server fault.
     */
    private static boolean tooLargeResourceVersion(HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        return response.statusCode() == 504 && body.contains("\"reason\":\"Timeout\"")
                && body.contains("Too large resource version");
    }

    private static String query(Random random) {
        List<String> parts = new ArrayList<>();
        Map<String, List<String>> odd = Map.of(
                "dryRun", List.of("All", "All", "None", "x"),
                "fieldValidation", List.of("Strict", "Warn", "Ignore", "bogus"),
                "labelSelector", List.of("a=b", "a in (b,c)", "!a", "a!=", "=", "a==b==c", "(", "a notin ()",
                        "a,b,,c", "x".repeat(300) + "=y"),
                "fieldSelector", List.of("metadata.name=x", "spec.nodeName=", "status.phase!=Running", "nope=1",
                        "metadata.name", "a=b=c"),
                "limit", List.of("-1", "0", "1", "abc", "99999999999999999999"),
                "continue", List.of("garbage", "eyJ2IjoxfQ", "", "%%%"),
                "resourceVersion", List.of("0", "-5", "abc", "99999999999", "1"),
                "gracePeriodSeconds", List.of("-1", "0", "x", "10"),
                "propagationPolicy", List.of("Orphan", "Foreground", "Nope"),
                "fieldManager", List.of("m", "", "x".repeat(200)));
        for (Map.Entry<String, List<String>> parameter : odd.entrySet()) {
            if (random.nextInt(6) == 0) {
                parts.add(parameter.getKey() + "=" + URLEncoder.encode(pick(random, parameter.getValue()),
                        StandardCharsets.UTF_8));
            }
        }
        if (random.nextInt(40) == 0) {
            parts.add("watch=true");
            parts.add("timeoutSeconds=" + pick(random, List.of("1", "0", "-1", "x")));
        }
        if (random.nextInt(20) == 0) {
            parts.add("force=" + pick(random, List.of("true", "yes", "")));
        }
        return String.join("&", parts);
    }

    private static byte[] body(Random random, Kind kind, String name, String contentType) {
        if (contentType.startsWith("application/vnd.kubernetes.protobuf")) {
            return protobuf(random, name);
        }
        String json = mutated(random, named(kind, name, FUZZ_NS).toString());
        if (contentType.equals("application/yaml") && random.nextBoolean()) {
            try {
                return Json.YAML.writeValueAsBytes(Json.MAPPER.readTree(json));
            } catch (IOException e) {
                return json.getBytes(StandardCharsets.UTF_8); // the mutation broke it: send it as it is
            }
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A ConfigMap or a Pod in protobuf, its envelope possibly naming another kind, its bytes possibly damaged. */
    private static byte[] protobuf(Random random, String name) {
        Meta.ObjectMeta metadata = Meta.ObjectMeta.newBuilder().setName(name).putLabels("a", "b").build();
        com.google.protobuf.Message message = random.nextBoolean()
                ? V1.ConfigMap.newBuilder().setMetadata(metadata).putData("k", "v").build()
                : V1.Pod.newBuilder().setMetadata(metadata).setSpec(V1.PodSpec.newBuilder()
                        .addContainers(V1.Container.newBuilder().setName("c").setImage("b"))).build();
        String kind = pick(random, List.of("ConfigMap", "Pod", "Secret", "Deployment", "DeleteOptions", "Nope"));
        String apiVersion = pick(random, List.of("v1", "v1", "apps/v1", "nope/v9", ""));
        byte[] bytes = ProtobufVerbsTest.encode(apiVersion, kind, message);
        switch (random.nextInt(4)) {
            case 0 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    bytes[4 + random.nextInt(bytes.length - 4)] = (byte) random.nextInt(256);
                }
            }
            default -> { }
        }
        return bytes;
    }

    private static byte[] patch(Random random, Kind kind, String name, String contentType) {
        String patch = switch (contentType) {
            case "application/json-patch+json" -> "[{\"op\":\"" + pick(random, List.of("add", "replace", "remove",
                    "move", "copy", "test", "bogus")) + "\",\"path\":\"" + pick(random, List.of("/spec", "/metadata/labels",
                    "/spec/replicas", "/data/k", "/spec/ports/0/port", "/", "", "/metadata/name", "/status",
                    "/spec/containers/-")) + "\",\"from\":\"/metadata\",\"value\":" + randomValue(random) + "}]";
            case "application/apply-patch+yaml" -> named(kind, name, FUZZ_NS).toString();
            default -> "{\"metadata\":{\"labels\":{\"x\":\"y\"}},\"spec\":{\"replicas\":3,\"ports\":[{\"port\":81,"
                    + "\"$patch\":\"delete\"}],\"containers\":[{\"name\":\"c\",\"image\":\"z\"}]},"
                    + "\"$setElementOrder/containers\":[{\"name\":\"c\"}],\"data\":{\"k\":null}}";
        };
        return mutated(random, patch).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] deleteOptions(Random random, String contentType) {
        if (contentType.equals("application/vnd.kubernetes.protobuf")) {
            Meta.DeleteOptions options = Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(random.nextInt(5) - 1)
                    .setPropagationPolicy(pick(random, List.of("Background", "Orphan", "Bogus")))
                    .setPreconditions(Meta.Preconditions.newBuilder().setUid("u" + random.nextInt(3))).build();
            byte[] bytes = ProtobufVerbsTest.encode(pick(random, List.of("v1", "meta.k8s.io/v1", "apps/v1")),
                    pick(random, List.of("DeleteOptions", "DeleteOptions", "ConfigMap")), options);
            return random.nextBoolean() ? bytes : java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
        }
        return mutated(random, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,"
                + "\"propagationPolicy\":\"Background\",\"preconditions\":{\"uid\":\"x\"},\"dryRun\":[\"All\"]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String binding(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + name + "\"},\"target\":"
                + "{\"kind\":\"Node\",\"name\":\"node-1\"}}";
    }

    /** A JSON text with one mutation: a value of another type, a field gone, cut short, or bytes flipped. */
    private static String mutated(Random random, String json) {
        switch (random.nextInt(6)) {
            case 0 -> {
                return json;
            }
            case 1 -> {
                return json.substring(0, random.nextInt(json.length()));
            }
            case 2 -> {
                char[] chars = json.toCharArray();
                chars[random.nextInt(chars.length)] = (char) (random.nextInt(0x800));
                return new String(chars);
            }
            default -> {
                try {
                    JsonNode tree = Json.MAPPER.readTree(json);
                    List<ContainerNode<?>> containers = new ArrayList<>();
                    collect(tree, containers);
                    ContainerNode<?> at = containers.get(random.nextInt(containers.size()));
                    if (at instanceof ObjectNode object && !object.isEmpty()) {
                        List<String> names = new ArrayList<>();
                        object.fieldNames().forEachRemaining(names::add);
                        String field = pick(random, names);
                        if (random.nextInt(4) == 0) {
                            object.remove(field);
                        } else {
                            object.set(field, Json.MAPPER.readTree(randomValue(random)));
                        }
                    } else if (at instanceof ArrayNode array) {
                        array.add(Json.MAPPER.readTree(randomValue(random)));
                    }
                    return tree.toString();
                } catch (IOException e) {
                    return json;
                }
            }
        }
    }

    private static void collect(JsonNode node, List<ContainerNode<?>> containers) {
        if (node instanceof ContainerNode<?> container) {
            containers.add(container);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), containers);
            }
        }
    }

    private static String randomValue(Random random) {
        return pick(random, List.of("null", "true", "0", "-1", "3.5", "1e400", "99999999999999999999999", "\"\"",
                "\"x\"", "\"" + "y".repeat(70000) + "\"", "[]", "{}", "[1,\"a\",{}]", "{\"a\":{\"b\":[]}}",
                "\"\\u0000\"", "\"10.0.0.1\"", "\"None\"", "\"ExternalName\"", "\"2026-13-45T99:00:00Z\"",
                "[".repeat(300) + "]".repeat(300), "{\"$patch\":\"replace\"}", "\"-1Mi\"", "\"1e9999\""));
    }

    private static ObjectNode named(Kind kind, String name, String namespace) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(kind.valid().replace("NAME", name).replace("\"NS\"",
                    "\"" + namespace + "\""));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String preview(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private String base() {
        return "http://127.0.0.1:" + server.getPort();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private void send(String method, String path, String contentType, byte[] body, int expected) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
    }
}
