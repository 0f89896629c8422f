package io.qube.controller.endpointslice;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.controller.ServiceControllersProfile;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The EndpointSlice controller against the real API, held to kube-controller-manager's behaviour: slices labelled
 * with the service's name and the controller as manager, owned by the service, named from {@code <service>-},
 * endpoints with the conditions Kubernetes sets (ready, serving, terminating), target, node and zone, ports per
 * slice; at most 100 endpoints per slice, existing slices updated rather than replaced and emptied ones deleted;
 * a service without selector left alone, a deleted service's slices gone through the garbage collector, which
 * follows their owner reference (the controller deletes none for a service that is gone). No scheduler or agent
 * runs: the tests create Node objects, bind pods and report their IPs and readiness.
 */
@QuarkusTest
@TestProfile(ServiceControllersProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class EndpointSliceControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String NODE = "eps-node-a";
    private static final String ZONE = "zone-a";

    @Override
    protected String namespacePrefix() {
        return "eps";
    }

    /** After the base has connected: the node the pods run on, in its zone. */
    @BeforeEach
    void registerTheNode() {
        cluster.createNode(NODE, ZONE);
    }

    @Test
    void aSliceListsThePodsWithConditionsThatFollowReadiness() {
        Service service = service(new ServiceBuilder().withNewMetadata().withName("web").addToLabels("tier", "front")
                .endMetadata().withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString("http")).endPort().endSpec().build());
        pod("web-1", "web", 8080);
        pod("web-2", "web", 8080);
        cluster.run("web-1", NODE, "10.241.0.11", true);
        cluster.run("web-2", NODE, "10.241.0.12", false);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpointsOf(slices("web")))
                .extracting(e -> e.getAddresses().get(0)).containsExactlyInAnyOrder("10.241.0.11", "10.241.0.12"));
        EndpointSlice slice = slices("web").get(0);
        assertThat(slices("web")).hasSize(1);
        assertThat(slice.getMetadata().getName()).startsWith("web-");
        assertThat(slice.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(slice.getMetadata().getLabels()).isEqualTo(Map.of("tier", "front",
                "kubernetes.io/service-name", "web",
                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"));
        OwnerReference owner = slice.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getKind()).isEqualTo("Service");
        assertThat(owner.getApiVersion()).isEqualTo("v1");
        assertThat(owner.getName()).isEqualTo("web");
        assertThat(owner.getUid()).isEqualTo(service.getMetadata().getUid());
        assertThat(owner.getController()).isTrue();
        assertThat(owner.getBlockOwnerDeletion()).isTrue();
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getPort()).isEqualTo(8080);
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });
        Endpoint ready = endpoint(slice, "10.241.0.11");
        assertThat(ready.getConditions().getReady()).isTrue();
        assertThat(ready.getConditions().getServing()).isTrue();
        assertThat(ready.getConditions().getTerminating()).isFalse();
        assertThat(ready.getNodeName()).isEqualTo(NODE);
        assertThat(ready.getZone()).isEqualTo(ZONE);
        assertThat(ready.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(ready.getTargetRef().getName()).isEqualTo("web-1");
        assertThat(ready.getTargetRef().getNamespace()).isEqualTo(namespace);
        Endpoint notReady = endpoint(slice, "10.241.0.12");
        assertThat(notReady.getConditions().getReady()).isFalse();
        assertThat(notReady.getConditions().getServing()).isFalse();
        assertThat(notReady.getConditions().getTerminating()).isFalse();

        cluster.setReady("web-1", false);
        cluster.setReady("web-2", true);

        await().atMost(PATIENCE).untilAsserted(() -> {
            EndpointSlice flipped = slices("web").get(0);
            assertThat(endpoint(flipped, "10.241.0.11").getConditions().getReady()).isFalse();
            assertThat(endpoint(flipped, "10.241.0.12").getConditions().getReady()).isTrue();
            assertThat(endpoint(flipped, "10.241.0.12").getConditions().getServing()).isTrue();
        });
        assertThat(slices("web")).extracting(s -> s.getMetadata().getUid())
                .containsExactly(slice.getMetadata().getUid());
    }

    @Test
    void terminatingPodsStayWithTheirServingConditionAndTerminatingSet() {
        service(simpleService("going"));
        service(new ServiceBuilder(simpleService("eager")).editMetadata().withName("eager").endMetadata()
                .editSpec().withSelector(Map.of("app", "going")).withPublishNotReadyAddresses(true).endSpec().build());
        pod("going-1", "going", 0);
        pod("going-2", "going", 0);
        cluster.run("going-1", NODE, "10.241.1.11", true);
        cluster.run("going-2", NODE, "10.241.1.12", true);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpointsOf(slices("going"))).hasSize(2));

        client.pods().inNamespace(namespace).withName("going-1").withGracePeriod(30).delete();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoint going = endpoint(slices("going").get(0), "10.241.1.11");
            assertThat(going.getConditions().getReady()).isFalse();
            assertThat(going.getConditions().getServing()).isTrue();
            assertThat(going.getConditions().getTerminating()).isTrue();
            // publishNotReadyAddresses: ready whatever the pod's state.
            Endpoint eager = endpoint(slices("eager").get(0), "10.241.1.11");
            assertThat(eager.getConditions().getReady()).isTrue();
            assertThat(eager.getConditions().getTerminating()).isTrue();
        });

        cluster.setReady("going-1", false);

        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoint going = endpoint(slices("going").get(0), "10.241.1.11");
            assertThat(going.getConditions().getServing()).isFalse();
            assertThat(going.getConditions().getTerminating()).isTrue();
        });

        client.pods().inNamespace(namespace).withName("going-1").withGracePeriod(0).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpointsOf(slices("going")))
                .extracting(e -> e.getAddresses().get(0)).containsExactly("10.241.1.12"));
    }

    @Test
    void twoHundredFiftyPodsFillThreeSlicesAndShrinkingUpdatesOrDeletesThem() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int i = 0; i < 250; i++) {
            String name = String.format("many-%03d", i);
            String ip = "10.242." + (i / 200) + "." + (2 + i % 200);
            client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                    .addToLabels("app", "many").endMetadata().withNewSpec().withNodeName(NODE).addNewContainer()
                    .withName("app").withImage("nginx:1.27").endContainer().endSpec().build()).create();
            client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).editStatus()
                    .withPhase("Running").withPodIP(ip).withPodIPs(new PodIP(ip))
                    .addToConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                            .withLastTransitionTime(now).build()).endStatus().build());
        }
        // The service comes last, so that its first sync packs all the pods at once.
        service(simpleService("many"));

        await().atMost(PATIENCE).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("many");
            assertThat(endpointsOf(slices)).hasSize(250);
            assertThat(slices).extracting(s -> s.getEndpoints().size()).containsExactlyInAnyOrder(100, 100, 50);
        });
        Set<String> before = slices("many").stream().map(s -> s.getMetadata().getUid()).collect(Collectors.toSet());

        for (int i = 50; i < 200; i++) {
            client.pods().inNamespace(namespace).withName(String.format("many-%03d", i)).withGracePeriod(0).delete();
        }

        // The slice of 000-099 loses half its endpoints, that of 100-199 all (it goes), that of 200-249 none.
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("many");
            assertThat(endpointsOf(slices)).hasSize(100);
            assertThat(slices).extracting(s -> s.getEndpoints().size()).containsExactly(50, 50);
        });
        // Emptied slices were deleted, the others updated in place: no slice was made anew.
        assertThat(slices("many")).extracting(s -> s.getMetadata().getUid()).allMatch(before::contains);
    }

    @Test
    void aServiceWithoutPodsHasOnePlaceholderAndAPodOnAnUnknownNodeWaitsForIt() {
        service(simpleService("waiting"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(slices("waiting")).singleElement().satisfies(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
        }));
        String placeholder = slices("waiting").get(0).getMetadata().getUid();

        pod("waiting-1", "waiting", 0);
        cluster.run("waiting-1", "eps-node-late", "10.241.2.11", true);
        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).untilAsserted(() ->
                assertThat(endpointsOf(slices("waiting"))).isEmpty());

        cluster.createNode("eps-node-late", "zone-b");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpointsOf(slices("waiting"))).singleElement()
                .satisfies(e -> {
                    assertThat(e.getAddresses()).containsExactly("10.241.2.11");
                    assertThat(e.getZone()).isEqualTo("zone-b");
                }));
        // The placeholder was reused for the slice with ports.
        assertThat(slices("waiting")).extracting(s -> s.getMetadata().getUid()).containsExactly(placeholder);
    }

    @Test
    void aServiceWithoutSelectorIsLeftAloneAndADeletedServiceTakesItsSlicesAlong() {
        service(new ServiceBuilder().withNewMetadata().withName("external").endMetadata().withNewSpec()
                .addNewPort().withPort(5432).endPort().endSpec().build());
        EndpointSlice manual = client.discovery().v1().endpointSlices().inNamespace(namespace)
                .resource(new EndpointSliceBuilder().withNewMetadata().withName("external-1")
                        .addToLabels("kubernetes.io/service-name", "external").endMetadata().withAddressType("IPv4")
                        .addNewEndpoint().withAddresses("192.168.7.7").endEndpoint()
                        .addNewPort().withPort(5432).endPort().build()).create();
        service(simpleService("gone"));
        pod("gone-1", "gone", 0);
        cluster.run("gone-1", NODE, "10.241.3.11", true);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpointsOf(slices("gone"))).hasSize(1));

        assertThat(client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", "external").list().getItems())
                .extracting(s -> s.getMetadata().getResourceVersion())
                .containsExactly(manual.getMetadata().getResourceVersion());

        client.services().inNamespace(namespace).withName("gone").delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(slices("gone")).isEmpty());
        assertThat(client.discovery().v1().endpointSlices().inNamespace(namespace).withName("external-1").get())
                .isNotNull();
    }

    @Test
    void aPodWhosePortsDifferGetsASliceOfItsOwn() {
        service(new ServiceBuilder().withNewMetadata().withName("mixed").endMetadata().withNewSpec()
                .addToSelector("app", "mixed").addNewPort().withName("http").withPort(80)
                .withTargetPort(new IntOrString("http")).endPort().endSpec().build());
        pod("mixed-a", "mixed", 8080);
        pod("mixed-b", "mixed", 9090);
        cluster.run("mixed-a", NODE, "10.241.4.11", true);
        cluster.run("mixed-b", NODE, "10.241.4.12", true);

        await().atMost(PATIENCE).untilAsserted(() -> {
            List<EndpointSlice> slices = slices("mixed");
            assertThat(slices).hasSize(2);
            assertThat(slices).anySatisfy(s -> {
                assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
                assertThat(endpointsOf(List.of(s))).extracting(e -> e.getAddresses().get(0))
                        .containsExactly("10.241.4.11");
            });
            assertThat(slices).anySatisfy(s -> {
                assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(9090));
                assertThat(endpointsOf(List.of(s))).extracting(e -> e.getAddresses().get(0))
                        .containsExactly("10.241.4.12");
            });
        });
    }

    private static Service simpleService(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addToSelector("app", name).addNewPort().withPort(80).endPort().endSpec().build();
    }

    private Service service(Service service) {
        return client.services().inNamespace(namespace).resource(service).create();
    }

    /** A pod with the label app=APP and, unless {@code port} is 0, a container port named http. */
    private void pod(String name, String app, int port) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.27").endContainer().endSpec();
        if (port != 0) {
            pod.editSpec().editFirstContainer().withPorts(new ContainerPortBuilder().withName("http")
                    .withContainerPort(port).build()).endContainer().endSpec();
        }
        client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private List<EndpointSlice> slices(String service) {
        return client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    private static List<Endpoint> endpointsOf(List<EndpointSlice> slices) {
        return slices.stream().flatMap(s -> s.getEndpoints() == null ? java.util.stream.Stream.<Endpoint>empty()
                : s.getEndpoints().stream()).toList();
    }

    private static Endpoint endpoint(EndpointSlice slice, String address) {
        return slice.getEndpoints().stream().filter(e -> e.getAddresses().contains(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no endpoint " + address + " in " + slice));
    }
}
