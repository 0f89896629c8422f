package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

/** Namespaces, leases and priority classes: the kinds that say how the cluster itself is organised. */
class ClusterKindColumnsTest {

    private static final String CREATED = ago(Duration.ofDays(400));

    @Test
    void namespaceShowsItsPhase() {
        Namespace active = new NamespaceBuilder().withNewMetadata().withName("default").withCreationTimestamp(CREATED)
                .endMetadata().withNewStatus().withPhase("Active").endStatus().build();
        Namespace leaving = new NamespaceBuilder().withNewMetadata().withName("old").withCreationTimestamp(CREATED)
                .endMetadata().withNewStatus().withPhase("Terminating").endStatus().build();

        assertThat(Rows.headers(NamespaceColumns.columns(), true)).containsExactly("NAME", "STATUS", "AGE");
        assertThat(Rows.cells(NamespaceColumns.columns(), active)).containsExactly("default", "Active", "400d");
        assertThat(Rows.cells(NamespaceColumns.columns(), leaving)).containsExactly("old", "Terminating", "400d");
    }

    @Test
    void leaseShowsItsHolder() {
        Lease held = new LeaseBuilder().withNewMetadata().withName("node-1").withNamespace("kube-node-lease")
                .withCreationTimestamp(CREATED).endMetadata().withNewSpec().withHolderIdentity("node-1")
                .withLeaseDurationSeconds(40).endSpec().build();
        Lease free = new LeaseBuilder().withNewMetadata().withName("scheduler").withCreationTimestamp(CREATED)
                .endMetadata().build();

        assertThat(Rows.headers(LeaseColumns.columns(), true)).containsExactly("NAME", "HOLDER", "AGE");
        assertThat(Rows.cells(LeaseColumns.columns(), held)).containsExactly("node-1", "node-1", "400d");
        assertThat(Rows.cells(LeaseColumns.columns(), free)).containsExactly("scheduler", "", "400d");
    }

    @Test
    void priorityClassShowsValueDefaultAndPreemption() {
        PriorityClass critical = new PriorityClassBuilder().withNewMetadata().withName("system-node-critical")
                .withCreationTimestamp(CREATED).endMetadata().withValue(2000001000).withGlobalDefault(false)
                .withPreemptionPolicy("PreemptLowerPriority").build();
        PriorityClass fallback = new PriorityClassBuilder().withNewMetadata().withName("low")
                .withCreationTimestamp(CREATED).endMetadata().withValue(-10).withGlobalDefault(true)
                .withPreemptionPolicy("Never").build();

        assertThat(Rows.headers(PriorityClassColumns.columns(), false))
                .containsExactly("NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY");
        assertThat(Rows.cells(PriorityClassColumns.columns(), critical))
                .containsExactly("system-node-critical", 2000001000, false, "400d", "PreemptLowerPriority");
        assertThat(Rows.cells(PriorityClassColumns.columns(), fallback))
                .containsExactly("low", -10, true, "400d", "Never");
    }
}
