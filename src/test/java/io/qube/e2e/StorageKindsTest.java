package io.qube.e2e;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URI;
import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The storage kinds and StatefulSets through the real kubectl: the default class every cluster starts with, the
 * admission that protects claims and volumes and gives claims that class, validation, table columns and the scale
 * subresource. No controller runs here (the test profile switches them off), so phases stay as admission made them.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class StorageKindsTest {

    private static final String STATEFUL_SET = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              serviceName: db
              replicas: 3
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers:
                  - name: db
                    image: "postgres:17"
                    volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """;

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;
    private String namespace;

    @BeforeEach
    void namespace(TestInfo test) {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
        String method = test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        namespace = "st-" + method.substring(0, Math.min(20, method.length()));
        ok("create", "namespace", namespace);
    }

    @Test
    void theClusterStartsWithTheDefaultLocalPathClass() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ok("get", "storageclass").stdout())
                .containsPattern("local-path \\(default\\)\\s+qube.io/local-path\\s+Delete\\s+WaitForFirstConsumer"
                        + "\\s+false\\s+\\d+"));
        assertThat(ok("get", "sc", "local-path", "-o", "jsonpath={.metadata.annotations}").stdout())
                .contains("\"storageclass.kubernetes.io/is-default-class\":\"true\"");
    }

    @Test
    void aClaimWithoutAClassGetsTheDefaultAndIsProtected() {
        await().atMost(Duration.ofSeconds(30)).until(() -> kubectl.run("get", "sc", "local-path").succeeded());
        in("apply", "-f", kubectl.manifest("claims.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 2Gi}}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: classless}
                spec:
                  storageClassName: ""
                  accessModes: [ReadOnlyMany]
                  resources: {requests: {storage: 1Gi}}
                """).toString());

        assertThat(in("get", "pvc", "data", "-o", "jsonpath={.spec.storageClassName} {.spec.volumeMode} "
                + "{.metadata.finalizers} {.status.phase}").stdout())
                .isEqualTo("local-path Filesystem [\"kubernetes.io/pvc-protection\"] Pending");
        assertThat(in("get", "pvc", "classless", "-o", "jsonpath=[{.spec.storageClassName}]").stdout()).isEqualTo("[]");
        String table = in("get", "pvc").stdout();
        assertThat(table.lines().findFirst().orElseThrow()).matches(
                "NAME\\s+STATUS\\s+VOLUME\\s+CAPACITY\\s+ACCESS MODES\\s+STORAGECLASS\\s+VOLUMEATTRIBUTESCLASS\\s+AGE");
        assertThat(table).containsPattern("data\\s+Pending\\s+local-path\\s+<unset>\\s+\\d+s");
        assertThat(in("get", "persistentvolumeclaims", "-o", "wide").stdout()).contains("VOLUMEMODE")
                .containsPattern("classless\\s+Pending\\s+<unset>\\s+\\d+s\\s+Filesystem");
    }

    @Test
    void volumesShowTheirClaimAndStayWhileTheirFinalizerDoes() {
        ok("apply", "-f", kubectl.manifest("pv.yaml", """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: %s-disk}
                spec:
                  capacity: {storage: 5Gi}
                  accessModes: [ReadWriteOnce, ReadOnlyMany]
                  storageClassName: manual
                  claimRef: {namespace: %s, name: data}
                  hostPath: {path: /srv/disk}
                """.formatted(namespace, namespace)).toString());
        String volume = namespace + "-disk";

        assertThat(ok("get", "pv", volume, "-o", "jsonpath={.spec.persistentVolumeReclaimPolicy} "
                + "{.metadata.finalizers} {.status.phase} {.spec.hostPath.type}").stdout())
                .isEqualTo("Retain [\"kubernetes.io/pv-protection\"] Pending ");
        String table = ok("get", "pv", volume).stdout();
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+CAPACITY\\s+ACCESS MODES\\s+RECLAIM POLICY"
                + "\\s+STATUS\\s+CLAIM\\s+STORAGECLASS\\s+VOLUMEATTRIBUTESCLASS\\s+REASON\\s+AGE");
        assertThat(table).containsPattern(volume + "\\s+5Gi\\s+RWO,ROX\\s+Retain\\s+Pending\\s+" + namespace
                + "/data\\s+manual\\s+<unset>\\s+\\d+s");

        ok("delete", "pv", volume, "--wait=false");
        assertThat(ok("get", "pv", volume).stdout()).containsPattern(volume + "\\s+5Gi\\s+RWO,ROX\\s+Retain\\s+Terminating");
        ok("patch", "pv", volume, "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
        assertThat(kubectl.run("get", "pv", volume).stderr()).contains("NotFound");
    }

    @Test
    void badVolumesAndClaimsAreRefusedWithTheirFields() {
        String noCapacity = failing("apply", "-f", kubectl.manifest("bad-pv.yaml", """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: %s-bad}
                spec:
                  accessModes: [ReadWriteSometimes]
                  local: {path: /srv/x}
                """.formatted(namespace)).toString()).stderr();
        assertThat(noCapacity).contains("spec.capacity: Required value")
                .contains("spec.accessModes: Unsupported value: \"ReadWriteSometimes\"")
                .contains("spec.nodeAffinity: Required value");
        String badClaim = failing("-n", namespace, "apply", "-f", kubectl.manifest("bad-pvc.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: nothing}
                spec: {resources: {requests: {storage: "0"}}}
                """).toString()).stderr();
        assertThat(badClaim).contains("spec.accessModes: Required value: at least 1 access mode is required")
                .contains("spec.resources[storage]: Invalid value");
        String badClass = failing("apply", "-f", kubectl.manifest("bad-sc.yaml", """
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata: {name: %s-recycling}
                provisioner: example.com/disks
                reclaimPolicy: Recycle
                volumeBindingMode: Eventually
                """.formatted(namespace)).toString()).stderr();
        assertThat(badClass).contains("reclaimPolicy: Unsupported value: \"Recycle\"")
                .contains("volumeBindingMode: Unsupported value: \"Eventually\"");
    }

    @Test
    void aBoundClaimGrowsOnlyWhereItsClassAllowsAndNeverShrinks() {
        String growing = namespace + "-growing";
        String fixed = namespace + "-fixed";
        ok("apply", "-f", kubectl.manifest("classes.yaml", """
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata: {name: %s}
                provisioner: example.com/disks
                allowVolumeExpansion: true
                ---
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata: {name: %s}
                provisioner: example.com/disks
                """.formatted(growing, fixed)).toString());
        for (String name : new String[] {growing, fixed}) {
            in("apply", "-f", kubectl.manifest(name + ".yaml", """
                    apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata: {name: %s}
                    spec:
                      storageClassName: %s
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                    """.formatted(name, name)).toString());
        }
        // Unbound, a claim's spec is fixed.
        assertThat(failing("-n", namespace, "patch", "pvc", growing, "-p",
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}").stderr())
                .contains("spec is immutable after creation except resources.requests");
        // Binding sets the volume once (the persistent-volume controller's write).
        in("patch", "pvc", growing, "-p", "{\"spec\":{\"volumeName\":\"vol-a\"}}");
        in("patch", "pvc", fixed, "-p", "{\"spec\":{\"volumeName\":\"vol-b\"}}");

        in("patch", "pvc", growing, "-p", "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}");
        assertThat(in("get", "pvc", growing, "-o", "jsonpath={.spec.resources.requests.storage}").stdout())
                .isEqualTo("2Gi");
        assertThat(failing("-n", namespace, "patch", "pvc", fixed, "-p",
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}").stderr())
                .contains("Forbidden").contains("only dynamically provisioned pvc can be resized and the storageclass "
                        + "that provisions the pvc must support resize");
        assertThat(failing("-n", namespace, "patch", "pvc", growing, "-p",
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}").stderr())
                .contains("field can not be less than previous value");
        assertThat(failing("-n", namespace, "patch", "pvc", growing, "-p",
                "{\"spec\":{\"volumeName\":\"vol-c\"}}").stderr()).contains("spec is immutable after creation");
    }

    @Test
    void aLimitRangeAddedLaterHoldsNewClaimsButNotAnExistingClaimsStatusOrDeletion() {
        in("apply", "-f", kubectl.manifest("big.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: big}
                spec:
                  storageClassName: ""
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 5Gi}}
                """).toString());
        in("apply", "-f", kubectl.manifest("limits.yaml", """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: claims}
                spec:
                  limits:
                  - type: PersistentVolumeClaim
                    max: {storage: 1Gi}
                """).toString());

        assertThat(failing("-n", namespace, "create", "-f", kubectl.manifest("bigger.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: bigger}
                spec:
                  storageClassName: ""
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 5Gi}}
                """).toString()).stderr()).contains("Forbidden").contains("maximum storage usage per "
                + "PersistentVolumeClaim is 1Gi");
        // The persistent-volume controller's status write and the deletion mark are not the claim's admission.
        in("patch", "pvc", "big", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"phase\":\"Lost\"}}");
        in("delete", "pvc", "big", "--wait=false");
        assertThat(in("get", "pvc", "big").stdout()).containsPattern("big\\s+Terminating");
    }

    @Test
    void aStatefulSetIsDefaultedListedAndScaled() {
        assertThat(in("apply", "-f", kubectl.manifest("sts.yaml", STATEFUL_SET).toString()).stdout())
                .contains("statefulset.apps/db created");
        assertThat(in("get", "sts", "db", "-o", "jsonpath={.spec.podManagementPolicy} {.spec.updateStrategy.type} "
                + "{.spec.updateStrategy.rollingUpdate.partition} {.spec.revisionHistoryLimit} "
                + "{.spec.persistentVolumeClaimRetentionPolicy.whenDeleted} "
                + "{.spec.volumeClaimTemplates[0].kind} {.spec.volumeClaimTemplates[0].spec.volumeMode}").stdout())
                .isEqualTo("OrderedReady RollingUpdate 0 10 Retain PersistentVolumeClaim Filesystem");
        String table = in("get", "statefulsets").stdout();
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+READY\\s+AGE");
        assertThat(table).containsPattern("db\\s+0/3\\s+\\d+s");
        assertThat(in("get", "sts", "-o", "wide").stdout()).containsPattern("db\\s+0/3\\s+\\S+\\s+db\\s+postgres:17");
        assertThat(in("get", "all").stdout()).contains("statefulset.apps/db");

        assertThat(in("scale", "sts", "db", "--replicas=5").stdout()).contains("statefulset.apps/db scaled");
        assertThat(in("get", "sts", "db", "-o", "jsonpath={.spec.replicas}").stdout()).isEqualTo("5");
        assertThat(failing("-n", namespace, "patch", "sts", "db", "-p", "{\"spec\":{\"serviceName\":\"other\"}}")
                .stderr()).contains("updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                        + "'template', 'updateStrategy'");
        assertThat(failing("-n", namespace, "patch", "sts", "db", "--type=merge", "-p",
                "{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}").stderr())
                .contains("spec.updateStrategy.rollingUpdate").contains("only allowed for updateStrategy 'RollingUpdate'");
        in("patch", "sts", "db", "--type=merge", "-p",
                "{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}");
        assertThat(in("get", "sts", "db", "-o", "jsonpath={.spec.updateStrategy}").stdout())
                .isEqualTo("{\"type\":\"OnDelete\"}");
    }

    private Kubectl.Result ok(String... args) {
        return kubectl.ok(args);
    }

    private Kubectl.Result in(String... args) {
        return kubectl.okIn(namespace, args);
    }

    private Kubectl.Result failing(String... args) {
        return kubectl.failing(args);
    }
}
