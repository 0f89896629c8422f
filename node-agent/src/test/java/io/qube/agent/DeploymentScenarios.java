package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deployments as a user drives them with the real kubectl, end to end: the packaged control plane (scheduler,
 * Deployment and ReplicaSet controllers) and the nodes of the subclass's {@link Cluster}, whose pods become Running
 * and Ready. Create, rollout status, set image, rollout history, undo, restart, pause and resume, scale, a deleted
 * pod replaced, Recreate, a rolling update that keeps within maxSurge and maxUnavailable at every step, an exceeded
 * progress deadline, and each deletion propagation policy. The pods run {@code sleep}, which a process-runtime node
 * runs from its own file system and a simulated node ignores.
 */
abstract class DeploymentScenarios extends ClusterScenarios {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Test
    void kubectlRolloutsReadAsOnKubernetes() throws Exception {
        kubectl.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--", "sleep", "3600");
        assertThat(rolloutStatus("web")).contains("deployment \"web\" successfully rolled out");
        assertThat(readyPods("web")).hasSize(3);
        assertThat(kubectl.ok("get", "deployment", "web")).containsPattern("web\\s+3/3\\s+3\\s+3");

        kubectl.ok("annotate", "deployment/web", "kubernetes.io/change-cause=to nginx 1.28");
        kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.28");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(images("web")).containsOnly("nginx:1.28");
        String history = kubectl.ok("rollout", "history", "deployment/web");
        assertThat(history).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s+to nginx 1.28");
        assertThat(kubectl.ok("rollout", "history", "deployment/web", "--revision=1")).contains("nginx:1.27");

        kubectl.ok("rollout", "undo", "deployment/web");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(images("web")).containsOnly("nginx:1.27");
        // The old ReplicaSet came back under revision 3: still two ReplicaSets.
        assertThat(replicaSets("web")).hasSize(2);
        assertThat(deployment("web").getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision", "3");

        kubectl.ok("rollout", "restart", "deployment/web");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(replicaSets("web")).hasSize(3);

        kubectl.ok("rollout", "pause", "deployment/web");
        kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.29");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(replicaSets("web")).hasSize(3));
        assertThat(kubectl.ok("rollout", "status", "deployment/web", "--watch=false"))
                .contains("Waiting for deployment \"web\" rollout to finish");
        kubectl.ok("rollout", "resume", "deployment/web");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(images("web")).containsOnly("nginx:1.29");

        kubectl.ok("scale", "deployment/web", "--replicas=5");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(readyPods("web")).hasSize(5);

        String describe = kubectl.ok("describe", "deployment", "web");
        assertThat(describe).contains("NewReplicaSetAvailable").containsPattern("Scaled up replica set web-\\w+ from");
    }

    @Test
    void aDeletedPodIsReplacedAndRecreateStopsOldPodsFirst() throws Exception {
        kubectl.ok("create", "deployment", "api", "--image=nginx:1.27", "--replicas=2", "--", "sleep", "3600");
        assertThat(rolloutStatus("api")).contains("successfully rolled out");
        String gone = readyPods("api").get(0).getMetadata().getName();

        kubectl.ok("delete", "pod", gone, "--wait=false");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(readyPods("api")).hasSize(2)
                .noneMatch(pod -> pod.getMetadata().getName().equals(gone)));

        kubectl.ok("patch", "deployment", "api", "--type=merge", "-p",
                "{\"spec\":{\"strategy\":{\"type\":\"Recreate\",\"rollingUpdate\":null}}}");
        kubectl.ok("set", "image", "deployment/api", "nginx=nginx:1.28");
        assertThat(rolloutStatus("api")).contains("successfully rolled out");
        assertThat(images("api")).containsOnly("nginx:1.28");
    }

