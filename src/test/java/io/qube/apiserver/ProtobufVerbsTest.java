package io.qube.apiserver;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Discovery;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every verb that takes a body accepts Kubernetes' protobuf encoding, as client-go's typed clients (Helm, operators)
 * send it: the result is stored exactly as from the JSON path, and a bad protobuf body is a 4xx Status that stores
 * nothing.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
public class ProtobufVerbsTest {

    private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
    private static final String NS = "/api/v1/namespaces/default";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

    /** The wire form: "k8s\0", then a runtime.Unknown naming the kind around the message's own bytes. */
    public static byte[] encode(String apiVersion, String kind, Message message) {
        Runtime.Unknown envelope = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(message.toByteString()).setContentType("").build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(envelope.toByteArray());
        return out.toByteArray();
    }

    private static RequestSpecification protobuf(byte[] body) {
        return given().contentType(PROTOBUF).accept("application/vnd.kubernetes.protobuf, application/json")
                .body(body);
    }

    private static Meta.ObjectMeta.Builder named(String name) {
        return Meta.ObjectMeta.newBuilder().setName(name);
    }

    private static V1.ConfigMap configMap(String name, String value, String resourceVersion) {
        Meta.ObjectMeta.Builder metadata = named(name).putLabels("app", "proto");
        if (resourceVersion != null) {
            metadata.setResourceVersion(resourceVersion);
        }
        return V1.ConfigMap.newBuilder().setMetadata(metadata).putData("key", value).build();
    }

    private static JsonPath stored(String path) {
        return given().get(path).then().statusCode(200).extract().jsonPath();
    }

