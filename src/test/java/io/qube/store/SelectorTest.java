package io.qube.store;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and matching of label and field selectors in Kubernetes' string syntax. */
class SelectorTest {

    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front", "example.com/team", "a");

    @Test
    void everyOperatorOfTheLabelSyntax() {
        assertThat(LabelSelector.parse("app=web").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app==web").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app!=web").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("app!=db").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("missing!=x").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app in (db, web)").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app in (db)").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("app notin (db,cache)").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("missing notin (db)").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app notin (web)").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("example.com/team").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("!example.com/team").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("!missing").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app=web,tier in (front,back),!missing").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app=web,tier=back").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("").isEverything()).isTrue();
    }

    @Test
    void parsedRequirementsKeepOperatorAndValues() {
        LabelSelector selector = LabelSelector.parse("env in (a,b), x!=y");
        assertThat(selector.requirements()).containsExactly(
                new LabelSelector.Requirement("env", LabelSelector.Operator.IN, Set.of("a", "b")),
                new LabelSelector.Requirement("x", LabelSelector.Operator.NOT_EQUALS, Set.of("y")));
    }

    @Test
    void malformedLabelSelectorsAreBadRequestsThatSayWhatIsWrong() {
        for (String bad : new String[] {"app=", "=web", "app in (a", "a b c", "app=we b", "-bad=x", "a,,b", "x=" + "v".repeat(64)}) {
            if (bad.equals("app=")) {
                // An empty value is valid in Kubernetes (it selects objects whose label is set to "").
                assertThat(LabelSelector.parse(bad).matches(Map.of("app", ""))).isTrue();
                continue;
            }
            assertThatThrownBy(() -> LabelSelector.parse(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.reason()).isEqualTo(StoreException.Reason.BAD_REQUEST);
                        assertThat(e.getMessage()).contains(bad);
                    });
        }
    }

    @Test
    void fieldSelectorsAcceptIndexedFieldsOnly() {
        IndexedFields fields = IndexedFields.kubernetesDefaults();
        ResourceType pods = ResourceType.core("pods");
        FieldSelector selector = FieldSelector.parse("spec.nodeName=n1,metadata.namespace!=kube-system", pods, fields);
        StoredObject object = new StoredObject(ObjectKey.of(pods, "default", "p"), "u", 1, 1, Map.of(),
                Map.of("spec.nodeName", "n1"), "{}");
        assertThat(selector.matches(object)).isTrue();
        assertThat(FieldSelector.parse("status.phase=", pods, fields).matches(object)).isTrue();
        assertThat(FieldSelector.parse("metadata.name==q", pods, fields).matches(object)).isFalse();

        assertThatThrownBy(() -> FieldSelector.parse("spec.hostname=x", pods, fields))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.Reason.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("field label not supported: spec.hostname");
                });
        assertThatThrownBy(() -> FieldSelector.parse("justaword", pods, fields))
                .isInstanceOf(StoreException.class);
    }
}
