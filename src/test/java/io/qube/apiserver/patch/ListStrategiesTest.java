package io.qube.apiserver.patch;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.qube.apiserver.patch.PatchFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

class ListStrategiesTest {

    @Test
    void everyEntryNamesAListFieldOfItsModelClass() {
        ListStrategies.all().forEach((type, fields) -> fields.keySet().forEach(field ->
                assertThat(ModelType.of(type).field(field).isList()).as("%s.%s", type.getSimpleName(), field).isTrue()));
    }

    @ParameterizedTest
    @ValueSource(classes = {Deployment.class, ReplicaSet.class, DaemonSet.class, ReplicationController.class})
    void workloadTemplatesReachThePodSpecEntries(Class<? extends HasMetadata> kind) {
        ModelType podSpec = ModelType.of(kind).field("spec").field("template").field("spec");

        assertThat(podSpec.listStrategy("containers")).isEqualTo(ListStrategy.mergedBy("name"));
        assertThat(podSpec.field("containers").element().listStrategy("volumeMounts"))
                .isEqualTo(ListStrategy.mergedBy("mountPath"));
        assertThat(podSpec.listStrategy("tolerations")).isEqualTo(ListStrategy.ATOMIC);
    }

    @Test
    void podsAndMetadataHaveTheirEntries() {
        ModelType pod = ModelType.of(Pod.class);

        assertThat(pod.field("spec").listStrategy("hostAliases")).isEqualTo(ListStrategy.mergedBy("ip"));
        assertThat(pod.field("status").listStrategy("conditions")).isEqualTo(ListStrategy.mergedBy("type"));
        assertThat(pod.field("metadata").listStrategy("finalizers")).isEqualTo(ListStrategy.SET);
        assertThat(pod.field("metadata").field("labels").listStrategy("app")).isEqualTo(ListStrategy.ATOMIC);
        assertThat(pod.field("noSuchField").field("deeper").listStrategy("x")).isEqualTo(ListStrategy.ATOMIC);
    }

    @Test
    void containerPortsAreKeyedByPortAndProtocolForApply() {
        ListStrategy ports = ListStrategies.of(Container.class, "ports");

        assertThat(ports.mergeKey()).isEqualTo("containerPort");
        assertThat(ports.applyKeyOf(json("{\"containerPort\":53,\"protocol\":\"UDP\",\"name\":\"dns\"}")))
                .isEqualTo(json("{\"containerPort\":53,\"protocol\":\"UDP\"}"));
        assertThat(ports.applyKeyOf(json("{\"containerPort\":80}")).toString())
                .isEqualTo("{\"containerPort\":80,\"protocol\":\"TCP\"}");
        assertThat(ports.applyKeyOf(json("{\"name\":\"http\"}"))).isNull();
        assertThat(ListStrategies.of(PodSpec.class, "topologySpreadConstraints").applyKeyNames())
                .containsExactly("topologyKey", "whenUnsatisfiable");
    }
}
