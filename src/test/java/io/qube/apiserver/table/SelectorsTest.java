package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SelectorsTest {

    @Test
    void labelMapsAreSortedPairsOrNone() {
        assertThat(Selectors.labels(Map.of("tier", "front", "app", "web"))).isEqualTo("app=web,tier=front");
        assertThat(Selectors.labels(Map.of())).isEqualTo("<none>");
        assertThat(Selectors.labels(null)).isEqualTo("<none>");
    }

    @Test
    void selectorsWriteEveryOperatorSortedByKey() {
        LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("app", "web")
                .addNewMatchExpression().withKey("zone").withOperator("NotIn").withValues("b", "a").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
                .addNewMatchExpression().withKey("gpu").withOperator("Exists").endMatchExpression()
                .addNewMatchExpression().withKey("env").withOperator("In").withValues("prod").endMatchExpression()
                .build();

        assertThat(Selectors.selector(selector)).isEqualTo("app=web,!canary,env in (prod),gpu,zone notin (a,b)");
    }

    @Test
    void emptyAndInvalidSelectors() {
        assertThat(Selectors.selector(null)).isEmpty();
        assertThat(Selectors.selector(new LabelSelector())).isEmpty();
        assertThat(Selectors.selectorOrNone(new LabelSelector())).isEqualTo("<none>");
        assertThat(Selectors.selector(new LabelSelectorBuilder().addNewMatchExpression().withKey("a")
                .withOperator("Near").endMatchExpression().build())).isEqualTo("<invalid>");
    }
}
