package io.qube.controller.endpointslice;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.qube.controller.ActivePods;
import io.qube.controller.ControllerRefs;
import io.qube.controller.ServicePods;
import io.qube.controller.endpointslice.SliceValues.Ref;
import io.qube.controller.endpointslice.SliceValues.SliceEndpoint;
import io.qube.controller.endpointslice.SliceValues.SlicePort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Kubernetes' EndpointSlice reconciler (k8s.io/endpointslice), without topology hints: what to create, update and
 * delete so that a service's slices hold exactly the endpoints of its pods. Per address type and per set of
 * ports, endpoints already in a slice stay there (updated if they changed), new ones first fill slices that are
 * being updated anyway, then the one unchanged slice they fit best, then new slices; emptied slices go, and a
 * slice about to be created takes the place of one about to be deleted. A service without endpoints keeps one
 * empty placeholder slice. Pure: it only plans.
 */
final class SliceReconciler {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    static final String MANAGED_BY = "endpointslice-controller.k8s.io";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    /** The writes one sync makes; {@code missingNodes}: pods left out because their node is not known (yet). */
    record Plan(List<EndpointSlice> create, List<EndpointSlice> update, List<EndpointSlice> delete,
                Set<String> missingNodes) {
        boolean isEmpty() {
            return create.isEmpty() && update.isEmpty() && delete.isEmpty();
        }
    }

    private final int maxEndpointsPerSlice;

    SliceReconciler(int maxEndpointsPerSlice) {
        this.maxEndpointsPerSlice = maxEndpointsPerSlice;
    }

    /**
     * @param pods     the pods the service selects
     * @param nodes    a node by name, or null
     * @param existing the slices this controller manages for the service
     */
    Plan reconcile(Service service, List<Pod> pods, Function<String, Node> nodes, List<EndpointSlice> existing) {
        List<String> addressTypes = ServicePods.families(service);
        Plan total = new Plan(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new LinkedHashSet<>());
        Map<String, List<EndpointSlice>> byType = new LinkedHashMap<>();
        for (EndpointSlice slice : existing) {
            if (addressTypes.contains(slice.getAddressType())) {
                byType.computeIfAbsent(slice.getAddressType(), type -> new ArrayList<>()).add(slice);
            } else {
                total.delete().add(slice);
            }
        }
        List<Pod> ordered = new ArrayList<>(pods);
        ordered.sort(Comparator.comparing(pod -> pod.getMetadata().getName()));
        for (String addressType : addressTypes) {
            Plan plan = reconcileByAddressType(service, ordered, nodes, byType.getOrDefault(addressType, List.of()),
                    addressType);
            total.create().addAll(plan.create());
            total.update().addAll(plan.update());
            total.delete().addAll(plan.delete());
            total.missingNodes().addAll(plan.missingNodes());
        }
        return total;
    }

