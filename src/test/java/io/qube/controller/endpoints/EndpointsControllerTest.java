package io.qube.controller.endpoints;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.controller.ServiceControllersProfile;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Endpoints controller against the real API, held to kube-controller-manager's behaviour: an Endpoints object
 * per service with a selector, named and labelled as the service, listing the selected pods that have an IP (ready
 * ones as addresses, the others as notReadyAddresses, every one with publishNotReadyAddresses, terminating ones
 * left out), with their node, target and hostname, and ports resolved per pod; a service without selector keeps
 * its hand-made Endpoints, a deleted service loses its own. No scheduler or agent runs: the tests bind pods and
 * report their IPs and readiness.
 */
@QuarkusTest
@TestProfile(ServiceControllersProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class EndpointsControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NODE = "ep-node";

    @Override
    protected String namespacePrefix() {
        return "ep";
    }

    @Test
    void readyPodsAreAddressesTheOthersNotReadyAndAFlipMovesThem() {
        service(new ServiceBuilder().withNewMetadata().withName("web").addToLabels("tier", "front").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString(8080)).endPort().endSpec().build());
        pod("web-1", Map.of("app", "web"));
        pod("web-2", Map.of("app", "web"));
        pod("web-no-ip", Map.of("app", "web"));
        pod("other", Map.of("app", "other"));
        cluster.run("web-1", NODE, "10.240.0.11", true);
        cluster.run("web-2", NODE, "10.240.0.12", false);
        cluster.run("other", NODE, "10.240.0.13", true);

        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoints endpoints = endpoints("web");
            assertThat(endpoints.getSubsets()).hasSize(1);
            EndpointSubset subset = endpoints.getSubsets().get(0);
            assertThat(subset.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.240.0.11");
            assertThat(subset.getNotReadyAddresses()).extracting(EndpointAddress::getIp)
                    .containsExactly("10.240.0.12");
        });
        Endpoints endpoints = endpoints("web");
        assertThat(endpoints.getMetadata().getLabels()).isEqualTo(Map.of("tier", "front"));
        EndpointSubset subset = endpoints.getSubsets().get(0);
        assertThat(subset.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getPort()).isEqualTo(8080);
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });
        EndpointAddress address = subset.getAddresses().get(0);
        assertThat(address.getNodeName()).isEqualTo(NODE);
        assertThat(address.getHostname()).isNull();
        assertThat(address.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(address.getTargetRef().getName()).isEqualTo("web-1");
        assertThat(address.getTargetRef().getNamespace()).isEqualTo(namespace);
        assertThat(address.getTargetRef().getUid())
                .isEqualTo(client.pods().inNamespace(namespace).withName("web-1").get().getMetadata().getUid());

        cluster.setReady("web-1", false);
        cluster.setReady("web-2", true);

        await().atMost(PATIENCE).untilAsserted(() -> {
            EndpointSubset flipped = endpoints("web").getSubsets().get(0);
            assertThat(flipped.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.240.0.12");
            assertThat(flipped.getNotReadyAddresses()).extracting(EndpointAddress::getIp)
                    .containsExactly("10.240.0.11");
        });
    }

    @Test
    void anEndpointsObjectIsOnlyWrittenWhenWhatItListsChanges() {
        service(simpleService("quiet", 80));
        pod("quiet-1", Map.of("app", "quiet"));
        cluster.run("quiet-1", NODE, "10.240.1.11", true);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpoints("quiet").getSubsets()).hasSize(1));
        String version = endpoints("quiet").getMetadata().getResourceVersion();

        // A change no endpoint shows: the pod's annotations.
        client.pods().inNamespace(namespace).withName("quiet-1")
                .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations("note", "x").endMetadata().build());

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(endpoints("quiet").getMetadata().getResourceVersion()).isEqualTo(version));
    }

    @Test
    void namedTargetPortsAreLookedUpPerPodAndDifferentNumbersMakeDifferentSubsets() {
        service(new ServiceBuilder().withNewMetadata().withName("named").endMetadata().withNewSpec()
                .addToSelector("app", "named").addNewPort().withName("web").withPort(80)
                .withTargetPort(new IntOrString("http")).endPort().endSpec().build());
        pod("named-a", Map.of("app", "named"), "http", 8080);
        pod("named-b", Map.of("app", "named"), "http", 9090);
        pod("named-c", Map.of("app", "named"), "http", 8080);
        pod("named-none", Map.of("app", "named"), "metrics", 9100);
        cluster.run("named-a", NODE, "10.240.2.11", true);
        cluster.run("named-b", NODE, "10.240.2.12", true);
        cluster.run("named-c", NODE, "10.240.2.13", true);
        cluster.run("named-none", NODE, "10.240.2.14", true);

        await().atMost(PATIENCE).untilAsserted(() -> {
            List<EndpointSubset> subsets = endpoints("named").getSubsets();
            assertThat(subsets).hasSize(2);
            assertThat(subsets).anySatisfy(subset -> {
                assertThat(subset.getPorts()).singleElement().satisfies(port -> {
                    assertThat(port.getName()).isEqualTo("web");
                    assertThat(port.getPort()).isEqualTo(8080);
                });
                assertThat(subset.getAddresses()).extracting(EndpointAddress::getIp)
                        .containsExactly("10.240.2.11", "10.240.2.13");
            });
            assertThat(subsets).anySatisfy(subset -> {
                assertThat(subset.getPorts()).singleElement()
                        .satisfies(port -> assertThat(port.getPort()).isEqualTo(9090));
                assertThat(subset.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.240.2.12");
            });
        });
    }

    @Test
    void publishNotReadyAddressesListsEveryPodAsReadyEvenTerminatingOnes() {
        service(new ServiceBuilder(simpleService("eager", 80)).editSpec().withPublishNotReadyAddresses(true)
                .endSpec().build());
        pod("eager-1", Map.of("app", "eager"));
        pod("eager-2", Map.of("app", "eager"));
        cluster.run("eager-1", NODE, "10.240.3.11", true);
        cluster.run("eager-2", NODE, "10.240.3.12", false);
        await().atMost(PATIENCE).untilAsserted(() -> {
            EndpointSubset subset = endpoints("eager").getSubsets().get(0);
            assertThat(subset.getAddresses()).extracting(EndpointAddress::getIp)
                    .containsExactly("10.240.3.11", "10.240.3.12");
            assertThat(subset.getNotReadyAddresses()).isEmpty();
        });

        terminate("eager-1");

        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).untilAsserted(() ->
                assertThat(endpoints("eager").getSubsets().get(0).getAddresses()).extracting(EndpointAddress::getIp)
                        .containsExactly("10.240.3.11", "10.240.3.12"));
        finish("eager-1");
    }

    @Test
    void terminatingPodsAreLeftOut() {
        service(simpleService("going", 80));
        pod("going-1", Map.of("app", "going"));
        pod("going-2", Map.of("app", "going"));
        cluster.run("going-1", NODE, "10.240.4.11", true);
        cluster.run("going-2", NODE, "10.240.4.12", true);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpoints("going").getSubsets().get(0).getAddresses())
                .hasSize(2));

        terminate("going-1");

        await().atMost(PATIENCE).untilAsserted(() -> {
            EndpointSubset subset = endpoints("going").getSubsets().get(0);
            assertThat(subset.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.240.4.12");
            assertThat(subset.getNotReadyAddresses()).isEmpty();
        });
        finish("going-1");
    }

    @Test
    void aPodNamingTheServiceAsItsSubdomainGivesItsHostname() {
        service(simpleService("db", 5432));
        client.pods().inNamespace(namespace).resource(new PodBuilder(podSpec("db-0", Map.of("app", "db"), null, 0))
                .editSpec().withHostname("db-0").withSubdomain("db").endSpec().build()).create();
        client.pods().inNamespace(namespace).resource(new PodBuilder(podSpec("db-x", Map.of("app", "db"), null, 0))
                .editSpec().withHostname("db-x").withSubdomain("elsewhere").endSpec().build()).create();
        cluster.run("db-0", NODE, "10.240.5.11", true);
        cluster.run("db-x", NODE, "10.240.5.12", true);

        await().atMost(PATIENCE).untilAsserted(() -> {
            List<EndpointAddress> addresses = endpoints("db").getSubsets().get(0).getAddresses();
            assertThat(addresses).hasSize(2);
            assertThat(addresses).filteredOn(a -> a.getIp().equals("10.240.5.11")).singleElement()
                    .satisfies(a -> assertThat(a.getHostname()).isEqualTo("db-0"));
            assertThat(addresses).filteredOn(a -> a.getIp().equals("10.240.5.12")).singleElement()
                    .satisfies(a -> assertThat(a.getHostname()).isNull());
        });
    }

    @Test
    void aServiceWithoutSelectorKeepsItsHandMadeEndpoints() {
        service(new ServiceBuilder().withNewMetadata().withName("external").endMetadata().withNewSpec()
                .addNewPort().withPort(5432).endPort().endSpec().build());
        Endpoints manual = client.endpoints().inNamespace(namespace).resource(new EndpointsBuilder().withNewMetadata()
                .withName("external").endMetadata().addNewSubset().addNewAddress().withIp("192.168.7.7").endAddress()
                .addNewPort().withPort(5432).endPort().endSubset().build()).create();
        // A service with a selector created after it: once its Endpoints exist, the other has been synced too.
        service(simpleService("barrier", 80));
        pod("barrier-1", Map.of("app", "barrier"));
        cluster.run("barrier-1", NODE, "10.240.6.11", true);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpoints("barrier").getSubsets()).hasSize(1));

        assertThat(endpoints("external").getMetadata().getResourceVersion())
                .isEqualTo(manual.getMetadata().getResourceVersion());
    }

    @Test
    void deletedEndpointsComeBackAndADeletedServiceTakesThemAlong() {
        service(simpleService("gone", 80));
        pod("gone-1", Map.of("app", "gone"));
        cluster.run("gone-1", NODE, "10.240.7.11", true);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpoints("gone").getSubsets()).hasSize(1));
        String uid = endpoints("gone").getMetadata().getUid();

        client.endpoints().inNamespace(namespace).withName("gone").delete();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoints again = endpoints("gone");
            assertThat(again.getMetadata().getUid()).isNotEqualTo(uid);
            assertThat(again.getSubsets()).hasSize(1);
        });

        client.services().inNamespace(namespace).withName("gone").delete();

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(client.endpoints().inNamespace(namespace).withName("gone").get()).isNull());
    }

    @Test
    void aServiceWithoutPodsHasEmptyEndpoints() {
        service(simpleService("lonely", 80));
        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoints endpoints = client.endpoints().inNamespace(namespace).withName("lonely").get();
            assertThat(endpoints).isNotNull();
            assertThat(endpoints.getSubsets()).isEmpty();
        });
    }

    private Service simpleService(String name, int port) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addToSelector("app", name).addNewPort().withPort(port).endPort().endSpec().build();
    }

    private void service(Service service) {
        client.services().inNamespace(namespace).resource(service).create();
    }

    private Endpoints endpoints(String name) {
        Endpoints endpoints = client.endpoints().inNamespace(namespace).withName(name).get();
        assertThat(endpoints).as("endpoints " + name).isNotNull();
        return endpoints;
    }

    private void pod(String name, Map<String, String> labels) {
        client.pods().inNamespace(namespace).resource(podSpec(name, labels, null, 0)).create();
    }

    private void pod(String name, Map<String, String> labels, String portName, int port) {
        client.pods().inNamespace(namespace).resource(podSpec(name, labels, portName, port)).create();
    }

    private static Pod podSpec(String name, Map<String, String> labels, String portName, int port) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.27").endContainer().endSpec();
        if (portName != null) {
            pod.editSpec().editFirstContainer().withPorts(new ContainerPortBuilder().withName(portName)
                    .withContainerPort(port).build()).endContainer().endSpec();
        }
        return pod.build();
    }

    /** Deleted with a grace period: a bound pod then stays, terminating, until its node (here: the test) ends it. */
    private void terminate(String pod) {
        client.pods().inNamespace(namespace).withName(pod).withGracePeriod(30).delete();
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(namespace).withName(pod).get()
                .getMetadata().getDeletionTimestamp() != null);
    }

    private void finish(String pod) {
        client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
    }
}
