package io.qube.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Persistent volumes on a real node: the control plane and one agent with the process runtime (as root), claims
 * and volumes made through the API, pods applied with the real kubectl, the volumes' files checked on the host.
 * Static volumes are pre-bound to their claims (the volume's claimRef), and the control plane's PV controller
 * completes the binding, as it does for the provisioner's volumes.
 */
class ProcessVolumesIT {

    private static final String NODE = "vol-0";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ProcessCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;
    private static PodLookups pods;
    private static Path work;
    private static Path state;

    @BeforeAll
    static void startNode() throws Exception {
        cluster = ProcessCluster.start(Map.of(), 1, "vol", new ProcessCluster.Network("qvol", "10.128."));
        client = cluster.client;
        kubectl = cluster.kubectl;
        pods = new PodLookups(client, "default");
        work = cluster.work();
        state = cluster.stateDir(NODE);
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aStaticLocalVolumeIsMountedWithSubPathsReadOnlyMountAndFsGroup() throws Exception {
        Path directory = Files.createDirectories(work.resolve("static-local"));
        bind(claim("static-data", c -> c), volume("static-local", v -> v.editSpec().withNewLocal()
                .withPath(directory.toString()).endLocal().withNewNodeAffinity().withNewRequired()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.io/hostname").withOperator("In")
                .withValues(NODE).endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                .endSpec()));
        kubectl.ok("apply", "-f", manifest("writer.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: writer}
                spec:
                  nodeName: vol-0
                  securityContext: {fsGroup: 3000}
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c]
                    args:
                    - |
                      echo hello > /mnt/data/hello
                      echo line > /mnt/logs/line
                      echo mine > /mnt/own/file
                      if touch /mnt/ro/attempt 2>/dev/null; then echo writable; else echo refused; fi > /mnt/data/ro
                      while true; do sleep 1; done
                    volumeMounts:
                    - {name: data, mountPath: /mnt/data}
                    - {name: data, mountPath: /mnt/logs, subPath: logs/app}
                    - {name: data-ro, mountPath: /mnt/ro}
                    - {name: data, mountPath: /mnt/own, subPathExpr: 'pods/$(POD_NAME)'}
                    env:
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                  volumes:
                  - {name: data, persistentVolumeClaim: {claimName: static-data}}
                  - {name: data-ro, persistentVolumeClaim: {claimName: static-data, readOnly: true}}
                """).toString());
        await().atMost(WAIT).until(() -> Files.exists(directory.resolve("ro")));
        assertThat(directory.resolve("hello")).hasContent("hello");
        assertThat(directory.resolve("logs/app/line")).hasContent("line");
        assertThat(directory.resolve("pods/writer/file")).hasContent("mine");
        assertThat(directory.resolve("ro")).hasContent("refused");
        assertThat(directory.resolve("attempt")).doesNotExist();
        // fsGroup: the volume's group, setgid so the container's new files have it too, group read and write.
        assertThat(gid(directory)).isEqualTo(3000);
        assertThat(mode(directory) & 02070).isEqualTo(02070);
        assertThat(gid(directory.resolve("hello"))).isEqualTo(3000);
        await().atMost(WAIT).until(() -> pods.condition("writer", "Ready"), "True"::equals);
    }

    @Test
    void aPodWaitsForItsClaimToBeBoundThenStarts() throws Exception {
        Path directory = Files.createDirectories(work.resolve("late-host"));
        kubectl.ok("apply", "-f", manifest("waiter.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: waiter}
                spec:
                  nodeName: vol-0
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'echo started > /mnt/late/started; while true; do sleep 1; done']
                    volumeMounts: [{name: late, mountPath: /mnt/late}]
                  volumes:
                  - {name: late, persistentVolumeClaim: {claimName: late}}
                """).toString());
        awaitFailedMount("waiter", "error processing PVC default/late: failed to fetch PVC from API server: "
                + "persistentvolumeclaims \"late\" not found");
        client.persistentVolumeClaims().inNamespace("default").resource(claim("late", c -> c)).create();
        awaitFailedMount("waiter", "error processing PVC default/late: PVC default/late has non-bound phase "
                + "(\"Pending\") or empty pvc.Spec.VolumeName (\"\")");
        assertThat(pods.phase("waiter")).isEqualTo("Pending");
        assertThat(pods.waitingReason("waiter", "main")).isEqualTo("ContainerCreating");
        assertThat(directory.resolve("started")).doesNotExist();

        bind(client.persistentVolumeClaims().inNamespace("default").withName("late").get(),
                volume("late-host", v -> v.editSpec().withNewHostPath().withPath(directory.toString())
                        .withType("Directory").endHostPath().endSpec()));
        await().atMost(WAIT).until(() -> Files.exists(directory.resolve("started")));
        await().atMost(WAIT).until(() -> pods.condition("waiter", "Ready"), "True"::equals);
    }

    @Test
    void theProvisionerMakesAVolumeForAClaimSelectedForItsNodeAndDeletesItOnceReleased() throws Exception {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace("default").resource(
                claim("dynamic", c -> c.editMetadata()
                        .addToAnnotations("volume.kubernetes.io/storage-provisioner", "qube.io/local-path")
                        .addToAnnotations("volume.kubernetes.io/selected-node", NODE).endMetadata()
                        .editSpec().withStorageClassName("local-path").endSpec())).create();
        String name = "pvc-" + claim.getMetadata().getUid();
        await().atMost(WAIT).until(() -> client.persistentVolumes().withName(name).get() != null);
        PersistentVolume volume = client.persistentVolumes().withName(name).get();
        Path directory = state.resolve("volumes").resolve(name);
        assertThat(directory).isDirectory();
        assertThat(volume.getMetadata().getAnnotations())
                .containsEntry("pv.kubernetes.io/provisioned-by", "qube.io/local-path");
        assertThat(volume.getSpec().getLocal().getPath()).isEqualTo(directory.toString());
        assertThat(volume.getSpec().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
        assertThat(volume.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(volume.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
        assertThat(volume.getSpec().getStorageClassName()).isEqualTo("local-path");
        assertThat(volume.getSpec().getClaimRef().getUid()).isEqualTo(claim.getMetadata().getUid());
        var term = volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0);
        assertThat(term.getMatchExpressions().get(0).getKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(term.getMatchExpressions().get(0).getValues()).containsExactly(NODE);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("default")
                .withField("involvedObject.name", "dynamic").list().getItems())
                .filteredOn(e -> "ProvisioningSucceeded".equals(e.getReason())).extracting(Event::getMessage)
                .containsExactly("Successfully provisioned volume " + name));
        Files.writeString(directory.resolve("data"), "written by a pod");

        await().atMost(WAIT).until(() -> phase(name), "Bound"::equals);

        // The claim goes (no pod uses it), the PV controller releases the volume, the agent deletes it.
        client.persistentVolumeClaims().inNamespace("default").withName("dynamic").delete();
        await().atMost(WAIT).until(() -> !Files.exists(directory, LinkOption.NOFOLLOW_LINKS));
        // Deleted: gone, or held only by its pv-protection finalizer until that controller lets it go.
        await().atMost(WAIT).until(() -> {
            PersistentVolume left = client.persistentVolumes().withName(name).get();
            return left == null || left.getMetadata().getDeletionTimestamp() != null;
        });
        assertThat(state.resolve("volumes")).isDirectory();
    }

    private static void awaitFailedMount(String pod, String reason) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods.events(pod))
                .filteredOn(e -> "FailedMount".equals(e.getReason())).extracting(Event::getMessage)
                .anySatisfy(message -> assertThat(message).startsWith("Unable to attach or mount volumes: ")
                        .endsWith(reason)));
    }

    /** Makes the claim (unless it exists) and the volume pre-bound to it; the PV controller binds the two. */
    private static void bind(PersistentVolumeClaim claim, PersistentVolume volume) {
        var claims = client.persistentVolumeClaims().inNamespace("default");
        PersistentVolumeClaim existing = claims.withName(claim.getMetadata().getName()).get();
        PersistentVolumeClaim created = existing != null ? existing : claims.resource(claim).create();
        client.persistentVolumes().resource(new PersistentVolumeBuilder(volume).editSpec().withNewClaimRef()
                .withNamespace("default").withName(created.getMetadata().getName())
                .withUid(created.getMetadata().getUid()).endClaimRef().endSpec().build()).create();
        await().atMost(WAIT).until(() -> {
            PersistentVolumeClaim bound = claims.withName(created.getMetadata().getName()).get();
            return bound.getStatus() != null && "Bound".equals(bound.getStatus().getPhase());
        });
    }

    private static String phase(String volume) {
        PersistentVolume found = client.persistentVolumes().withName(volume).get();
        return found == null || found.getStatus() == null ? null : found.getStatus().getPhase();
    }

    /** A 1Gi ReadWriteOnce claim of no class (so that no default class and no provisioner take it). */
    private static PersistentVolumeClaim claim(String name, UnaryOperator<PersistentVolumeClaimBuilder> change) {
        return change.apply(new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()).build();
    }

    private static PersistentVolume volume(String name, UnaryOperator<PersistentVolumeBuilder> change) {
        return change.apply(new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce")
                .withStorageClassName("").withPersistentVolumeReclaimPolicy("Retain").endSpec()).build();
    }

    private static Path manifest(String name, String yaml) throws Exception {
        return Files.writeString(work.resolve(name), yaml);
    }

    private static int gid(Path path) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path path) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }
}