    private Plan reconcileByAddressType(Service service, List<Pod> pods, Function<String, Node> nodes,
                                        List<EndpointSlice> existing, String addressType) {
        List<EndpointSlice> toCreate = new ArrayList<>();
        List<EndpointSlice> toUpdate = new ArrayList<>();
        List<EndpointSlice> toDelete = new ArrayList<>();
        Set<String> missingNodes = new LinkedHashSet<>();

        Map<List<SlicePort>, List<EndpointSlice>> existingByPorts = new LinkedHashMap<>();
        for (EndpointSlice slice : existing) {
            if (ownedBy(slice, service)) {
                existingByPorts.computeIfAbsent(SliceValues.portKey(SliceValues.portsOf(slice.getPorts())),
                        key -> new ArrayList<>()).add(slice);
            } else {
                toDelete.add(slice);
            }
        }

        Map<List<SlicePort>, List<SlicePort>> desiredPorts = new LinkedHashMap<>();
        Map<List<SlicePort>, LinkedHashMap<String, SliceEndpoint>> desired = new LinkedHashMap<>();
        boolean publishNotReady = ServicePods.publishesNotReady(service);
        for (Pod pod : pods) {
            if (!ServicePods.belongsInEndpoints(pod, true)) {
                continue;
            }
            List<SlicePort> ports = endpointPorts(service, pod);
            List<SlicePort> key = SliceValues.portKey(ports);
            desiredPorts.putIfAbsent(key, ports);
            LinkedHashMap<String, SliceEndpoint> endpoints = desired.computeIfAbsent(key, k -> new LinkedHashMap<>());
            String nodeName = pod.getSpec().getNodeName();
            Node node = nodeName == null || nodeName.isEmpty() ? null : nodes.apply(nodeName);
            if (node == null && !publishNotReady) {
                // Left out for now, and the service synced again later, as Kubernetes does.
                missingNodes.add(nodeName == null ? "" : nodeName);
                continue;
            }
            SliceEndpoint endpoint = endpoint(pod, node, service, addressType);
            if (!endpoint.addresses().isEmpty()) {
                endpoints.putIfAbsent(endpoint.key(), endpoint);
            }
        }

        for (Map.Entry<List<SlicePort>, LinkedHashMap<String, SliceEndpoint>> group : desired.entrySet()) {
            reconcileByPorts(service, existingByPorts.getOrDefault(group.getKey(), List.of()), group.getValue(),
                    desiredPorts.get(group.getKey()), addressType, toCreate, toUpdate, toDelete);
        }
        for (Map.Entry<List<SlicePort>, List<EndpointSlice>> group : existingByPorts.entrySet()) {
            if (!desired.containsKey(group.getKey())) {
                toDelete.addAll(group.getValue());
            }
        }

        // A service without endpoints keeps one empty slice, so that it shows as known but empty.
        if (existing.size() == toDelete.size() && toCreate.isEmpty()) {
            EndpointSlice placeholder = newSlice(service, List.of(), addressType);
            if (toDelete.size() == 1 && isPlaceholder(toDelete.get(0), placeholder)) {
                toDelete.clear();
            } else {
                toCreate.add(placeholder);
            }
        }

        // A slice to create takes the name of one to delete instead (owned by this service, of its address type).
        for (int i = 0; i < toDelete.size() && !toCreate.isEmpty(); ) {
            EndpointSlice doomed = toDelete.get(i);
            EndpointSlice slice = toCreate.get(toCreate.size() - 1);
            if (Objects.equals(doomed.getAddressType(), slice.getAddressType()) && ownedBy(doomed, service)) {
                slice.setMetadata(new ObjectMetaBuilder(slice.getMetadata())
                        .withName(doomed.getMetadata().getName())
                        .withGenerateName(doomed.getMetadata().getGenerateName())
                        .withResourceVersion(doomed.getMetadata().getResourceVersion()).build());
                toCreate.remove(toCreate.size() - 1);
                toUpdate.add(slice);
                toDelete.remove(i);
            } else {
                i++;
            }
        }
        if (service.getMetadata().getDeletionTimestamp() != null) {
            toCreate.clear(); // nothing new for a service on its way out
        }
        return new Plan(toCreate, toUpdate, toDelete, missingNodes);
    }

