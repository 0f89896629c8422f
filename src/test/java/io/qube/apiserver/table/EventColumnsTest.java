package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class EventColumnsTest {

    @Test
    void headersPutNameLastAndOnlyInWideOutput() {
        assertThat(Rows.headers(EventColumns.columns(), false))
                .containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        assertThat(Rows.headers(EventColumns.columns(), true)).containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT",
                "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME");
        assertThat(EventColumns.columns().get(9).format()).isEqualTo("name");
    }

    @Test
    void recorderEventWithCountAndSource() {
        Event event = new EventBuilder().withNewMetadata().withName("web-1.17f2a").withNamespace("default").endMetadata()
                .withType("Warning").withReason("BackOff").withMessage("Back-off restarting failed container\n")
                .withNewInvolvedObject().withKind("Pod").withName("web-1").withFieldPath("spec.containers{app}")
                .endInvolvedObject().withNewSource().withComponent("kubelet").withHost("node-1").endSource()
                .withFirstTimestamp(ago(Duration.ofMinutes(20))).withLastTimestamp(ago(Duration.ofSeconds(40)))
                .withCount(7).build();

        assertThat(Rows.cells(EventColumns.columns(), event)).containsExactly("40s", "Warning", "BackOff", "pod/web-1",
                "spec.containers{app}", "kubelet, node-1", "Back-off restarting failed container", "20m", 7,
                "web-1.17f2a");
    }

    @Test
    void eventsApiEventReadsEventTimeSeriesAndReportingController() {
        Event event = new EventBuilder().withNewMetadata().withName("deploy.1").endMetadata().withType("Normal")
                .withReason("ScalingReplicaSet").withMessage("Scaled up replica set web-7d9f to 3")
                .withNewInvolvedObject().withKind("Deployment").withName("web").endInvolvedObject()
                .withEventTime(new MicroTime(ago(Duration.ofMinutes(3)))).withReportingComponent("deployment-controller")
                .withNewSeries().withCount(4).withLastObservedTime(new MicroTime(ago(Duration.ofSeconds(10))))
                .endSeries().build();

        assertThat(Rows.cells(EventColumns.columns(), event)).containsExactly("10s", "Normal", "ScalingReplicaSet",
                "deployment/web", "", "deployment-controller", "Scaled up replica set web-7d9f to 3", "3m", 4,
                "deploy.1");
    }

    @Test
    void singletonEventHappenedOnceAndWasLastSeenWhenFirstSeen() {
        Event event = new EventBuilder().withNewMetadata().withName("node.1").endMetadata().withType("Normal")
                .withReason("Starting").withNewInvolvedObject().withKind("Node").endInvolvedObject()
                .withEventTime(new MicroTime(ago(Duration.ofMinutes(7)))).build();

        assertThat(Rows.cells(EventColumns.columns(), event))
                .containsExactly("7m", "Normal", "Starting", "node", "", "", "", "7m", 1, "node.1");
    }
}
