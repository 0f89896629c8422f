package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Typical mistakes in a Pod, and what an update may change, with Kubernetes' field paths and reasons. */
class PodValidationTest {

    private static final String NGINX = """
            apiVersion: v1
            kind: Pod
            metadata: {name: nginx, namespace: default}
            spec:
              containers:
              - name: nginx
                image: "nginx:1.27"
                ports: [{containerPort: 80, name: http}]
              tolerations:
              - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
            """;

    @Test
    void aWellFormedPodPasses() {
        assertThat(create(pod(NGINX))).isEmpty();
    }

    @Test
    void aPodNeedsContainers() {
        assertThat(create(pod(namespaced(Pod.class, "empty", """
                spec: {containers: []}
                """)))).containsExactly(new Cause("FieldValueRequired", "Required value", "spec.containers"));
    }

    @Test
    void eachContainerNeedsAUniqueNameAndAnImage() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers:
                  - {}
                  - {name: app, image: "app:1"}
                  - {name: app, image: "app:2"}
                  - {name: App_1, image: "app:3"}
                """));

        assertThat(reasonsAndFields(causes)).containsExactly(
                "FieldValueRequired spec.containers[0].name",
                "FieldValueRequired spec.containers[0].image",
                "FieldValueDuplicate spec.containers[2].name",
                "FieldValueInvalid spec.containers[3].name");
        assertThat(causes.get(2).message()).isEqualTo("Duplicate value: \"app\"");
    }

    @Test
    void portsNeedANumberInRangeAndAKnownProtocol() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers:
                  - name: web
                    image: "web:1"
                    ports:
                    - {containerPort: 70000, protocol: HTTP}
                    - {name: http, containerPort: 80}
                    - {name: http, containerPort: 81}
                    - {name: "8080", containerPort: 8080}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: 70000: must be between 1 and 65535, inclusive",
                        "spec.containers[0].ports[0].containerPort"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                        "spec.containers[0].ports[0].protocol"),
                new Cause("FieldValueDuplicate", "Duplicate value: \"http\"", "spec.containers[0].ports[2].name"),
                new Cause("FieldValueInvalid", "Invalid value: \"8080\": must contain at least one letter (a-z)",
                        "spec.containers[0].ports[3].name"));
    }

    @Test
    void podLevelPoliciesMustBeKnownValues() {
        List<Cause> causes = create(webPod("""
                spec:
                  restartPolicy: Sometimes
                  dnsPolicy: Google
                  containers: [{name: web, image: "web:1", imagePullPolicy: Sometimes}]
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Always\", "
                        + "\"IfNotPresent\", \"Never\"", "spec.containers[0].imagePullPolicy"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Always\", "
                        + "\"OnFailure\", \"Never\"", "spec.restartPolicy"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"Google\": supported values: "
                        + "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"", "spec.dnsPolicy"));
    }

    @Test
    void mountPropagationIsOneOfKubernetesModesAndBidirectionalNeedsPrivilege() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers:
                  - name: web
                    image: "web:1"
                    volumeMounts:
                    - {name: data, mountPath: /a, mountPropagation: Bidirectional}
                    - {name: data, mountPath: /b, mountPropagation: Sideways}
                    - {name: data, mountPath: /c, mountPropagation: HostToContainer}
                  - name: csi
                    image: "csi:1"
                    securityContext: {privileged: true}
                    volumeMounts:
                    - {name: data, mountPath: /a, mountPropagation: Bidirectional}
                  volumes:
                  - {name: data, hostPath: {path: /var/lib/data}}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueForbidden", "Forbidden: Bidirectional mount propagation is available only to "
                        + "privileged containers", "spec.containers[0].volumeMounts[0].mountPropagation"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"Sideways\": supported values: "
                        + "\"Bidirectional\", \"HostToContainer\", \"None\"",
                        "spec.containers[0].volumeMounts[1].mountPropagation"));
    }

    @Test
    void volumesAndMountsMustFitTogether() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers:
                  - name: web
                    image: "web:1"
                    volumeMounts:
                    - {name: data, mountPath: /data}
                    - {name: config, mountPath: /data}
                  volumes:
                  - {name: config, configMap: {name: web}}
                  - {name: both, emptyDir: {}, hostPath: {path: /tmp}}
                  - {name: secret, secret: {}}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueForbidden", "Forbidden: may not specify more than 1 volume type",
                        "spec.volumes[1].hostPath"),
                new Cause("FieldValueRequired", "Required value", "spec.volumes[2].secret.secretName"),
                new Cause("FieldValueNotFound", "Not found: \"data\"", "spec.containers[0].volumeMounts[0].name"),
                new Cause("FieldValueInvalid", "Invalid value: \"/data\": must be unique",
                        "spec.containers[0].volumeMounts[1].mountPath"));
    }

    @Test
    void requestsMayNotExceedLimitsAndQuantitiesMustParse() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers:
                  - name: web
                    image: "web:1"
                    resources:
                      requests: {cpu: "2", memory: lots}
                      limits: {cpu: 500m}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"2\": must be less than or equal to cpu limit of 500m",
                        "spec.containers[0].resources.requests"),
                new Cause("FieldValueInvalid", "Invalid value: \"lots\": " + Quantities.MALFORMED,
                        "spec.containers[0].resources.requests[memory]"));
    }

    @Test
    void probesNeedExactlyOneHandlerAndLivenessSucceedsOnce() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers:
                  - name: web
                    image: "web:1"
                    livenessProbe: {successThreshold: 2}
                    readinessProbe:
                      exec: {command: [true]}
                      tcpSocket: {port: 0}
                  initContainers:
                  - name: setup
                    image: "setup:1"
                    readinessProbe: {exec: {command: [true]}}
                """));

        assertThat(causes).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: 2: must be 1", "spec.containers[0].livenessProbe.successThreshold"),
                new Cause("FieldValueRequired", "Required value: must specify a handler type", "spec.containers[0].livenessProbe"),
                new Cause("FieldValueForbidden", "Forbidden: may not specify more than 1 handler type",
                        "spec.containers[0].readinessProbe.tcpSocket"),
                new Cause("FieldValueForbidden", "Forbidden: may not be set for init containers without restartPolicy=Always",
                        "spec.initContainers[0].readinessProbe"));
    }

    @Test
    void tolerationsWithoutKeyMustMatchEverything() {
        List<Cause> causes = create(webPod("""
                spec:
                  containers: [{name: web, image: "web:1"}]
                  tolerations:
                  - {operator: Equal, value: x}
                  - {key: gpu, operator: Exists, effect: NoSchedule, tolerationSeconds: 60}
                """));

        assertThat(reasonsAndFields(causes)).containsExactly(
                "FieldValueInvalid spec.tolerations[0].operator", "FieldValueInvalid spec.tolerations[1].effect");
    }

    @Test
    void ephemeralContainersCannotBeSetOnCreate() {
        assertThat(reasonsAndFields(create(webPod("""
                spec:
                  containers: [{name: web, image: "web:1"}]
                  ephemeralContainers: [{name: debug, image: busybox}]
                """)))).containsExactly("FieldValueForbidden spec.ephemeralContainers");
    }

    @Test
    void anUpdateMayChangeImagesAndAddTolerations() {
        Pod old = stored();
        Pod updated = copy(old);
        updated.getSpec().getContainers().get(0).setImage("nginx:1.28");
        updated.getSpec().getTolerations().add(new TolerationBuilder().withKey("spot").withOperator("Exists").build());
        updated.getSpec().setActiveDeadlineSeconds(600L);

        assertThat(update(updated, old)).isEmpty();
    }

    @Test
    void anUpdateMayNotChangeTheRestOfTheSpec() {
        Pod old = stored();
        Pod updated = copy(old);
        updated.getSpec().getContainers().get(0).setEnv(List.of(new EnvVar("MODE", "fast", null)));
        updated.getSpec().setRestartPolicy("Never");

        List<Cause> causes = update(updated, old);

        assertThat(reasonsAndFields(causes)).containsExactly("FieldValueForbidden spec");
        assertThat(causes.get(0).message()).isEqualTo("Forbidden: pod updates may not change fields other than "
                + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                + "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                + "(allow it to be set to 1 if it was previously negative)\nchanged: spec.containers, spec.restartPolicy");
    }

    @Test
    void anUpdateMayNotAddOrRemoveContainers() {
        Pod old = stored();
        Pod updated = copy(old);
        updated.getSpec().getContainers().add(new ContainerBuilder().withName("sidecar").withImage("envoy").build());

        assertThat(update(updated, old)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: pod updates may not add or remove containers", "spec.containers"));
    }

    @Test
    void anUpdateMayNotRemoveATolerationNorChangeOne() {
        Pod old = stored();
        Pod updated = copy(old);
        updated.getSpec().getTolerations().get(0).setValue("api");

        assertThat(update(updated, old)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: existing toleration can not be modified except its tolerationSeconds", "spec.tolerations"));
    }

    @Test
    void theActiveDeadlineMayOnlyShrink() {
        Pod old = stored();
        old.getSpec().setActiveDeadlineSeconds(600L);
        Pod longer = copy(old);
        longer.getSpec().setActiveDeadlineSeconds(900L);
        Pod removed = copy(old);
        removed.getSpec().setActiveDeadlineSeconds(null);
        Pod shorter = copy(old);
        shorter.getSpec().setActiveDeadlineSeconds(300L);

        assertThat(update(longer, old)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: 900: must be less than or equal to previous value", "spec.activeDeadlineSeconds"));
        assertThat(update(removed, old)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: null: must not update from a positive integer to nil value", "spec.activeDeadlineSeconds"));
        assertThat(update(shorter, old)).isEmpty();
    }

    @Test
    void aNegativeGracePeriodMayBecomeOneButNoOtherChangeIsAllowed() {
        Pod old = stored();
        old.getSpec().setTerminationGracePeriodSeconds(-1L);
        Pod one = copy(old);
        one.getSpec().setTerminationGracePeriodSeconds(1L);
        Pod sixty = copy(stored());
        sixty.getSpec().setTerminationGracePeriodSeconds(60L);

        assertThat(update(one, old)).isEmpty();
        assertThat(reasonsAndFields(update(sixty, stored()))).containsExactly("FieldValueForbidden spec");
    }

    private static Pod stored() {
        Pod pod = pod(NGINX);
        assertThat(create(pod)).isEmpty();
        return pod;
    }

    private static Pod pod(String yaml) {
        return read(yaml, Pod.class);
    }

    /** A Pod web in namespace default; {@code body} is the rest of its manifest. */
    private static Pod webPod(String body) {
        return pod(namespaced(Pod.class, "web", body));
    }
}
