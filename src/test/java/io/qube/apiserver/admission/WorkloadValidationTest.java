package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.inNamespace;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Typical mistakes in workloads, and their immutable selectors, with Kubernetes' field paths and reasons. */
class WorkloadValidationTest {

    private static final String WEB = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web, tier: front}}
                spec: {containers: [{name: web, image: "web:1"}]}
            """;

    @Test
    void aWellFormedDeploymentPasses() {
        assertThat(create(read(WEB, Deployment.class))).isEmpty();
    }

    @Test
    void aDeploymentNeedsASelectorThatMatchesItsTemplate() {
        Deployment noSelector = read(WEB, Deployment.class);
        noSelector.getSpec().setSelector(null);
        Deployment mismatch = read(WEB, Deployment.class);
        mismatch.getSpec().getSelector().setMatchLabels(Map.of("app", "api"));

        assertThat(reasonsAndFields(create(noSelector)))
                .containsExactly("FieldValueRequired spec.selector", "FieldValueInvalid spec.template.metadata.labels");
        assertThat(create(mismatch)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: {\"app\":\"web\",\"tier\":\"front\"}: `selector` does not match template `labels`",
                "spec.template.metadata.labels"));
    }

    @Test
    void replicasMayNotBeNegativeAndPodsMustRestart() {
        Deployment deployment = read(WEB, Deployment.class);
        deployment.getSpec().setReplicas(-1);
        deployment.getSpec().getTemplate().getSpec().setRestartPolicy("OnFailure");
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(null);

        assertThat(create(deployment)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0", "spec.replicas"),
                new Cause("FieldValueRequired", "Required value", "spec.template.spec.containers[0].image"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"OnFailure\": supported values: \"Always\"",
                        "spec.template.spec.restartPolicy"));
    }

    @Test
    void aRollingUpdateMustBeAbleToProgress() {
        Deployment stuck = read(WEB, Deployment.class);
        KindDefaults.deployment().apply(stuck);
        stuck.getSpec().getStrategy().getRollingUpdate().setMaxUnavailable(new IntOrString(0));
        stuck.getSpec().getStrategy().getRollingUpdate().setMaxSurge(new IntOrString("0%"));
        Deployment tooMuch = read(WEB, Deployment.class);
        KindDefaults.deployment().apply(tooMuch);
        tooMuch.getSpec().getStrategy().getRollingUpdate().setMaxUnavailable(new IntOrString("150%"));
        tooMuch.getSpec().getStrategy().getRollingUpdate().setMaxSurge(new IntOrString("lots"));
        Deployment unknown = read(WEB, Deployment.class);
        unknown.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategy(null, "BlueGreen"));

        assertThat(create(stuck)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: 0: may not be 0 when `maxSurge` is 0", "spec.strategy.rollingUpdate.maxUnavailable"));
        assertThat(reasonsAndFields(create(tooMuch))).containsExactly(
                "FieldValueInvalid spec.strategy.rollingUpdate.maxSurge",
                "FieldValueInvalid spec.strategy.rollingUpdate.maxUnavailable");
        assertThat(create(unknown)).containsExactly(new Cause("FieldValueNotSupported",
                "Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"", "spec.strategy"));
    }

    @Test
    void aDeploymentSelectorCannotChangeButItsReplicasAndTemplateCan() {
        Deployment old = read(WEB, Deployment.class);
        assertThat(create(old)).isEmpty();
        Deployment rescaled = copy(old);
        rescaled.getSpec().setReplicas(5);
        rescaled.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("web:2");
        Deployment reselected = copy(old);
        reselected.getSpec().getSelector().setMatchLabels(Map.of("tier", "front"));

        assertThat(update(rescaled, old)).isEmpty();
        assertThat(update(reselected, old)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: {\"matchLabels\":{\"tier\":\"front\"}}: field is immutable", "spec.selector"));
    }

    @Test
    void aReplicaSetNeedsANonEmptySelector() {
        ReplicaSet replicaSet = read(namespaced(ReplicaSet.class, "web", """
                spec:
                  selector: {}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: "web:1"}]}
                """), ReplicaSet.class);

        assertThat(create(replicaSet)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: {}: empty selector is invalid for deployment", "spec.selector"));
    }

    @Test
    void selectorExpressionsAreValidated() {
        ReplicaSet replicaSet = read(namespaced(ReplicaSet.class, "web", """
                spec:
                  selector:
                    matchExpressions:
                    - {key: app, operator: In, values: []}
                    - {key: tier, operator: Near, values: [front]}
                  template:
                    metadata: {labels: {app: web, tier: front}}
                    spec: {containers: [{name: web, image: "web:1"}]}
                """), ReplicaSet.class);

        assertThat(reasonsAndFields(create(replicaSet))).containsExactly(
                "FieldValueRequired spec.selector.matchExpressions[0].values",
                "FieldValueInvalid spec.selector.matchExpressions[1].operator",
                "FieldValueInvalid spec.selector");
    }

    @Test
    void aDaemonSetUpdatesANodeEitherBySurgeOrByUnavailability() {
        DaemonSet daemonSet = read(inNamespace(DaemonSet.class, "kube-system", "agent", """
                spec:
                  selector: {matchLabels: {app: agent}}
                  updateStrategy:
                    rollingUpdate: {maxUnavailable: 1, maxSurge: 1}
                  template:
                    metadata: {labels: {app: agent}}
                    spec: {containers: [{name: agent, image: "agent:1"}]}
                """), DaemonSet.class);

        assertThat(create(daemonSet)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: 1: may not be set when maxUnavailable is non-zero",
                "spec.updateStrategy.rollingUpdate.maxSurge"));
    }

    @Test
    void aDaemonSetSelectorCannotChange() {
        DaemonSet old = read(inNamespace(DaemonSet.class, "kube-system", "agent", """
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent, v: "1"}}
                    spec: {containers: [{name: agent, image: "agent:1"}]}
                """), DaemonSet.class);
        assertThat(create(old)).isEmpty();
        DaemonSet updated = copy(old);
        updated.getSpec().getSelector().setMatchLabels(Map.of("v", "1"));

        assertThat(reasonsAndFields(update(updated, old))).containsExactly("FieldValueInvalid spec.selector");
    }

    @Test
    void aReplicationControllerNeedsATemplateAndASelector() {
        ReplicationController withoutTemplate = read(namespaced(ReplicationController.class, "web", """
                spec: {replicas: 2}
                """), ReplicationController.class);
        ReplicationController mismatch = read(namespaced(ReplicationController.class, "web", """
                spec:
                  selector: {app: api}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: "web:1"}]}
                """), ReplicationController.class);

        assertThat(create(withoutTemplate)).containsExactly(
                new Cause("FieldValueRequired", "Required value", "spec.selector"),
                new Cause("FieldValueRequired", "Required value", "spec.template"));
        assertThat(reasonsAndFields(create(mismatch))).containsExactly("FieldValueInvalid spec.template.metadata.labels");
    }

    @Test
    void aReplicationControllerSelectorMayChange() {
        ReplicationController old = read(namespaced(ReplicationController.class, "web", """
                spec:
                  template:
                    metadata: {labels: {app: web, v: "1"}}
                    spec: {containers: [{name: web, image: "web:1"}]}
                """), ReplicationController.class);
        assertThat(create(old)).isEmpty();
        ReplicationController updated = copy(old);
        updated.getSpec().setSelector(Map.of("app", "web"));

        List<Cause> causes = update(updated, old);

        assertThat(causes).isEmpty();
    }
}