    /** reconcileByPortMapping: the slices of one address type and set of ports. */
    private void reconcileByPorts(Service service, List<EndpointSlice> existing,
                                  LinkedHashMap<String, SliceEndpoint> desired, List<SlicePort> ports,
                                  String addressType, List<EndpointSlice> toCreate, List<EndpointSlice> toUpdate,
                                  List<EndpointSlice> toDelete) {
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        Set<String> unchanged = new LinkedHashSet<>();
        Set<String> updated = new LinkedHashSet<>();
        Set<String> deleted = new LinkedHashSet<>();
        Map<String, String> labels = labels(service);

        // 1. Endpoints no longer wanted leave their slice; changed ones are updated in place.
        for (EndpointSlice slice : existing) {
            String name = slice.getMetadata().getName();
            byName.put(name, slice);
            List<Endpoint> current = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
            List<Endpoint> kept = new ArrayList<>();
            boolean changed = false;
            for (Endpoint endpoint : current) {
                SliceEndpoint now = SliceEndpoint.of(endpoint);
                SliceEndpoint wanted = desired.remove(now.key());
                if (wanted != null) {
                    kept.add(wanted.toModel());
                    changed |= !wanted.equals(now);
                }
            }
            boolean labelsChanged = !labels.equals(orEmpty(slice.getMetadata().getLabels()));
            if (changed || kept.size() != current.size()) {
                if (kept.isEmpty()) {
                    deleted.add(name);
                } else {
                    byName.put(name, copy(slice, kept, labels));
                    updated.add(name);
                }
            } else if (labelsChanged) {
                byName.put(name, copy(slice, current, labels));
                updated.add(name);
            } else {
                unchanged.add(name);
            }
        }

        // 2. New endpoints fill the slices being updated anyway, fullest first.
        if (!desired.isEmpty() && !updated.isEmpty()) {
            List<EndpointSlice> filling = new ArrayList<>();
            updated.forEach(name -> filling.add(byName.get(name)));
            filling.sort(Comparator.comparingInt((EndpointSlice s) -> s.getEndpoints().size()).reversed());
            for (EndpointSlice slice : filling) {
                fill(slice, desired);
            }
        }

        // 3. The rest go into the unchanged slice they fit best, or into new slices.
        while (!desired.isEmpty()) {
            EndpointSlice target = null;
            if (desired.size() < maxEndpointsPerSlice && !unchanged.isEmpty()) {
                List<EndpointSlice> candidates = new ArrayList<>();
                unchanged.forEach(name -> candidates.add(byName.get(name)));
                target = sliceToFill(candidates, desired.size());
            }
            if (target == null) {
                target = newSlice(service, ports, addressType);
            } else {
                target = copy(target, target.getEndpoints() == null ? List.of() : target.getEndpoints(), labels);
                byName.put(target.getMetadata().getName(), target);
            }
            fill(target, desired);
            String name = target.getMetadata().getName();
            if (name != null) {
                updated.add(name);
                unchanged.remove(name);
            } else {
                toCreate.add(target);
            }
        }
        updated.forEach(name -> toUpdate.add(byName.get(name)));
        deleted.forEach(name -> toDelete.add(byName.get(name)));
    }

    private void fill(EndpointSlice slice, LinkedHashMap<String, SliceEndpoint> desired) {
        var remaining = desired.entrySet().iterator();
        while (remaining.hasNext() && slice.getEndpoints().size() < maxEndpointsPerSlice) {
            slice.getEndpoints().add(remaining.next().getValue().toModel());
            remaining.remove();
        }
    }

    /** The unchanged slice that comes closest to full once {@code count} endpoints are added; null if none fits. */
    private EndpointSlice sliceToFill(List<EndpointSlice> slices, int count) {
        int closest = maxEndpointsPerSlice;
        EndpointSlice best = null;
        for (EndpointSlice slice : slices) {
            int size = slice.getEndpoints() == null ? 0 : slice.getEndpoints().size();
            int diff = maxEndpointsPerSlice - (count + size);
            if (diff >= 0 && diff < closest) {
                closest = diff;
                best = slice;
                if (diff == 0) {
                    break;
                }
            }
        }
        return best;
    }

    /** Kubernetes' podToEndpoint. */
    static SliceEndpoint endpoint(Pod pod, Node node, Service service, String addressType) {
        boolean serving = ActivePods.isReady(pod);
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        boolean ready = ServicePods.publishesNotReady(service) || serving && !terminating;
        List<String> addresses = new ArrayList<>();
        for (String ip : ServicePods.ips(pod)) {
            if (addressType.equals(ServicePods.familyOf(ip))) {
                addresses.add(ip);
            }
        }
        String nodeName = pod.getSpec().getNodeName();
        String zone = null;
        if (node != null && node.getMetadata().getLabels() != null) {
            String label = node.getMetadata().getLabels().get(ZONE_LABEL);
            zone = label == null || label.isEmpty() ? null : label;
        }
        return new SliceEndpoint(List.copyOf(addresses), ready, serving, terminating,
                ServicePods.setsHostname(pod, service) ? pod.getSpec().getHostname() : null,
                nodeName == null || nodeName.isEmpty() ? null : nodeName, zone,
                new Ref("Pod", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid()));
    }

