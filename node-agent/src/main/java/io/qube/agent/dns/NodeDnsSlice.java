package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.service.ServiceCatalog;

/**
 * The EndpointSlice {@code kube-system/kube-dns-<node>} through which the kube-dns Service leads to this node's DNS
 * server: one ready endpoint, the node's InternalIP on this node, owned by the Node so that garbage collection
 * removes it with the Node. With the Service's internalTrafficPolicy Local, a node's pods reach their own node's
 * server. The EndpointSlice controller leaves it alone: it is not managed by the controller.
 */
public final class NodeDnsSlice {

    public static final String NAMESPACE = "kube-system";
    public static final String SERVICE = "kube-dns";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "qube-agent";

    private NodeDnsSlice() {
    }

    public static String name(String node) {
        return SERVICE + "-" + node;
    }

    /** Creates the node's slice, or replaces one left from before (another address or port). */
    static void write(KubernetesClient client, Node node, String ip, int port) {
        String name = node.getMetadata().getName();
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName(name(name))
                .withNamespace(NAMESPACE).addToLabels(ServiceCatalog.SERVICE_NAME_LABEL, SERVICE)
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY).addNewOwnerReference().withApiVersion("v1")
                .withKind("Node").withName(name).withUid(node.getMetadata().getUid()).endOwnerReference()
                .endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses(ip).withNodeName(name).withNewConditions().withReady(true)
                .withServing(true).withTerminating(false).endConditions().endEndpoint()
                .addNewPort().withName("dns").withPort(port).withProtocol("UDP").endPort()
                .addNewPort().withName("dns-tcp").withPort(port).withProtocol("TCP").endPort().build();
        var slices = client.discovery().v1().endpointSlices().inNamespace(NAMESPACE);
        EndpointSlice existing = slices.withName(slice.getMetadata().getName()).get();
        if (existing == null) {
            slices.resource(slice).create();
        } else {
            slice.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            slices.resource(slice).update();
        }
    }

    static void delete(KubernetesClient client, String node) {
        client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(name(node)).delete();
    }
}
