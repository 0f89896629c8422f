package io.qube.agent;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Storage and StatefulSets end to end on two cri nodes ({@link CriHosts}), driven with the real kubectl: the
 * default local-path class provisions a directory on the node the scheduler chose, the persistent-volume controller
 * binds it, the agent mounts it, and the StatefulSet controller keeps each ordinal on its own claim through
 * deletes, scaling and a partitioned rolling update.
 */
@ExtendWith(RegistryImagesExtension.class)
class StatefulStorageIT {

    private static final String BRIDGE = "qubestsbr0";
    private static final String ROOT_IP = "10.86.0.1";
    private static final Host A = new Host("sts-a", "qube-sts-a", "10.86.0.2", "10.87.1.0/24");
    private static final Host B = new Host("sts-b", "qube-sts-b", "10.86.0.3", "10.87.2.0/24");
    private static final String POD_BRIDGE = "qubests0";
    private static final Duration WAIT = CriHosts.WAIT;

    private static CriHosts cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static String busybox;

    @BeforeAll
    static void startTwoHosts(RegistryImages images) throws Exception {
        busybox = images.busybox();
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(A, B));
        client = cluster.client;
        kubectl = cluster.kubectl;
        pods = cluster.pods;
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aStatefulSetKeepsEachOrdinalsDataThroughDeletesScalingAndUpdates() throws Exception {
        Map<String, Boolean> ready = new ConcurrentHashMap<>();
        List<String> outOfOrder = new CopyOnWriteArrayList<>();
        // Events arrive in commit order: when a pod is added, its predecessor's readiness is what the API had then.
        try (Watch watch = client.pods().inNamespace("default").withLabel("app", "web").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                String name = pod.getMetadata().getName();
                int ordinal = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
                if (action == Action.ADDED && ordinal > 0 && !ready.getOrDefault("web-" + (ordinal - 1), false)) {
                    outOfOrder.add(name);
                }
                ready.put(name, action != Action.DELETED && isReady(pod));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            kubectl.ok("apply", "-f", cluster.manifest("web.yaml", statefulSet(3)).toString());
            kubectl.ok("rollout", "status", "sts/web", "--timeout=120s");
        }
        assertThat(outOfOrder).as("pods created before their predecessor was Ready").isEmpty();
        for (int ordinal = 0; ordinal < 3; ordinal++) {
            String claim = "data-web-" + ordinal;
            assertThat(pods.pod("web-" + ordinal).getSpec().getVolumes()).anySatisfy(volume ->
                    assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim));
            assertThat(written(claim)).as(claim).isEqualTo(ordinal + "\n");
        }
        assertThat(kubectl.ok("get", "pvc")).containsPattern("data-web-0\\s+Bound\\s+pvc-\\S+\\s+1Gi\\s+RWO\\s+local-path");

        // A deleted pod comes back under its name, on its claim, with its data.
        String oldUid = pods.pod("web-1").getMetadata().getUid();
        kubectl.ok("delete", "pod", "web-1");
        await().atMost(WAIT).until(() -> {
            Pod pod = pods.pod("web-1");
            return pod != null && !pod.getMetadata().getUid().equals(oldUid) && isReady(pod);
        });
        assertThat(written("data-web-1")).isEqualTo("1\n1\n");

        // Scaling down keeps the claims; scaling up again finds the data.
        kubectl.ok("scale", "sts", "web", "--replicas=1");
        await().atMost(WAIT).until(() -> pods.pod("web-1") == null && pods.pod("web-2") == null);
        assertThat(client.persistentVolumeClaims().inNamespace("default").withName("data-web-2").get()).isNotNull();
        kubectl.ok("scale", "sts", "web", "--replicas=3");
        kubectl.ok("rollout", "status", "sts/web", "--timeout=120s");
        assertThat(written("data-web-1")).isEqualTo("1\n1\n1\n");
        assertThat(written("data-web-2")).isEqualTo("2\n2\n");

