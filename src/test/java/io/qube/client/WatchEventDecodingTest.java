package io.qube.client;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each watch event decodes to what fabric8's own serialization makes of it, whatever the order of its fields. */
class WatchEventDecodingTest {

    private final KubernetesSerialization fabric8 = new KubernetesSerialization();
    private final KubernetesSerialization decoding = WatchEventDecoding.serialization();

    private final Pod pod = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("default")
            .withResourceVersion("42").addToLabels("app", "web").addToAnnotations("x", "y").endMetadata()
            .withNewSpec().withNodeName("sim-1").addNewContainer().withName("main").withImage("nginx").endContainer()
            .endSpec().withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
            .endCondition().endStatus().build();

    @Test
    void aPodWithApiVersionAndKindFirstIsDecodedAsFabric8DecodesIt() {
        String json = "{\"type\":\"MODIFIED\",\"object\":" + fabric8.asJson(pod) + "}";
        WatchEvent event = decoding.unmarshal(json, WatchEvent.class);
        assertThat(event.getType()).isEqualTo("MODIFIED");
        assertThat(event.getObject()).isInstanceOf(Pod.class).isEqualTo(pod)
                .isEqualTo(fabric8.unmarshal(json, WatchEvent.class).getObject());
    }

    @Test
    void anObjectWhoseKindComesLastOrAfterTheObjectIsStillTyped() {
        String body = fabric8.asJson(pod).replaceFirst("\"apiVersion\":\"v1\",", "").replaceFirst("\"kind\":\"Pod\",", "");
        String json = "{\"object\":" + body.substring(0, body.length() - 1) + ",\"kind\":\"Pod\",\"apiVersion\":\"v1\"}"
                + ",\"type\":\"ADDED\"}";
        WatchEvent event = decoding.unmarshal(json, WatchEvent.class);
        assertThat(event.getType()).isEqualTo("ADDED");
        assertThat(event.getObject()).isEqualTo(pod);
    }

    @Test
    void otherGroupsStatusErrorsAndUnknownKindsDecodeAsFabric8DecodesThem() {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .withReplicas(3).endSpec().build();
        String ofDeployment = "{\"type\":\"ADDED\",\"object\":" + fabric8.asJson(deployment) + "}";
        assertThat(decoding.unmarshal(ofDeployment, WatchEvent.class).getObject()).isEqualTo(deployment);

        String error = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}";
        assertThat(decoding.unmarshal(error, WatchEvent.class).getObject()).isInstanceOf(Status.class)
                .isEqualTo(fabric8.unmarshal(error, WatchEvent.class).getObject());

        String unknown = "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\","
                + "\"metadata\":{\"name\":\"w\"},\"spec\":{\"size\":3}}}";
        assertThat(decoding.unmarshal(unknown, WatchEvent.class).getObject()).isInstanceOf(
                GenericKubernetesResource.class).isEqualTo(fabric8.unmarshal(unknown, WatchEvent.class).getObject());

        String bookmark = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
                + "\"metadata\":{\"resourceVersion\":\"77\"}}}";
        assertThat(((Pod) decoding.unmarshal(bookmark, WatchEvent.class).getObject()).getMetadata()
                .getResourceVersion()).isEqualTo("77");
    }

    @Test
    void managedFieldsAreLeftOutAndTheRestOfTheMetadataKept() {
        Pod managed = new PodBuilder(pod).editMetadata().addNewManagedField().withManager("kubectl")
                .withOperation("Update").withApiVersion("v1").withNewFieldsV1()
                .addToAdditionalProperties("f:spec", java.util.Map.of("f:nodeName", java.util.Map.of()))
                .endFieldsV1().endManagedField().endMetadata().build();
        String json = "{\"type\":\"ADDED\",\"object\":" + fabric8.asJson(managed) + "}";
        assertThat(json).contains("\"managedFields\"");

        Pod decoded = (Pod) decoding.unmarshal(json, WatchEvent.class).getObject();
        assertThat(decoded.getMetadata().getManagedFields()).isEmpty();
        assertThat(decoded).isEqualTo(pod);

        String unknown = "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\","
                + "\"metadata\":{\"name\":\"w\",\"managedFields\":[{\"manager\":\"m\",\"fieldsV1\":{\"f:spec\":{}}}],"
                + "\"labels\":{\"a\":\"b\"}},\"spec\":{\"size\":3}}}";
        GenericKubernetesResource widget = (GenericKubernetesResource) decoding.unmarshal(unknown, WatchEvent.class)
                .getObject();
        assertThat(widget.getMetadata().getManagedFields()).isEmpty();
        assertThat(widget.getMetadata().getLabels()).containsEntry("a", "b");
        assertThat(widget.getAdditionalProperties()).containsKey("spec");
    }
}
