package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.clusterScoped;
import static io.qube.apiserver.admission.Manifests.inNamespace;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Validation of the smaller kinds, with Kubernetes' field paths and reasons. */
class KindValidationTest {

    @Test
    void namespaceFinalizersAreStandardOrQualified() {
        Namespace namespace = read(clusterScoped(Namespace.class, "team-a", """
                spec: {finalizers: [cleanup, example.com/cleanup]}
                """), Namespace.class);

        assertThat(create(namespace)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified",
                "spec.finalizers"));
    }

    @Test
    void aNamespaceCannotBeRenamed() {
        Namespace old = read("apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}", Namespace.class);
        assertThat(create(old)).isEmpty();
        Namespace renamed = copy(old);
        renamed.getMetadata().setName("team-b");

        assertThat(reasonsAndFields(update(renamed, old))).containsExactly("FieldValueInvalid metadata.name");
    }

    @Test
    void nodeTaintsNeedAKeyAnEffectAndNoTwin() {
        Node node = read(clusterScoped(Node.class, "worker-1", """
                spec:
                  taints:
                  - {key: dedicated, value: gpu, effect: NoSchedule}
                  - {key: dedicated, value: cpu, effect: NoSchedule}
                  - {key: "-bad", effect: Sometimes}
                  - {key: spot}
                """), Node.class);

        assertThat(reasonsAndFields(create(node))).containsExactly(
                "FieldValueDuplicate spec.taints[1]",
                "FieldValueInvalid spec.taints[2].key",
                "FieldValueNotSupported spec.taints[2].effect",
                "FieldValueRequired spec.taints[3].effect");
    }

    @Test
    void aNodeKeepsItsPodCidrAndProviderOnceSet() {
        Node old = read(clusterScoped(Node.class, "worker-1", """
                spec: {podCIDR: 10.244.1.0/24, providerID: "qube://worker-1"}
                """), Node.class);
        assertThat(create(old)).isEmpty();
        Node updated = copy(old);
        updated.getSpec().setPodCIDR("10.244.9.0/24");
        updated.getSpec().setPodCIDRs(List.of("10.244.9.0/24"));
        updated.getSpec().setProviderID("qube://other");
        Node cordoned = copy(old);
        cordoned.getSpec().setUnschedulable(true);

        assertThat(update(updated, old)).containsExactly(
                new Cause("FieldValueForbidden", "Forbidden: node updates may not change podCIDR except from \"\" to valid",
                        "spec.podCIDRs"),
                new Cause("FieldValueForbidden", "Forbidden: node updates may not change providerID except from \"\" to valid",
                        "spec.providerID"));
        assertThat(update(cordoned, old)).isEmpty();
    }

    @Test
    void anEventLivesInTheNamespaceOfItsObject() {
        Event elsewhere = read(namespaced(Event.class, "web.17a4", """
                involvedObject: {kind: Pod, name: web, namespace: shop}
                reason: Started
                """), Event.class);
        Event aboutANode = read(namespaced(Event.class, "worker-1.17a4", """
                involvedObject: {kind: Node, name: worker-1}
                reason: NodeReady
                """), Event.class);

        assertThat(create(elsewhere)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"shop\": does not match event.namespace", "involvedObject.namespace"));
        assertThat(create(aboutANode)).isEmpty();
    }

    @Test
    void aNewStyleEventSaysWhoReportedWhat() {
        Event event = read(namespaced(Event.class, "web.17a4", """
                involvedObject: {kind: Pod, name: web, namespace: default}
                eventTime: "2025-01-01T00:00:00.000000Z"
                """), Event.class);

        // As in Kubernetes, an empty controller name is also reported as an empty and a malformed name part.
        assertThat(reasonsAndFields(create(event))).containsExactly("FieldValueRequired source",
                "FieldValueInvalid source", "FieldValueInvalid source", "FieldValueRequired reportingInstance",
                "FieldValueRequired action", "FieldValueRequired reason");
    }

    @Test
    void endpointsAreRoutableAddressesWithNamedPorts() {
        Endpoints endpoints = read(namespaced(Endpoints.class, "web", """
                subsets:
                - addresses: [{ip: 10.244.1.5}, {ip: 127.0.0.1}, {ip: web-1}]
                  ports: [{port: 80}, {name: https, port: 443, protocol: QUIC}]
                - ports: [{port: 80}]
                """), Endpoints.class);

        assertThat(reasonsAndFields(create(endpoints))).containsExactly(
                "FieldValueInvalid subsets[0].addresses[1].ip",
                "FieldValueInvalid subsets[0].addresses[2].ip",
                "FieldValueRequired subsets[0].ports[0].name",
                "FieldValueNotSupported subsets[0].ports[1].protocol",
                "FieldValueRequired subsets[1]");
    }

    @Test
    void endpointSliceAddressesMatchTheSliceTypeWhichNeverChanges() {
        EndpointSlice slice = read(namespaced(EndpointSlice.class, "web-abcde", """
                addressType: IPv4
                endpoints:
                - addresses: [10.244.1.5, "2001:db8::1"]
                - addresses: []
                ports: [{name: http, port: 80}, {name: http, port: 81}]
                """), EndpointSlice.class);
        EndpointSlice old = read(namespaced(EndpointSlice.class, "web-abcde", """
                addressType: IPv4
                endpoints: [{addresses: [10.244.1.5]}]
                """), EndpointSlice.class);
        assertThat(create(old)).isEmpty();
        EndpointSlice retyped = copy(old);
        retyped.setAddressType("FQDN");
        retyped.getEndpoints().get(0).setAddresses(List.of("web.example.com"));

        assertThat(create(slice)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"2001:db8::1\": must be a valid IPv4 address",
                        "endpoints[0].addresses[1]"),
                new Cause("FieldValueRequired", "Required value: must contain at least 1 address", "endpoints[1].addresses"),
                new Cause("FieldValueDuplicate", "Duplicate value: \"http\"", "ports[1].name"));
        assertThat(update(retyped, old)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"FQDN\": field is immutable", "addressType"));
    }

    @Test
    void leaseDurationsArePositive() {
        Lease lease = read(inNamespace(Lease.class, "kube-node-lease", "worker-1", """
                spec: {holderIdentity: worker-1, leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: worker-2}
                """), Lease.class);

        assertThat(create(lease)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: 0: must be greater than 0", "spec.leaseDurationSeconds"),
                new Cause("FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0", "spec.leaseTransitions"),
                new Cause("FieldValueForbidden", "Forbidden: may only be specified if `strategy` is defined",
                        "spec.preferredHolder"));
    }

    @Test
    void priorityClassValuesAboveOneBillionAndSystemNamesAreReserved() {
        PriorityClass tooHigh = read(clusterScoped(PriorityClass.class, "urgent", """
                value: 1500000000
                """), PriorityClass.class);
        PriorityClass systemName = read(clusterScoped(PriorityClass.class, "system-urgent", """
                value: 1000
                """), PriorityClass.class);
        PriorityClass builtIn = read(clusterScoped(PriorityClass.class, "system-node-critical", """
                value: 2000001000
                """), PriorityClass.class);

        assertThat(create(tooHigh)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: maximum allowed value of a user defined priority is 1000000000", "value"));
        assertThat(create(systemName)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: "
                        + "system-urgent is not a known system priority class", "metadata.name"));
        assertThat(create(builtIn)).isEmpty();
    }

    @Test
    void aPriorityClassValueNeverChanges() {
        PriorityClass old = read(clusterScoped(PriorityClass.class, "high", """
                value: 1000
                """), PriorityClass.class);
        assertThat(create(old)).isEmpty();
        PriorityClass updated = copy(old);
        updated.setValue(2000);
        updated.setPreemptionPolicy("Never");

        assertThat(update(updated, old)).containsExactly(
                new Cause("FieldValueForbidden", "Forbidden: may not be changed in an update.", "value"),
                new Cause("FieldValueInvalid", "Invalid value: \"Never\": field is immutable", "preemptionPolicy"));
    }

    @Test
    void aControllerRevisionHoldsDataThatNeverChanges() {
        ControllerRevision empty = read(namespaced(ControllerRevision.class, "agent-1", """
                revision: -1
                """), ControllerRevision.class);
        assertThat(create(empty)).containsExactly(
                new Cause("FieldValueRequired", "Required value: data is mandatory", "data"),
                new Cause("FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0", "revision"));

        ControllerRevision old = read(namespaced(ControllerRevision.class, "agent-1", """
                data: {spec: {template: {$patch: replace, spec: {containers: [{name: c, image: a}]}}}}
                revision: 1
                """), ControllerRevision.class);
        assertThat(create(old)).isEmpty();
        ControllerRevision renumbered = copy(old);
        renumbered.setRevision(4L);
        assertThat(update(renumbered, old)).isEmpty();
        ControllerRevision rewritten = read(namespaced(ControllerRevision.class, "agent-1", """
                data: {spec: {template: {$patch: replace, spec: {containers: [{name: c, image: b}]}}}}
                revision: 1
                """), ControllerRevision.class);
        assertThat(reasonsAndFields(update(rewritten, old))).containsExactly("FieldValueInvalid data");
    }

    @Test
    void aBindingNamesANode() {
        Binding binding = read(namespaced(Binding.class, "web", """
                target: {kind: Pod}
                """), Binding.class);

        assertThat(create(binding)).containsExactly(
                new Cause("FieldValueNotSupported", "Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"",
                        "target.kind"),
                new Cause("FieldValueRequired", "Required value", "target.name"));
    }

    @Test
    void aServiceAccountIsOnlyItsMetadata() {
        assertThat(create(read("""
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: builder, namespace: default}
                """, ServiceAccount.class))).isEmpty();
    }
}