        // A partitioned rolling update replaces only the ordinals at or above the partition.
        Map<String, String> uids = Map.of("web-0", pods.pod("web-0").getMetadata().getUid(),
                "web-1", pods.pod("web-1").getMetadata().getUid());
        kubectl.ok("patch", "sts", "web", "--type=merge", "-p", "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":"
                + "{\"partition\":2}},\"template\":{\"metadata\":{\"annotations\":{\"revision\":\"two\"}}}}}");
        await().atMost(WAIT).untilAsserted(() -> {
            StatefulSet set = client.apps().statefulSets().inNamespace("default").withName("web").get();
            assertThat(set.getStatus().getUpdateRevision()).isNotEqualTo(set.getStatus().getCurrentRevision());
            assertThat(set.getStatus().getUpdatedReplicas()).isEqualTo(1);
            assertThat(set.getStatus().getReadyReplicas()).isEqualTo(3);
            Pod updated = pods.pod("web-2");
            assertThat(updated.getMetadata().getLabels())
                    .containsEntry("controller-revision-hash", set.getStatus().getUpdateRevision());
            for (String name : List.of("web-0", "web-1")) {
                assertThat(pods.pod(name).getMetadata().getLabels())
                        .containsEntry("controller-revision-hash", set.getStatus().getCurrentRevision());
            }
        });
        uids.forEach((name, uid) -> assertThat(pods.pod(name).getMetadata().getUid()).as(name).isEqualTo(uid));
        assertThat(written("data-web-2")).isEqualTo("2\n2\n2\n");

