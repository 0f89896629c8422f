package io.qube.controller.nodeipam;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which node holds which range: a node keeps what it was given; a range two nodes claim is freed by neither alone. */
class NodeRangesTest {

    private final NodeRanges ranges = new NodeRanges(new CidrSet("10.99.0.0/23", 24));

    @Test
    void aNodeAskingAgainGetsTheRangeItWasGivenAndReleasingFreesIt() {
        assertThat(ranges.allocate("a")).contains("10.99.0.0/24");
        assertThat(ranges.allocate("a")).contains("10.99.0.0/24");
        assertThat(ranges.allocate("b")).contains("10.99.1.0/24");
        assertThat(ranges.allocate("c")).isEmpty();

        ranges.release("a");

        assertThat(ranges.allocate("c")).contains("10.99.0.0/24");
        assertThat(ranges.nodes()).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void aRangeStillClaimedByAnotherNodeIsNotFreed() {
        assertThat(ranges.allocate("old")).contains("10.99.0.0/24");
        assertThat(ranges.occupy("new", "10.99.0.0/24")).isTrue();

        ranges.release("old");

        assertThat(ranges.allocate("next")).contains("10.99.1.0/24");
    }

    @Test
    void aCarriedRangeReplacesTheOneSetAsideAndOneOutsideIsNotRecorded() {
        assertThat(ranges.allocate("a")).contains("10.99.0.0/24");
        assertThat(ranges.occupy("a", "10.99.1.0/24")).isTrue();
        assertThat(ranges.occupy("v6", "fd00:1::/64")).isFalse();
        assertThat(ranges.occupy("elsewhere", "192.168.5.0/24")).isFalse();

        assertThat(ranges.allocate("b")).contains("10.99.0.0/24");
        assertThat(ranges.nodes()).containsExactlyInAnyOrder("a", "b");
    }
}
