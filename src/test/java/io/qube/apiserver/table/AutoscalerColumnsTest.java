package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class AutoscalerColumnsTest {

    private static final String CREATED = ago(Duration.ofMinutes(5));

    @Test
    void anAutoscalerShowsItsTargetMetricsAndReplicas() {
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("web")
                .withCreationTimestamp(CREATED).endMetadata()
                .withNewSpec().withNewScaleTargetRef().withKind("Deployment").withName("web").endScaleTargetRef()
                .withMinReplicas(2).withMaxReplicas(5)
                .addToMetrics(new MetricSpecBuilder().withType("Resource").withNewResource().withName("cpu")
                        .withNewTarget().withType("Utilization").withAverageUtilization(80).endTarget().endResource()
                        .build())
                .addToMetrics(new MetricSpecBuilder().withType("Pods").withNewPods().withNewMetric().withName("qps")
                        .endMetric().withNewTarget().withType("AverageValue").withAverageValue(new Quantity("10"))
                        .endTarget().endPods().build())
                .endSpec()
                .withNewStatus().withCurrentReplicas(3).addNewCurrentMetric().withType("Resource").withNewResource()
                .withName("cpu").withNewCurrent().withAverageUtilization(45).endCurrent().endResource()
                .endCurrentMetric().endStatus()
                .build();

        assertThat(Rows.headers(AutoscalerColumns.columns(), true)).containsExactly("NAME", "REFERENCE", "TARGETS",
                "MINPODS", "MAXPODS", "REPLICAS", "AGE");
        assertThat(Rows.cells(AutoscalerColumns.columns(), hpa)).containsExactly("web", "Deployment/web",
                "cpu: 45%/80%, <unknown>/10", "2", 5L, 3L, "5m");
    }

    @Test
    void aNewAutoscalerHasNoCurrentValuesYet() {
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("api")
                .withCreationTimestamp(CREATED).endMetadata()
                .withNewSpec().withNewScaleTargetRef().withKind("StatefulSet").withName("db").endScaleTargetRef()
                .withMaxReplicas(4).endSpec().build();

        assertThat(Rows.cells(AutoscalerColumns.columns(), hpa)).containsExactly("api", "StatefulSet/db", "<none>",
                "<unset>", 4L, 0L, "5m");
    }
}
