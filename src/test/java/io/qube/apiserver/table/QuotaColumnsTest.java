package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class QuotaColumnsTest {

    private static final String CREATED = ago(Duration.ofDays(2).plusHours(1));

    @Test
    void aLimitRangeShowsWhenItWasCreated() {
        LimitRange limits = new LimitRangeBuilder().withNewMetadata().withName("limits")
                .withCreationTimestamp("2025-02-27T11:00:00Z").endMetadata().build();

        assertThat(Rows.headers(QuotaColumns.limitRange(), true)).containsExactly("NAME", "CREATED AT");
        assertThat(Rows.cells(QuotaColumns.limitRange(), limits)).containsExactly("limits", "2025-02-27T11:00:00Z");
    }

    @Test
    void aQuotaShowsUsedOverHardSortedWithLimitsApart() {
        ResourceQuota quota = new ResourceQuotaBuilder().withNewMetadata().withName("compute")
                .withCreationTimestamp(CREATED).endMetadata()
                .withNewSpec().withHard(Map.of("requests.cpu", new Quantity("2"), "pods", new Quantity("10"),
                        "limits.memory", new Quantity("2Gi"), "limits.cpu", new Quantity("4"))).endSpec()
                .withNewStatus().withHard(Map.of("requests.cpu", new Quantity("2"), "pods", new Quantity("10"),
                        "limits.memory", new Quantity("2Gi"), "limits.cpu", new Quantity("4")))
                .withUsed(Map.of("requests.cpu", new Quantity("500m"), "pods", new Quantity("2"),
                        "limits.cpu", new Quantity("1"))).endStatus()
                .build();
        ResourceQuota fresh = new ResourceQuotaBuilder().withNewMetadata().withName("new")
                .withCreationTimestamp(CREATED).endMetadata()
                .withNewSpec().withHard(Map.of("pods", new Quantity("3"))).endSpec().build();

        assertThat(Rows.headers(QuotaColumns.resourceQuota(), true)).containsExactly("NAME", "AGE", "REQUEST", "LIMIT");
        assertThat(Rows.cells(QuotaColumns.resourceQuota(), quota)).containsExactly("compute", "2d1h",
                "pods: 2/10, requests.cpu: 500m/2", "limits.cpu: 1/4, limits.memory: 0/2Gi");
        assertThat(Rows.cells(QuotaColumns.resourceQuota(), fresh)).containsExactly("new", "2d1h", "pods: 0/0", "");
    }
}
