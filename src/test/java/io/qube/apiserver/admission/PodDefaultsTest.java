package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Manifests.STORED_NGINX_TEMPLATE_SPEC;
import static io.qube.apiserver.admission.Manifests.inNamespace;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** A Pod's defaults, compared with what a real 1.32 cluster stores for the same manifest. */
class PodDefaultsTest {

    @Test
    void aMinimalPodGetsExactlyWhatARealClusterStores() {
        Pod pod = defaulted(namespaced(Pod.class, "nginx", """
                spec:
                  containers:
                  - name: nginx
                    image: nginx
                """), Pod.class);

        // A real cluster also mounts a kube-api-access-* token volume (ServiceAccount admission); Qube issues no
        // tokens yet. uid, resourceVersion and creationTimestamp are the REST layer's.
        assertStored(pod, """
                apiVersion: v1
                kind: Pod
                metadata: {name: nginx, namespace: default}
                spec:
                """ + STORED_NGINX_TEMPLATE_SPEC.indent(2) + """
                  enableServiceLinks: true
                  preemptionPolicy: PreemptLowerPriority
                  priority: 0
                  serviceAccount: default
                  serviceAccountName: default
                  tolerations:
                  - {effect: NoExecute, key: node.kubernetes.io/not-ready, operator: Exists, tolerationSeconds: 300}
                  - {effect: NoExecute, key: node.kubernetes.io/unreachable, operator: Exists, tolerationSeconds: 300}
                status:
                  phase: Pending
                  qosClass: BestEffort
                """);
    }

    @Test
    void pullPolicyFollowsTheImageTag() {
        Pod pod = defaulted(namespaced(Pod.class, "images", """
                spec:
                  containers:
                  - {name: untagged, image: nginx}
                  - {name: latest, image: "nginx:latest"}
                  - {name: tagged, image: "nginx:1.27"}
                  - {name: registry-port, image: "registry.local:5000/team/app"}
                  - {name: digest, image: "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
                  - {name: explicit, image: nginx, imagePullPolicy: Never}
                """), Pod.class);

        assertThat(pod.getSpec().getContainers()).extracting(Container::getImagePullPolicy)
                .containsExactly("Always", "Always", "IfNotPresent", "Always", "IfNotPresent", "Never");
    }

    @Test
    void probesPortsEnvAndVolumesGetTheirDefaults() {
        Pod pod = defaulted(namespaced(Pod.class, "web", """
                spec:
                  containers:
                  - name: web
                    image: "web:1"
                    ports: [{containerPort: 8080}]
                    env:
                    - name: POD
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    livenessProbe:
                      httpGet: {port: 8080}
                    readinessProbe:
                      tcpSocket: {port: 8080}
                      periodSeconds: 5
                  volumes:
                  - name: scratch
                  - name: config
                    configMap: {name: web}
                  - name: creds
                    secret: {secretName: web, defaultMode: 256}
                  - name: host
                    hostPath: {path: /var/log}
                """), Pod.class);

        assertStored(pod.getSpec().getContainers().get(0), """
                env:
                - name: POD
                  valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
                image: "web:1"
                imagePullPolicy: IfNotPresent
                livenessProbe:
                  failureThreshold: 3
                  httpGet: {path: /, port: 8080, scheme: HTTP}
                  periodSeconds: 10
                  successThreshold: 1
                  timeoutSeconds: 1
                name: web
                ports: [{containerPort: 8080, protocol: TCP}]
                readinessProbe:
                  failureThreshold: 3
                  periodSeconds: 5
                  successThreshold: 1
                  tcpSocket: {port: 8080}
                  timeoutSeconds: 1
                resources: {}
                terminationMessagePath: /dev/termination-log
                terminationMessagePolicy: File
                """);
        assertStored(pod.getSpec().getVolumes(), """
                - {name: scratch, emptyDir: {}}
                - {name: config, configMap: {name: web, defaultMode: 420}}
                - {name: creds, secret: {secretName: web, defaultMode: 256}}
                - {name: host, hostPath: {path: /var/log, type: ""}}
                """);
    }

    @Test
    void limitsWithoutRequestsMakeAGuaranteedPod() {
        Pod pod = defaulted(namespaced(Pod.class, "db", """
                spec:
                  containers:
                  - name: db
                    image: "postgres:17"
                    resources:
                      limits: {cpu: 500m, memory: 1Gi}
                """), Pod.class);

        assertStored(pod.getSpec().getContainers().get(0).getResources(), """
                limits: {cpu: 500m, memory: 1Gi}
                requests: {cpu: 500m, memory: 1Gi}
                """);
        assertThat(pod.getStatus().getQosClass()).isEqualTo("Guaranteed");
    }

    @Test
    void requestsBelowLimitsMakeABurstablePod() {
        Pod pod = defaulted(namespaced(Pod.class, "app", """
                spec:
                  containers:
                  - name: app
                    image: "app:2"
                    resources:
                      requests: {cpu: 100m}
                      limits: {cpu: "1", memory: 256Mi}
                """), Pod.class);

        assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests())
                .containsOnlyKeys("cpu", "memory");
        assertThat(pod.getStatus().getQosClass()).isEqualTo("Burstable");
    }

    @Test
    void theHostNetworkMakesContainerPortsHostPorts() {
        Pod pod = defaulted(inNamespace(Pod.class, "kube-system", "agent", """
                spec:
                  hostNetwork: true
                  containers:
                  - name: agent
                    image: "agent:1"
                    ports: [{containerPort: 9100}]
                """), Pod.class);

        assertThat(pod.getSpec().getContainers().get(0).getPorts().get(0).getHostPort()).isEqualTo(9100);
    }

    @Test
    void admissionKeepsWhatThePodAlreadySays() {
        Pod pod = defaulted(inNamespace(Pod.class, "kube-system", "critical", """
                spec:
                  serviceAccount: node-agent
                  priorityClassName: system-node-critical
                  tolerations:
                  - {operator: Exists}
                  containers:
                  - {name: agent, image: "agent:1"}
                """), Pod.class);

        // The deprecated serviceAccount field still names the account when serviceAccountName is absent.
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("node-agent");
        assertThat(pod.getSpec().getServiceAccount()).isEqualTo("node-agent");
        assertThat(pod.getSpec().getPriority()).isEqualTo(2000001000);
        // "Exists" with no key tolerates every taint: nothing to add.
        assertThat(pod.getSpec().getTolerations()).hasSize(1);
    }

    @Test
    void aCustomPriorityClassIsLeftToTheRestLayer() {
        Pod pod = defaulted(namespaced(Pod.class, "batch", """
                spec:
                  priorityClassName: low
                  containers:
                  - {name: job, image: "job:1"}
                """), Pod.class);

        assertThat(pod.getSpec().getPriority()).isNull();
        assertThat(pod.getSpec().getPreemptionPolicy()).isNull();
    }

    @Test
    void defaultingTwiceChangesNothing() {
        Pod once = defaulted(namespaced(Pod.class, "nginx", """
                spec:
                  containers:
                  - {name: nginx, image: nginx, resources: {limits: {memory: 64Mi}}}
                """), Pod.class);
        Pod twice = Admission.copy(once);
        KindDefaults.pod().apply(twice);

        assertThat(twice).isEqualTo(once);
    }
}
