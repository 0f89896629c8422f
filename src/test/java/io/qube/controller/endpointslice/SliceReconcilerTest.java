package io.qube.controller.endpointslice;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The slice packing of Kubernetes' reconciler, with three endpoints per slice. */
class SliceReconcilerTest {

    private static final Node NODE = new NodeBuilder().withNewMetadata().withName("n").endMetadata().build();
    private static final Function<String, Node> NODES = name -> name.equals("n") ? NODE : null;

    private final SliceReconciler reconciler = new SliceReconciler(3);
    private final Service service = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("ns")
            .withUid("svc-uid").endMetadata().withNewSpec().withClusterIP("10.96.5.5").addToSelector("app", "web")
            .addNewPort().withPort(80).withNewTargetPort(8080).withProtocol("TCP").endPort().endSpec().build();

    @Test
    void sevenPodsMakeThreeSlicesOfAtMostThree() {
        SliceReconciler.Plan plan = reconciler.reconcile(service, pods(7), NODES, List.of());
        assertThat(plan.create()).extracting(s -> s.getEndpoints().size()).containsExactly(3, 3, 1);
        assertThat(plan.update()).isEmpty();
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.create().get(0).getMetadata().getGenerateName()).isEqualTo("web-");
    }

    @Test
    void newEndpointsGoIntoTheUnchangedSliceTheyFitBest() {
        List<EndpointSlice> existing = named(reconciler.reconcile(service, pods(4), NODES, List.of()).create());
        // Slices of 3 and 1; two more pods fit into the one with 1.
        SliceReconciler.Plan plan = reconciler.reconcile(service, pods(6), NODES, existing);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.update()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("web-1");
            assertThat(s.getEndpoints()).hasSize(3);
        });
    }

    @Test
    void anEmptiedSliceGoesAndNothingChangedIsWritten() {
        List<EndpointSlice> existing = named(reconciler.reconcile(service, pods(4), NODES, List.of()).create());
        assertThat(reconciler.reconcile(service, pods(4), NODES, existing).isEmpty()).isTrue();
        SliceReconciler.Plan plan = reconciler.reconcile(service, pods(3), NODES, existing);
        assertThat(plan.delete()).extracting(s -> s.getMetadata().getName()).containsExactly("web-1");
        assertThat(plan.update()).isEmpty();
        assertThat(plan.create()).isEmpty();
    }

    @Test
    void withoutPodsOnePlaceholderStaysAndPodsReuseIt() {
        List<EndpointSlice> placeholder = named(reconciler.reconcile(service, List.of(), NODES, List.of()).create());
        assertThat(placeholder).singleElement().satisfies(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
        });
        assertThat(reconciler.reconcile(service, List.of(), NODES, placeholder).isEmpty()).isTrue();
        SliceReconciler.Plan plan = reconciler.reconcile(service, pods(2), NODES, placeholder);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.update()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("web-0");
            assertThat(s.getEndpoints()).hasSize(2);
            assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
        });
    }

    @Test
    void aPodOnAnUnknownNodeIsLeftOutAndReported() {
        List<Pod> pods = new ArrayList<>(pods(1));
        pods.add(pod(9, "elsewhere"));
        SliceReconciler.Plan plan = reconciler.reconcile(service, pods, NODES, List.of());
        assertThat(plan.create()).singleElement().satisfies(s -> assertThat(s.getEndpoints()).hasSize(1));
        assertThat(plan.missingNodes()).containsExactly("elsewhere");
    }

    @Test
    void slicesOfAnotherServiceWithTheSameNameAreReplaced() {
        List<EndpointSlice> old = named(reconciler.reconcile(new ServiceBuilder(service).editMetadata()
                .withUid("old-uid").endMetadata().build(), pods(2), NODES, List.of()).create());
        SliceReconciler.Plan plan = reconciler.reconcile(service, pods(2), NODES, old);
        assertThat(plan.delete()).extracting(s -> s.getMetadata().getName()).containsExactly("web-0");
        assertThat(plan.create()).singleElement().satisfies(s -> assertThat(s.getMetadata().getOwnerReferences())
                .singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo("svc-uid")));
    }

    /** A StatefulSet's pod under its governing Service is named by its hostname there, as DNS then answers it. */
    @Test
    void aPodWhoseSubdomainIsTheServiceCarriesItsHostname() {
        Pod member = new PodBuilder(pod(0, "n")).editSpec().withHostname("web-0").withSubdomain("web").endSpec()
                .build();
        Pod elsewhere = new PodBuilder(pod(1, "n")).editSpec().withHostname("web-1").withSubdomain("other")
                .endSpec().build();

        assertThat(SliceReconciler.endpoint(member, NODE, service, "IPv4").hostname()).isEqualTo("web-0");
        assertThat(SliceReconciler.endpoint(elsewhere, NODE, service, "IPv4").hostname()).isNull();
        assertThat(SliceReconciler.endpoint(pod(2, "n"), NODE, service, "IPv4").hostname()).isNull();
    }

    private static List<Pod> pods(int count) {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(pod(i, "n"));
        }
        return pods;
    }

    private static Pod pod(int i, String node) {
        return new PodBuilder().withNewMetadata().withName("web-pod-" + i).withNamespace("ns").withUid("uid-" + i)
                .addToLabels("app", "web").endMetadata().withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0." + (i + 2)).addNewCondition()
                .withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    /** The slices as the API would store them: named web-0, web-1, ... with a resourceVersion. */
    private static List<EndpointSlice> named(List<EndpointSlice> created) {
        List<EndpointSlice> named = new ArrayList<>();
        for (int i = 0; i < created.size(); i++) {
            named.add(new EndpointSliceBuilder(created.get(i)).editMetadata().withName("web-" + i)
                    .withResourceVersion(Integer.toString(10 + i)).endMetadata().build());
        }
        return named;
    }
}
