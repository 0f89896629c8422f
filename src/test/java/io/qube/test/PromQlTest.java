package io.qube.test;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromQlTest {

    @Test
    void aQuantileReadsItsBucketSeriesAndGroupsByItsLabels() {
        PromQl.Names names = PromQl.names("histogram_quantile(0.99, sum by (le, verb) "
                + "(rate(apiserver_request_duration_seconds_bucket{verb!~\"WATCH|CONNECT\"}[$__rate_interval])))");
        assertThat(names.metrics()).containsExactly("apiserver_request_duration_seconds_bucket");
        assertThat(names.groupingLabels()).containsExactly("le", "verb");
    }

    @Test
    void keywordsFunctionsNumbersAndMatchersAreNotMetrics() {
        PromQl.Names names = PromQl.names("sum(rate(a_total{x=\"}{[\"}[5m])) by (code) / on(instance) "
                + "group_left(node) b_info > bool 1e3 or count(kubelet_running_pods) offset 5m");
        assertThat(names.metrics()).containsExactly("a_total", "b_info", "kubelet_running_pods");
        assertThat(names.groupingLabels()).containsExactly("code", "instance", "node");
    }

    @Test
    void anAggregationWithItsClauseFirstIsNoMetric() {
        PromQl.Names names = PromQl.names("max by (name, instance) (leader_election_master_status)");
        assertThat(names.metrics()).containsExactly("leader_election_master_status");
        assertThat(names.groupingLabels()).containsExactly("name", "instance");
    }

    @Test
    void anUnclosedMatcherIsAnError() {
        assertThatThrownBy(() -> PromQl.names("up{job=\"x\"")).isInstanceOf(IllegalArgumentException.class);
    }
}
