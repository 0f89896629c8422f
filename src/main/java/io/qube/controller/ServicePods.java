package io.qube.controller;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How Kubernetes' Endpoints and EndpointSlice controllers see Services and their pods (endpointutil and
 * endpointsliceutil): which services select a pod, which pods belong in endpoints, the port a service port
 * reaches on a pod, and which pod changes matter to them.
 */
public final class ServicePods {

    /** Set on Endpoints and EndpointSlices of a headless service (cluster IP None). */
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    private ServicePods() {
    }

    /**
     * Whether the controllers give this service endpoints: it selects pods and is not an ExternalName. An empty
     * selector counts as none (fabric8's model cannot tell it from an absent one).
     */
    public static boolean selectsPods(Service service) {
        return service.getSpec() != null && !"ExternalName".equals(service.getSpec().getType())
                && service.getSpec().getSelector() != null && !service.getSpec().getSelector().isEmpty();
    }

    /** The service's selector matches the pod's labels, in the same namespace. */
    public static boolean selects(Service service, Pod pod) {
        if (!selectsPods(service) || !Objects.equals(service.getMetadata().getNamespace(),
                pod.getMetadata().getNamespace())) {
            return false;
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (Map.Entry<String, String> wanted : service.getSpec().getSelector().entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The pods of the service's namespace its selector matches, from an informer's cache. */
    public static List<Pod> selected(Service service, Indexer<Pod> pods) {
        List<Pod> selected = new ArrayList<>();
        for (Pod pod : pods.byIndex(Cache.NAMESPACE_INDEX, service.getMetadata().getNamespace())) {
            if (selects(service, pod)) {
                selected.add(pod);
            }
        }
        return selected;
    }

    /** namespace/name of every service selecting the pod. */
    public static Set<String> servicesOf(Pod pod, Indexer<Service> services) {
        Set<String> keys = new LinkedHashSet<>();
        for (Service service : services.byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
            if (selects(service, pod)) {
                keys.add(Cache.metaNamespaceKeyFunc(service));
            }
        }
        return keys;
    }

    /**
     * The services to sync after a pod changed (Kubernetes' GetServicesToUpdateOnPodChange): none if nothing an
     * endpoint shows changed, those of the new pod if only that, and those of the old pod too if its labels (or
     * hostname and subdomain) changed.
     */
    public static Set<String> servicesToSync(Pod old, Pod pod, Indexer<Service> services) {
        boolean labelsChanged = !Objects.equals(labels(old), labels(pod))
                || !Objects.equals(spec(old, true), spec(pod, true)) || !Objects.equals(spec(old, false), spec(pod, false));
        if (!labelsChanged && !endpointChanged(old, pod)) {
            return Set.of();
        }
        Set<String> keys = servicesOf(pod, services);
        if (labelsChanged) {
            keys.addAll(servicesOf(old, services));
        }
        return keys;
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }

    private static String spec(Pod pod, boolean hostname) {
        if (pod.getSpec() == null) {
            return null;
        }
        return hostname ? pod.getSpec().getHostname() : pod.getSpec().getSubdomain();
    }

    /** A change an endpoint of the pod shows: deletion, readiness, addresses, node, or the pod finishing. */
    private static boolean endpointChanged(Pod old, Pod pod) {
        return !Objects.equals(old.getMetadata().getDeletionTimestamp(), pod.getMetadata().getDeletionTimestamp())
                || ActivePods.isReady(old) != ActivePods.isReady(pod)
                || !ips(old).equals(ips(pod))
                || isTerminal(old) != isTerminal(pod)
                || !Objects.equals(old.getSpec() == null ? null : old.getSpec().getNodeName(),
                        pod.getSpec() == null ? null : pod.getSpec().getNodeName());
    }

    /**
     * Kubernetes' ShouldPodBeInEndpoints: not finished, with an IP, and not being deleted unless terminating pods
     * are wanted.
     */
    public static boolean belongsInEndpoints(Pod pod, boolean includeTerminating) {
        if (isTerminal(pod) || ips(pod).isEmpty()) {
            return false;
        }
        return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
    }

    private static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** The pod's IPs: status.podIPs, or status.podIP alone when the list is empty. */
    public static List<String> ips(Pod pod) {
        if (pod.getStatus() == null) {
            return List.of();
        }
        List<String> ips = new ArrayList<>();
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                if (ip.getIp() != null && !ip.getIp().isEmpty()) {
                    ips.add(ip.getIp());
                }
            }
        }
        String single = pod.getStatus().getPodIP();
        if (ips.isEmpty() && single != null && !single.isEmpty()) {
            ips.add(single);
        }
        return ips;
    }

    /** The pod's first IP of this family ("IPv4" or "IPv6"), or null. */
    public static String ipOfFamily(Pod pod, String family) {
        for (String ip : ips(pod)) {
            if (family.equals(familyOf(ip))) {
                return ip;
            }
        }
        return null;
    }

    public static String familyOf(String ip) {
        return ip.contains(":") ? "IPv6" : "IPv4";
    }

    /**
     * The IP families the service's endpoints are of: spec.ipFamilies, else the family of its cluster IP, else
     * IPv4 (Kubernetes' getAddressTypesForService, on a single-stack IPv4 cluster).
     */
    public static List<String> families(Service service) {
        List<String> families = service.getSpec().getIpFamilies();
        if (families != null && !families.isEmpty()) {
            return List.copyOf(new LinkedHashSet<>(families));
        }
        String clusterIp = service.getSpec().getClusterIP();
        if (clusterIp != null && !clusterIp.isEmpty() && !clusterIp.equals("None")) {
            return List.of(familyOf(clusterIp));
        }
        return List.of("IPv4");
    }

    public static boolean isHeadless(Service service) {
        return "None".equals(service.getSpec().getClusterIP());
    }

    public static boolean publishesNotReady(Service service) {
        return Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    }

    /** Kubernetes' ShouldSetHostname: the pod names a hostname and the service as its subdomain. */
    public static boolean setsHostname(Pod pod, Service service) {
        return pod.getSpec() != null && pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
                && service.getMetadata().getName().equals(pod.getSpec().getSubdomain())
                && service.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace());
    }

    /**
     * Kubernetes' FindPort: a numeric targetPort as it is, a named one looked up among the ports of the pod's
     * containers (and sidecars: init containers that always restart) with the service port's protocol; null when
     * the pod has no such port.
     */
    public static Integer findPort(Pod pod, ServicePort servicePort) {
        IntOrString target = servicePort.getTargetPort();
        if (target == null) {
            return servicePort.getPort();
        }
        if (target.getStrVal() == null) {
            return target.getIntVal();
        }
        String name = target.getStrVal();
        String protocol = servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol();
        if (pod.getSpec() == null) {
            return null;
        }
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec().getContainers() != null) {
            containers.addAll(pod.getSpec().getContainers());
        }
        if (pod.getSpec().getInitContainers() != null) {
            for (Container init : pod.getSpec().getInitContainers()) {
                if ("Always".equals(init.getRestartPolicy())) {
                    containers.add(init);
                }
            }
        }
        for (Container container : containers) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort port : container.getPorts()) {
                String portProtocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
                if (name.equals(port.getName()) && protocol.equals(portProtocol)) {
                    return port.getContainerPort();
                }
            }
        }
        return null;
    }
}
