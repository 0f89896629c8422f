package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Manifests.clusterScoped;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Defaults of the kinds with few or none, compared with what a real 1.32 cluster stores. */
class KindDefaultsTest {

    @Test
    void aSecretIsOpaqueAndItsStringDataIsFoldedIntoData() {
        Secret secret = defaulted(namespaced(Secret.class, "creds", """
                data: {user: YWRtaW4=, password: b2xk}
                stringData: {password: s3cr3t}
                """), Secret.class);

        assertStored(secret, """
                apiVersion: v1
                kind: Secret
                metadata: {name: creds, namespace: default}
                data: {user: YWRtaW4=, password: czNjcjN0}
                type: Opaque
                """);
    }

    @Test
    void aNamespaceIsLabelledWithItsNameStartsActiveAndWaitsForItsContent() {
        Namespace namespace = defaulted("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-a}
                """, Namespace.class);

        assertStored(namespace, """
                apiVersion: v1
                kind: Namespace
                metadata:
                  labels: {kubernetes.io/metadata.name: team-a}
                  name: team-a
                spec: {finalizers: [kubernetes]}
                status: {phase: Active}
                """);
    }

    @Test
    void theNamespaceFinalizerIsOnlyAddedOnCreateSoItCanBeRemovedLater() {
        Namespace finalized = defaulted("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-a, deletionTimestamp: "2025-01-01T00:00:00Z"}
                spec: {finalizers: []}
                status: {phase: Terminating}
                """, Namespace.class);

        assertThat(finalized.getSpec().getFinalizers()).isEmpty();
    }

    @Test
    void aNodeCanAllocateItsWholeCapacityAndItsPodCidrFieldsAgree() {
        Node node = defaulted(clusterScoped(Node.class, "worker-1", """
                spec: {podCIDR: 10.244.1.0/24}
                status:
                  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
                """), Node.class);

        assertThat(node.getSpec().getPodCIDRs()).containsExactly("10.244.1.0/24");
        assertStored(node.getStatus().getAllocatable(), "{cpu: '4', memory: 8Gi, pods: '110'}");
    }

    @Test
    void endpointPortsAreTcp() {
        Endpoints endpoints = defaulted(namespaced(Endpoints.class, "web", """
                subsets:
                - addresses: [{ip: 10.244.1.5}]
                  ports: [{port: 8080}]
                """), Endpoints.class);
        EndpointSlice slice = defaulted(namespaced(EndpointSlice.class, "web-abcde", """
                addressType: IPv4
                endpoints: [{addresses: [10.244.1.5]}]
                ports: [{port: 8080}]
                """), EndpointSlice.class);

        assertThat(endpoints.getSubsets().get(0).getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertStored(slice.getPorts(), "[{name: '', port: 8080, protocol: TCP}]");
        assertThat(slice.getEndpoints().get(0).getConditions()).isNull();
    }

    @Test
    void aPriorityClassPreemptsLowerPrioritiesByDefault() {
        PriorityClass priorityClass = defaulted(clusterScoped(PriorityClass.class, "high", """
                value: 1000
                """), PriorityClass.class);

        assertThat(priorityClass.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
    }

    @Test
    void aControllerRevisionWithoutANumberIsRevisionZero() {
        ControllerRevision revision = defaulted(namespaced(ControllerRevision.class, "agent-1", """
                data: {spec: {}}
                """), ControllerRevision.class);

        assertThat(revision.getRevision()).isZero();
    }

    @Test
    void kindsKubernetesDoesNotDefaultAreStoredAsSent() {
        String configMap = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: default}
                data: {mode: fast}
                """;
        String serviceAccount = """
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: builder, namespace: default}
                """;
        String lease = """
                apiVersion: coordination.k8s.io/v1
                kind: Lease
                metadata: {name: worker-1, namespace: kube-node-lease}
                spec: {holderIdentity: worker-1, leaseDurationSeconds: 40}
                """;
        String binding = """
                apiVersion: v1
                kind: Binding
                metadata: {name: web, namespace: default}
                target: {kind: Node, name: worker-1}
                """;
        String event = """
                apiVersion: v1
                kind: Event
                metadata: {name: web.1, namespace: default}
                involvedObject: {kind: Pod, name: web, namespace: default}
                reason: Started
                """;

        assertThat(defaulted(configMap, ConfigMap.class)).isEqualTo(read(configMap, ConfigMap.class));
        assertThat(defaulted(serviceAccount, ServiceAccount.class)).isEqualTo(read(serviceAccount, ServiceAccount.class));
        assertThat(defaulted(lease, Lease.class)).isEqualTo(read(lease, Lease.class));
        assertThat(defaulted(event, Event.class)).isEqualTo(read(event, Event.class));
        assertThat(defaulted(binding, Binding.class)).isEqualTo(read(binding, Binding.class));
    }
}
