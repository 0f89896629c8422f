package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the {@code default/kubernetes} Service, its Endpoints and EndpointSlices should be, given the apiservers
 * that are up, as kube-apiserver's kubernetes-service controller and endpoints adapter write them: the service on
 * 10.96.0.1 port 443 ("https"), the Endpoints (labelled to be skipped by slice mirroring) and a slice named
 * "kubernetes" listing the apiservers' addresses. Kubernetes assumes every apiserver listens on the same port;
 * Qube's may differ (several on one machine), so the Endpoints hold one subset per port, the service's targetPort
 * is the port most of them use (the lowest on a tie, so that every apiserver picks the same), the slice
 * "kubernetes" lists those on that port and a slice "kubernetes-PORT" each other port's.
 */
final class MasterEndpoints {

    static final String NAMESPACE = "default";
    static final String NAME = "kubernetes";
    static final String CLUSTER_IP = "10.96.0.1";
    static final String PORT_NAME = "https";
    static final int SERVICE_PORT = 443;
    static final String SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** One apiserver that is up: where the kubernetes service reaches it. */
    record ApiServer(String address, int port) {
    }

    private MasterEndpoints() {
    }

    /** The port most apiservers listen on, the lowest of those on a tie; {@code own} when none is known. */
    static int targetPort(List<ApiServer> live, int own) {
        Map<Integer, Integer> counts = new TreeMap<>();
        live.forEach(server -> counts.merge(server.port(), 1, Integer::sum));
        int best = own;
        int most = 0;
        for (Map.Entry<Integer, Integer> count : counts.entrySet()) {
            if (count.getValue() > most) {
                most = count.getValue();
                best = count.getKey();
            }
        }
        return best;
    }

    static Service service(int targetPort) {
        return new ServiceBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .addToLabels("component", "apiserver").addToLabels("provider", "kubernetes").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(CLUSTER_IP).withSessionAffinity("None")
                .withPorts(servicePort(targetPort)).endSpec().build();
    }

    private static ServicePort servicePort(int targetPort) {
        return new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName(PORT_NAME).withPort(SERVICE_PORT)
                .withProtocol("TCP").withTargetPort(new IntOrString(targetPort)).build();
    }

    /** Kubernetes' checkServiceFormat: the type is ClusterIP and the ports are exactly the one expected. */
    static boolean serviceCorrect(Service service, int targetPort) {
        if (service.getSpec() == null || !"ClusterIP".equals(service.getSpec().getType())
                || service.getSpec().getPorts() == null || service.getSpec().getPorts().size() != 1) {
            return false;
        }
        ServicePort port = service.getSpec().getPorts().get(0);
        return PORT_NAME.equals(port.getName()) && Integer.valueOf(SERVICE_PORT).equals(port.getPort())
                && "TCP".equals(port.getProtocol()) && port.getTargetPort() != null
                && Integer.valueOf(targetPort).equals(port.getTargetPort().getIntVal())
                && (port.getNodePort() == null || port.getNodePort() == 0) && port.getAppProtocol() == null;
    }

    /** The service with the expected type and port, the rest as it is. */
    static Service corrected(Service current, int targetPort) {
        return new ServiceBuilder(current).editSpec().withType("ClusterIP").withPorts(servicePort(targetPort))
                .endSpec().build();
    }

    /** The addresses per port, the target port first, then the others in order; addresses sorted, no duplicates. */
    static Map<Integer, List<String>> byPort(List<ApiServer> live, int targetPort) {
        Map<Integer, TreeSet<String>> sorted = new TreeMap<>();
        live.forEach(server -> sorted.computeIfAbsent(server.port(), p -> new TreeSet<>()).add(server.address()));
        Map<Integer, List<String>> ordered = new LinkedHashMap<>();
        if (sorted.containsKey(targetPort)) {
            ordered.put(targetPort, List.copyOf(sorted.get(targetPort)));
        }
        sorted.forEach((port, addresses) -> ordered.putIfAbsent(port, List.copyOf(addresses)));
        return ordered;
    }

    static Endpoints endpoints(List<ApiServer> live, int targetPort) {
        List<EndpointSubset> subsets = new ArrayList<>();
        byPort(live, targetPort).forEach((port, addresses) -> {
            EndpointSubset subset = new EndpointSubset();
            subset.setAddresses(addresses.stream().map(ip -> {
                EndpointAddress address = new EndpointAddress();
                address.setIp(ip);
                return address;
            }).toList());
            subset.setPorts(List.of(new io.fabric8.kubernetes.api.model.EndpointPortBuilder().withName(PORT_NAME)
                    .withPort(port).withProtocol("TCP").build()));
            subsets.add(subset);
        });
        return new EndpointsBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .addToLabels(SKIP_MIRROR_LABEL, "true").endMetadata().withSubsets(subsets).build();
    }

