package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.quota.ObjectUsage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Quota admission's verdicts on a new object, each row a quota (as stored) and an object, with Kubernetes' texts. */
class QuotaAdmissionTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Arguments> admitted() {
        return Stream.of(
                Arguments.of("a pod within every limit is charged its count and requests",
                        quota("{pods: '3', requests.cpu: '2', requests.memory: 1Gi}",
                                "{pods: '1', requests.cpu: 500m, requests.memory: 512Mi}"),
                        "pods", pod(container("web", "250m", "256Mi", null)),
                        "{used: {pods: '2', requests.cpu: 750m, requests.memory: 768Mi}}"),
                Arguments.of("limits are summed apart from requests; an init container counts when it is larger",
                        quota("{limits.cpu: '4', limits.memory: 2Gi}", "{limits.cpu: '1', limits.memory: 1Gi}"),
                        "pods", podWithInit(container("web", "100m", "64Mi", "1"), container("setup", "1", "64Mi",
                                "2")),
                        "{used: {limits.cpu: '3', limits.memory: 2Gi}}"),
                Arguments.of("sidecars add to the containers; an init container counts with the sidecars before it",
                        quota("{requests.cpu: '4'}", "{requests.cpu: '0'}"),
                        "pods", new PodBuilder(pod(container("web", "100m", null, null))).editSpec()
                                .addToInitContainers(new io.fabric8.kubernetes.api.model.ContainerBuilder(
                                        container("proxy", "200m", null, null)).withRestartPolicy("Always").build())
                                .addToInitContainers(container("setup", "500m", null, null)).endSpec().build(),
                        "{used: {requests.cpu: 700m}}"),
                Arguments.of("a quota not counted yet (no status.hard) restricts nothing",
                        (JsonNode) read("{metadata: {name: q}, spec: {hard: {pods: '1'}}}"),
                        "pods", pod(container("web", null, null, null)), null),
                Arguments.of("a quota over other kinds does not restrict pods",
                        quota("{count/configmaps: '1'}", "{count/configmaps: '1'}"),
                        "pods", pod(container("web", null, null, null)), null),
                Arguments.of("a BestEffort quota restricts a pod without requests or limits",
                        withSpec(quota("{pods: '2'}", "{pods: '1'}"), "{hard: {pods: '2'}, scopes: [BestEffort]}"),
                        "pods", bestEffort(pod(container("web", null, null, null))), "{used: {pods: '2'}}"),
                Arguments.of("a NotBestEffort quota leaves such a pod alone",
                        withSpec(quota("{pods: '1'}", "{pods: '1'}"), "{hard: {pods: '1'}, scopes: [NotBestEffort]}"),
                        "pods", bestEffort(pod(container("web", null, null, null))), null),
                Arguments.of("a priority class selector restricts the pods of the classes it names",
                        withSpec(quota("{pods: '5'}", "{pods: '0'}"), "{hard: {pods: '5'}, scopeSelector: "
                                + "{matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]}}"),
                        "pods", ofClass(pod(container("web", null, null, null)), "high"), "{used: {pods: '1'}}"),
                Arguments.of("and only those",
                        withSpec(quota("{pods: '5'}", "{pods: '0'}"), "{hard: {pods: '5'}, scopeSelector: "
                                + "{matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]}}"),
                        "pods", ofClass(pod(container("web", null, null, null)), "low"), null),
                Arguments.of("a scoped quota restricts no other kind",
                        withSpec(quota("{count/configmaps: '1'}", "{count/configmaps: '1'}"),
                                "{hard: {count/configmaps: '1'}, scopes: [NotTerminating]}"),
                        "configmaps", new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build(),
                        null),
                Arguments.of("an extended resource is charged under requests.<name>, huge pages under both names",
                        quota("{requests.example.com/gpu: '2', hugepages-2Mi: 8Mi}",
                                "{requests.example.com/gpu: '1', hugepages-2Mi: 2Mi}"),
                        "pods", new PodBuilder(pod(container("web", null, null, null))).editSpec().editContainer(0)
                                .editResources().addToRequests("example.com/gpu", new Quantity("1"))
                                .addToRequests("hugepages-2Mi", new Quantity("4Mi")).endResources().endContainer()
                                .endSpec().build(),
                        "{used: {hugepages-2Mi: 6Mi, requests.example.com/gpu: '2'}}"),
                Arguments.of("a claim is charged within its storage class",
                        quota("{fast.storageclass.storage.k8s.io/requests.storage: 10Gi, "
                                        + "fast.storageclass.storage.k8s.io/persistentvolumeclaims: '2'}",
                                "{fast.storageclass.storage.k8s.io/requests.storage: 4Gi, "
                                        + "fast.storageclass.storage.k8s.io/persistentvolumeclaims: '1'}"),
                        "persistentvolumeclaims", new PersistentVolumeClaimBuilder().withNewMetadata().withName("c")
                                .endMetadata().withNewSpec().withStorageClassName("fast").withNewResources()
                                .addToRequests("storage", new Quantity("5Gi")).endResources().endSpec().build(),
                        "{used: {fast.storageclass.storage.k8s.io/persistentvolumeclaims: '2', "
                                + "fast.storageclass.storage.k8s.io/requests.storage: 9Gi}}"),
                Arguments.of("an object count is charged one",
                        quota("{count/configmaps: '5', configmaps: '5'}", "{count/configmaps: '4', configmaps: '4'}"),
                        "configmaps", new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build(),
                        "{used: {configmaps: '5', count/configmaps: '5'}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("admitted")
    void admitted(String row, JsonNode quota, String kind, HasMetadata object, String status) throws Exception {
        List<JsonNode> restricting = QuotaAdmission.restricting(kind, object, List.of(quota));

        if (status == null) {
            assertThat(restricting).isEmpty();
            return;
        }
        assertThat(restricting).containsExactly(quota);
        ObjectNode charged = QuotaAdmission.charged(quota, ObjectUsage.of(kind, object, Instant.now()));
        JsonNode expected = read(status);
        assertThat(charged.path("used")).isEqualTo(expected.path("used"));
        assertThat(charged.path("hard")).isEqualTo(quota.path("status").path("hard"));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("containers that leave out a restricted cpu or memory amount are named",
                        quota("{requests.cpu: '2', limits.memory: 1Gi, pods: '9'}",
                                "{requests.cpu: '0', limits.memory: '0', pods: '0'}"),
                        pod(container("web", null, null, "1"), container("log", "100m", null, null)),
                        "failed quota: q: must specify limits.memory for: log; requests.cpu for: web"),
                Arguments.of("a quota whose usage is not counted yet refuses",
                        quota("{pods: '2', requests.cpu: '1'}", "{pods: '0'}"),
                        pod(container("web", "100m", null, null)),
                        "status unknown for quota: q, resources: pods,requests.cpu"),
                Arguments.of("going over names only the resources that would go over",
                        quota("{pods: '2', requests.cpu: '1', requests.memory: 1Gi}",
                                "{pods: '2', requests.cpu: 900m, requests.memory: 100Mi}"),
                        pod(container("web", "200m", "64Mi", null)),
                        "exceeded quota: q, requested: pods=1,requests.cpu=200m, used: pods=2,requests.cpu=900m, "
                                + "limited: pods=2,requests.cpu=1"),
                Arguments.of("a pod that finished holds no resources but still counts as an object",
                        quota("{count/pods: '1'}", "{count/pods: '1'}"),
                        new PodBuilder(pod(container("web", null, null, null))).withNewStatus()
                                .withPhase("Succeeded").endStatus().build(),
                        "exceeded quota: q, requested: count/pods=1, used: count/pods=1, limited: count/pods=1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refused(String row, JsonNode quota, Pod pod, String message) {
        assertThatThrownBy(() -> {
            for (JsonNode restricting : QuotaAdmission.restricting("pods", pod, List.of(quota))) {
                QuotaAdmission.charged(restricting, ObjectUsage.of("pods", pod, Instant.now()));
            }
        }).isInstanceOf(QuotaAdmission.Refused.class).hasMessage(message);
    }

    private static JsonNode quota(String hard, String used) {
        return read("{metadata: {name: q, namespace: n}, spec: {hard: " + hard + "}, status: {hard: " + hard
                + ", used: " + used + "}}");
    }

    private static JsonNode withSpec(JsonNode quota, String spec) {
        ((ObjectNode) quota).set("spec", read(spec));
        return quota;
    }

    private static JsonNode read(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (Exception e) {
            throw new IllegalArgumentException(yaml, e);
        }
    }

    private static Pod pod(io.fabric8.kubernetes.api.model.Container... containers) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("n").endMetadata()
                .withNewSpec().withContainers(containers).endSpec().build();
    }

    private static Pod bestEffort(Pod pod) {
        return new PodBuilder(pod).withNewStatus().withQosClass("BestEffort").endStatus().build();
    }

    private static Pod ofClass(Pod pod, String priorityClass) {
        return new PodBuilder(pod).editSpec().withPriorityClassName(priorityClass).endSpec().build();
    }

    private static Pod podWithInit(io.fabric8.kubernetes.api.model.Container container,
                                   io.fabric8.kubernetes.api.model.Container init) {
        return new PodBuilder(pod(container)).editSpec().withInitContainers(init).endSpec().build();
    }

    private static io.fabric8.kubernetes.api.model.Container container(String name, String cpu, String memory,
                                                                       String cpuLimit) {
        io.fabric8.kubernetes.api.model.ContainerBuilder container =
                new io.fabric8.kubernetes.api.model.ContainerBuilder().withName(name).withImage("nginx");
        Map<String, Quantity> requests = new java.util.LinkedHashMap<>();
        if (cpu != null) {
            requests.put("cpu", new Quantity(cpu));
        }
        if (memory != null) {
            requests.put("memory", new Quantity(memory));
        }
        Map<String, Quantity> limits = new java.util.LinkedHashMap<>();
        if (cpuLimit != null) {
            limits.put("cpu", new Quantity(cpuLimit));
            limits.put("memory", new Quantity("1Gi"));
        }
        return container.withNewResources().withRequests(requests).withLimits(limits).endResources().build();
    }
}