    private static V1Apps.Deployment deployment(String name) {
        V1.PodTemplateSpec template = V1.PodTemplateSpec.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().putLabels("app", name))
                .setSpec(V1.PodSpec.newBuilder().addContainers(V1.Container.newBuilder().setName("c")
                        .setImage("busybox"))).build();
        return V1Apps.Deployment.newBuilder().setMetadata(named(name))
                .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(2)
                        .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", name))
                        .setTemplate(template)).build();
    }

    /** A pod created through the JSON path, bound to {@code nodeName} unless that is empty. */
    private static void jsonPod(String name, String nodeName) {
        given().contentType(ContentType.JSON).body("{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"nodeName\":\""
                + nodeName + "\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}").post(NS + "/pods")
                .then().statusCode(201);
    }

    private static byte[] deleteOptions(Meta.DeleteOptions.Builder options) {
        return encode("v1", "DeleteOptions", options.build());
    }

    @Test
    void createAndUpdate() {
        protobuf(encode("v1", "ConfigMap", configMap("pb-update", "one", null))).post(NS + "/configmaps")
                .then().statusCode(201);
        String version = stored(NS + "/configmaps/pb-update").getString("metadata.resourceVersion");
        protobuf(encode("v1", "ConfigMap", configMap("pb-update", "two", version))).put(NS + "/configmaps/pb-update")
                .then().statusCode(200);
        JsonPath after = stored(NS + "/configmaps/pb-update");
        assertThat(after.getString("data.key")).isEqualTo("two");
        assertThat(after.getString("metadata.labels.app")).isEqualTo("proto");
        // A stale resourceVersion in the protobuf body pins the write as in JSON: 409.
        protobuf(encode("v1", "ConfigMap", configMap("pb-update", "three", version))).put(NS + "/configmaps/pb-update")
                .then().statusCode(409).contentType(ContentType.JSON);
        assertThat(stored(NS + "/configmaps/pb-update").getString("data.key")).isEqualTo("two");
    }

    @Test
    void specialTypesBecomeTheirJsonForms() {
        byte[] secret = encode("v1", "Secret", V1.Secret.newBuilder().setMetadata(named("pb-secret"))
                .putData("password", ByteString.copyFrom("s3cr\u00e9t", StandardCharsets.UTF_8)).setType("Opaque")
                .build());
        protobuf(secret).post(NS + "/secrets").then().statusCode(201);
        assertThat(Base64.getDecoder().decode(stored(NS + "/secrets/pb-secret").getString("data.password")))
                .isEqualTo("s3cr\u00e9t".getBytes(StandardCharsets.UTF_8));

        byte[] lease = encode("coordination.k8s.io/v1", "Lease", V1Coordination.Lease.newBuilder()
                .setMetadata(named("pb-lease")).setSpec(V1Coordination.LeaseSpec.newBuilder()
                        .setHolderIdentity("node-a").setLeaseDurationSeconds(40)
                        .setRenewTime(Meta.MicroTime.newBuilder().setSeconds(1_800_000_000L).setNanos(123_456_000)))
                .build());
        protobuf(lease).post("/apis/coordination.k8s.io/v1/namespaces/default/leases").then().statusCode(201);
        JsonPath storedLease = stored("/apis/coordination.k8s.io/v1/namespaces/default/leases/pb-lease");
        assertThat(storedLease.getString("spec.holderIdentity")).isEqualTo("node-a");
        assertThat(storedLease.getString("spec.renewTime")).startsWith("2027-01-15T08:00:00.123456");

        byte[] slice = encode("discovery.k8s.io/v1", "EndpointSlice", V1Discovery.EndpointSlice.newBuilder()
                .setMetadata(named("pb-slice")).setAddressType("IPv4")
                .addEndpoints(V1Discovery.Endpoint.newBuilder().addAddresses("10.244.0.5"))
                .addPorts(V1Discovery.EndpointPort.newBuilder().setName("http").setPort(8080).setProtocol("TCP"))
                .build());
        protobuf(slice).post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices").then().statusCode(201);
        JsonPath storedSlice = stored("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/pb-slice");
        assertThat(storedSlice.getList("endpoints[0].addresses")).containsExactly("10.244.0.5");
        assertThat(storedSlice.getInt("ports[0].port")).isEqualTo(8080);

        V1.Service service = V1.Service.newBuilder().setMetadata(named("pb-svc")).setSpec(V1.ServiceSpec.newBuilder()
                .putSelector("app", "x").addPorts(V1.ServicePort.newBuilder().setPort(80)
                        .setTargetPort(io.kubernetes.client.proto.IntStr.IntOrString.newBuilder().setType(1)
                                .setStrVal("http")))).build();
        protobuf(encode("v1", "Service", service)).post(NS + "/services").then().statusCode(201);
        assertThat(stored(NS + "/services/pb-svc").getString("spec.ports[0].targetPort")).isEqualTo("http");
    }

    @Test
    void statusAndScaleSubresources() {
        protobuf(encode("apps/v1", "Deployment", deployment("pb-web"))).post(DEPLOYMENTS).then().statusCode(201);
        V1Apps.Deployment withStatus = deployment("pb-web").toBuilder()
                .setStatus(V1Apps.DeploymentStatus.newBuilder().setReplicas(2).setObservedGeneration(1)).build();
        protobuf(encode("apps/v1", "Deployment", withStatus)).put(DEPLOYMENTS + "/pb-web/status").then().statusCode(200);
        assertThat(stored(DEPLOYMENTS + "/pb-web").getInt("status.replicas")).isEqualTo(2);

        V1Autoscaling.Scale scale = V1Autoscaling.Scale.newBuilder().setMetadata(named("pb-web"))
                .setSpec(V1Autoscaling.ScaleSpec.newBuilder().setReplicas(5)).build();
        protobuf(encode("autoscaling/v1", "Scale", scale)).put(DEPLOYMENTS + "/pb-web/scale").then().statusCode(200);
        assertThat(stored(DEPLOYMENTS + "/pb-web").getInt("spec.replicas")).isEqualTo(5);
        // A Scale endpoint takes only a Scale.
        protobuf(encode("apps/v1", "Deployment", deployment("pb-web"))).put(DEPLOYMENTS + "/pb-web/scale")
                .then().statusCode(400).contentType(ContentType.JSON);
        assertThat(stored(DEPLOYMENTS + "/pb-web").getInt("spec.replicas")).isEqualTo(5);
    }

    @Test
    void namespaceFinalize() {
        protobuf(encode("v1", "Namespace", V1.Namespace.newBuilder().setMetadata(named("pb-finalize")).build()))
                .post("/api/v1/namespaces").then().statusCode(201);
        assertThat(stored("/api/v1/namespaces/pb-finalize").getList("spec.finalizers")).containsExactly("kubernetes");
        V1.Namespace finalized = V1.Namespace.newBuilder().setMetadata(named("pb-finalize"))
                .setSpec(V1.NamespaceSpec.newBuilder()).build();
        protobuf(encode("v1", "Namespace", finalized)).put("/api/v1/namespaces/pb-finalize/finalize")
                .then().statusCode(200);
        assertThat(stored("/api/v1/namespaces/pb-finalize").getList("spec.finalizers")).isNullOrEmpty();
    }

    @Test
    void deleteWithProtobufOptions() {
        protobuf(encode("v1", "ConfigMap", configMap("pb-delete", "x", null))).post(NS + "/configmaps")
                .then().statusCode(201);
        Response wrongUid = protobuf(deleteOptions(Meta.DeleteOptions.newBuilder()
                .setPreconditions(Meta.Preconditions.newBuilder().setUid("not-the-uid"))))
                .delete(NS + "/configmaps/pb-delete");
        assertThat(wrongUid.statusCode()).isEqualTo(409);
        assertThat(wrongUid.jsonPath().getString("message")).contains("Precondition failed: UID in precondition");
        protobuf(deleteOptions(Meta.DeleteOptions.newBuilder().addDryRun("All")))
                .delete(NS + "/configmaps/pb-delete").then().statusCode(200);
        String uid = stored(NS + "/configmaps/pb-delete").getString("metadata.uid");
        protobuf(deleteOptions(Meta.DeleteOptions.newBuilder().setPropagationPolicy("Foreground")
                .setPreconditions(Meta.Preconditions.newBuilder().setUid(uid))))
                .delete(NS + "/configmaps/pb-delete").then().statusCode(200);
        // Foreground leaves the object to the garbage collector (not running here) behind its finalizer.
        assertThat(stored(NS + "/configmaps/pb-delete").getList("metadata.finalizers"))
                .containsExactly("foregroundDeletion");
        assertThat(stored(NS + "/configmaps/pb-delete").getString("metadata.deletionTimestamp")).isNotNull();
        // The same options as the apps group's typed client names them.
        protobuf(encode("apps/v1", "Deployment", deployment("pb-gone"))).post(DEPLOYMENTS).then().statusCode(201);
        protobuf(encode("apps/v1", "DeleteOptions", Meta.DeleteOptions.newBuilder().setPropagationPolicy("Background")
                .build())).delete(DEPLOYMENTS + "/pb-gone").then().statusCode(200);
        given().get(DEPLOYMENTS + "/pb-gone").then().statusCode(404);
    }

    @Test
    void gracePeriodFromProtobufOptions() {
        jsonPod("pb-graceful", "node-1");
        protobuf(deleteOptions(Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(7)))
                .delete(NS + "/pods/pb-graceful").then().statusCode(200);
        assertThat(stored(NS + "/pods/pb-graceful").getInt("metadata.deletionGracePeriodSeconds")).isEqualTo(7);
    }

    @Test
    void deleteCollectionWithProtobufOptions() {
        for (String name : new String[] {"pb-many-1", "pb-many-2"}) {
            protobuf(encode("v1", "ConfigMap", V1.ConfigMap.newBuilder()
                    .setMetadata(named(name).putLabels("batch", "pb-many")).build())).post(NS + "/configmaps")
                    .then().statusCode(201);
        }
        protobuf(deleteOptions(Meta.DeleteOptions.newBuilder().setPropagationPolicy("Background")))
                .queryParam("labelSelector", "batch=pb-many").delete(NS + "/configmaps").then().statusCode(200);
        assertThat(given().queryParam("labelSelector", "batch=pb-many").get(NS + "/configmaps").jsonPath()
                .getList("items")).isEmpty();
    }

    @Test
    void bindings() {
        jsonPod("pb-bind-1", "");
        jsonPod("pb-bind-2", "");
        V1.Binding first = V1.Binding.newBuilder().setMetadata(named("pb-bind-1"))
                .setTarget(V1.ObjectReference.newBuilder().setKind("Node").setName("node-a")).build();
        protobuf(encode("v1", "Binding", first)).post(NS + "/pods/pb-bind-1/binding").then().statusCode(201);
        assertThat(stored(NS + "/pods/pb-bind-1").getString("spec.nodeName")).isEqualTo("node-a");
        V1.Binding second = V1.Binding.newBuilder().setMetadata(named("pb-bind-2"))
                .setTarget(V1.ObjectReference.newBuilder().setKind("Node").setName("node-b")).build();
        protobuf(encode("v1", "Binding", second)).post(NS + "/bindings").then().statusCode(201);
        assertThat(stored(NS + "/pods/pb-bind-2").getString("spec.nodeName")).isEqualTo("node-b");
    }

    /**
     * A pod with the fields Go embeds (volume sources, probe handlers, configMapKeyRef's name) and special types is
     * stored the same from protobuf as from JSON.
     */
    @Test
    void storedAsFromJson() {
        given().contentType(ContentType.JSON).body("""
                {"metadata": {"name": "pb-same-json"}, "spec": {
                  "containers": [{"name": "web", "image": "busybox",
                    "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "a"}}}],
                    "envFrom": [{"secretRef": {"name": "all"}}],
                    "resources": {"limits": {"memory": "64Mi"}, "requests": {"cpu": "250m"}},
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                    "readinessProbe": {"tcpSocket": {"port": "http"}},
                    "volumeMounts": [{"name": "conf", "mountPath": "/conf"}]}],
                  "volumes": [{"name": "conf", "configMap": {"name": "cm"}}]}}""").post(NS + "/pods")
                .then().statusCode(201);
        V1.Container container = V1.Container.newBuilder().setName("web").setImage("busybox")
                .addEnv(V1.EnvVar.newBuilder().setName("A").setValueFrom(V1.EnvVarSource.newBuilder()
                        .setConfigMapKeyRef(V1.ConfigMapKeySelector.newBuilder()
                                .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("cm"))
                                .setKey("a"))))
                .addEnvFrom(V1.EnvFromSource.newBuilder().setSecretRef(V1.SecretEnvSource.newBuilder()
                        .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("all"))))
                .setResources(V1.ResourceRequirements.newBuilder()
                        .putLimits("memory", Resource.Quantity.newBuilder().setString("64Mi").build())
                        .putRequests("cpu", Resource.Quantity.newBuilder().setString("250m").build()))
                .addPorts(V1.ContainerPort.newBuilder().setName("http").setContainerPort(8080))
                .setLivenessProbe(V1.Probe.newBuilder().setHandler(V1.ProbeHandler.newBuilder()
                        .setHttpGet(V1.HTTPGetAction.newBuilder().setPath("/healthz")
                                .setPort(IntStr.IntOrString.newBuilder().setType(0).setIntVal(8080)))))
                .setReadinessProbe(V1.Probe.newBuilder().setHandler(V1.ProbeHandler.newBuilder()
                        .setTcpSocket(V1.TCPSocketAction.newBuilder()
                                .setPort(IntStr.IntOrString.newBuilder().setType(1).setStrVal("http")))))
                .addVolumeMounts(V1.VolumeMount.newBuilder().setName("conf").setMountPath("/conf")).build();
        V1.Pod pod = V1.Pod.newBuilder().setMetadata(named("pb-same-proto")).setSpec(V1.PodSpec.newBuilder()
                .addContainers(container).addVolumes(V1.Volume.newBuilder().setName("conf")
                        .setVolumeSource(V1.VolumeSource.newBuilder().setConfigMap(V1.ConfigMapVolumeSource
                                .newBuilder().setLocalObjectReference(V1.LocalObjectReference.newBuilder()
                                        .setName("cm")))))).build();
        protobuf(encode("v1", "Pod", pod)).post(NS + "/pods").then().statusCode(201);

        Object fromJson = stored(NS + "/pods/pb-same-json").get("spec");
        assertThat(stored(NS + "/pods/pb-same-proto").<Object>get("spec")).isEqualTo(fromJson);
        assertThat(stored(NS + "/pods/pb-same-proto").getString("spec.volumes[0].configMap.name")).isEqualTo("cm");
    }

    /**
     * client-go's event recorder leaves eventTime (a non-pointer MicroTime) zero, which Go writes as an empty
     * message: the event is an old-style one, not a new-style event missing its reporting fields.
     */
    @Test
    void aRecordersEventWithAZeroEventTime() {
        V1.Event event = V1.Event.newBuilder().setMetadata(named("pb-event.17a"))
                .setInvolvedObject(V1.ObjectReference.newBuilder().setKind("Pod").setName("web")
                        .setNamespace("default"))
                .setReason("Started").setMessage("started").setType("Normal").setCount(1)
                .setSource(V1.EventSource.newBuilder().setComponent("operator"))
                .setFirstTimestamp(Meta.Time.newBuilder().setSeconds(1_800_000_000L))
                .setLastTimestamp(Meta.Time.newBuilder().setSeconds(1_800_000_060L))
                .setEventTime(Meta.MicroTime.getDefaultInstance()).build();
        protobuf(encode("v1", "Event", event)).post(NS + "/events").then().statusCode(201);
        JsonPath stored = stored(NS + "/events/pb-event.17a");
        assertThat(stored.getString("eventTime")).isNull();
        assertThat(stored.getString("lastTimestamp")).isEqualTo("2027-01-15T08:01:00Z");
    }

    /** An envelope that names no type is read as the endpoint's, as Kubernetes' decoder does. */
    @Test
    void anEnvelopeWithoutATypeTakesTheEndpoints() {
        protobuf(encode("", "", configMap("pb-untyped", "x", null))).post(NS + "/configmaps").then().statusCode(201);
        assertThat(stored(NS + "/configmaps/pb-untyped").getString("data.key")).isEqualTo("x");
        Response wrongUid = protobuf(encode("", "", Meta.DeleteOptions.newBuilder()
                .setPreconditions(Meta.Preconditions.newBuilder().setUid("not-the-uid")).build()))
                .delete(NS + "/configmaps/pb-untyped");
        assertThat(wrongUid.statusCode()).isEqualTo(409);
        protobuf(encode("meta.k8s.io/v1", "DeleteOptions", Meta.DeleteOptions.newBuilder()
                .setPropagationPolicy("Background").build())).delete(NS + "/configmaps/pb-untyped")
                .then().statusCode(200);
        given().get(NS + "/configmaps/pb-untyped").then().statusCode(404);
    }

    /** Another kind's envelope is refused on every verb that takes a body, and changes nothing. */
    @Test
    void aWrongKindIsRefusedOnEveryVerb() {
        jsonPod("pb-wrong", "");
        String before = stored(NS + "/pods/pb-wrong").getString("metadata.resourceVersion");
        byte[] configMap = encode("v1", "ConfigMap", configMap("pb-wrong", "x", null));
        for (Response response : List.of(protobuf(configMap).put(NS + "/pods/pb-wrong"),
                protobuf(configMap).put(NS + "/pods/pb-wrong/status"),
                protobuf(configMap).post(NS + "/pods/pb-wrong/binding"),
                protobuf(configMap).delete(NS + "/pods/pb-wrong"),
                protobuf(configMap).delete(NS + "/pods"))) {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
            assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
            assertThat(response.jsonPath().getString("message")).contains("ConfigMap");
        }
        assertThat(stored(NS + "/pods/pb-wrong").getString("metadata.resourceVersion")).isEqualTo(before);
        given().get(NS + "/configmaps/pb-wrong").then().statusCode(404);
    }

    @Test
    void badBodiesAreClientErrorsAndStoreNothing() {
        byte[] good = encode("v1", "ConfigMap", configMap("pb-bad", "x", null));
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        byte[] garbage = Arrays.copyOf(good, 12);
        Arrays.fill(garbage, 4, 12, (byte) 0xff);
        byte[] noMagic = Arrays.copyOfRange(good, 4, good.length);
        byte[] wrongKind = encode("v1", "Secret", V1.Secret.newBuilder().setMetadata(named("pb-bad")).build());
        byte[] unknownKind = encode("v1", "NoSuchKind", configMap("pb-bad", "x", null));
        for (byte[] body : new byte[][] {truncated, garbage, noMagic, wrongKind, unknownKind}) {
            Response response = protobuf(body).post(NS + "/configmaps");
            assertThat(response.statusCode()).as(response.asString()).isBetween(400, 499);
            assertThat(response.contentType()).startsWith("application/json");
            assertThat(response.jsonPath().getString("kind")).isEqualTo("Status");
        }
        Response unknownType = given().contentType("application/x-unknown").body(good).post(NS + "/configmaps");
        assertThat(unknownType.statusCode()).isEqualTo(415);
        assertThat(unknownType.jsonPath().getString("reason")).isEqualTo("UnsupportedMediaType");
        // A form body (which the HTTP layer would decode, failing on a long field) is not something the API takes.
        Response form = given().contentType("application/x-www-form-urlencoded").body("a=" + "y".repeat(70_000))
                .post(NS + "/configmaps");
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(form.jsonPath().getString("kind")).isEqualTo("Status");
        given().get(NS + "/configmaps/pb-bad").then().statusCode(404);
        Response badDelete = protobuf(truncated).delete(NS + "/configmaps/pb-bad");
        assertThat(badDelete.statusCode()).isBetween(400, 499);
    }
}
