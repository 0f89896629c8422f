package io.qube.e2e;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ServiceControllersProfile;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ResourceQuota, LimitRange, HorizontalPodAutoscaler and pods' ephemeral containers through the real kubectl: the
 * quota controller's usage in {@code kubectl get} and {@code describe}, quota admission's refusals and charges,
 * LimitRanger's defaults and refusals on pods that {@code kubectl run} and {@code apply} create.
 */
@QuarkusTest
@TestProfile(ServiceControllersProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class QuotaKubectlTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;
    private String namespace;

    @BeforeEach
    void namespace(TestInfo test) {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
        String method = test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        namespace = "qk-" + method.substring(0, Math.min(20, method.length()));
        kubectl.ok("create", "namespace", namespace);
    }

    @Test
    void aQuotaShowsWhatItsNamespaceUses() {
        in("create", "quota", "compute", "--hard=pods=10,requests.cpu=2,limits.cpu=4,configmaps=5");
        in("run", "web", "--image=nginx", "--overrides",
                "{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"resources\":"
                        + "{\"requests\":{\"cpu\":\"250m\"},\"limits\":{\"cpu\":\"500m\"}}}]}}");
        in("create", "configmap", "settings", "--from-literal=a=1");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(in("describe", "quota", "compute").stdout())
                .containsPattern("Resource\\s+Used\\s+Hard")
                .containsPattern("limits.cpu\\s+500m\\s+4")
                .containsPattern("pods\\s+1\\s+10")
                .containsPattern("requests.cpu\\s+250m\\s+2"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(in("get", "quota", "compute").stdout())
                .containsPattern("NAME\\s+AGE\\s+REQUEST\\s+LIMIT")
                .containsPattern("compute\\s+\\d+s\\s+configmaps: 1/5, pods: 1/10, requests.cpu: "
                        + "250m/2\\s+limits.cpu: 500m/4"));

        in("delete", "pod", "web", "--grace-period=0", "--force");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(in("get", "quota", "compute", "-o",
                "jsonpath={.status.used.pods} {.status.used.requests\\.cpu} {.status.hard.pods}").stdout())
                .isEqualTo("0 0 10"));
    }

    @Test
    void aQuotaRefusesWhatWouldGoOverItAndChargesWhatItAdmits() {
        in("create", "quota", "small", "--hard=pods=2,requests.cpu=1,requests.memory=1Gi");
        await().atMost(PATIENCE).until(() -> in("get", "quota", "small", "-o",
                "jsonpath={.status.hard.pods} {.status.used.pods}").stdout().equals("2 0"));

        assertThat(kubectl.failing("-n", namespace, "run", "bare", "--image=nginx").stderr())
                .contains("pods \"bare\" is forbidden: failed quota: small: must specify requests.cpu for: bare; "
                        + "requests.memory for: bare");
        in("run", "first", "--image=nginx", "--overrides", sized("first", "600m", "256Mi"));
        // Charged by admission, before the controller counts anything.
        assertThat(in("get", "quota", "small", "-o",
                "jsonpath={.status.used.pods} {.status.used.requests\\.cpu} {.status.used.requests\\.memory}")
                .stdout()).isEqualTo("1 600m 256Mi");
        assertThat(kubectl.failing("-n", namespace, "run", "second", "--image=nginx", "--overrides",
                sized("second", "600m", "256Mi")).stderr())
                .contains("pods \"second\" is forbidden: exceeded quota: small, requested: requests.cpu=600m, used: "
                        + "requests.cpu=600m, limited: requests.cpu=1");
        in("run", "third", "--image=nginx", "--overrides", sized("third", "400m", "768Mi"));
        assertThat(kubectl.failing("-n", namespace, "run", "fourth", "--image=nginx", "--overrides",
                sized("fourth", "0", "1Mi")).stderr())
                .contains("pods \"fourth\" is forbidden: exceeded quota: small, requested: pods=1,requests.memory=1Mi, "
                        + "used: pods=2,requests.memory=1Gi, limited: pods=2,requests.memory=1Gi");
        assertThat(in("get", "quota", "small", "-o",
                "jsonpath={.status.used.pods} {.status.used.requests\\.cpu} {.status.used.requests\\.memory}")
                .stdout()).isEqualTo("2 1 1Gi");

        // A pod that goes gives its share back (the controller recounts), and the next one fits.
        in("delete", "pod", "first", "--grace-period=0", "--force");
        await().atMost(PATIENCE).until(() -> in("get", "quota", "small", "-o",
                "jsonpath={.status.used.pods} {.status.used.requests\\.cpu}").stdout().equals("1 400m"));
        in("run", "fifth", "--image=nginx", "--overrides", sized("fifth", "600m", "256Mi"));
    }

    @Test
    void aScopedQuotaCountsAndRestrictsOnlyThePodsItsScopesSelect() {
        in("run", "sized", "--image=nginx", "--overrides", sized("sized", "100m", "64Mi"));
        in("run", "free", "--image=nginx");
        // Counted by the controller from the pods there: the best-effort one only.
        in("create", "quota", "best-effort", "--hard=pods=1", "--scopes=BestEffort");
        await().atMost(PATIENCE).until(() -> in("get", "quota", "best-effort", "-o",
                "jsonpath={.status.hard.pods} {.status.used.pods}").stdout().equals("1 1"));
        assertThat(in("describe", "quota", "best-effort").stdout()).containsPattern("Scopes:\\s+BestEffort");

        assertThat(kubectl.failing("-n", namespace, "run", "free-too", "--image=nginx").stderr())
                .contains("pods \"free-too\" is forbidden: exceeded quota: best-effort, requested: pods=1, used: "
                        + "pods=1, limited: pods=1");
        in("run", "sized-too", "--image=nginx", "--overrides", sized("sized-too", "100m", "64Mi"));
    }

    @Test
    void extendedResourcesAndStorageClassesAreCountedAndRestricted() {
        in("run", "gpu", "--image=nginx", "--overrides", gpuPod("gpu"));
        in("apply", "-f", kubectl.manifest("claim.yaml", claim("fast-one")).toString());
        // Counted by the controller from the objects there.
        in("create", "quota", "pools", "--hard=requests.example.com/gpu=1,"
                + "fast.storageclass.storage.k8s.io/requests.storage=3Gi");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(in("get", "quota", "pools", "-o",
                "jsonpath={.status.used}").stdout()).isEqualTo("{\"fast.storageclass.storage.k8s.io/requests.storage\""
                + ":\"2Gi\",\"requests.example.com/gpu\":\"1\"}"));

        assertThat(kubectl.failing("-n", namespace, "run", "gpu-too", "--image=nginx", "--overrides",
                gpuPod("gpu-too")).stderr()).contains("pods \"gpu-too\" is forbidden: exceeded quota: pools, "
                + "requested: requests.example.com/gpu=1, used: requests.example.com/gpu=1, limited: "
                + "requests.example.com/gpu=1");
        assertThat(kubectl.failing("-n", namespace, "apply", "-f", kubectl.manifest("claim-two.yaml",
                claim("fast-two")).toString()).stderr()).contains("persistentvolumeclaims \"fast-two\" is forbidden: "
                + "exceeded quota: pools, requested: fast.storageclass.storage.k8s.io/requests.storage=2Gi, used: "
                + "fast.storageclass.storage.k8s.io/requests.storage=2Gi, limited: "
                + "fast.storageclass.storage.k8s.io/requests.storage=3Gi");
    }

    private static String gpuPod(String name) {
        return "{\"spec\":{\"containers\":[{\"name\":\"" + name + "\",\"image\":\"nginx\",\"resources\":"
                + "{\"limits\":{\"example.com/gpu\":\"1\"}}}]}}";
    }

    private static String claim(String name) {
        return """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: %s}
                spec:
                  storageClassName: fast
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 2Gi}}
                """.formatted(name);
    }

    @Test
    void concurrentCreatesNeverTakeMoreThanTheQuotaHolds() throws Exception {
        in("create", "quota", "five", "--hard=count/configmaps=5");
        await().atMost(PATIENCE).until(() -> in("get", "quota", "five", "-o",
                "jsonpath={.status.used.count/configmaps}").stdout().equals("0"));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort()).build()).build()) {
            ExecutorService creators = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> creates = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String name = "settings-" + i;
                    creates.add(creators.submit(() -> {
                        try {
                            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                                    .withNewMetadata().withName(name).endMetadata().build()).create();
                            return 201;
                        } catch (KubernetesClientException e) {
                            assertThat(e.getMessage()).contains("exceeded quota: five, requested: "
                                    + "count/configmaps=1, used: count/configmaps=5, limited: count/configmaps=5");
                            return e.getCode();
                        }
                    }));
                }
                List<Integer> codes = new ArrayList<>();
                for (Future<Integer> create : creates) {
                    codes.add(create.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                }
                assertThat(codes).filteredOn(code -> code == 201).hasSize(5);
                assertThat(codes).filteredOn(code -> code == 403).hasSize(15);
            } finally {
                creators.shutdownNow();
            }
            assertThat(client.configMaps().inNamespace(namespace).list().getItems()).hasSize(5);
            assertThat(in("get", "quota", "five", "-o", "jsonpath={.status.used.count/configmaps}").stdout())
                    .isEqualTo("5");
        }
    }

    private static String sized(String container, String cpu, String memory) {
        return "{\"spec\":{\"containers\":[{\"name\":\"" + container + "\",\"image\":\"nginx\",\"resources\":"
                + "{\"requests\":{\"cpu\":\"" + cpu + "\",\"memory\":\"" + memory + "\"}}}]}}";
    }

    @Test
    void aBadQuotaIsRefusedWithItsField() {
        assertThat(kubectl.failing("-n", namespace, "create", "quota", "bad", "--hard=pods=1.5").stderr())
                .contains("spec.hard[pods]").contains("must be an integer");
    }

    @Test
    void limitRangeDefaultsFillThePodsKubectlRunCreates() {
        in("apply", "-f", kubectl.manifest("limits.yaml", """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: cpu-limits}
                spec:
                  limits:
                  - type: Container
                    max: {cpu: 500m}
                    default: {cpu: 200m, memory: 256Mi}
                    defaultRequest: {cpu: 100m}
                """).toString());

        assertThat(in("get", "limits").stdout()).containsPattern("NAME\\s+CREATED AT")
                .containsPattern("cpu-limits\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        // The stored range has Kubernetes' defaults: a default request for memory taken from the default limit.
        assertThat(in("get", "limitrange", "cpu-limits", "-o", "jsonpath={.spec.limits[0].defaultRequest}").stdout())
                .isEqualTo("{\"cpu\":\"100m\",\"memory\":\"256Mi\"}");

        in("run", "web", "--image=nginx");

        assertThat(in("get", "pod", "web", "-o", "jsonpath={.spec.containers[0].resources}").stdout())
                .isEqualTo("{\"limits\":{\"cpu\":\"200m\",\"memory\":\"256Mi\"},\"requests\":{\"cpu\":\"100m\","
                        + "\"memory\":\"256Mi\"}}");
        assertThat(in("get", "pod", "web", "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}")
                .stdout()).isEqualTo("LimitRanger plugin set: cpu, memory request for container web; cpu, memory "
                + "limit for container web");

        String refused = kubectl.failing("-n", namespace, "run", "big", "--image=nginx", "--overrides",
                "{\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"nginx\",\"resources\":"
                        + "{\"limits\":{\"cpu\":\"1\"}}}]}}").stderr();
        assertThat(refused).contains("pods \"big\" is forbidden: maximum cpu usage per Container is 500m, but limit "
                + "is 1");
    }

    @Test
    void badLimitRangesAreRefusedWithTheirFields() {
        String refused = kubectl.failing("-n", namespace, "apply", "-f", kubectl.manifest("bad-limits.yaml", """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: upside-down}
                spec:
                  limits:
                  - {type: Container, min: {cpu: "2"}, max: {cpu: "1"}}
                """).toString()).stderr();

        assertThat(refused).contains("spec.limits[0].min[cpu]").contains("min value 2 is greater than max value 1");
    }

    @Test
    void kubectlAutoscaleMakesAnAutoscalerReadableInBothVersions() {
        in("create", "deployment", "x", "--image=nginx");
        in("autoscale", "deployment", "x", "--min=2", "--max=5", "--cpu-percent=80");

        assertThat(in("get", "horizontalpodautoscalers.v1.autoscaling", "x", "-o", "jsonpath={.apiVersion} {.spec.minReplicas} "
                + "{.spec.maxReplicas} {.spec.targetCPUUtilizationPercentage} {.spec.scaleTargetRef.kind}").stdout())
                .isEqualTo("autoscaling/v1 2 5 80 Deployment");
        assertThat(in("get", "horizontalpodautoscalers.v2.autoscaling", "x", "-o", "jsonpath={.apiVersion} {.spec.metrics[0].type} "
                + "{.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}").stdout())
                .isEqualTo("autoscaling/v2 Resource cpu 80");
        String table = in("get", "hpa").stdout();
        assertThat(table.lines().findFirst().orElseThrow())
                .matches("NAME\\s+REFERENCE\\s+TARGETS\\s+MINPODS\\s+MAXPODS\\s+REPLICAS\\s+AGE");
        assertThat(table).containsPattern("x\\s+Deployment/x\\s+cpu: <unknown>/80%\\s+2\\s+5\\s+0\\s+\\d+s");

        // A v1 client's change keeps what only v2 can say: here the behavior, carried in an annotation.
        in("patch", "horizontalpodautoscalers.v2.autoscaling", "x", "--type=merge", "-p",
                "{\"spec\":{\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}}}");
        in("patch", "horizontalpodautoscalers.v1.autoscaling", "x", "--type=merge", "-p", "{\"spec\":{\"maxReplicas\":7}}");
        assertThat(in("get", "horizontalpodautoscalers.v2.autoscaling", "x", "-o", "jsonpath={.spec.maxReplicas} "
                + "{.spec.behavior.scaleDown.stabilizationWindowSeconds} {.spec.behavior.scaleUp.selectPolicy} "
                + "{.metadata.annotations}").stdout()).isEqualTo("7 60 Max ");
    }

    @Test
    void aBadAutoscalerIsRefusedWithItsField() {
        String refused = kubectl.failing("-n", namespace, "apply", "-f", kubectl.manifest("bad-hpa.yaml", """
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: bad}
                spec:
                  scaleTargetRef: {kind: Deployment, name: x}
                  minReplicas: 4
                  maxReplicas: 2
                """).toString()).stderr();

        assertThat(refused).contains("spec.maxReplicas").contains("must be greater than or equal to `minReplicas`");
    }

    @Test
    void ephemeralContainersAreAddedThroughTheirSubresourceOnly() throws Exception {
        in("run", "web", "--image=nginx");

        // kubectl debug adds its container with a strategic merge patch of pods/ephemeralcontainers.
        in("debug", "web", "--image=busybox", "--container=dbg", "--target=web");

        assertThat(in("get", "pod", "web", "-o", "jsonpath={.spec.ephemeralContainers[0].name} "
                + "{.spec.ephemeralContainers[0].targetContainerName} {.spec.ephemeralContainers[0].image} "
                + "{.spec.ephemeralContainers[0].imagePullPolicy}").stdout()).isEqualTo("dbg web busybox Always");
        assertThat(in("get", "--raw", "/api/v1/namespaces/" + namespace + "/pods/web/ephemeralcontainers").stdout())
                .contains("\"kind\":\"Pod\"").contains("\"name\":\"dbg\"");

        HttpResponse<String> added = jsonPatch("[{\"op\":\"add\",\"path\":\"/spec/ephemeralContainers/-\","
                + "\"value\":{\"name\":\"shell\",\"image\":\"busybox\",\"stdin\":true}}]");
        assertThat(added.statusCode()).isEqualTo(200);
        assertThat(in("get", "pod", "web", "-o", "jsonpath={.spec.ephemeralContainers[*].name}").stdout())
                .isEqualTo("dbg shell");

        HttpResponse<String> withPorts = jsonPatch("[{\"op\":\"add\",\"path\":\"/spec/ephemeralContainers/-\","
                + "\"value\":{\"name\":\"web\",\"image\":\"busybox\",\"ports\":[{\"containerPort\":80}]}}]");
        assertThat(withPorts.statusCode()).isEqualTo(422);
        assertThat(withPorts.body()).contains("spec.ephemeralContainers[2].ports")
                .contains("cannot be set for an Ephemeral Container")
                .contains("spec.ephemeralContainers[2].name").contains("Duplicate value");

        HttpResponse<String> removed = jsonPatch("[{\"op\":\"remove\",\"path\":\"/spec/ephemeralContainers/0\"}]");
        assertThat(removed.statusCode()).isEqualTo(422);
        assertThat(removed.body()).contains("existing ephemeral containers \\\"dbg\\\" may not be removed");

        // Through the pod itself they cannot change at all.
        assertThat(kubectl.failing("-n", namespace, "patch", "pod", "web", "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/spec/ephemeralContainers/1\"}]").stderr())
                .contains("pod updates may not change fields other than");
    }

    private HttpResponse<String> jsonPatch(String patch) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort()
                        + "/api/v1/namespaces/" + namespace + "/pods/web/ephemeralcontainers"))
                .header("Content-Type", "application/json-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(patch)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private Kubectl.Result in(String... args) {
        return kubectl.okIn(namespace, args);
    }
}
