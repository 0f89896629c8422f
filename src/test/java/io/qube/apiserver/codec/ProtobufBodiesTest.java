package io.qube.apiserver.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.qube.apiserver.ApiException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.qube.apiserver.ProtobufVerbsTest.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Protobuf bodies become exactly the JSON a Go client would have sent for the same object: the message fields that
 * Go embeds (and JSON inlines), Kubernetes' special types, and what Go writes for values it leaves unset.
 */
class ProtobufBodiesTest {

    private static ObjectNode decoded(String apiVersion, String kind, Message message) {
        return ProtobufBodies.toJson(encode(apiVersion, kind, message), "v1", "Pod");
    }

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    private static V1.LocalObjectReference.Builder ref(String name) {
        return V1.LocalObjectReference.newBuilder().setName(name);
    }

    @Test
    void embeddedStructsAreInlinedAsInJson() throws Exception {
        V1.Container container = V1.Container.newBuilder().setName("web").setImage("busybox")
                .addEnv(V1.EnvVar.newBuilder().setName("A").setValueFrom(V1.EnvVarSource.newBuilder()
                        .setConfigMapKeyRef(V1.ConfigMapKeySelector.newBuilder().setLocalObjectReference(ref("cm"))
                                .setKey("a"))))
                .addEnv(V1.EnvVar.newBuilder().setName("B").setValueFrom(V1.EnvVarSource.newBuilder()
                        .setSecretKeyRef(V1.SecretKeySelector.newBuilder().setLocalObjectReference(ref("sec"))
                                .setKey("b").setOptional(true))))
                .addEnvFrom(V1.EnvFromSource.newBuilder().setPrefix("X_")
                        .setConfigMapRef(V1.ConfigMapEnvSource.newBuilder().setLocalObjectReference(ref("all"))))
                .setLivenessProbe(V1.Probe.newBuilder().setPeriodSeconds(5).setHandler(V1.ProbeHandler.newBuilder()
                        .setHttpGet(V1.HTTPGetAction.newBuilder().setPath("/healthz")
                                .setPort(IntStr.IntOrString.newBuilder().setType(0).setIntVal(8080)))))
                .addVolumeMounts(V1.VolumeMount.newBuilder().setName("conf").setMountPath("/conf"))
                .build();
        V1.Pod pod = V1.Pod.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("p"))
                .setSpec(V1.PodSpec.newBuilder().addContainers(container)
                        .addImagePullSecrets(ref("registry"))
                        .addVolumes(V1.Volume.newBuilder().setName("conf").setVolumeSource(V1.VolumeSource.newBuilder()
                                .setConfigMap(V1.ConfigMapVolumeSource.newBuilder().setLocalObjectReference(ref("cm"))
                                        .setDefaultMode(420)))))
                .build();

        ObjectNode tree = decoded("v1", "Pod", pod);