    /** Whether the stored Endpoints say what {@code wanted} says (subsets and labels). */
    static boolean sameEndpoints(Endpoints current, Endpoints wanted) {
        return Objects.equals(orEmpty(current.getMetadata().getLabels()), orEmpty(wanted.getMetadata().getLabels()))
                && subsetValues(current.getSubsets()).equals(subsetValues(wanted.getSubsets()));
    }

    private static List<String> subsetValues(List<EndpointSubset> subsets) {
        List<String> values = new ArrayList<>();
        if (subsets != null) {
            for (EndpointSubset subset : subsets) {
                StringBuilder value = new StringBuilder();
                for (EndpointAddress address : orEmpty(subset.getAddresses())) {
                    value.append(address.getIp()).append(',').append(Objects.toString(address.getHostname(), ""))
                            .append(',').append(Objects.toString(address.getNodeName(), ""))
                            .append(',').append(address.getTargetRef() == null ? "" : address.getTargetRef().getName())
                            .append(';');
                }
                value.append('|').append(orEmpty(subset.getNotReadyAddresses()).size()).append('|');
                for (EndpointPort port : orEmpty(subset.getPorts())) {
                    value.append(port.getName()).append(',').append(port.getPort()).append(',')
                            .append(port.getProtocol()).append(',').append(port.getAppProtocol()).append(';');
                }
                values.add(value.toString());
            }
        }
        return values;
    }

    /** The slices by name: "kubernetes" for the target port's apiservers, "kubernetes-PORT" for each other port. */
    static Map<String, EndpointSlice> slices(List<ApiServer> live, int targetPort) {
        Map<String, EndpointSlice> slices = new LinkedHashMap<>();
        byPort(live, targetPort).forEach((port, addresses) -> {
            String name = port == targetPort ? NAME : NAME + "-" + port;
            boolean allV6 = addresses.stream().allMatch(ip -> ip.contains(":"));
            List<Endpoint> endpoints = new ArrayList<>();
            for (String ip : addresses) {
                if (ip.contains(":") == allV6) {
                    endpoints.add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder()
                            .withAddresses(ip).withNewConditions().withReady(true).endConditions().build());
                }
            }
            slices.put(name, new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                    .addToLabels(SERVICE_NAME_LABEL, NAME).endMetadata()
                    .withAddressType(allV6 ? "IPv6" : "IPv4").withEndpoints(endpoints)
                    .addNewPort().withName(PORT_NAME).withPort(port).withProtocol("TCP").endPort().build());
        });
        return slices;
    }

    /** Whether the stored slice says what {@code wanted} says (address type, endpoints, ports, labels). */
    static boolean sameSlice(EndpointSlice current, EndpointSlice wanted) {
        return Objects.equals(current.getAddressType(), wanted.getAddressType())
                && Objects.equals(orEmpty(current.getMetadata().getLabels()), orEmpty(wanted.getMetadata().getLabels()))
                && sliceEndpoints(current).equals(sliceEndpoints(wanted))
                && slicePorts(current).equals(slicePorts(wanted));
    }

    private static List<String> sliceEndpoints(EndpointSlice slice) {
        List<String> values = new ArrayList<>();
        for (Endpoint endpoint : orEmpty(slice.getEndpoints())) {
            values.add(String.join(",", orEmpty(endpoint.getAddresses())) + "|"
                    + (endpoint.getConditions() == null ? null : endpoint.getConditions().getReady()) + "|"
                    + (endpoint.getConditions() == null ? null : endpoint.getConditions().getServing()) + "|"
                    + (endpoint.getConditions() == null ? null : endpoint.getConditions().getTerminating()) + "|"
                    + endpoint.getNodeName() + "|" + endpoint.getTargetRef());
        }
        values.sort(Comparator.naturalOrder());
        return values;
    }

    private static List<String> slicePorts(EndpointSlice slice) {
        List<String> values = new ArrayList<>();
        for (var port : orEmpty(slice.getPorts())) {
            values.add(port.getName() + "," + port.getPort() + "," + port.getProtocol() + "," + port.getAppProtocol());
        }
        return values;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
