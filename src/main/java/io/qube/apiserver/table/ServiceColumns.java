package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.qube.apiserver.registry.TableColumn;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.qube.apiserver.table.Cells.list;
import static io.qube.apiserver.table.Cells.text;

/** {@code kubectl get services}: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE; wide: SELECTOR. */
final class ServiceColumns {

    private ServiceColumns() {
    }

    static List<TableColumn<? super Service>> columns() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Type", "string", "How the service is exposed: ClusterIP, NodePort, LoadBalancer or "
                        + "ExternalName.", (service, now) -> text(spec(service).getType())),
                TableColumn.of("Cluster-IP", "string", "The IP address of the service inside the cluster.",
                        (service, now) -> clusterIp(spec(service))),
                TableColumn.of("External-IP", "string", "The addresses the service is reachable at from outside.",
                        (service, now) -> externalIp(service)),
                TableColumn.of("Port(s)", "string", "The ports the service exposes.",
                        (service, now) -> ports(spec(service))),
                CommonColumns.age(),
                TableColumn.wide("Selector", "string", "Label keys and values of the pods traffic goes to.",
                        (service, now) -> Selectors.labels(spec(service).getSelector())));
    }

    private static String clusterIp(ServiceSpec spec) {
        // clusterIPs lists clusterIP first and then, on dual-stack clusters, the other family's address.
        if (!list(spec.getClusterIPs()).isEmpty()) {
            return spec.getClusterIPs().get(0);
        }
        return Cells.orNone(spec.getClusterIP());
    }

    private static String externalIp(Service service) {
        ServiceSpec spec = spec(service);
        List<String> externalIps = list(spec.getExternalIPs());
        return switch (text(spec.getType())) {
            case "ClusterIP", "NodePort" -> externalIps.isEmpty() ? Cells.NONE : String.join(",", externalIps);
            case "LoadBalancer" -> {
                List<String> addresses = new ArrayList<>(loadBalancerAddresses(service));
                addresses.addAll(externalIps);
                // An empty list means the cloud has not handed out an address yet.
                yield addresses.isEmpty() ? "<pending>" : String.join(",", addresses);
            }
            case "ExternalName" -> text(spec.getExternalName());
            default -> "<unknown>";
        };
    }

    /** The load balancer's IPs, or host names where it has no IP, each once and sorted. */
    private static TreeSet<String> loadBalancerAddresses(Service service) {
        TreeSet<String> addresses = new TreeSet<>();
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null) {
            return addresses;
        }
        for (LoadBalancerIngress ingress : list(service.getStatus().getLoadBalancer().getIngress())) {
            if (!text(ingress.getIp()).isEmpty()) {
                addresses.add(ingress.getIp());
            } else if (!text(ingress.getHostname()).isEmpty()) {
                addresses.add(ingress.getHostname());
            }
        }
        return addresses;
    }

    /** "80/TCP", or "80:30080/TCP" when the port is also open on every node; comma-separated. */
    private static String ports(ServiceSpec spec) {
        List<String> ports = new ArrayList<>();
        for (ServicePort port : list(spec.getPorts())) {
            // TCP is the API's default protocol, which a port stored without one means.
            String protocol = text(port.getProtocol()).isEmpty() ? "TCP" : port.getProtocol();
            String nodePort = port.getNodePort() != null && port.getNodePort() > 0 ? ":" + port.getNodePort() : "";
            ports.add(Cells.number(port.getPort()) + nodePort + "/" + protocol);
        }
        return ports.isEmpty() ? Cells.NONE : String.join(",", ports);
    }

    private static ServiceSpec spec(Service service) {
        return service.getSpec() == null ? new ServiceSpec() : service.getSpec();
    }
}