    /** Kubernetes' getEndpointPorts: each service port that resolves on the pod, in the service's order. */
    static List<SlicePort> endpointPorts(Service service, Pod pod) {
        List<SlicePort> ports = new ArrayList<>();
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        for (ServicePort servicePort : servicePorts) {
            Integer number = ServicePods.findPort(pod, servicePort);
            if (number != null) {
                ports.add(new SlicePort(Objects.requireNonNullElse(servicePort.getName(), ""), number,
                        Objects.requireNonNullElse(servicePort.getProtocol(), "TCP"), servicePort.getAppProtocol()));
            }
        }
        return ports;
    }

    /**
     * The labels a service's slices carry: the service's own (except the reserved ones), the headless label when
     * it has no cluster IP, its name and this controller as manager.
     */
    static Map<String, String> labels(Service service) {
        Map<String, String> labels = new HashMap<>();
        orEmpty(service.getMetadata().getLabels()).forEach((key, value) -> {
            if (!key.equals(SERVICE_NAME_LABEL) && !key.equals(MANAGED_BY_LABEL)
                    && !key.equals(ServicePods.HEADLESS_LABEL)) {
                labels.put(key, value);
            }
        });
        String clusterIp = service.getSpec().getClusterIP();
        if (clusterIp == null || clusterIp.isEmpty() || clusterIp.equals("None")) {
            labels.put(ServicePods.HEADLESS_LABEL, "");
        }
        labels.put(SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    /** A new slice (no name yet: generateName {@code <service>-}), owned by the service. */
    private static EndpointSlice newSlice(Service service, List<SlicePort> ports, String addressType) {
        String prefix = service.getMetadata().getName() + "-";
        if (prefix.length() > 253) {
            prefix = service.getMetadata().getName();
        }
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> model = new ArrayList<>();
        ports.forEach(port -> model.add(port.toModel()));
        return new EndpointSliceBuilder().withNewMetadata().withGenerateName(prefix)
                .withNamespace(service.getMetadata().getNamespace()).withLabels(labels(service))
                .withOwnerReferences(ControllerRefs.controllerRef(service)).endMetadata()
                .withAddressType(addressType).withPorts(model).withEndpoints(new ArrayList<>()).build();
    }

    /** Kubernetes' placeholderSliceCompare: same namespace, labels and address type, no ports, no endpoints. */
    private static boolean isPlaceholder(EndpointSlice slice, EndpointSlice placeholder) {
        return Objects.equals(slice.getMetadata().getNamespace(), placeholder.getMetadata().getNamespace())
                && orEmpty(slice.getMetadata().getLabels()).equals(placeholder.getMetadata().getLabels())
                && Objects.equals(slice.getAddressType(), placeholder.getAddressType())
                && (slice.getPorts() == null || slice.getPorts().isEmpty())
                && (slice.getEndpoints() == null || slice.getEndpoints().isEmpty());
    }

    static boolean ownedBy(EndpointSlice slice, Service service) {
        List<OwnerReference> owners = slice.getMetadata().getOwnerReferences();
        if (owners == null) {
            return false;
        }
        for (OwnerReference owner : owners) {
            if (Objects.equals(owner.getUid(), service.getMetadata().getUid()) && "Service".equals(owner.getKind())
                    && "v1".equals(owner.getApiVersion())) {
                return true;
            }
        }
        return false;
    }

    /** A copy to change (the informer's objects are not ours to touch) with these endpoints and labels. */
    private static EndpointSlice copy(EndpointSlice slice, List<Endpoint> endpoints, Map<String, String> labels) {
        EndpointSlice copy = new EndpointSliceBuilder(slice).build();
        copy.setMetadata(new ObjectMetaBuilder(slice.getMetadata()).withLabels(new HashMap<>(labels)).build());
        List<Endpoint> copied = new ArrayList<>();
        endpoints.forEach(endpoint -> copied.add(new io.fabric8.kubernetes.api.model.discovery.v1
                .EndpointBuilder(endpoint).build()));
        copy.setEndpoints(copied);
        return copy;
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
