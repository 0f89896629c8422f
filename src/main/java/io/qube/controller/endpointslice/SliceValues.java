package io.qube.controller.endpointslice;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** An EndpointSlice's endpoints and ports as values that compare by what they say. */
final class SliceValues {

    private SliceValues() {
    }

    record Ref(String kind, String namespace, String name, String uid) {
    }

    /**
     * One endpoint. Kubernetes identifies an endpoint by its addresses, hostname and target's namespace and name
     * ({@link #key}); the rest (conditions, node, zone, target UID) is what an update may change.
     */
    record SliceEndpoint(List<String> addresses, Boolean ready, Boolean serving, Boolean terminating, String hostname,
                         String nodeName, String zone, Ref targetRef) {

        String key() {
            List<String> sorted = new ArrayList<>(addresses);
            sorted.sort(null);
            return String.join(",", sorted) + "|" + Objects.requireNonNullElse(hostname, "") + "|"
                    + (targetRef == null ? "" : targetRef.namespace() + "/" + targetRef.name());
        }

        static SliceEndpoint of(Endpoint endpoint) {
            EndpointConditions conditions = endpoint.getConditions();
            ObjectReference ref = endpoint.getTargetRef();
            return new SliceEndpoint(endpoint.getAddresses() == null ? List.of() : List.copyOf(endpoint.getAddresses()),
                    conditions == null ? null : conditions.getReady(),
                    conditions == null ? null : conditions.getServing(),
                    conditions == null ? null : conditions.getTerminating(),
                    endpoint.getHostname(), endpoint.getNodeName(), endpoint.getZone(),
                    ref == null ? null : new Ref(ref.getKind(), ref.getNamespace(), ref.getName(), ref.getUid()));
        }

        Endpoint toModel() {
            EndpointBuilder builder = new EndpointBuilder().withAddresses(new ArrayList<>(addresses))
                    .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating)
                    .endConditions()
                    .withHostname(hostname).withNodeName(nodeName).withZone(zone);
            if (targetRef != null) {
                builder.withTargetRef(new ObjectReferenceBuilder().withKind(targetRef.kind())
                        .withNamespace(targetRef.namespace()).withName(targetRef.name()).withUid(targetRef.uid())
                        .build());
            }
            return builder.build();
        }
    }

    /** One port; the name is "" for a service's single unnamed port, as the API defaults it. */
    record SlicePort(String name, Integer port, String protocol, String appProtocol) {

        static final Comparator<SlicePort> ORDER = Comparator.comparing((SlicePort p) -> p.name())
                .thenComparing(p -> p.port() == null ? 0 : p.port())
                .thenComparing(p -> Objects.requireNonNullElse(p.protocol(), ""))
                .thenComparing(p -> Objects.requireNonNullElse(p.appProtocol(), ""));

        static SlicePort of(EndpointPort port) {
            return new SlicePort(Objects.requireNonNullElse(port.getName(), ""), port.getPort(),
                    Objects.requireNonNullElse(port.getProtocol(), "TCP"), port.getAppProtocol());
        }

        EndpointPort toModel() {
            return new EndpointPortBuilder().withName(name).withPort(port).withProtocol(protocol)
                    .withAppProtocol(appProtocol).build();
        }
    }

    /** The ports as a set, whatever their order: slices are grouped by it (Kubernetes' PortMapKey). */
    static List<SlicePort> portKey(List<SlicePort> ports) {
        List<SlicePort> sorted = new ArrayList<>(ports);
        sorted.sort(SlicePort.ORDER);
        return List.copyOf(sorted);
    }

    static List<SlicePort> portsOf(List<EndpointPort> ports) {
        List<SlicePort> values = new ArrayList<>();
        if (ports != null) {
            ports.forEach(port -> values.add(SlicePort.of(port)));
        }
        return values;
    }
}