        assertThat(tree.path("spec")).isEqualTo(json("""
                {"containers": [{"name": "web", "image": "busybox",
                   "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "a"}}},
                           {"name": "B", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "b", "optional": true}}}],
                   "envFrom": [{"prefix": "X_", "configMapRef": {"name": "all"}}],
                   "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
                   "volumeMounts": [{"name": "conf", "mountPath": "/conf"}]}],
                 "imagePullSecrets": [{"name": "registry"}],
                 "volumes": [{"name": "conf", "configMap": {"name": "cm", "defaultMode": 420}}]}
                """));
    }

    @Test
    void specialTypesTakeTheirJsonForms() throws Exception {
        V1.Pod pod = V1.Pod.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("p")
                        .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1_800_000_000L).setNanos(999_000_000)))
                .setSpec(V1.PodSpec.newBuilder().addContainers(V1.Container.newBuilder().setName("c")
                        .setResources(V1.ResourceRequirements.newBuilder()
                                .putLimits("memory", Resource.Quantity.newBuilder().setString("64Mi").build())
                                .putRequests("cpu", Resource.Quantity.newBuilder().setString("250m").build()))
                        .setReadinessProbe(V1.Probe.newBuilder().setHandler(V1.ProbeHandler.newBuilder()
                                .setTcpSocket(V1.TCPSocketAction.newBuilder()
                                        .setPort(IntStr.IntOrString.newBuilder().setType(1).setStrVal("http")))))))
                .build();

        ObjectNode tree = decoded("v1", "Pod", pod);

        // metav1.Time has whole seconds in JSON; Go drops the nanoseconds when it reads one.
        assertThat(tree.path("metadata").path("creationTimestamp").asText()).isEqualTo("2027-01-15T08:00:00Z");
        JsonNode container = tree.path("spec").path("containers").path(0);
        assertThat(container.path("resources")).isEqualTo(json("""
                {"limits": {"memory": "64Mi"}, "requests": {"cpu": "250m"}}"""));
        assertThat(container.path("readinessProbe")).isEqualTo(json("{\"tcpSocket\": {\"port\": \"http\"}}"));

        ObjectNode secret = decoded("v1", "Secret", V1.Secret.newBuilder()
                .putData("bin", ByteString.copyFrom(new byte[] {0, (byte) 0xff, 'a'})).build());
        assertThat(secret.path("data").path("bin").asText()).isEqualTo("AP9h");

        ObjectNode revision = decoded("apps/v1", "ControllerRevision", V1Apps.ControllerRevision.newBuilder()
                .setRevision(3).setData(Runtime.RawExtension.newBuilder()
                        .setRaw(ByteString.copyFrom("{\"spec\":{\"replicas\":2}}", StandardCharsets.UTF_8))).build());
        assertThat(revision.path("data")).isEqualTo(json("{\"spec\": {\"replicas\": 2}}"));
        assertThat(revision.path("revision").asLong()).isEqualTo(3);
    }

    /**
     * Go writes the zero time of a non-pointer field (what client-go's event recorder leaves in eventTime) as an empty
     * message and reads it back as unset; a MicroTime keeps six fractional digits.
     */
    @Test
    void zeroTimesAreUnsetAndMicroTimesKeepMicroseconds() {
        V1.Event event = V1.Event.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("e"))
                .setFirstTimestamp(Meta.Time.newBuilder().setSeconds(1_800_000_000L))
                .setLastTimestamp(Meta.Time.getDefaultInstance())
                .setEventTime(Meta.MicroTime.getDefaultInstance())
                .setSeries(V1.EventSeries.newBuilder().setCount(2)
                        .setLastObservedTime(Meta.MicroTime.newBuilder().setSeconds(1_800_000_000L).setNanos(5_000)))
                .build();

        ObjectNode tree = decoded("v1", "Event", event);

        assertThat(tree.path("firstTimestamp").asText()).isEqualTo("2027-01-15T08:00:00Z");
        assertThat(tree.has("lastTimestamp")).isFalse();
        assertThat(tree.has("eventTime")).isFalse();
        assertThat(tree.path("series").path("lastObservedTime").asText()).isEqualTo("2027-01-15T08:00:00.000005Z");
    }

    /** Kubernetes' decoder fills an envelope that names no type from the endpoint. */
    @Test
    void anEnvelopeWithoutATypeTakesTheEndpoints() {
        ObjectNode options = ProtobufBodies.toJson(encode("", "", Meta.DeleteOptions.newBuilder()
                .setPropagationPolicy("Foreground").build()), "meta.k8s.io/v1", "DeleteOptions");
        assertThat(options.path("kind").asText()).isEqualTo("DeleteOptions");
        assertThat(options.path("propagationPolicy").asText()).isEqualTo("Foreground");

        ObjectNode map = ProtobufBodies.toJson(encode("", "", V1.ConfigMap.newBuilder().putData("k", "v").build()),
                "v1", "ConfigMap");
        assertThat(map.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(map.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(map.path("data").path("k").asText()).isEqualTo("v");
    }

    @Test
    void aKindWithoutAMessageIsUnsupported() {
        assertThatThrownBy(() -> ProtobufBodies.toJson(encode("v1", "NoSuchKind",
                V1.ConfigMap.getDefaultInstance()), "v1", "ConfigMap"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    }
}
