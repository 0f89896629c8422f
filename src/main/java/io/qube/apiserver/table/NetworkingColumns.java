package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassParametersReference;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.qube.apiserver.registry.TableColumn;

import java.util.ArrayList;
import java.util.List;

/** Ingresses, ingress classes and network policies, as {@code kubectl get ing,ingressclass,netpol} shows them. */
final class NetworkingColumns {

    /** Kubernetes names this many hosts of an Ingress, then counts the rest. */
    private static final int HOSTS_SHOWN = 3;

    private NetworkingColumns() {
    }

    /** NAME CLASS HOSTS ADDRESS PORTS AGE. */
    static List<TableColumn<? super Ingress>> ingress() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Class", "string", "The name of the IngressClass resource that should be used for this "
                        + "Ingress.", (ingress, now) -> ingress.getSpec() == null ? Cells.NONE
                        : Cells.orNone(ingress.getSpec().getIngressClassName())),
                TableColumn.of("Hosts", "string", "Hosts that incoming requests are matched against before the "
                        + "ingress rule", (ingress, now) -> hosts(ingress.getSpec() == null ? null
                        : ingress.getSpec().getRules())),
                TableColumn.of("Address", "string", "Address is a list containing ingress points for the "
                        + "load-balancer", (ingress, now) -> address(ingress)),
                TableColumn.of("Ports", "string", "Ports of TLS configurations that open",
                        (ingress, now) -> ingress.getSpec() == null || Cells.list(ingress.getSpec().getTls()).isEmpty()
                                ? "80" : "80, 443"),
                CommonColumns.age());
    }

    /** NAME CONTROLLER PARAMETERS AGE. */
    static List<TableColumn<? super IngressClass>> ingressClass() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Controller", "string", "Controller that is responsible for handling this class",
                        (ingressClass, now) -> ingressClass.getSpec() == null ? ""
                                : Cells.text(ingressClass.getSpec().getController())),
                TableColumn.of("Parameters", "string", "A reference to a resource with additional parameters",
                        (ingressClass, now) -> parameters(ingressClass.getSpec() == null ? null
                                : ingressClass.getSpec().getParameters())),
                CommonColumns.age());
    }

    /** NAME POD-SELECTOR AGE. */
    static List<TableColumn<? super NetworkPolicy>> networkPolicy() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Pod-Selector", "string", "Pod selector",
                        (policy, now) -> Selectors.selectorOrNone(policy.getSpec() == null ? null
                                : policy.getSpec().getPodSelector())),
                CommonColumns.age());
    }

    /** The first hosts named by the rules, "+ N more..." for the rest; "*" when no rule names one. */
    private static String hosts(List<IngressRule> rules) {
        List<IngressRule> all = Cells.list(rules);
        List<String> shown = new ArrayList<>();
        boolean more = false;
        for (IngressRule rule : all) {
            if (shown.size() == HOSTS_SHOWN) {
                more = true;
            }
            if (!more && rule.getHost() != null && !rule.getHost().isEmpty()) {
                shown.add(rule.getHost());
            }
        }
        if (shown.isEmpty()) {
            return "*";
        }
        String text = String.join(",", shown);
        return more ? text + " + " + (all.size() - HOSTS_SHOWN) + " more..." : text;
    }

    private static String address(Ingress ingress) {
        if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null) {
            return "";
        }
        List<String> addresses = new ArrayList<>();
        for (IngressLoadBalancerIngress point : Cells.list(ingress.getStatus().getLoadBalancer().getIngress())) {
            if (point.getIp() != null && !point.getIp().isEmpty()) {
                addresses.add(point.getIp());
            } else if (point.getHostname() != null && !point.getHostname().isEmpty()) {
                addresses.add(point.getHostname());
            }
        }
        return String.join(",", addresses);
    }

    /** Kind[.apiGroup]/name, or {@code <none>}. */
    private static String parameters(IngressClassParametersReference parameters) {
        if (parameters == null) {
            return Cells.NONE;
        }
        String kind = Cells.text(parameters.getKind());
        if (parameters.getApiGroup() != null) {
            kind = kind + "." + parameters.getApiGroup();
        }
        return kind + "/" + Cells.text(parameters.getName());
    }
}
