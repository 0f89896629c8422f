package io.qube.agent.network;

import io.qube.agent.network.RoutePlan.Route;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the agent's routes back from {@code ip route show proto 113}. */
class HostRoutesTest {

    @Test
    void eachLineWithANextHopIsARoute() {
        assertThat(HostRoutes.parse("""
                10.91.2.0/24 via 10.90.0.3 dev eth0
                10.91.3.0/24 via 10.90.0.4 dev eth0 metric 5
                10.91.9.7 via 10.90.0.5 dev eth0
                """)).containsExactly(new Route("10.91.2.0/24", "10.90.0.3"), new Route("10.91.3.0/24", "10.90.0.4"),
                new Route("10.91.9.7/32", "10.90.0.5"));
    }

    @Test
    void nothingListedIsNoRoute() {
        assertThat(HostRoutes.parse("")).isEmpty();
        // A route with the mark but no next hop was not made by the agent, whose routes all have one.
        assertThat(HostRoutes.parse("blackhole 10.91.4.0/24")).isEmpty();
    }
}
