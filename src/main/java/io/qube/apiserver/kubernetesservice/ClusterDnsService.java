package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The {@code kube-system/kube-dns} Service, the address of cluster DNS that pods are given (10.96.0.10, as
 * kubeadm's): no selector, since each node agent serves DNS itself and adds its own EndpointSlice
 * ({@code kube-dns-<node>}); internalTrafficPolicy Local, so a node's pods reach their own node's server. Made
 * when missing; a user's changes to it are left as they are.
 */
final class ClusterDnsService {

    static final String NAMESPACE = "kube-system";
    static final String NAME = "kube-dns";
    static final String CLUSTER_IP = "10.96.0.10";

    private ClusterDnsService() {
    }

    static Service service() {
        return new ServiceBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .addToLabels("k8s-app", "kube-dns").addToLabels("kubernetes.io/name", "QubeDNS")
                .addToLabels("kubernetes.io/cluster-service", "true").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(CLUSTER_IP).withInternalTrafficPolicy("Local")
                .addNewPort().withName("dns").withPort(53).withProtocol("UDP").withNewTargetPort(53).endPort()
                .addNewPort().withName("dns-tcp").withPort(53).withProtocol("TCP").withNewTargetPort(53).endPort()
                .endSpec().build();
    }

    /** Creates the Service if it does not exist. */
    static void ensure(KubernetesClient client) {
        if (client.services().inNamespace(NAMESPACE).withName(NAME).get() != null) {
            return;
        }
        try {
            client.services().inNamespace(NAMESPACE).resource(service()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e; // another apiserver made it meanwhile otherwise
            }
        }
    }
}
