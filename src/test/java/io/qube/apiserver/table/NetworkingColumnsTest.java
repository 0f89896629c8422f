package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

/** Ingresses, ingress classes, network policies and disruption budgets as kubectl get prints them. */
class NetworkingColumnsTest {

    private static final String CREATED = ago(Duration.ofMinutes(5));

    @Test
    void ingressShowsClassHostsAddressAndPorts() {
        Ingress plain = new IngressBuilder().withNewMetadata().withName("web").withCreationTimestamp(CREATED)
                .endMetadata().withNewSpec().withNewDefaultBackend().withNewService().withName("web")
                .withNewPort().withNumber(80).endPort().endService().endDefaultBackend().endSpec().build();
        Ingress busy = new IngressBuilder().withNewMetadata().withName("shop").withCreationTimestamp(CREATED)
                .endMetadata().withNewSpec().withIngressClassName("nginx")
                .addNewRule().withHost("a.example.com").endRule().addNewRule().endRule()
                .addNewRule().withHost("b.example.com").endRule().addNewRule().withHost("c.example.com").endRule()
                .addNewRule().withHost("d.example.com").endRule().addNewRule().withHost("e.example.com").endRule()
                .addNewTl().withHosts("a.example.com").endTl().endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("192.0.2.10").endIngress()
                .addNewIngress().withHostname("lb.example.com").endIngress().endLoadBalancer().endStatus().build();

        assertThat(Rows.headers(NetworkingColumns.ingress(), true))
                .containsExactly("NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE");
        assertThat(Rows.cells(NetworkingColumns.ingress(), plain)).containsExactly("web", "<none>", "*", "", "80",
                "5m");
        // Like Kubernetes' formatHosts: three hosts named (rules without one skipped), the other rules counted.
        assertThat(Rows.cells(NetworkingColumns.ingress(), busy)).containsExactly("shop", "nginx",
                "a.example.com,b.example.com,c.example.com + 3 more...", "192.0.2.10,lb.example.com", "80, 443",
                "5m");
    }

    @Test
    void ingressClassShowsControllerAndParameters() {
        IngressClass withParameters = new IngressClassBuilder().withNewMetadata().withName("nginx")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withController("k8s.io/ingress-nginx")
                .withNewParameters().withApiGroup("k8s.example.com").withKind("IngressParameters")
                .withName("external-lb").endParameters().endSpec().build();
        IngressClass plain = new IngressClassBuilder().withNewMetadata().withName("traefik")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withController("traefik.io/ingress")
                .endSpec().build();

        assertThat(Rows.headers(NetworkingColumns.ingressClass(), true))
                .containsExactly("NAME", "CONTROLLER", "PARAMETERS", "AGE");
        assertThat(Rows.cells(NetworkingColumns.ingressClass(), withParameters)).containsExactly("nginx",
                "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "5m");
        assertThat(Rows.cells(NetworkingColumns.ingressClass(), plain))
                .containsExactly("traefik", "traefik.io/ingress", "<none>", "5m");
    }

    @Test
    void networkPolicyShowsItsPodSelector() {
        NetworkPolicy selective = new NetworkPolicyBuilder().withNewMetadata().withName("api")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withNewPodSelector()
                .addToMatchLabels("app", "api").addToMatchLabels("tier", "back").endPodSelector().endSpec().build();
        NetworkPolicy everyPod = new NetworkPolicyBuilder().withNewMetadata().withName("deny-all")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withNewPodSelector().endPodSelector()
                .endSpec().build();

        assertThat(Rows.headers(NetworkingColumns.networkPolicy(), true))
                .containsExactly("NAME", "POD-SELECTOR", "AGE");
        assertThat(Rows.cells(NetworkingColumns.networkPolicy(), selective))
                .containsExactly("api", "app=api,tier=back", "5m");
        assertThat(Rows.cells(NetworkingColumns.networkPolicy(), everyPod)).containsExactly("deny-all", "<none>", "5m");
    }

    @Test
    void disruptionBudgetShowsItsLimitsAndAllowedDisruptions() {
        PodDisruptionBudget min = new PodDisruptionBudgetBuilder().withNewMetadata().withName("web")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withMinAvailable(new IntOrString(2))
                .endSpec().withNewStatus().withDisruptionsAllowed(1).endStatus().build();
        PodDisruptionBudget max = new PodDisruptionBudgetBuilder().withNewMetadata().withName("db")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withMaxUnavailable(new IntOrString("25%"))
                .endSpec().build();

        assertThat(Rows.headers(DisruptionBudgetColumns.columns(), true))
                .containsExactly("NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE");
        assertThat(Rows.cells(DisruptionBudgetColumns.columns(), min)).containsExactly("web", "2", "N/A", 1, "5m");
        assertThat(Rows.cells(DisruptionBudgetColumns.columns(), max)).containsExactly("db", "N/A", "25%", 0, "5m");
    }
}
