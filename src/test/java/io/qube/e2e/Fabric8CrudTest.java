package io.qube.e2e;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Create, get, list by label, edit, update and delete of every kind Qube serves, through the fabric8 client, with
 * realistic objects; each create is checked for the defaults a real cluster fills in.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class Fabric8CrudTest extends Fabric8ServerTest {

    private static final String NS = "f8-crud";

    @BeforeEach
    void createNamespace() {
        Fabric8Clients.ensureNamespace(client, NS);
    }

    @Test
    void namespaces() {
        Namespace namespace = new NamespaceBuilder().withNewMetadata().withName("f8-team-a")
                .addToAnnotations("owner", "team-a").endMetadata().build();
        crud(client.namespaces(), namespace, created -> {
            assertThat(created.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name", "f8-team-a");
            assertThat(created.getSpec().getFinalizers()).containsExactly("kubernetes");
            assertThat(created.getStatus().getPhase()).isEqualTo("Active");
        }, edit -> {
            edit.getMetadata().getAnnotations().put("owner", "team-b");
            return edit;
        }, edited -> assertThat(edited.getMetadata().getAnnotations()).containsEntry("owner", "team-b"));
    }

    @Test
    void nodes() {
        Node node = new NodeBuilder().withNewMetadata().withName("f8-worker-1")
                .addToLabels("kubernetes.io/hostname", "f8-worker-1").addToLabels("kubernetes.io/os", "linux").endMetadata()
                .withNewSpec().withPodCIDR("10.244.7.0/24").endSpec()
                .withNewStatus()
                .addToCapacity("cpu", new Quantity("4")).addToCapacity("memory", new Quantity("8Gi"))
                .addToCapacity("pods", new Quantity("110"))
                .addNewAddress().withType("InternalIP").withAddress("192.168.10.7").endAddress()
                .addNewAddress().withType("Hostname").withAddress("f8-worker-1").endAddress()
                .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux").withKubeletVersion("v1.32.0")
                .withContainerRuntimeVersion("runc://1.1.5").withOsImage("Debian GNU/Linux 12").withKernelVersion("6.1.0")
                .withKubeProxyVersion("v1.32.0").withMachineID("m").withSystemUUID("s").withBootID("b").endNodeInfo()
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("kubelet is posting ready status").withLastHeartbeatTime("2025-01-01T00:00:00Z")
                .withLastTransitionTime("2025-01-01T00:00:00Z").endCondition()
                .endStatus().build();
        crud(client.nodes(), node, created -> {
            assertThat(created.getSpec().getPodCIDRs()).containsExactly("10.244.7.0/24");
            // A node reports its status on create (kubelets do), and can allocate all of its capacity.
            assertThat(created.getStatus().getAllocatable()).isEqualTo(Map.of("cpu", new Quantity("4"),
                    "memory", new Quantity("8Gi"), "pods", new Quantity("110")));
            assertThat(created.getStatus().getConditions()).extracting("type", "status")
                    .containsExactly(tuple("Ready", "True"));
            assertThat(created.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.32.0");
        }, edit -> {
            edit.getSpec().setUnschedulable(true);
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getUnschedulable()).isTrue();
            assertThat(edited.getSpec().getPodCIDR()).isEqualTo("10.244.7.0/24");
        });
    }

    @Test
    void pods() {
        Pod pod = new PodBuilder().withNewMetadata().withName("web").addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx:1.27")
                .addNewPort().withName("http").withContainerPort(80).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPort(new IntOrString(80)).endHttpGet().endReadinessProbe()
                .endContainer().endSpec().build();
        crud(client.pods().inNamespace(NS), pod, created -> {
            PodSpec spec = created.getSpec();
            assertThat(spec.getRestartPolicy()).isEqualTo("Always");
            assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
            assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
            assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
            assertThat(spec.getServiceAccountName()).isEqualTo("default");
            assertThat(spec.getEnableServiceLinks()).isTrue();
            assertThat(spec.getPriority()).isZero();
            assertThat(spec.getSecurityContext()).isNotNull();
            assertThat(spec.getTolerations()).extracting(Toleration::getKey, Toleration::getOperator,
                            Toleration::getEffect, Toleration::getTolerationSeconds)
                    .containsExactly(tuple("node.kubernetes.io/not-ready", "Exists", "NoExecute", 300L),
                            tuple("node.kubernetes.io/unreachable", "Exists", "NoExecute", 300L));
            Container nginx = spec.getContainers().get(0);
            assertThat(nginx.getImagePullPolicy()).isEqualTo("IfNotPresent");
            assertThat(nginx.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
            assertThat(nginx.getTerminationMessagePolicy()).isEqualTo("File");
            assertThat(nginx.getPorts().get(0).getProtocol()).isEqualTo("TCP");
            assertThat(nginx.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/");
            assertThat(nginx.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
            assertThat(nginx.getReadinessProbe().getPeriodSeconds()).isEqualTo(10);
            assertThat(nginx.getReadinessProbe().getTimeoutSeconds()).isEqualTo(1);
            assertThat(nginx.getReadinessProbe().getFailureThreshold()).isEqualTo(3);
            assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(created.getStatus().getQosClass()).isEqualTo("BestEffort");
        }, edit -> {
            // A pod's spec is mostly immutable; its containers' images are not.
            edit.getSpec().getContainers().get(0).setImage("nginx:1.28");
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.28");
            assertThat(edited.getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
        });
    }

    /**
     * Kubernetes stores and serves every resource quantity in its canonical form (Quantity.String): "0.5" CPU is
     * "500m", "1024Mi" is "1Gi", "2000M" is "2G". Clients comparing what they sent with what they read rely on it.
     */
    @Test
    void resourceQuantitiesComeBackInCanonicalForm() {
        Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("sized")
                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("nginx:1.27")
                .withNewResources()
                .addToLimits("cpu", new Quantity("0.5")).addToLimits("memory", new Quantity("1024Mi"))
                .addToRequests("cpu", new Quantity("250m")).addToRequests("ephemeral-storage", new Quantity("2000M"))
                .endResources().endContainer().endSpec().build()).create();

        var resources = pod.getSpec().getContainers().get(0).getResources();
        assertThat(texts(resources.getLimits())).isEqualTo(Map.of("cpu", "500m", "memory", "1Gi"));
        // A limit without a request is also the request.
        assertThat(texts(resources.getRequests()))
                .isEqualTo(Map.of("cpu", "250m", "memory", "1Gi", "ephemeral-storage", "2G"));
        assertThat(pod.getStatus().getQosClass()).isEqualTo("Burstable");
        assertThat(rawGet("/api/v1/namespaces/" + NS + "/pods/sized"))
                .contains("\"limits\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}");
        client.pods().inNamespace(NS).withName("sized").delete();
    }

    @Test
    void aBindingAssignsAPodToANodeOnce() {
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("to-bind").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("busybox:1.36").withCommand("sleep", "3600")
                .endContainer().endSpec().build()).create();
        Binding binding = new BindingBuilder().withNewMetadata().withName("to-bind").endMetadata()
                .withTarget(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName("worker-2")
                        .build()).build();

        client.bindings().inNamespace(NS).resource(binding).create();

        Pod bound = client.pods().inNamespace(NS).withName("to-bind").get();
        assertThat(bound.getSpec().getNodeName()).isEqualTo("worker-2");
        binding.getTarget().setName("worker-3");
        assertThatThrownBy(() -> client.bindings().inNamespace(NS).resource(binding).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                });
        assertThat(client.pods().inNamespace(NS).withName("to-bind").get().getSpec().getNodeName())
                .isEqualTo("worker-2");

        // A pod on a node winds down for its grace period; zero removes it at once.
        client.pods().inNamespace(NS).withName("to-bind").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.pods().inNamespace(NS).withName("to-bind").get() == null);
    }

    @Test
    void aPodOnANodeWindsDownForItsGracePeriodWhichALaterDeleteMayShorten() {
        var pods = client.pods().inNamespace(NS);
        pods.resource(new PodBuilder().withNewMetadata().withName("winding").endMetadata().withNewSpec()
                .withNodeName("worker-1").withTerminationGracePeriodSeconds(60L).addNewContainer().withName("app")
                .withImage("nginx:1.27").endContainer().endSpec().build()).create();

        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertThat(pods.withName("winding").delete()).extracting(StatusDetails::getName).containsExactly("winding");
        Pod terminating = pods.withName("winding").get();
        assertThat(terminating).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(60L);
        // deletionTimestamp is when the pod is due to be gone: the delete's time plus the grace period.
        Instant due = Instant.parse(terminating.getMetadata().getDeletionTimestamp());
        assertThat(due).isBetween(before.plusSeconds(60), Instant.now().plusSeconds(60));

        // Deleting again may not lengthen the grace period...
        pods.withName("winding").withGracePeriod(90).delete();
        assertThat(pods.withName("winding").get()).isEqualTo(terminating);
        // ...but may shorten it: the due time moves earlier by the difference.
        pods.withName("winding").withGracePeriod(20).delete();
        Pod shortened = pods.withName("winding").get();
        assertThat(shortened.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(20L);
        assertThat(Instant.parse(shortened.getMetadata().getDeletionTimestamp())).isEqualTo(due.minusSeconds(40));
        // Zero removes it now (kubectl delete --grace-period=0 --force).
        pods.withName("winding").withGracePeriod(0).delete();
        assertThat(pods.withName("winding").get()).isNull();
    }

    @Test
    void aPodThatFinishedIsRemovedAtOnceEvenOnANode() {
        var pods = client.pods().inNamespace(NS);
        pods.resource(new PodBuilder().withNewMetadata().withName("finished").endMetadata().withNewSpec()
                .withNodeName("worker-1").withRestartPolicy("Never").addNewContainer().withName("job")
                .withImage("busybox:1.36").withCommand("true").endContainer().endSpec().build()).create();
        pods.withName("finished").editStatus(p -> {
            p.getStatus().setPhase("Succeeded");
            return p;
        });

        pods.withName("finished").delete();

        assertThat(pods.withName("finished").get()).isNull();
    }

    @Test
    void services() {
        Service service = new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web")
                .addNewPort().withName("http").withPort(80).endPort().endSpec().build();
        crud(client.services().inNamespace(NS), service, created -> {
            String clusterIp = created.getSpec().getClusterIP();
            assertThat(clusterIp).matches("10\\.(9[6-9]|10[0-9]|11[01])\\.\\d{1,3}\\.\\d{1,3}");
            assertThat(created.getSpec().getClusterIPs()).containsExactly(clusterIp);
            assertThat(created.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(created.getSpec().getSessionAffinity()).isEqualTo("None");
            assertThat(created.getSpec().getIpFamilies()).containsExactly("IPv4");
            assertThat(created.getSpec().getIpFamilyPolicy()).isEqualTo("SingleStack");
            assertThat(created.getSpec().getInternalTrafficPolicy()).isEqualTo("Cluster");
            assertThat(created.getSpec().getPorts().get(0).getProtocol()).isEqualTo("TCP");
            assertThat(created.getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString(80));
            assertThat(created.getSpec().getPorts().get(0).getNodePort()).isNull();
            assertThat(created.getStatus().getLoadBalancer()).isNotNull();
        }, edit -> {
            edit.getSpec().setType("NodePort");
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getType()).isEqualTo("NodePort");
            assertThat(edited.getSpec().getPorts().get(0).getNodePort()).isBetween(30000, 32767);
            assertThat(edited.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
        });
    }

    @Test
    void endpoints() {
        Endpoints endpoints = new EndpointsBuilder().withNewMetadata().withName("web").endMetadata()
                .addNewSubset().addNewAddress().withIp("10.244.1.5").withNewTargetRef().withKind("Pod")
                .withName("web-1").withNamespace(NS).endTargetRef().endAddress()
                .addNewPort().withName("http").withPort(8080).endPort().endSubset().build();
        crud(client.endpoints().inNamespace(NS), endpoints, created -> {
            assertThat(created.getSubsets().get(0).getPorts().get(0).getProtocol()).isEqualTo("TCP");
            assertThat(created.getSubsets().get(0).getAddresses().get(0).getTargetRef().getName()).isEqualTo("web-1");
        }, edit -> {
            edit.getSubsets().get(0).getAddresses().add(new io.fabric8.kubernetes.api.model.EndpointAddressBuilder()
                    .withIp("10.244.2.9").build());
            return edit;
        }, edited -> assertThat(edited.getSubsets().get(0).getAddresses()).extracting("ip")
                .containsExactly("10.244.1.5", "10.244.2.9"));
    }

    @Test
    void configMaps() {
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .addToData("mode", "fast").addToData("app.properties", "threads=4\nqueue=64\n")
                .addToBinaryData("logo.bin", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255}))
                .build();
        crud(client.configMaps().inNamespace(NS), configMap, created -> {
            assertThat(created.getData()).isEqualTo(Map.of("mode", "fast", "app.properties", "threads=4\nqueue=64\n"));
            assertThat(Base64.getDecoder().decode(created.getBinaryData().get("logo.bin")))
                    .containsExactly(0, 1, 2, 255);
            assertThat(created.getImmutable()).isNull();
        }, edit -> {
            edit.getData().put("mode", "safe");
            edit.getData().remove("app.properties");
            return edit;
        }, edited -> assertThat(edited.getData()).isEqualTo(Map.of("mode", "safe")));
    }

    @Test
    void secrets() {
        Secret secret = new SecretBuilder().withNewMetadata().withName("creds").endMetadata()
                .addToData("user", base64("admin")).addToStringData("password", "s3cr3t").build();
        crud(client.secrets().inNamespace(NS), secret, created -> {
            assertThat(created.getType()).isEqualTo("Opaque");
            // stringData is write-only: folded into data, never stored or shown.
            assertThat(created.getStringData()).isNullOrEmpty();
            assertThat(rawGet("/api/v1/namespaces/" + NS + "/secrets/creds")).contains("\"password\"")
                    .doesNotContain("stringData").doesNotContain("s3cr3t");
            assertThat(created.getData()).isEqualTo(Map.of("user", base64("admin"), "password", base64("s3cr3t")));
        }, edit -> {
            edit.getData().put("token", base64("abc"));
            return edit;
        }, edited -> assertThat(edited.getData()).containsEntry("token", base64("abc")).hasSize(3));
    }

    @Test
    void serviceAccounts() {
        ServiceAccount account = new ServiceAccountBuilder().withNewMetadata().withName("builder").endMetadata()
                .addNewImagePullSecret("registry-creds").build();
        crud(client.serviceAccounts().inNamespace(NS), account, created -> {
            assertThat(created.getImagePullSecrets()).containsExactly(new LocalObjectReference("registry-creds"));
            // Kubernetes no longer generates token secrets for service accounts.
            assertThat(created.getSecrets()).isNullOrEmpty();
        }, edit -> {
            edit.setAutomountServiceAccountToken(false);
            return edit;
        }, edited -> assertThat(edited.getAutomountServiceAccountToken()).isFalse());
    }

    @Test
    void events() {
        Event event = new EventBuilder().withNewMetadata().withName("web.17f3a").endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(NS).withName("web")
                .endInvolvedObject()
                .withReason("Scheduled").withMessage("Successfully assigned f8-crud/web to worker-1").withType("Normal")
                .withNewSource().withComponent("default-scheduler").endSource()
                .withFirstTimestamp("2025-01-01T00:00:00Z").withLastTimestamp("2025-01-01T00:00:00Z").withCount(1)
                .build();
        crud(client.v1().events().inNamespace(NS), event, stored -> {
            assertThat(stored.getInvolvedObject().getName()).isEqualTo("web");
            assertThat(stored.getFirstTimestamp()).isEqualTo("2025-01-01T00:00:00Z");
            assertThat(stored.getCount()).isEqualTo(1);
        }, edit -> {
            edit.setCount(2);
            edit.setLastTimestamp("2025-01-01T00:05:00Z");
            return edit;
        }, edited -> {
            assertThat(edited.getCount()).isEqualTo(2);
            assertThat(edited.getLastTimestamp()).isEqualTo("2025-01-01T00:05:00Z");
        });
    }

    @Test
    void eventsSelectedByTheirInvolvedObject() {
        for (String pod : List.of("api", "db")) {
            client.v1().events().inNamespace(NS).resource(new EventBuilder().withNewMetadata().withName(pod + ".e1")
                    .endMetadata().withNewInvolvedObject().withKind("Pod").withNamespace(NS).withName(pod)
                    .endInvolvedObject().withReason("Pulled").withMessage("pulled").withType("Normal")
                    .withNewSource().withComponent("kubelet").endSource().build()).create();
        }
        List<Event> about = client.v1().events().inNamespace(NS).withInvolvedObject(new ObjectReferenceBuilder()
                .withKind("Pod").withNamespace(NS).withName("db").build()).list().getItems();
        assertThat(about).extracting(e -> e.getMetadata().getName()).containsExactly("db.e1");
    }

    @Test
    void replicationControllers() {
        ReplicationController controller = new ReplicationControllerBuilder().withNewMetadata().withName("legacy")
                .endMetadata().withNewSpec().withTemplate(template("legacy", "nginx:1.27")).endSpec().build();
        crud(client.replicationControllers().inNamespace(NS), controller, created -> {
            assertThat(created.getSpec().getReplicas()).isEqualTo(1);
            // No selector: it selects its template's labels. It has labels of its own, which it keeps.
            assertThat(created.getSpec().getSelector()).isEqualTo(Map.of("app", "legacy"));
            assertThat(created.getMetadata().getLabels()).isEqualTo(Map.of("suite", "crud-replicationcontroller"));
            assertPodTemplateDefaults(created.getSpec().getTemplate());
            assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        }, edit -> {
            edit.getSpec().setReplicas(2);
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getReplicas()).isEqualTo(2);
            assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        });

        // Without labels of its own, it takes its template's.
        ReplicationController unlabelled = client.replicationControllers().inNamespace(NS).resource(
                new ReplicationControllerBuilder().withNewMetadata().withName("legacy-unlabelled").endMetadata()
                        .withNewSpec().withTemplate(template("unlabelled", "nginx:1.27")).endSpec().build()).create();
        assertThat(unlabelled.getMetadata().getLabels()).isEqualTo(Map.of("app", "unlabelled"));
        assertThat(unlabelled.getSpec().getSelector()).isEqualTo(Map.of("app", "unlabelled"));
        client.replicationControllers().inNamespace(NS).withName("legacy-unlabelled").delete();
    }

    @Test
    void deployments() {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withTemplate(template("web", "nginx:1.27")).endSpec().build();
        crud(client.apps().deployments().inNamespace(NS), deployment, created -> {
            assertThat(created.getSpec().getReplicas()).isEqualTo(1);
            assertThat(created.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(created.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString("25%"));
            assertThat(created.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                    .isEqualTo(new IntOrString("25%"));
            assertThat(created.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
            assertThat(created.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
            assertPodTemplateDefaults(created.getSpec().getTemplate());
            assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        }, edit -> {
            edit.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.28");
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo("nginx:1.28");
            assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        });
    }

    @Test
    void replicaSets() {
        ReplicaSet replicaSet = new ReplicaSetBuilder().withNewMetadata().withName("web-5d4f8").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "rs").endSelector()
                .withTemplate(template("rs", "nginx:1.27")).endSpec().build();
        crud(client.apps().replicaSets().inNamespace(NS), replicaSet, created -> {
            assertThat(created.getSpec().getReplicas()).isEqualTo(1);
            assertPodTemplateDefaults(created.getSpec().getTemplate());
        }, edit -> {
            edit.getSpec().setReplicas(3);
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getReplicas()).isEqualTo(3);
            assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        });
    }

    @Test
    void daemonSets() {
        DaemonSet daemonSet = new DaemonSetBuilder().withNewMetadata().withName("agent").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withTemplate(template("agent", "busybox:1.36")).endSpec().build();
        crud(client.apps().daemonSets().inNamespace(NS), daemonSet, created -> {
            assertThat(created.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(created.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable())
                    .isEqualTo(new IntOrString(1));
            assertThat(created.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge())
                    .isEqualTo(new IntOrString(0));
            assertThat(created.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
            assertPodTemplateDefaults(created.getSpec().getTemplate());
        }, edit -> {
            edit.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("busybox:1.37");
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo("busybox:1.37");
            assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        });
    }

    @Test
    void leases() {
        Lease lease = new LeaseBuilder().withNewMetadata().withName("controller-leader").endMetadata()
                .withNewSpec().withHolderIdentity("qube-1").withLeaseDurationSeconds(15).withLeaseTransitions(0)
                .withAcquireTime(java.time.ZonedDateTime.parse("2025-01-01T00:00:00.123456Z"))
                .withRenewTime(java.time.ZonedDateTime.parse("2025-01-01T00:00:10.654321Z")).endSpec().build();
        crud(client.leases().inNamespace(NS), lease, created -> {
            assertThat(created.getSpec().getHolderIdentity()).isEqualTo("qube-1");
            assertThat(created.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
            // MicroTime keeps its microseconds.
            assertThat(created.getSpec().getRenewTime().toInstant())
                    .isEqualTo(Instant.parse("2025-01-01T00:00:10.654321Z"));
            assertThat(rawGet("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/controller-leader"))
                    .contains("\"acquireTime\":\"2025-01-01T00:00:00.123456Z\"")
                    .contains("\"renewTime\":\"2025-01-01T00:00:10.654321Z\"");
        }, edit -> {
            edit.getSpec().setHolderIdentity("qube-2");
            edit.getSpec().setLeaseTransitions(1);
            return edit;
        }, edited -> {
            assertThat(edited.getSpec().getHolderIdentity()).isEqualTo("qube-2");
            assertThat(edited.getSpec().getLeaseTransitions()).isEqualTo(1);
        });
    }

    @Test
    void endpointSlices() {
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("web-x7k2p")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.244.1.5").withNewConditions().withReady(true).endConditions()
                .withNodeName("worker-1").endEndpoint()
                .addNewPort().withPort(8080).endPort().build();
        crud(client.discovery().v1().endpointSlices().inNamespace(NS), slice, created -> {
            assertThat(created.getPorts().get(0).getName()).isEmpty();
            assertThat(created.getPorts().get(0).getProtocol()).isEqualTo("TCP");
            assertThat(created.getEndpoints().get(0).getConditions().getReady()).isTrue();
        }, edit -> {
            edit.getEndpoints().add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder()
                    .withAddresses("10.244.2.9").build());
            return edit;
        }, edited -> assertThat(edited.getEndpoints()).extracting(e -> e.getAddresses().get(0))
                .containsExactly("10.244.1.5", "10.244.2.9"));
    }

    @Test
    void priorityClasses() {
        PriorityClass priorityClass = new PriorityClassBuilder().withNewMetadata().withName("f8-high").endMetadata()
                .withValue(100000).withDescription("for the suite").build();
        crud(client.scheduling().v1().priorityClasses(), priorityClass, created -> {
            assertThat(created.getValue()).isEqualTo(100000);
            assertThat(created.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
            assertThat(created.getGlobalDefault()).isNull();
        }, edit -> {
            edit.setDescription("for the fabric8 suite");
            return edit;
        }, edited -> assertThat(edited.getDescription()).isEqualTo("for the fabric8 suite"));
    }

    /**
     * The life of one object: create (checked by {@code defaulted}), get, list by label, edit (fabric8's JSON patch),
     * a stale update (409), an update, delete; returns the object as created.
     */
    private <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>> T crud(
            NonNamespaceOperation<T, L, R> kind, T object, Consumer<T> defaulted, UnaryOperator<T> edit,
            Consumer<T> edited) {
        String name = object.getMetadata().getName();
        String label = object.getKind().toLowerCase();
        Map<String, String> labels = new HashMap<>(object.getMetadata().getLabels() == null ? Map.of()
                : object.getMetadata().getLabels());
        labels.put("suite", "crud-" + label);
        object.getMetadata().setLabels(labels);
        boolean namespaced = !(object instanceof Namespace || object instanceof Node || object instanceof PriorityClass);

        T created = kind.resource(object).create();
        assertThat(created.getKind()).isEqualTo(object.getKind());
        assertThat(created.getApiVersion()).isEqualTo(object.getApiVersion());
        assertThat(created.getMetadata().getName()).isEqualTo(name);
        assertThat(created.getMetadata().getNamespace()).isEqualTo(namespaced ? NS : null);
        assertThat(created.getMetadata().getUid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(Long.parseLong(created.getMetadata().getResourceVersion())).isPositive();
        assertThat(Instant.parse(created.getMetadata().getCreationTimestamp()))
                .isBetween(Instant.now().minus(2, ChronoUnit.MINUTES), Instant.now().plusSeconds(5));
        assertThat(created.getMetadata().getLabels()).containsEntry("suite", "crud-" + label);
        defaulted.accept(created);

        T got = kind.withName(name).get();
        assertThat(got).isEqualTo(created);

        assertThat(kind.withLabel("suite", "crud-" + label).list().getItems()).containsExactly(created);
        assertThat(kind.withLabelIn("suite", "crud-" + label, "crud-other").withLabel("suite").list().getItems())
                .extracting(item -> item.getMetadata().getName()).containsExactly(name);
        assertThat(kind.withLabel("suite", "crud-" + label + "-none").list().getItems()).isEmpty();

        T afterEdit = kind.withName(name).edit(edit);
        edited.accept(afterEdit);
        assertThat(Long.parseLong(afterEdit.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        assertThat(afterEdit.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(afterEdit.getMetadata().getCreationTimestamp()).isEqualTo(created.getMetadata().getCreationTimestamp());
        assertThat(kind.withName(name).get()).isEqualTo(afterEdit);

        // An update carrying the version it was read at is refused once the object moved on.
        got.getMetadata().getLabels().put("stale", "yes");
        assertThatThrownBy(() -> kind.resource(got).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                });
        T fresh = kind.withName(name).get();
        fresh.getMetadata().getLabels().put("updated", "yes");
        T updated = kind.resource(fresh).update();
        assertThat(updated.getMetadata().getLabels()).containsEntry("updated", "yes").doesNotContainKey("stale");
        edited.accept(updated);
        assertThat(kind.withLabel("updated", "yes").list().getItems()).containsExactly(updated);

        List<StatusDetails> deleted = kind.withName(name).delete();
        assertThat(deleted).hasSize(1);
        assertThat(deleted.get(0).getName()).isEqualTo(name);
        assertThat(deleted.get(0).getUid()).isEqualTo(created.getMetadata().getUid());
        if (object instanceof Namespace) {
            // A namespace first turns Terminating; the namespace controller then finalizes it.
            await().atMost(Duration.ofSeconds(30)).until(() -> kind.withName(name).get() == null);
        } else {
            assertThat(kind.withName(name).get()).isNull();
        }
        assertThat(kind.withLabel("suite", "crud-" + label).list().getItems()).isEmpty();
        assertThat(kind.withName(name).delete()).isEmpty();
        return created;
    }

    private static PodTemplateSpec template(String app, String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName(app).withImage(image)
                .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build();
    }

    private static void assertPodTemplateDefaults(PodTemplateSpec template) {
        PodSpec spec = template.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Always");
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(spec.getSecurityContext()).isNotNull();
        Container container = spec.getContainers().get(0);
        assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(container.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(container.getTerminationMessagePolicy()).isEqualTo("File");
        // Templates are not pods: no service account, priority or tolerations are filled in.
        assertThat(spec.getServiceAccountName()).isNull();
        assertThat(spec.getTolerations()).isNullOrEmpty();
    }

    /** The body of a GET as the server sent it (fabric8's model cannot tell an absent map from an empty one). */
    private String rawGet(String path) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(server.toURI().resolve(path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (Exception e) {
            throw new AssertionError("GET " + path, e);
        }
    }

    /** Quantities as the text the server sent (fabric8's Quantity.equals compares amounts, not their form). */
    private static Map<String, String> texts(Map<String, Quantity> quantities) {
        Map<String, String> texts = new HashMap<>();
        quantities.forEach((name, quantity) -> texts.put(name, quantity.toString()));
        return texts;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
