package io.qube.controller.nodeipam;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The node ranges of a cluster CIDR: each row runs a few steps on a fresh set and lists what each step gave
 * ({@code +} allocates the lowest free range, {@code o:CIDR} occupies, {@code r:CIDR} releases; {@code -} is an
 * exhausted allocation, {@code out} an occupy or release outside the cluster CIDR).
 */
class CidrSetTest {

    @ParameterizedTest(name = "{0} /{1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            10.42.0.0/16  | 24 | + +                                   | 10.42.0.0/24 10.42.1.0/24
            10.42.0.0/24  | 26 | + + + + + | 10.42.0.0/26 10.42.0.64/26 10.42.0.128/26 10.42.0.192/26 -
            10.99.0.0/23  | 24 | + + +                                 | 10.99.0.0/24 10.99.1.0/24 -
            10.99.0.0/23  | 24 | + + r:10.99.0.0/24 +                   | 10.99.0.0/24 10.99.1.0/24 ok 10.99.0.0/24
            10.42.0.0/16  | 24 | o:10.42.0.0/24 +                      | ok 10.42.1.0/24
            10.42.0.0/16  | 24 | o:10.42.1.0/24 + +                    | ok 10.42.0.0/24 10.42.2.0/24
            10.42.0.0/16  | 24 | o:10.42.0.0/23 +                      | ok 10.42.2.0/24
            10.42.0.0/24  | 26 | o:10.42.0.0/16 +                      | ok -
            10.42.0.0/16  | 24 | o:10.43.0.0/24 r:192.168.0.0/24 +     | out out 10.42.0.0/24
            10.42.0.0/16  | 24 | o:10.42.0.77/24 +                     | ok 10.42.1.0/24
            10.42.7.9/16  | 24 | +                                     | 10.42.0.0/24
            10.42.0.0/24  | 24 | + +                                   | 10.42.0.0/24 -
            10.0.0.0/8    | 24 | +                                     | 10.0.0.0/24
            """)
    void stepsGiveWhatTheRowSays(String cluster, int mask, String steps, String expected) {
        CidrSet set = new CidrSet(cluster, mask);
        List<String> results = new ArrayList<>();
        for (String step : steps.trim().split("\\s+")) {
            if (step.equals("+")) {
                results.add(set.allocateNext().orElse("-"));
            } else if (step.startsWith("o:")) {
                results.add(set.occupy(step.substring(2)) ? "ok" : "out");
            } else {
                results.add(set.release(step.substring(2)) ? "ok" : "out");
            }
        }
        assertThat(results).containsExactlyElementsOf(Arrays.asList(expected.trim().split("\\s+")));
    }

    @ParameterizedTest(name = "{0} /{1}: {2} ranges")
    @CsvSource(delimiter = '|', textBlock = """
            10.42.0.0/16 | 24 | 256
            10.42.0.0/24 | 26 | 4
            10.42.0.0/16 | 16 | 1
            10.0.0.0/8   | 24 | 65536
            10.42.0.0/31 | 32 | 2
            """)
    void aClusterCidrHoldsTwoToTheDifferenceOfTheMasksRanges(String cluster, int mask, int ranges) {
        CidrSet set = new CidrSet(cluster, mask);
        assertThat(set.freeCount()).isEqualTo(ranges);
        for (int i = 0; i < ranges; i++) {
            assertThat(set.allocateNext()).isPresent();
        }
        assertThat(set.allocateNext()).isEqualTo(Optional.empty());
        assertThat(set.freeCount()).isZero();
    }

    @ParameterizedTest(name = "{0} /{1}")
    @CsvSource(delimiter = '|', textBlock = """
            10.42.0.0/16  | 15
            10.42.0.0/16  | 33
            10.0.0.0/8    | 25
            fd00::/48     | 64
            10.42.0.0     | 24
            10.42.0/16    | 24
            10.42.0.256/16| 24
            10.42.0.0/33  | 24
            10.042.0.0/16 | 24
            10.42.0.0/    | 24
            a.b.c.d/16    | 24
            """)
    void settingsThatMakeNoRangesAreRefused(String cluster, int mask) {
        assertThatThrownBy(() -> new CidrSet(cluster, mask)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            10.42.0.0
            fd00::/64
            10.42.0.0/40
            """)
    void anOccupiedCidrThatIsNoIpv4CidrIsRefused(String cidr) {
        CidrSet set = new CidrSet("10.42.0.0/16", 24);
        assertThatThrownBy(() -> set.occupy(cidr)).isInstanceOf(IllegalArgumentException.class);
    }
}