        // Deleting the set keeps its claims (Retain); deleting a claim deletes its volume and its directory.
        kubectl.ok("delete", "sts", "web");
        await().atMost(WAIT).until(() -> client.pods().inNamespace("default").withLabel("app", "web").list()
                .getItems().isEmpty());
        assertThat(client.persistentVolumeClaims().inNamespace("default").withLabel("app", "web").list().getItems())
                .extracting(claim -> claim.getMetadata().getName())
                .containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
        PersistentVolume volume = volumeOf("data-web-2");
        Path directory = Path.of(volume.getSpec().getLocal().getPath());
        assertThat(directory).isDirectory();
        kubectl.ok("delete", "pvc", "data-web-2");
        await().atMost(WAIT).until(() -> client.persistentVolumes().withName(volume.getMetadata().getName()).get()
                == null);
        assertThat(directory).doesNotExist();
    }

    @Test
    void aWaitForFirstConsumerVolumeIsMadeOnThePodsNodeAndKeepsItsPodsThere() throws Exception {
        kubectl.ok("apply", "-f", cluster.manifest("pinned.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: pinned}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 64Mi}}
                """ + "---\n" + claimPod("first", "pinned", "nodeSelector: {kubernetes.io/hostname: " + B.node() + "}")
                ).toString());
        await().atMost(WAIT).until(() -> pods.condition("first", "Ready"), "True"::equals);

        assertThat(pods.pod("first").getSpec().getNodeName()).isEqualTo(B.node());
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace("default").withName("pinned").get();
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("volume.kubernetes.io/selected-node", B.node());
        PersistentVolume volume = volumeOf("pinned");
        assertThat(volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms()).singleElement()
                .satisfies(term -> assertThat(term.getMatchExpressions()).singleElement().satisfies(expression -> {
                    assertThat(expression.getKey()).isEqualTo("kubernetes.io/hostname");
                    assertThat(expression.getValues()).containsExactly(B.node());
                }));
        assertThat(Path.of(volume.getSpec().getLocal().getPath())).startsWith(cluster.work.resolve(B.node()));
        assertThat(cluster.work.resolve(A.node()).resolve("volumes").resolve(volume.getMetadata().getName()))
                .doesNotExist();

        // A second pod of the claim that would rather run on A still goes where its volume is.
        kubectl.ok("apply", "-f", cluster.manifest("second.yaml", claimPod("second", "pinned", """
                affinity:
                    nodeAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 100
                        preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [%s]}]}
                """.formatted(A.node()))).toString());
        await().atMost(WAIT).until(() -> pods.condition("second", "Ready"), "True"::equals);
        assertThat(pods.pod("second").getSpec().getNodeName()).isEqualTo(B.node());
        assertThat(written("pinned")).isEqualTo("first\nsecond\n");

        // One that must run on A never does.
        kubectl.ok("apply", "-f", cluster.manifest("third.yaml", claimPod("third", "pinned",
                "nodeSelector: {kubernetes.io/hostname: " + A.node() + "}")).toString());
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("third")).anySatisfy(event -> {
            assertThat(event.getReason()).isEqualTo("FailedScheduling");
            assertThat(event.getMessage()).contains("volume node affinity conflict");
        }));
        assertThat(pods.pod("third").getSpec().getNodeName()).isNull();
        kubectl.ok("delete", "pod", "first", "second", "third");
        kubectl.ok("delete", "pvc", "pinned");
    }

    @Test
    void aPodWithAnUnboundClaimStaysPendingWithTheReasonThenStartsOnceItBinds() throws Exception {
        kubectl.ok("apply", "-f", cluster.manifest("waiting.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: manual}
                spec:
                  storageClassName: manual
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                """ + "---\n" + claimPod("waiting", "manual", "")).toString());

        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events("waiting")).anySatisfy(event -> {
            assertThat(event.getReason()).isEqualTo("FailedScheduling");
            assertThat(event.getMessage()).contains("pod has unbound immediate PersistentVolumeClaims");
        }));
        assertThat(pods.phase("waiting")).isEqualTo("Pending");
        // No class of that name to provision from, as the persistent-volume controller reports it.
        assertThat(kubectl.ok("describe", "pvc", "manual")).contains("ProvisioningFailed")
                .contains("storageclass.storage.k8s.io \"manual\" not found");

        Path disk = Files.createDirectories(cluster.work.resolve("manual-disk"));
        kubectl.ok("apply", "-f", cluster.manifest("manual-pv.yaml", """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: manual-disk}
                spec:
                  storageClassName: manual
                  capacity: {storage: 2Gi}
                  accessModes: [ReadWriteOnce]
                  hostPath: {path: %s, type: Directory}
                """.formatted(disk)).toString());
        await().atMost(WAIT).until(() -> pods.condition("waiting", "Ready"), "True"::equals);
        assertThat(Files.readString(disk.resolve("written"))).isEqualTo("waiting\n");
        assertThat(kubectl.ok("get", "pv", "manual-disk")).containsPattern(
                "manual-disk\\s+2Gi\\s+RWO\\s+Retain\\s+Bound\\s+default/manual\\s+manual");
        kubectl.ok("delete", "pod", "waiting");
        kubectl.ok("delete", "pvc", "manual");
        await().atMost(WAIT).until(() -> "Released".equals(client.persistentVolumes().withName("manual-disk").get()
                .getStatus().getPhase()));
        assertThat(disk.resolve("written")).exists(); // Retain: the data stays for the administrator
        kubectl.ok("delete", "pv", "manual-disk");
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** What the pods of a claim wrote into its volume, read on the node's disk. */
    private static String written(String claim) throws Exception {
        return Files.readString(Path.of(volumeOf(claim).getSpec().getLocal().getPath()).resolve("written"));
    }

    private static PersistentVolume volumeOf(String claim) {
        String volume = client.persistentVolumeClaims().inNamespace("default").withName(claim).get().getSpec()
                .getVolumeName();
        return client.persistentVolumes().withName(volume).get();
    }

    /** Each pod appends its ordinal to its volume's file when it starts, then waits to be stopped. */
    private static String statefulSet(int replicas) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  clusterIP: None
                  selector: {app: web}
                  ports: [{name: http, port: 8080}]
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  serviceName: web
                  replicas: %d
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 5
                      containers:
                      - name: main
                        image: %s
                        command: [sh, -c, 'echo ${HOSTNAME##*-} >> /data/written; trap "exit 0" TERM; sleep 3600 & wait']
                        volumeMounts: [{name: data, mountPath: /data}]
                  volumeClaimTemplates:
                  - metadata: {name: data, labels: {app: web}}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                """.formatted(replicas, busybox);
    }

    /** A pod that appends its name to its claim's volume, then waits; {@code extra} goes into its spec. */
    private static String claimPod(String name, String claim, String extra) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  terminationGracePeriodSeconds: 5
                  %s
                  containers:
                  - name: main
                    image: %s
                    command: [sh, -c, 'echo %s >> /data/written; trap "exit 0" TERM; sleep 3600 & wait']
                    volumeMounts: [{name: data, mountPath: /data}]
                  volumes:
                  - name: data
                    persistentVolumeClaim: {claimName: %s}
                """.formatted(name, extra, busybox, name, claim);
    }
}