    /**
     * Rolling update's promise, checked at every pod event of the rollout as the API orders them: at least
     * replicas - maxUnavailable pods Ready, at most replicas + maxSurge pods not being deleted.
     */
    @Test
    void aRollingUpdateKeepsWithinMaxSurgeAndMaxUnavailableAtEveryStep() throws Exception {
        int replicas = 4;
        int maxSurge = 1;
        int maxUnavailable = 1;
        apply("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: steady}
                spec:
                  replicas: %d
                  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: %d, maxUnavailable: %d}}
                  selector: {matchLabels: {app: steady}}
                  template:
                    metadata: {labels: {app: steady}}
                    spec:
                      terminationGracePeriodSeconds: 5
                      containers: [{name: main, image: "nginx:1.27", command: [sleep, "3600"]}]
                """.formatted(replicas, maxSurge, maxUnavailable));
        assertThat(rolloutStatus("steady")).contains("successfully rolled out");

        Map<String, Pod> pods = new ConcurrentHashMap<>();
        var listed = client.pods().inNamespace(NAMESPACE).withLabel("app", "steady").list();
        listed.getItems().forEach(pod -> pods.put(pod.getMetadata().getUid(), pod));
        List<String> violations = new CopyOnWriteArrayList<>();
        List<String> steps = new CopyOnWriteArrayList<>();
        Watcher<Pod> checker = new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.DELETED) {
                    pods.remove(pod.getMetadata().getUid());
                } else {
                    pods.put(pod.getMetadata().getUid(), pod);
                }
                long ready = pods.values().stream().filter(Cluster::ready).count();
                long total = pods.values().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                        .count();
                String step = action + " " + pod.getMetadata().getName() + ": ready " + ready + ", total " + total;
                steps.add(step);
                if (ready < replicas - maxUnavailable || total > replicas + maxSurge) {
                    violations.add(step);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                violations.add("the watch ended: " + cause);
            }
        };
        // From the list's version, so that the watch continues exactly the state listed.
        try (Watch watch = client.pods().inNamespace(NAMESPACE).watch(new ListOptionsBuilder()
                .withLabelSelector("app=steady").withResourceVersion(listed.getMetadata().getResourceVersion())
                .build(), checker)) {
            kubectl.ok("set", "image", "deployment/steady", "main=nginx:1.28");
            assertThat(rolloutStatus("steady")).contains("successfully rolled out");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods.values()).hasSize(replicas)
                    .allMatch(pod -> pod.getSpec().getContainers().get(0).getImage().equals("nginx:1.28")));
        }
        assertThat(violations).as("steps: %s", steps).isEmpty();
        // Every old pod went and every new one came while watched: at least 2 × replicas changes.
        assertThat(steps).hasSizeGreaterThanOrEqualTo(2 * replicas);
        assertThat(readyPods("steady")).hasSize(replicas);
    }

    @Test
    void kubectlRolloutStatusReportsAnExceededProgressDeadline() throws Exception {
        // Its pods can go nowhere, so the rollout never progresses.
        client.apps().deployments().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("stuck").endMetadata().withNewSpec().withReplicas(1)
                .withProgressDeadlineSeconds(3).withNewSelector().addToMatchLabels("app", "stuck").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "stuck").endMetadata().withNewSpec()
                .addToNodeSelector("no-such-label", "anywhere").addNewContainer().withName("nginx")
                .withImage("nginx:1.27").withCommand("sleep", "3600").endContainer().endSpec().endTemplate().endSpec()
                .build()).create();

        Kubectl.Result status = kubectl.run("rollout", "status", "deployment/stuck", "--timeout=50s");

        assertThat(status.exitCode()).isNotZero();
        assertThat(status.out()).contains("deployment \"stuck\" exceeded its progress deadline");
        kubectl.ok("delete", "deployment", "stuck");
    }

    @Test
    void kubectlDeleteCascadesUnlessOrphaned() throws Exception {
        kubectl.ok("create", "deployment", "gone", "--image=nginx:1.27", "--replicas=2", "--", "sleep", "3600");
        kubectl.ok("create", "deployment", "kept", "--image=nginx:1.27", "--replicas=2", "--", "sleep", "3600");
        assertThat(rolloutStatus("gone")).contains("successfully rolled out");
        assertThat(rolloutStatus("kept")).contains("successfully rolled out");

        // kubectl waits for the Deployment itself to go; the collector takes its ReplicaSet and pods after it.
        kubectl.ok("delete", "deployment", "gone", "--timeout=60s");
        kubectl.ok("delete", "deployment", "kept", "--cascade=orphan");

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(NAMESPACE).withLabel("app", "gone").list().getItems()).isEmpty();
            assertThat(client.apps().replicaSets().inNamespace(NAMESPACE).withLabel("app", "gone").list()
                    .getItems()).isEmpty();
        });
        assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("kept").get()).isNull();
        List<ReplicaSet> orphans = client.apps().replicaSets().inNamespace(NAMESPACE).withLabel("app", "kept").list()
                .getItems();
        assertThat(orphans).hasSize(1);
        assertThat(orphans.get(0).getMetadata().getOwnerReferences()).isEmpty();
        assertThat(readyPods("kept")).hasSize(2);
        kubectl.ok("delete", "replicaset", "-l", "app=kept", "--cascade=foreground", "--timeout=60s");
        assertThat(client.pods().inNamespace(NAMESPACE).withLabel("app", "kept").list().getItems()).isEmpty();
    }

    private String rolloutStatus(String name) throws Exception {
        return kubectl.ok("rollout", "status", "deployment/" + name, "--timeout=80s");
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
    }

    private List<ReplicaSet> replicaSets(String name) {
        String uid = deployment(name).getMetadata().getUid();
        return client.apps().replicaSets().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(set -> set.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
                .toList();
    }

    private List<Pod> readyPods(String app) {
        return cluster.readyPods(NAMESPACE, app);
    }

    /** The images of the app's pods that are not being deleted. */
    private List<String> images(String app) {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .map(pod -> pod.getSpec().getContainers().get(0).getImage()).distinct().toList();
    }
}
