package io.qube.controller.clusterroleaggregation;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules an aggregated ClusterRole gets: each selected role's, by role name, each rule once, never its own. */
class AggregatedRulesTest {

    @Test
    void unionOfSelectedRolesInNameOrderWithoutRepeats() {
        ClusterRole view = new ClusterRoleBuilder().withNewMetadata().withName("view")
                .addToLabels("aggregate-to-view", "true").endMetadata()
                .withNewAggregationRule().addNewClusterRoleSelector().addToMatchLabels("aggregate-to-view", "true")
                .endClusterRoleSelector().endAggregationRule()
                .addNewRule().withVerbs("stale").withApiGroups("").withResources("x").endRule().build();
        ClusterRole widgets = role("widgets-view", Map.of("aggregate-to-view", "true"), "widgets");
        ClusterRole pods = role("a-pods-view", Map.of("aggregate-to-view", "true"), "pods");
        ClusterRole podsAgain = role("b-pods-view", Map.of("aggregate-to-view", "true"), "pods");
        ClusterRole unrelated = role("secrets-edit", Map.of("aggregate-to-edit", "true"), "secrets");

        assertThat(ClusterRoleAggregationController.aggregatedRules(view,
                List.of(view, widgets, unrelated, podsAgain, pods)))
                .extracting(rule -> rule.getResources().get(0)).containsExactly("pods", "widgets");
    }

    private static ClusterRole role(String name, Map<String, String> labels, String resource) {
        return new ClusterRoleBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .addNewRule().withVerbs("get").withApiGroups("").withResources(resource).endRule().build();
    }
}
