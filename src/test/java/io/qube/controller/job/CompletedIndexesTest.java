package io.qube.controller.job;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** status.completedIndexes in Kubernetes' compressed form, both ways. */
class CompletedIndexesTest {

    @ParameterizedTest(name = "{0} → \"{1}\"")
    @CsvSource(delimiter = '|', textBlock = """
            ''          | ''
            0           | 0
            0 1 2       | 0-2
            0 2 4       | 0,2,4
            1 2 3 7 9 10 | 1-3,7,9-10
            """)
    void formatAndParse(String indexes, String text) {
        TreeSet<Integer> set = new TreeSet<>();
        Arrays.stream(indexes.split(" ")).filter(s -> !s.isEmpty()).map(Integer::valueOf).forEach(set::add);

        assertThat(CompletedIndexes.format(set)).isEqualTo(text);
        assertThat(CompletedIndexes.parse(text, 100)).isEqualTo(set);
    }

    @ParameterizedTest(name = "\"{0}\" below {1} → {2}")
    @CsvSource(delimiter = '|', textBlock = """
            0-5       | 3 | 0-2
            x,2,4-y   | 5 | 2
            """)
    void parseKeepsValidIndexesBelowCompletions(String text, int completions, String expected) {
        assertThat(CompletedIndexes.format(CompletedIndexes.parse(text, completions))).isEqualTo(expected);
    }
}
