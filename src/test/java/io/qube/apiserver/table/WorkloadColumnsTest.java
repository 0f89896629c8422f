package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class WorkloadColumnsTest {

    private static final String CREATED = ago(Duration.ofMinutes(45));

    @Test
    void deploymentShowsReadyOfDesired() {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName("web").withCreationTimestamp(CREATED).endMetadata()
                .withNewSpec().withReplicas(3).withTemplate(template())
                .withNewSelector().addToMatchLabels("app", "web").addNewMatchExpression().withKey("tier")
                .withOperator("In").withValues("front", "back").endMatchExpression().endSelector().endSpec()
                .withNewStatus().withReplicas(3).withReadyReplicas(2).withUpdatedReplicas(3).withAvailableReplicas(2)
                .endStatus().build();

        assertThat(Rows.headers(WorkloadColumns.deployment(), true)).containsExactly(
                "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR");
        assertThat(Rows.cells(WorkloadColumns.deployment(), deployment)).containsExactly(
                "web", "2/3", 3, 2, "45m", "web,log-shipper", "nginx:1.27,fluent-bit:3", "app=web,tier in (back,front)");
    }

    @Test
    void newDeploymentWithoutStatusIsZeroOfDesired() {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("fresh").withCreationTimestamp(CREATED)
                .endMetadata().withNewSpec().withReplicas(2).endSpec().build();

        assertThat(Rows.cells(WorkloadColumns.deployment(), deployment))
                .containsExactly("fresh", "0/2", 0, 0, "45m", "", "", "");
    }

    @Test
    void replicaSetShowsDesiredCurrentReady() {
        ReplicaSet set = new ReplicaSetBuilder().withNewMetadata().withName("web-7d9f").withCreationTimestamp(CREATED)
                .endMetadata().withNewSpec().withReplicas(3).withTemplate(template()).withNewSelector()
                .addToMatchLabels("app", "web").addToMatchLabels("pod-template-hash", "7d9f").endSelector().endSpec()
                .withNewStatus().withReplicas(3).withReadyReplicas(1).endStatus().build();

        assertThat(Rows.headers(WorkloadColumns.replicaSet(), false))
                .containsExactly("NAME", "DESIRED", "CURRENT", "READY", "AGE");
        assertThat(Rows.cells(WorkloadColumns.replicaSet(), set)).containsExactly("web-7d9f", 3, 3, 1, "45m",
                "web,log-shipper", "nginx:1.27,fluent-bit:3", "app=web,pod-template-hash=7d9f");
    }

    @Test
    void replicaSetWithoutSelectorShowsNone() {
        ReplicaSet set = new ReplicaSetBuilder().withNewMetadata().withName("bare").endMetadata().build();

        assertThat(Rows.cells(WorkloadColumns.replicaSet(), set))
                .containsExactly("bare", 0, 0, 0, "<unknown>", "", "", "<none>");
    }

    @Test
    void replicationControllerSelectorIsALabelMap() {
        ReplicationController controller = new ReplicationControllerBuilder().withNewMetadata().withName("legacy")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withReplicas(2)
                .withSelector(Map.of("app", "legacy")).withTemplate(template()).endSpec()
                .withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();

        assertThat(Rows.cells(WorkloadColumns.replicationController(), controller)).containsExactly(
                "legacy", 2, 2, 2, "45m", "web,log-shipper", "nginx:1.27,fluent-bit:3", "app=legacy");
    }

    @Test
    void daemonSetShowsItsNodeSelector() {
        PodTemplateSpec template = new PodTemplateSpecBuilder(template()).editSpec()
                .addToNodeSelector("kubernetes.io/os", "linux").endSpec().build();
        DaemonSet set = new DaemonSetBuilder().withNewMetadata().withName("agent").withCreationTimestamp(CREATED)
                .endMetadata().withNewSpec().withTemplate(template).withNewSelector().addToMatchLabels("app", "agent")
                .endSelector().endSpec()
                .withNewStatus().withDesiredNumberScheduled(3).withCurrentNumberScheduled(3).withNumberReady(2)
                .withUpdatedNumberScheduled(3).withNumberAvailable(2).endStatus().build();

        assertThat(Rows.headers(WorkloadColumns.daemonSet(), false)).containsExactly(
                "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE");
        assertThat(Rows.cells(WorkloadColumns.daemonSet(), set)).containsExactly("agent", 3, 3, 2, 3, 2,
                "kubernetes.io/os=linux", "45m", "web,log-shipper", "nginx:1.27,fluent-bit:3", "app=agent");
    }

    private static PodTemplateSpec template() {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
                .addNewContainer().withName("log-shipper").withImage("fluent-bit:3").endContainer().endSpec().build();
    }
}
