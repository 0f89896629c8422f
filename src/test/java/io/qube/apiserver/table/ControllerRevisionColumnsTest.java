package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class ControllerRevisionColumnsTest {

    private static final String CREATED = ago(Duration.ofMinutes(45));

    @Test
    void revisionShowsItsControllerWithKindAndGroup() {
        ControllerRevision owned = new ControllerRevisionBuilder().withNewMetadata().withName("agent-5d8f7b6c9")
                .withCreationTimestamp(CREATED).addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                .withName("agent").withUid("u").withController(true).endOwnerReference().endMetadata()
                .withData(Map.of("spec", Map.of())).withRevision(3L).build();
        ControllerRevision core = new ControllerRevisionBuilder(owned).editMetadata().editFirstOwnerReference()
                .withApiVersion("v1").withKind("ReplicationController").endOwnerReference().endMetadata().build();
        ControllerRevision orphan = new ControllerRevisionBuilder(owned).editMetadata().withOwnerReferences()
                .endMetadata().withRevision(null).build();

        assertThat(Rows.headers(ControllerRevisionColumns.columns(), false))
                .containsExactly("NAME", "CONTROLLER", "REVISION", "AGE");
        assertThat(Rows.cells(ControllerRevisionColumns.columns(), owned))
                .containsExactly("agent-5d8f7b6c9", "daemonset.apps/agent", 3L, "45m");
        assertThat(Rows.cells(ControllerRevisionColumns.columns(), core))
                .containsExactly("agent-5d8f7b6c9", "replicationcontroller/agent", 3L, "45m");
        assertThat(Rows.cells(ControllerRevisionColumns.columns(), orphan))
                .containsExactly("agent-5d8f7b6c9", "<none>", 0L, "45m");
    }
}
