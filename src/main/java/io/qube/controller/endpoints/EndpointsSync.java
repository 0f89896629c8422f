package io.qube.controller.endpoints;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ActivePods;
import io.qube.controller.ServicePods;
import io.qube.controller.endpoints.Subsets.Address;
import io.qube.controller.endpoints.Subsets.Entry;
import io.qube.controller.endpoints.Subsets.Port;
import io.qube.controller.endpoints.Subsets.Ref;
import io.qube.controller.endpoints.Subsets.Subset;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One service's Endpoints brought up to date from the informers' caches (Kubernetes' syncService): named as the
 * service, labelled as it (plus the headless label), listing each selected pod that has an IP with every port
 * the service's ports reach on it, ready pods as addresses and the others as notReadyAddresses. Written only when
 * that differs from what is stored; a deleted service's Endpoints are deleted.
 */
final class EndpointsSync {

    private static final Logger LOG = Logger.getLogger(EndpointsSync.class);
    static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";

    private final KubernetesClient client;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Endpoints> endpoints;
    private final EventRecorder events;
    /**
     * Per service key, the resourceVersion its Endpoints had before this controller's last update: seeing it again
     * in the cache means the cache has not caught up (Kubernetes' staleEndpointsTracker).
     */
    private final Map<String, String> staleVersions = new ConcurrentHashMap<>();

    EndpointsSync(KubernetesClient client, SharedIndexInformer<Service> services, SharedIndexInformer<Pod> pods,
                  SharedIndexInformer<Endpoints> endpoints, EventRecorder events) {
        this.client = client;
        this.services = services;
        this.pods = pods;
        this.endpoints = endpoints;
        this.events = events;
    }

    WorkQueue.Outcome sync(String key) {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, slash);
        String name = key.substring(slash + 1);
        Service service = services.getIndexer().getByKey(key);
        if (service == null && client.services().inNamespace(namespace).withName(name).get() != null) {
            // The cache has not seen the service yet (informers list and watch apart: its Endpoints may arrive
            // first); the service's own event brings it back here. Only a service the API lacks loses its Endpoints.
            return WorkQueue.Outcome.DONE;
        }
        if (service == null) {
            staleVersions.remove(key);
            try {
                client.endpoints().inNamespace(namespace).withName(name).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
            return WorkQueue.Outcome.DONE;
        }
        if (!ServicePods.selectsPods(service)) {
            // Without a selector (or as an ExternalName) the service's Endpoints are someone else's.
            return WorkQueue.Outcome.DONE;
        }
        List<Subset> subsets = Subsets.repack(entries(service, ServicePods.selected(service, pods.getIndexer())));
        List<Subset> kept = Subsets.truncate(subsets);
        boolean truncated = kept != subsets;
        Map<String, String> labels = labels(service);

        Endpoints current = endpoints.getIndexer().getByKey(key);
        if (current != null && Objects.equals(staleVersions.get(key), current.getMetadata().getResourceVersion())) {
            return WorkQueue.Outcome.FAILED; // the cache still shows what this controller replaced
        }
        if (current != null && Subsets.of(current.getSubsets()).equals(kept)
                && labels.equals(orEmpty(current.getMetadata().getLabels()))
                && truncated == orEmpty(current.getMetadata().getAnnotations()).containsKey(OVER_CAPACITY)) {
            return WorkQueue.Outcome.DONE;
        }
        Map<String, String> annotations = new LinkedHashMap<>(current == null ? Map.of()
                : orEmpty(current.getMetadata().getAnnotations()));
        if (truncated) {
            annotations.put(OVER_CAPACITY, "truncated");
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        return write(service, current, new EndpointsBuilder()
                .withMetadata(current == null
                        ? new ObjectMetaBuilder().withName(name).withNamespace(namespace).build()
                        : new ObjectMetaBuilder(current.getMetadata()).build())
                .editMetadata().withLabels(labels).withAnnotations(annotations.isEmpty() ? null : annotations)
                .endMetadata()
                .withSubsets(Subsets.toModel(kept)).build());
    }

    private WorkQueue.Outcome write(Service service, Endpoints current, Endpoints wanted) {
        String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
        try {
            if (current == null) {
                client.endpoints().inNamespace(service.getMetadata().getNamespace()).resource(wanted).create();
            } else {
                Endpoints updated = client.endpoints().inNamespace(service.getMetadata().getNamespace())
                        .resource(wanted).update();
                if (!Objects.equals(updated.getMetadata().getResourceVersion(),
                        current.getMetadata().getResourceVersion())) {
                    staleVersions.put(key, current.getMetadata().getResourceVersion());
                }
            }
            return WorkQueue.Outcome.DONE;
        } catch (KubernetesClientException e) {
            if (current == null && e.getCode() == 403) {
                return WorkQueue.Outcome.DONE; // the namespace is being deleted: creates will keep failing
            }
            if (e.getCode() != 409) {
                // A conflict only means the cache was behind: the retry sees the newer state.
                String message = current == null
                        ? "Failed to create endpoint for service " + key + ": " + e.getMessage()
                        : "Failed to update endpoint " + key + ": " + e.getMessage();
                events.warning(wanted, current == null ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint",
                        message);
            }
            LOG.debugf("endpoints %s: %s", key, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
    }

    /** Every (address, port) the service's pods offer, as Kubernetes' addEndpointSubset collects them. */
    static List<Entry> entries(Service service, List<Pod> selected) {
        boolean publishNotReady = ServicePods.publishesNotReady(service);
        String family = ServicePods.families(service).get(0);
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        List<Entry> entries = new ArrayList<>();
        for (Pod pod : selected) {
            if (!ServicePods.belongsInEndpoints(pod, publishNotReady)) {
                continue;
            }
            String ip = ServicePods.ipOfFamily(pod, family);
            if (ip == null) {
                continue;
            }
            Address address = new Address(ip, ServicePods.setsHostname(pod, service) ? pod.getSpec().getHostname() : null,
                    Subsets.emptyToNull(pod.getSpec().getNodeName()), new Ref("Pod", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), pod.getMetadata().getUid()));
            boolean ready = publishNotReady || ActivePods.isReady(pod);
            if (servicePorts.isEmpty()) {
                // A headless service may have no ports; any other without ports lists nothing.
                if (ServicePods.isHeadless(service)) {
                    entries.add(new Entry(address, ready, null));
                }
                continue;
            }
            for (ServicePort servicePort : servicePorts) {
                Integer number = ServicePods.findPort(pod, servicePort);
                if (number == null) {
                    continue;
                }
                entries.add(new Entry(address, ready, new Port(Subsets.emptyToNull(servicePort.getName()), number,
                        servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol(),
                        servicePort.getAppProtocol())));
            }
        }
        return entries;
    }

    /** The service's labels, with the headless label exactly when the service has no cluster IP. */
    static Map<String, String> labels(Service service) {
        Map<String, String> labels = new HashMap<>(orEmpty(service.getMetadata().getLabels()));
        String clusterIp = service.getSpec().getClusterIP();
        if (clusterIp == null || clusterIp.isEmpty() || clusterIp.equals("None")) {
            labels.put(ServicePods.HEADLESS_LABEL, "");
        } else {
            labels.remove(ServicePods.HEADLESS_LABEL);
        }
        return labels;
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
