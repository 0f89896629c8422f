package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** An Indexed job's successPolicy against the indexes that succeeded, for a job of 10 completions. */
class SuccessRulesTest {

    /**
     * @param rules "indexes/count" per rule, separated by ";", "-" for a part left out
     */
    @ParameterizedTest(name = "rules {0}, succeeded \"{1}\" → {2}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            0-2/-        | 0,1     | null
            0-2/-        | 0-2     | Matched rules at index 0
            0-2/-        | 0-5     | Matched rules at index 0
            0-4/2        | 3,7     | null
            0-4/2        | 3-4,7   | Matched rules at index 0
            -/3          | 2,5     | null
            -/3          | 2,5,9   | Matched rules at index 0
            9/-;-/2      | 1,2     | Matched rules at index 1
            9/-;-/2      | 9       | Matched rules at index 0
            -/1          | ''      | null
            0-20/-       | 0-9     | Matched rules at index 0
            """)
    void theFirstRuleThatHoldsMatches(String rules, String succeeded, String expected) {
        SuccessPolicyBuilder policy = new SuccessPolicyBuilder();
        for (String rule : rules.split(";")) {
            String[] parts = rule.split("/");
            policy.addNewRule().withSucceededIndexes(parts[0].equals("-") ? null : parts[0])
                    .withSucceededCount(parts[1].equals("-") ? null : Integer.valueOf(parts[1])).endRule();
        }
        SuccessPolicy built = policy.build();

        assertThat(SuccessRules.match(built, 10, CompletedIndexes.parse(succeeded, 10))).isEqualTo(expected);
    }
}
